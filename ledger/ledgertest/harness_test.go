package ledgertest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// tally is a module whose count command adds a configured step to a
// counter. Its decision keeps the step decoded (ledger.Context.KeepRecord),
// as the reducer kit does; with inPlace it also changes that kept record
// in place without writing it, the bug class the harness's fresh step
// exists to catch: a decision that depends on what a step kept rather
// than on the state.
type tally struct{ inPlace bool }

type stepRecord struct{ n uint64 }

func (r *stepRecord) EncodeTo(e *ledger.Encoder) { e.Uint(r.n) }

type setStep struct{ N uint64 }

func (*setStep) Type() string                 { return "tally_set_step" }
func (p *setStep) Encode(e *ledger.Encoder)   { e.Uint(p.N) }
func (p *setStep) Decode(d *ledger.Decoder)   { p.N = d.Uint() }
func (p *setStep) Validate() error            { return nil }
func (p *setStep) EventType() string          { return "tally_step_set" }
func (p *setStep) EventVersion() uint16       { return 1 }
func (*count) Type() string                   { return "tally_count" }
func (*count) Encode(*ledger.Encoder)         {}
func (*count) Decode(*ledger.Decoder)         {}
func (*count) Validate() error                { return nil }
func (*counted) EventType() string            { return "tally_counted" }
func (*counted) EventVersion() uint16         { return 1 }
func (e *counted) Encode(enc *ledger.Encoder) { enc.Uint(e.N) }
func (e *counted) Decode(d *ledger.Decoder)   { e.N = d.Uint() }

type count struct{}

type counted struct{ N uint64 }

var stepKey, countKey = []byte("tally/step"), []byte("tally/n")

func (tally) Name() string { return "tally" }
func (tally) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "tally_set_step", New: func() ledger.Payload { return new(setStep) }},
		{Type: "tally_count", New: func() ledger.Payload { return new(count) }},
	}
}
func (tally) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "tally_step_set", Version: 1, New: func() ledger.Event { return new(setStep) }},
		{Type: "tally_counted", Version: 1, New: func() ledger.Event { return new(counted) }},
	}
}

func (m tally) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	switch p := cmd.Payload.(type) {
	case *setStep:
		return ctx.Emit(&setStep{N: p.N})
	case *count:
		step, ok := ctx.Record(stepKey)
		if !ok {
			v, _ := ctx.Get(stepKey)
			step = &stepRecord{n: ledger.NewDecoder(v, "step").Uint()}
			ctx.KeepRecord(stepKey, step)
		}
		v, _ := ctx.Get(countKey)
		n := ledger.NewDecoder(v, "count").Uint() + step.(*stepRecord).n
		if m.inPlace {
			step.(*stepRecord).n++ // the bug: a kept record changed, its bytes not
		}
		return ctx.Emit(&counted{N: n})
	}
	return nil
}

func (tally) Evolve(st *ledger.State, ev ledger.Event) error {
	switch e := ev.(type) {
	case *setStep:
		st.SetRecord(stepKey, &stepRecord{n: e.N})
	case *counted:
		enc := ledger.NewEncoder(nil)
		enc.Uint(e.N)
		st.Set(countKey, enc.Bytes())
	}
	return nil
}

// The harness decides every block a second time on a fresh step, which
// keeps nothing from earlier blocks: a module whose decisions depend on
// what the step kept (here a kept record changed in place) fails the
// block that shows it, where replay and the state's invariants see nothing
// wrong.
func TestHarnessCatchesDecisionsOnKeptState(t *testing.T) {
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"t","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h","assets":[{"id":"COOP","decimals":6}],"accounts":[{"id":"alice"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	run := func(m tally, noFresh bool) error {
		h, err := ledgertest.New(m)
		if err != nil {
			t.Fatal(err)
		}
		h.NoFreshCheck = noFresh
		if _, err := h.Genesis(g); err != nil {
			t.Fatal(err)
		}
		at := h.Time
		for i, p := range []ledger.Payload{&setStep{N: 5}, &count{}, &count{}, &count{}} {
			at = at.Add(time.Second)
			b, err := h.Apply(at, []*ledger.Command{{Actor: "alice", Nonce: uint64(i + 1), Payload: p}})
			if err != nil {
				return err
			}
			if code := b.Results[0].Code; code != "" {
				t.Fatalf("block %d: %s", b.Height, b.Results[0].Err())
			}
		}
		return nil
	}
	if err := run(tally{}, false); err != nil {
		t.Fatalf("a module that keeps records correctly: %v", err)
	}
	if err := run(tally{inPlace: true}, true); err != nil {
		t.Fatalf("without the fresh step, replay and invariants alone: %v (the bug should go unseen)", err)
	}
	err = run(tally{inPlace: true}, false)
	if err == nil || !strings.Contains(err.Error(), "a fresh step") {
		t.Fatalf("a kept record changed in place: %v; want the fresh step to decide otherwise", err)
	}
	t.Log(err)
}
