// Package control is the simulator's control module, a pure reducer: it
// lets a simulation's operator change module parameters exactly as an
// executed governance proposal does, without modelling a vote, and release
// vested tokens from the escrows that a scenario's allocation buckets fund
// at genesis.
package control

import (
	"encoding/json"
	"slices"

	"github.com/coopera/coopera/ledger"
)

// Module is the simulator's control module, named "sim": one command,
// sim_set_param, by which the scenario's operator changes a module
// parameter through ledger.ChangeParam, exactly as an executed governance
// proposal does: the owning module validates the value, and the change
// takes effect from the next block. A scenario gets it only when it
// schedules a direct parameter change. Never register it in a real
// ledger.
type Module struct {
	Operator ledger.AccountID // the only account that may submit sim_set_param and sim_release
	// Escrows are the vesting escrows (module accounts, see
	// EscrowAccount) created at genesis, which a scenario's allocation
	// buckets fund; sim_release pays out of them.
	Escrows []ledger.AccountID
}

// EscrowAccount is the module account that holds a vesting bucket's
// locked tokens: excluded from circulating supply, as every module
// account is, until sim_release moves them to a holder.
func EscrowAccount(bucket string) ledger.AccountID {
	return ledger.ModuleAccount(ModuleName, "vesting", bucket)
}

// Release is the payload of sim_release: the operator moves Amount of
// Asset from a vesting escrow to a holder, as the bucket's schedule
// unlocks it. The transfer is a module's (fee-exempt), and fails if the
// escrow holds less.
type Release struct {
	Escrow ledger.AccountID `json:"escrow"`
	To     ledger.AccountID `json:"to"`
	Asset  ledger.AssetID   `json:"asset"`
	Amount ledger.Amount    `json:"amount"`
}

func (*Release) Type() string { return "sim_release" }
func (p *Release) Encode(e *ledger.Encoder) {
	e.String(string(p.Escrow))
	e.String(string(p.To))
	e.String(string(p.Asset))
	e.Amount(p.Amount)
}
func (p *Release) Decode(d *ledger.Decoder) {
	p.Escrow, p.To, p.Asset, p.Amount = ledger.AccountID(d.String()), ledger.AccountID(d.String()), ledger.AssetID(d.String()), d.Amount()
}
func (p *Release) Validate() error {
	if p.Escrow == "" || p.To == "" || p.Asset == "" {
		return ledger.Errorf(ledger.ErrMissingField, "sim_release needs escrow, to and asset")
	}
	if p.Amount.IsZero() {
		return ledger.Errorf(ledger.ErrZeroAmount, "sim_release of nothing")
	}
	return nil
}

// SetParam is the payload of sim_set_param.
type SetParam struct {
	Module string          `json:"module"`
	Name   string          `json:"name"`
	Value  json.RawMessage `json:"value"`
}

func (*SetParam) Type() string { return "sim_set_param" }
func (p *SetParam) Encode(e *ledger.Encoder) {
	e.String(p.Module)
	e.String(p.Name)
	e.Blob(p.Value)
}
func (p *SetParam) Decode(d *ledger.Decoder) {
	p.Module, p.Name, p.Value = d.String(), d.String(), d.Blob()
}
func (p *SetParam) Validate() error {
	if p.Module == "" || p.Name == "" {
		return ledger.Errorf(ledger.ErrMissingField, "sim_set_param needs module and name")
	}
	if !json.Valid(p.Value) {
		return ledger.Errorf(ledger.ErrMalformed, "sim_set_param value is not JSON")
	}
	return nil
}

// ModuleName is the control module's name.
const ModuleName = "sim"

func (Module) Name() string { return ModuleName }
func (Module) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "sim_set_param", New: func() ledger.Payload { return new(SetParam) }},
		{Type: "sim_release", New: func() ledger.Payload { return new(Release) }},
	}
}
func (Module) Events() []ledger.EventSpec { return nil }

// InitGenesis creates the vesting escrows; the genesis allocations fund
// them. The module takes no parameters.
func (c Module) InitGenesis(ctx *ledger.Context, params []byte) error {
	if len(params) > 0 && string(params) != "null" {
		return ledger.Errorf(ledger.ErrMalformed, "the sim module takes no parameters")
	}
	for _, e := range c.Escrows {
		if err := ledger.EnsureModuleAccount(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (c Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	switch p := cmd.Payload.(type) {
	case *SetParam:
		if cmd.Actor != c.Operator {
			return ledger.Errorf(ledger.ErrUnauthorized, "only %s may change parameters directly", c.Operator)
		}
		return ledger.ChangeParam(ctx, p.Module, p.Name, p.Value)
	case *Release:
		if cmd.Actor != c.Operator {
			return ledger.Errorf(ledger.ErrUnauthorized, "only %s may release vested tokens", c.Operator)
		}
		if !slices.Contains(c.Escrows, p.Escrow) {
			return ledger.Errorf(ledger.ErrUnauthorized, "%s is not a vesting escrow", p.Escrow)
		}
		if p.To.IsModule() {
			return ledger.Errorf(ledger.ErrUnauthorized, "vested tokens go to holders, not to %s", p.To)
		}
		have, err := ledger.BalanceOf(ctx, p.Escrow, p.Asset)
		if err != nil {
			return err
		}
		if have.Cmp(p.Amount) < 0 {
			return ledger.Errorf(ledger.ErrInsufficientFunds, "%s holds %s %s; cannot release %s", p.Escrow, have, p.Asset, p.Amount)
		}
		return ledger.Move(ctx, p.Escrow, p.To, p.Asset, p.Amount)
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "sim cannot decide %s", cmd.Payload.Type())
}
func (Module) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "sim has no events")
}
