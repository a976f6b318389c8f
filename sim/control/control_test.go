package control_test

import (
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/sim/control"
	"github.com/coopera/coopera/tokenomics"
)

// The control module is a reducer: it must be pure like the others.
func TestReducerIsPure(t *testing.T) { ledgertest.CheckPure(t, ".") }

// sim_set_param changes a parameter from the next block, only for the
// operator, and only within the owning module's bounds.
func TestSetParam(t *testing.T) {
	h, err := ledgertest.New(tokenomics.Module{}, control.Module{Operator: "op"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "c", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
		"assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "op"}, {"id": "eve"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	set := func(actor ledger.AccountID, value string) ledger.Result {
		t.Helper()
		b, err := h.Apply(h.Time, []*ledger.Command{{Actor: actor, Payload: &control.SetParam{Module: "tokenomics", Name: "fee_bps", Value: []byte(value)}}})
		if err != nil {
			t.Fatal(err)
		}
		return b.Results[0]
	}
	fee := func() uint32 {
		p, err := tokenomics.ParamsAt(h, h.Height+1)
		if err != nil {
			t.Fatal(err)
		}
		return p.FeeBps
	}
	if r := set("eve", "150"); r.Code != "unauthorized" {
		t.Fatalf("eve: %+v", r)
	}
	if r := set("op", "5000"); r.Code != "invalid_parameter" {
		t.Fatalf("out of bounds: %+v", r)
	}
	if r := set("op", "150"); r.Code != "" || fee() != 150 {
		t.Fatalf("op: %+v, fee %d", r, fee())
	}
	if p, _ := tokenomics.ParamsAt(h, h.Height); p.FeeBps != 100 {
		t.Fatalf("in effect in its own block: %d", p.FeeBps)
	}
}
