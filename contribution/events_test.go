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

// TestRecordedEnergy: contribution_recorded v2 carries energy; v1 (written
// before records had energy) upcasts with none. A record without energy
// encodes byte for byte as before energy existed; one with energy adds a
// trailing field, and a present zero is refused as not canonical.
func TestRecordedEnergy(t *testing.T) {
	m, err := ledger.NewMachine(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	reg := m.Registry()
	ev := &contribution.Recorded{RecordedV1: contribution.RecordedV1{Epoch: 4, Provider: "p1", Kind: "gpu_seconds", Class: "h100", Quantity: 60, Value: ledger.NewAmount(60), Source: "dcgm", Reporter: "meter"}, EnergyMJ: 21_000_000}
	if back := roundTrip(t, reg, ev); !reflect.DeepEqual(back, ev) {
		t.Fatalf("recorded v2 round trip:\n%+v\n%+v", back, ev)
	}
	old := &contribution.RecordedV1{Epoch: 4, Provider: "p1", Kind: "gpu_seconds", Quantity: 60, Value: ledger.NewAmount(60), Source: "dcgm", Reporter: "meter"}
	up, ok := roundTrip(t, reg, old).(*contribution.Recorded)
	if !ok || up.Provider != "p1" || up.Quantity != 60 || up.EnergyMJ != 0 {
		t.Fatalf("recorded v1 upcast to %+v", up)
	}

	rec := &contribution.Record{Provider: "p1", Kind: "gpu_seconds", Quantity: 60, Source: "dcgm"}
	e := ledger.NewEncoder(nil)
	rec.Encode(e)
	before := ledger.NewEncoder(nil) // the record's encoding before energy existed
	before.String("p1")
	before.String("gpu_seconds")
	before.String("")
	before.Uint(60)
	before.Uint(0)
	before.String("dcgm")
	if string(e.Bytes()) != string(before.Bytes()) {
		t.Fatalf("a record without energy encodes as %x, before energy %x", e.Bytes(), before.Bytes())
	}
	rec.EnergyMJ = 9
	e = ledger.NewEncoder(nil)
	rec.Encode(e)
	var back contribution.Record
	d := ledger.NewDecoder(e.Bytes(), "record")
	back.Decode(d)
	if err := d.Finish(); err != nil || back != *rec {
		t.Fatalf("record with energy: %+v, %v", back, err)
	}
	zero := append(before.Bytes(), 0) // energy present as 0
	d = ledger.NewDecoder(zero, "record")
	back.Decode(d)
	if err := d.Finish(); !errors.Is(err, ledger.ErrMalformed) {
		t.Fatalf("energy present as 0: %v, want ErrMalformed", err)
	}
}
