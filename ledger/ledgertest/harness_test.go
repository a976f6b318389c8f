package ledgertest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// The harness decides every block a second time on a fresh step, which
// keeps nothing from earlier blocks: a module whose decisions depend on
// what the step kept (a kept record changed in place) fails the block
// that shows it, where replay and the state's invariants see nothing
// wrong.
func TestHarnessCatchesDecisionsOnKeptState(t *testing.T) {
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"t","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h","assets":[{"id":"COOP","decimals":6}],"accounts":[{"id":"alice"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	run := func(m ledgertest.Tally, noFresh bool) error {
		h, err := ledgertest.New(m)
		if err != nil {
			t.Fatal(err)
		}
		h.NoFreshCheck = noFresh
		if _, err := h.Genesis(g); err != nil {
			t.Fatal(err)
		}
		at := h.Time
		for i := range 4 {
			at = at.Add(time.Second)
			b, err := h.Apply(at, []*ledger.Command{{Actor: "alice", Nonce: uint64(i + 1), Payload: &ledgertest.TallyCount{}}})
			if err != nil {
				return err
			}
			if code := b.Results[0].Code; code != "" {
				t.Fatalf("block %d: %s", b.Height, b.Results[0].Err())
			}
		}
		return nil
	}
	if err := run(ledgertest.Tally{}, false); err != nil {
		t.Fatalf("a module that keeps records correctly: %v", err)
	}
	if err := run(ledgertest.Tally{ChangeKept: true}, true); err != nil {
		t.Fatalf("without the fresh step, replay and invariants alone: %v (the bug should go unseen)", err)
	}
	err = run(ledgertest.Tally{ChangeKept: true}, false)
	if err == nil || !strings.Contains(err.Error(), "block 3: the step that kept its state decided otherwise than a fresh step: event 0 is tally_counted &{N:16}, tally_counted &{N:15}") {
		t.Fatalf("a kept record changed in place: %v; want block 3 to differ from a fresh step's", err)
	}
}
