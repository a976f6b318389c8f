package contribution_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

// TestReplayOnlyApplies records ten epochs (weights changing, a validator
// going quiet past the activity cutoff and returning, a provider
// registering mid-way), checks that every close scored exactly once
// (execution and the harness's replay of each block together), then
// replaces the epoch's decision and scoring code with code that fails and
// replays the whole history from genesis: every state root must come out
// the same.
func TestReplayOnlyApplies(t *testing.T) {
	stop := contribution.CountScoring()
	n := newNetwork(t, map[string]uint64{"v1": 500, "v2": 300, "v3": 200}, `"activity_cutoff":2`)
	n.h.NoFreshCheck = true // the count is of the block step's own decisions
	n.providers("p1", "p2", "p3")
	const epochs = 10
	for e := range epochs {
		if e == 3 {
			n.providers("p4")
		}
		n.fund(1_000_000)
		q := map[string]uint64{"p1": 100 + uint64(e), "p2": 300, "p3": 50}
		if e >= 3 {
			q["p4"] = 80
		}
		n.record(q)
		p4 := ""
		if e >= 3 {
			p4 = fmt.Sprintf(" p4:%d", e%2)
		}
		n.vote("v1", fmt.Sprintf("p1:%d p2:3 p3:1", 1+e%3)+p4)
		if e < 3 || e >= 8 {
			n.vote("v2", "p1:1 p2:3 p3:1"+p4)
		}
		n.vote("v3", "p1:5 p3:1"+p4)
		n.close()
	}
	if got := stop(); got != epochs {
		t.Fatalf("%d epoch closes scored %d times; each must score once", epochs, got)
	}
	restore := contribution.FailDecisions(func(what string) { t.Errorf("replay ran decision code: %s", what) })
	if err := n.h.ReplayAll(); err != nil {
		t.Fatal(err)
	}
	restore()

	// The hook does catch decision code: closing another epoch runs it.
	ran := false
	restore = contribution.FailDecisions(func(string) { ran = true })
	defer restore()
	c, _ := ledger.GetChain(n.h)
	end := time.Unix(0, c.EpochEnd())
	if _, err := n.h.Apply(end, ledger.EpochCloses(c, end.UnixNano(), 1)); err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Fatal("closing an epoch did not reach the replaced decision code")
	}
}

// TestCommitRevealOff: without commit-reveal a validator sets weights with
// a reveal alone, as the chain's set_weights; with it (the default) a
// reveal needs a commitment in an earlier block.
func TestCommitRevealOff(t *testing.T) {
	for _, on := range []bool{false, true} {
		n := newNetwork(t, map[string]uint64{"v1": 10}, fmt.Sprintf(`"commit_reveal":%v`, on))
		n.providers("p1")
		b, err := n.h.Apply(n.h.Time.Add(time.Second), []*ledger.Command{{Actor: "v1", Payload: &contribution.RevealWeights{Weights: []contribution.Weight{{Provider: "p1", Weight: 1}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Results[0].Code; (got == "") == on {
			t.Fatalf("commit_reveal %v: a reveal without a commitment gives %q", on, got)
		}
	}
}

// TestSparseEpochs: closes with nobody, with validators but no providers,
// and with weights but no recorded work all conserve the pool and replay.
func TestSparseEpochs(t *testing.T) {
	for _, alloc := range []string{"roles", "subtensor"} {
		n := newNetwork(t, map[string]uint64{"v1": 10, "v2": 5}, fmt.Sprintf(`"allocation":%q`, alloc))
		n.fund(1000)
		n.close() // validators, no providers
		n.providers("p1", "p2")
		n.fund(1000)
		n.vote("v1", "p1:1 p2:1")
		n.close() // weights, no work
		n.fund(1000)
		n.record(map[string]uint64{"p2": 5})
		n.close() // work by one, weights persisting
		if err := n.h.ReplayAll(); err != nil {
			t.Fatal(err)
		}
		if bal := n.h.Balance(t, contribution.PoolAccount, "COOP"); !bal.IsZero() {
			t.Fatalf("%s: the pool keeps %s", alloc, bal)
		}
	}
}
