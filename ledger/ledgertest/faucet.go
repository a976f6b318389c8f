package ledgertest

import "github.com/coopera/coopera/ledger"

// Faucet is a test-only module that mints and burns on command, so tests of
// the core can exercise supply changes. Never register it in a real ledger.
type Faucet struct{}

// FaucetMint mints to an account.
type FaucetMint struct {
	To     ledger.AccountID `json:"to"`
	Asset  ledger.AssetID   `json:"asset"`
	Amount ledger.Amount    `json:"amount"`
}

func (*FaucetMint) Type() string { return "faucet_mint" }
func (p *FaucetMint) Encode(e *ledger.Encoder) {
	e.String(string(p.To))
	e.String(string(p.Asset))
	e.Amount(p.Amount)
}
func (p *FaucetMint) Decode(d *ledger.Decoder) {
	p.To, p.Asset, p.Amount = ledger.AccountID(d.String()), ledger.AssetID(d.String()), d.Amount()
}
func (p *FaucetMint) Validate() error { return nil }

// FaucetBurn burns from the actor's own account.
type FaucetBurn struct {
	Asset  ledger.AssetID `json:"asset"`
	Amount ledger.Amount  `json:"amount"`
}

func (*FaucetBurn) Type() string { return "faucet_burn" }
func (p *FaucetBurn) Encode(e *ledger.Encoder) {
	e.String(string(p.Asset))
	e.Amount(p.Amount)
}
func (p *FaucetBurn) Decode(d *ledger.Decoder) {
	p.Asset, p.Amount = ledger.AssetID(d.String()), d.Amount()
}
func (p *FaucetBurn) Validate() error { return nil }

func (Faucet) Name() string { return "faucet" }
func (Faucet) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "faucet_mint", New: func() ledger.Payload { return new(FaucetMint) }},
		{Type: "faucet_burn", New: func() ledger.Payload { return new(FaucetBurn) }},
	}
}
func (Faucet) Events() []ledger.EventSpec { return nil }
func (Faucet) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	switch p := cmd.Payload.(type) {
	case *FaucetMint:
		if p.Amount.IsZero() {
			return ledger.Errorf(ledger.ErrZeroAmount, "mint of zero")
		}
		return ledger.Mint(ctx, p.To, p.Asset, p.Amount)
	case *FaucetBurn:
		if p.Amount.IsZero() {
			return ledger.Errorf(ledger.ErrZeroAmount, "burn of zero")
		}
		return ledger.Burn(ctx, cmd.Actor, p.Asset, p.Amount)
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "faucet cannot decide %s", cmd.Payload.Type())
}
func (Faucet) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "faucet has no events")
}

// Failing is a test-only module whose end-of-epoch work always fails
// after moving funds, to show that the failure is undone and recorded
// while the epoch still closes.
type Failing struct{ Faucet }

// Name implements ledger.Module.
func (Failing) Name() string { return "failing" }

// Commands implements ledger.Module.
func (Failing) Commands() []ledger.CommandSpec { return nil }

// EndEpoch mints, then fails.
func (Failing) EndEpoch(ctx *ledger.Context, epoch uint64) error {
	if err := ledger.Mint(ctx, ledger.SystemActor, "COOP", ledger.NewAmount(1)); err != nil {
		return err
	}
	return ledger.Errorf(ledger.ErrInvalidParameter, "epoch work of epoch %d cannot be done", epoch)
}
