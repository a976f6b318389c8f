// Package control is the simulator's control module, a pure reducer: it
// lets a simulation's operator change module parameters exactly as an
// executed governance proposal does, without modelling a vote.
package control

import (
	"encoding/json"

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
	Operator ledger.AccountID // the only account that may submit sim_set_param
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
	return []ledger.CommandSpec{{Type: "sim_set_param", New: func() ledger.Payload { return new(SetParam) }}}
}
func (Module) Events() []ledger.EventSpec { return nil }
func (c Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	p, ok := cmd.Payload.(*SetParam)
	if !ok {
		return ledger.Errorf(ledger.ErrUnknownCommand, "sim cannot decide %s", cmd.Payload.Type())
	}
	if cmd.Actor != c.Operator {
		return ledger.Errorf(ledger.ErrUnauthorized, "only %s may change parameters directly", c.Operator)
	}
	return ledger.ChangeParam(ctx, p.Module, p.Name, p.Value)
}
func (Module) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "sim has no events")
}
