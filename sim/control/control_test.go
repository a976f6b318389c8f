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

// sim_release pays a holder out of a vesting escrow created at genesis:
// only the operator, only from an escrow, only what it holds.
func TestRelease(t *testing.T) {
	esc := control.EscrowAccount("team")
	h, err := ledgertest.New(tokenomics.Module{}, control.Module{Operator: "op", Escrows: []ledger.AccountID{esc}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "c", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
		"assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "op"}, {"id": "ann"}],
		"allocations": [{"account": "` + string(esc) + `", "asset": "COOP", "amount": "1000"}, {"account": "op", "asset": "COOP", "amount": "50"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	release := func(actor, from ledger.AccountID, amount uint64) ledger.Result {
		t.Helper()
		b, err := h.Apply(h.Time, []*ledger.Command{{Actor: actor, Payload: &control.Release{Escrow: from, To: "ann", Asset: "COOP", Amount: ledger.NewAmount(amount)}}})
		if err != nil {
			t.Fatal(err)
		}
		return b.Results[0]
	}
	balance := func(a ledger.AccountID) uint64 {
		v, _ := ledger.BalanceOf(h, a, "COOP")
		n, _ := v.Uint64()
		return n
	}
	if r := release("ann", esc, 10); r.Code != "unauthorized" {
		t.Fatalf("ann: %+v", r)
	}
	if r := release("op", "op", 10); r.Code != "unauthorized" {
		t.Fatalf("from a non-escrow: %+v", r)
	}
	if r := release("op", esc, 1001); r.Code == "" {
		t.Fatalf("more than the escrow holds: %+v", r)
	}
	if r := release("op", esc, 400); r.Code != "" || balance("ann") != 400 || balance(esc) != 600 {
		t.Fatalf("release: %+v, ann %d, escrow %d", r, balance("ann"), balance(esc))
	}
	s, err := tokenomics.Supply(h.Store.View(), h.Height)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Circulating.Uint64(); c != 450 {
		t.Fatalf("circulating %d, want 450: the escrow's 600 are not circulating", c)
	}
}
