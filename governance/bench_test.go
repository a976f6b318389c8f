package governance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// tallyFixture is a ledger with one proposal and n recorded votes, whose
// voting period is over.
func tallyFixture(b *testing.B, n int) (*ledgertest.Harness, time.Time) {
	b.Helper()
	h, err := ledgertest.New(testModules()...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Genesis(propGenesis(b)); err != nil {
		b.Fatal(err)
	}
	if _, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{decided(b, "a", &governance.Propose{Title: "big vote"})}); err != nil {
		b.Fatal(err)
	}
	// Record the votes directly through Evolve: the tally reads only them.
	st := ledger.NewState(h.Store)
	mod := governance.New(nil)
	for i := range n {
		o := governance.Option(i % 4)
		ev := &governance.VoteCast{Proposal: 1, Voter: ledger.AccountID(fmt.Sprintf("voter-%06d", i)),
			Options: []governance.WeightedOption{{Option: o, WeightBps: 10000}},
			Stake:   ledger.NewAmount(uint64(1000 + i%97)), Power: ledger.NewAmount(uint64(1500 + i%89)), Height: 2}
		if err := mod.Evolve(st, ev); err != nil {
			b.Fatal(err)
		}
	}
	h.Store.Apply(st.Changes())
	return h, h.Time.Add(2 * time.Hour)
}

// BenchmarkTally100kVotes decides a gov_tally over 100,000 recorded votes
// through the state machine on in-memory state: one ordered scan of the
// votes, the pass rules, the deposit and the event. (MemStore sorts the
// prefix's keys on each scan; Pebble iterates them in order.)
func BenchmarkTally100kVotes(b *testing.B) {
	h, at := tallyFixture(b, 100_000)
	cmd := &ledger.Command{Actor: "a", Payload: &governance.TallyVotes{ProposalRef: governance.ProposalRef{Proposal: 1}}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		st := ledger.NewState(h.Store)
		res, _, err := h.M.Execute(st, ledger.BlockContext{Height: h.Height + 1, Time: at.UnixNano()}, []*ledger.Command{cmd}, nil)
		if err != nil || res[0].Code != "" {
			b.Fatalf("%v %+v", err, res[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/vote")
}

// BenchmarkCount100kVotes is the counting alone: 100,000 decoded votes.
func BenchmarkCount100kVotes(b *testing.B) {
	h, _ := tallyFixture(b, 100_000)
	votes, err := governance.Votes(storeScanner{h}, 1)
	if err != nil || len(votes) != 100_000 {
		b.Fatalf("%d votes: %v", len(votes), err)
	}
	b.ResetTimer()
	for range b.N {
		governance.Count(votes)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/vote")
}
