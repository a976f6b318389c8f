package agents

import (
	"slices"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/control"
	"github.com/coopera/coopera/tokenomics"
)

// fakeHost is an empty chain whose exchange holds reserve tokens.
type fakeHost struct {
	reserve ledger.Amount
	escrow  ledger.AccountID
}

func (h *fakeHost) Get([]byte) ([]byte, bool)                 { return nil, false }
func (h *fakeHost) Scan([]byte, func(key, value []byte) bool) {}
func (h *fakeHost) Rewards(ledger.AccountID) ledger.Amount    { return ledger.Amount{} }
func (h *fakeHost) Served(ledger.AccountID) ledger.Amount     { return ledger.Amount{} }
func (h *fakeHost) DemandFactor(string, int) Dec              { return One / 2 }
func (h *fakeHost) Escrow() ledger.AccountID                  { return h.escrow }
func (h *fakeHost) Agents() []AgentInfo                       { return nil }
func (h *fakeHost) Servers(string) []ledger.AccountID         { return nil }
func (h *fakeHost) Behaviour(string) Behaviour                { return nil }
func (h *fakeHost) NewSymbol() ledger.AssetID                 { return "AGT1" }
func (h *fakeHost) Reserve(t ledger.Amount) bool {
	left, ok := h.reserve.Sub(t)
	if !ok || left.IsZero() {
		return false
	}
	h.reserve = left
	return true
}

// Env's helpers build commands and write nothing: what they return is an
// intent, which the host's state never sees.
func TestEnvBuildsIntents(t *testing.T) {
	h := &fakeHost{reserve: ledger.NewAmount(3_000_000)}
	env := NewEnv(Env{Name: "consumers", Native: "COOP", Decimals: 6, CreditPrice: 1_000_000, Price: 1_000_000}, h)
	if f := env.DemandFactor(); f != One/2 {
		t.Errorf("demand factor %s", f)
	}
	cmd := env.BuyCredits("c-0", 2_000_000) // $2 at $1: 2 tokens
	if cmd == nil || cmd.Actor != ExchangeAccount {
		t.Fatalf("buy: %+v", cmd)
	}
	if bc, ok := cmd.Payload.(*tokenomics.BuyCredits); !ok || bc.To != "c-0" || bc.Amount != ledger.NewAmount(2_000_000) {
		t.Fatalf("buy payload %+v", cmd.Payload)
	}
	if env.BuyCredits("c-1", 2_000_000) != nil {
		t.Error("a purchase past the inventory not yet reserved was built")
	}
	if env.Sell("c-0", ledger.NewAmount(5)) != nil {
		t.Error("a sale from an empty balance was built")
	}
	if env.Release("c-0", ledger.NewAmount(5)) != nil {
		t.Error("a release without an escrow was built")
	}
	h.escrow = control.EscrowAccount("consumers")
	if r := env.Release("c-0", ledger.NewAmount(5)); r == nil || r.Actor != OperatorAccount {
		t.Errorf("release: %+v", r)
	}
}

func TestBuiltinsRegistered(t *testing.T) {
	for _, b := range []string{"consumer", "provider", "staker", "creator", "trader", "vesting"} {
		if _, ok := Lookup(b); !ok || !slices.Contains(Behaviours(), b) {
			t.Errorf("%s is not registered", b)
		}
	}
}
