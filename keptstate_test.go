package coopera_test

import (
	"context"
	"errors"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// With Options.CheckInvariants the sequencer decides every block again on
// a fresh step: a decision that depends on the state its block step kept
// from earlier blocks stops the engine with ErrInvariant before the block
// is written. Without it, such a module runs on.
func TestCheckInvariantsCatchesDecisionsOnKeptState(t *testing.T) {
	ctx := context.Background()
	count := func(e *coopera.Engine) error {
		_, err := e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &ledgertest.TallyCount{}})
		return err
	}
	for _, tc := range []struct {
		name          string
		module        ledgertest.Tally
		check, caught bool
	}{
		{"a module that keeps records correctly", ledgertest.Tally{}, true, false},
		{"a kept record changed in place, unchecked", ledgertest.Tally{ChangeKept: true}, false, false},
		{"a kept record changed in place, checked", ledgertest.Tally{ChangeKept: true}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.check && coopera.InvariantsBuild {
				t.Skip("this build checks invariants in every engine (the invariants tag)")
			}
			e := openTest(t, t.TempDir(), func(o *coopera.Options) {
				o.Modules = []ledger.Module{tc.module}
				o.CheckInvariants = tc.check
			})
			defer e.Close()
			var err error
			for range 4 {
				if err = count(e); err != nil {
					break
				}
			}
			if !tc.caught {
				if err != nil {
					t.Fatalf("4 counts: %v", err)
				}
				return
			}
			if !errors.Is(err, ledger.ErrInvariant) || !errors.Is(e.Err(), ledger.ErrInvariant) {
				t.Fatalf("4 counts: %v (engine: %v); want ErrInvariant from the fresh step's other decision", err, e.Err())
			}
			// The third count's block, the first to show it, was not written.
			if h := e.Head().Height; h != 2 {
				t.Fatalf("the head is block %d after the check failed on block 3; want 2", h)
			}
		})
	}
}

// A replicated leader checks before it publishes: the block that fails
// the check never reaches the stream.
func TestCheckInvariantsBeforePublish(t *testing.T) {
	c := startNATS(t, 1)
	e := openNode(t, c, t.TempDir(), "a", 1, func(o *coopera.Options) {
		o.Modules = []ledger.Module{ledgertest.Tally{ChangeKept: true}}
		o.CheckInvariants = true
	})
	defer e.Close()
	waitLeader(t, e)
	ctx := context.Background()
	var err error
	for range 4 {
		if _, err = e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &ledgertest.TallyCount{}}); err != nil {
			break
		}
	}
	if !errors.Is(err, ledger.ErrInvariant) {
		t.Fatalf("4 counts: %v; want ErrInvariant", err)
	}
	if h := e.LogLastHeightForTest(); h != 2 {
		t.Fatalf("the stream holds block %d after the check failed on block 3; want 2", h)
	}
}
