package contribution_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

func roundTrip(t *testing.T, reg *ledger.Registry, ev ledger.Event) ledger.Event {
	t.Helper()
	e := ledger.NewEncoder(nil)
	ledger.EncodeEvent(e, ev)
	back, err := reg.DecodeEvent(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// TestEventVersions: EpochScored v2 round-trips; Revealed v1 upcasts to
// v2; EpochScored v1 still decodes, and applying it is refused with a
// typed error (it carries no scores, and replay does not score).
func TestEventVersions(t *testing.T) {
	m, err := ledger.NewMachine(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	reg := m.Registry()
	ev := &contribution.EpochScored{
		Epoch: 3, Height: 40, Pool: ledger.NewAmount(1000), Paid: ledger.NewAmount(990), Treasury: ledger.NewAmount(10), Flagged: 1,
		Columns:   []ledger.AccountID{"p1", "p2", "p3"},
		Providers: []contribution.ScoredProvider{{Column: 2, Contribution: ledger.NewAmount(7), Consensus: 5, Incentive: 6, Trust: 7, Reward: ledger.NewAmount(500), Flagged: true, Capped: ledger.NewAmount(1)}},
		Validators: []contribution.ScoredValidator{
			{Validator: "v1", Active: true, Dividend: 1, VTrust: 2, Reward: ledger.NewAmount(490), BondColumns: []int32{0, 2}, BondChanges: []int64{65535, -3}},
			{Validator: "v2", BondColumns: []int32{}, BondChanges: []int64{}},
		},
		Cleared: []ledger.AccountID{"v9"},
	}
	if back := roundTrip(t, reg, ev); !reflect.DeepEqual(back, ev) {
		t.Fatalf("epoch_scored v2 round trip:\n%+v\n%+v", back, ev)
	}
	old := &contribution.RevealedV1{Validator: "v1", Epoch: 2, Weights: []contribution.Weight{{Provider: "p1", Weight: 3}}}
	up, ok := roundTrip(t, reg, old).(*contribution.Revealed)
	if !ok || up.Validator != "v1" || up.Epoch != 2 || len(up.Weights) != 1 || up.Height != 0 {
		t.Fatalf("revealed v1 upcast to %+v", up)
	}
	v1 := roundTrip(t, reg, &contribution.EpochScoredV1{Epoch: 1, Pool: ledger.NewAmount(5)})
	st := ledger.NewState(ledger.NewMemStore())
	if err := (contribution.Module{}).Evolve(st, v1); !errors.Is(err, ledger.ErrUnknownVersion) {
		t.Fatalf("applying epoch_scored v1: %v, want ErrUnknownVersion", err)
	}
}
