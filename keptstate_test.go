package coopera_test

import (
	"context"
	"errors"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// tallyModule's count command adds a configured step to a counter; its
// decision keeps the step decoded (ledger.Context.KeepRecord) and, when
// inPlace, changes that kept record without writing it: a decision that
// depends on what the block step kept, not on the state.
type tallyModule struct{ inPlace bool }

type tallyStep struct{ n uint64 }

func (r *tallyStep) EncodeTo(e *ledger.Encoder) { e.Uint(r.n) }

type tallyCount struct{}

func (*tallyCount) Type() string           { return "tally_count" }
func (*tallyCount) Encode(*ledger.Encoder) {}
func (*tallyCount) Decode(*ledger.Decoder) {}
func (*tallyCount) Validate() error        { return nil }

type tallyCounted struct{ N uint64 }

func (*tallyCounted) EventType() string            { return "tally_counted" }
func (*tallyCounted) EventVersion() uint16         { return 1 }
func (e *tallyCounted) Encode(enc *ledger.Encoder) { enc.Uint(e.N) }
func (e *tallyCounted) Decode(d *ledger.Decoder)   { e.N = d.Uint() }

var tallyStepKey, tallyCountKey = []byte("tally/step"), []byte("tally/n")

func (tallyModule) Name() string { return "tally" }
func (tallyModule) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{{Type: "tally_count", New: func() ledger.Payload { return new(tallyCount) }}}
}
func (tallyModule) Events() []ledger.EventSpec {
	return []ledger.EventSpec{{Type: "tally_counted", Version: 1, New: func() ledger.Event { return new(tallyCounted) }}}
}

func (m tallyModule) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	step, ok := ctx.Record(tallyStepKey)
	if !ok {
		step = &tallyStep{n: 5} // the step's default, until a block writes it
		if v, has := ctx.Get(tallyStepKey); has {
			step = &tallyStep{n: ledger.NewDecoder(v, "step").Uint()}
		}
		ctx.KeepRecord(tallyStepKey, step)
	}
	v, _ := ctx.Get(tallyCountKey)
	n := ledger.NewDecoder(v, "count").Uint() + step.(*tallyStep).n
	if m.inPlace {
		step.(*tallyStep).n++ // the bug: a kept record changed, its bytes not
	}
	return ctx.Emit(&tallyCounted{N: n})
}

func (tallyModule) Evolve(st *ledger.State, ev ledger.Event) error {
	e := ev.(*tallyCounted)
	if !st.Has(tallyStepKey) {
		st.SetRecord(tallyStepKey, &tallyStep{n: 5}) // written once, by the first count
	}
	enc := ledger.NewEncoder(nil)
	enc.Uint(e.N)
	st.Set(tallyCountKey, enc.Bytes())
	return nil
}

// With Options.CheckInvariants the sequencer decides every block again on
// a fresh step: a decision that depends on the state its block step kept
// from earlier blocks stops the engine with ErrInvariant before the block
// is written. Without it, such a module runs on.
func TestCheckInvariantsCatchesDecisionsOnKeptState(t *testing.T) {
	ctx := context.Background()
	count := func(e *coopera.Engine) error {
		_, err := e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &tallyCount{}})
		return err
	}
	for _, tc := range []struct {
		name          string
		module        tallyModule
		check, caught bool
	}{
		{"a module that keeps records correctly", tallyModule{}, true, false},
		{"a kept record changed in place, unchecked", tallyModule{inPlace: true}, false, false},
		{"a kept record changed in place, checked", tallyModule{inPlace: true}, true, true},
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
		o.Modules = []ledger.Module{tallyModule{inPlace: true}}
		o.CheckInvariants = true
	})
	defer e.Close()
	waitLeader(t, e)
	ctx := context.Background()
	var err error
	for range 4 {
		if _, err = e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &tallyCount{}}); err != nil {
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
