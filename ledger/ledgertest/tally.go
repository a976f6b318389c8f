package ledgertest

import "github.com/coopera/coopera/ledger"

// Tally is a module for testing the checks that what a block step keeps
// from block to block never changes a decision (the Harness's fresh step,
// the engine's Options.CheckInvariants). Its tally_count command adds a
// step (5, written by the first count) to a counter. Its decision keeps
// the step decoded (ledger.Context.KeepRecord), as the reducer kit does;
// with ChangeKept it also changes that kept record in place without
// writing it, the bug class those checks exist for: from the third count
// on, a step that kept its state decides otherwise than a fresh one,
// while replay and the state's invariants see nothing wrong.
type Tally struct{ ChangeKept bool }

// TallyCount is Tally's command.
type TallyCount struct{}

// TallyCounted is Tally's event: the counter's new value.
type TallyCounted struct{ N uint64 }

type tallyStep struct{ n uint64 }

func (r *tallyStep) EncodeTo(e *ledger.Encoder) { e.Uint(r.n) }

func (*TallyCount) Type() string           { return "tally_count" }
func (*TallyCount) Encode(*ledger.Encoder) {}
func (*TallyCount) Decode(*ledger.Decoder) {}
func (*TallyCount) Validate() error        { return nil }

func (*TallyCounted) EventType() string            { return "tally_counted" }
func (*TallyCounted) EventVersion() uint16         { return 1 }
func (e *TallyCounted) Encode(enc *ledger.Encoder) { enc.Uint(e.N) }
func (e *TallyCounted) Decode(d *ledger.Decoder)   { e.N = d.Uint() }

var tallyStepKey, tallyCountKey = []byte("tally/step"), []byte("tally/n")

func (Tally) Name() string { return "tally" }

func (Tally) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{{Type: "tally_count", New: func() ledger.Payload { return new(TallyCount) }}}
}

func (Tally) Events() []ledger.EventSpec {
	return []ledger.EventSpec{{Type: "tally_counted", Version: 1, New: func() ledger.Event { return new(TallyCounted) }}}
}

func (m Tally) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	step, ok := ctx.Record(tallyStepKey)
	if !ok {
		step = &tallyStep{n: 5} // until the first count writes it
		if v, has := ctx.Get(tallyStepKey); has {
			step = &tallyStep{n: ledger.NewDecoder(v, "tally step").Uint()}
		}
		ctx.KeepRecord(tallyStepKey, step)
	}
	v, _ := ctx.Get(tallyCountKey)
	n := ledger.NewDecoder(v, "tally").Uint() + step.(*tallyStep).n
	if m.ChangeKept {
		step.(*tallyStep).n++ // the bug: a kept record changed, its bytes not
	}
	return ctx.Emit(&TallyCounted{N: n})
}

func (Tally) Evolve(st *ledger.State, ev ledger.Event) error {
	e := ev.(*TallyCounted)
	if !st.Has(tallyStepKey) {
		st.SetRecord(tallyStepKey, &tallyStep{n: 5})
	}
	enc := ledger.NewEncoder(nil)
	enc.Uint(e.N)
	st.Set(tallyCountKey, enc.Bytes())
	return nil
}
