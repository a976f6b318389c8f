// Package govtest is a test-only module for governance: it keeps stake
// checkpoints per account on command and implements
// governance.StakeSource over them, and it has one governable parameter
// (fee_bps) and a probe command that records the value a reducer sees, so
// tests can watch a parameter change take effect. It stands in for the
// staking module; never register it in a real ledger.
//
// Commands:
//
//	govtest_stake {"account": "alice", "amount": "100", "since": "2025-01-01T00:00:00Z"}
//	    sets alice's stake to 100 from this block on; "since" (optional)
//	    backdates the start of staking, else it is this block's time when
//	    the stake goes from zero to positive and unchanged otherwise.
//	govtest_probe {}
//	    emits govtest_probed with fee_bps as this block's reducers see it.
package govtest

import (
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
)

// ModuleName is the module's name.
const ModuleName = "govtest"

// Module is the test module. It is a governance.StakeSource.
type Module struct{}

var _ governance.StakeSource = Module{}

// SetStake sets an account's stake.
type SetStake struct {
	Account ledger.AccountID `json:"account"`
	Amount  ledger.Amount    `json:"amount"`
	Since   string           `json:"since,omitempty"`
}

func (*SetStake) Type() string { return "govtest_stake" }
func (p *SetStake) Encode(e *ledger.Encoder) {
	e.String(string(p.Account))
	e.Amount(p.Amount)
	e.String(p.Since)
}
func (p *SetStake) Decode(d *ledger.Decoder) {
	p.Account, p.Amount, p.Since = ledger.AccountID(d.String()), d.Amount(), d.String()
}
func (p *SetStake) Validate() error {
	if p.Since != "" {
		if _, err := time.Parse(time.RFC3339, p.Since); err != nil {
			return ledger.Errorf(ledger.ErrMalformed, "since: %v", err)
		}
	}
	return p.Account.Validate()
}

// Probe records fee_bps as seen by this block's reducers.
type Probe struct{}

func (*Probe) Type() string             { return "govtest_probe" }
func (*Probe) Encode(e *ledger.Encoder) {}
func (*Probe) Decode(d *ledger.Decoder) {}
func (*Probe) Validate() error          { return nil }

// StakeChanged records a stake checkpoint.
type StakeChanged struct {
	Account ledger.AccountID `json:"account"`
	Amount  ledger.Amount    `json:"amount"`
	Since   int64            `json:"since"`
	Height  uint64           `json:"height"`
}

func (*StakeChanged) EventType() string    { return "govtest_stake_changed" }
func (*StakeChanged) EventVersion() uint16 { return 1 }
func (e *StakeChanged) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Account))
	enc.Amount(e.Amount)
	enc.Int(e.Since)
	enc.Uint(e.Height)
}
func (e *StakeChanged) Decode(d *ledger.Decoder) {
	e.Account, e.Amount, e.Since, e.Height = ledger.AccountID(d.String()), d.Amount(), d.Int(), d.Uint()
}

// Probed records the fee_bps a reducer saw at Height.
type Probed struct {
	FeeBps uint64 `json:"fee_bps"`
	Height uint64 `json:"height"`
}

func (*Probed) EventType() string            { return "govtest_probed" }
func (*Probed) EventVersion() uint16         { return 1 }
func (e *Probed) Encode(enc *ledger.Encoder) { enc.Uint(e.FeeBps); enc.Uint(e.Height) }
func (e *Probed) Decode(d *ledger.Decoder)   { e.FeeBps, e.Height = d.Uint(), d.Uint() }

func (Module) Name() string { return ModuleName }
func (Module) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "govtest_stake", New: func() ledger.Payload { return new(SetStake) }},
		{Type: "govtest_probe", New: func() ledger.Payload { return new(Probe) }},
	}
}
func (Module) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "govtest_stake_changed", Version: 1, New: func() ledger.Event { return new(StakeChanged) }},
		{Type: "govtest_probed", Version: 1, New: func() ledger.Event { return new(Probed) }},
	}
}

// Params are the module's parameters: {"fee_bps": 100} by default, at
// most 10000.
type Params struct {
	FeeBps uint64 `json:"fee_bps"`
}

func encodeParams(p Params) []byte {
	e := ledger.NewEncoder(nil)
	e.Uint(p.FeeBps)
	return e.Bytes()
}

func decodeParams(b []byte) (Params, error) {
	d := ledger.NewDecoder(b, "govtest params")
	p := Params{FeeBps: d.Uint()}
	return p, d.Finish()
}

// InitGenesis sets the parameters (default fee_bps 100).
func (Module) InitGenesis(ctx *ledger.Context, raw []byte) error {
	p := Params{FeeBps: 100}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return ledger.Errorf(ledger.ErrInvalidGenesis, "govtest params: %v", err)
		}
	}
	return ledger.InitParams(ctx, ModuleName, encodeParams(p))
}

// SetParam implements ledger.Parameterized.
func (Module) SetParam(current []byte, name string, value json.RawMessage) ([]byte, error) {
	p, err := decodeParams(current)
	if err != nil {
		return nil, err
	}
	if name != "fee_bps" {
		return nil, ledger.Errorf(ledger.ErrInvalidParameter, "govtest has no parameter %q; parameters: [fee_bps]", name)
	}
	if err := json.Unmarshal(value, &p.FeeBps); err != nil {
		return nil, ledger.Errorf(ledger.ErrInvalidParameter, "govtest.fee_bps: %s is not a whole number of bps", value)
	}
	if p.FeeBps > 10000 {
		return nil, ledger.Errorf(ledger.ErrInvalidParameter, "govtest.fee_bps: %d is above 10000", p.FeeBps)
	}
	return encodeParams(p), nil
}

// ParamsJSON implements ledger.Parameterized.
func (Module) ParamsJSON(encoded []byte) (json.RawMessage, error) {
	p, err := decodeParams(encoded)
	if err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

func (m Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	switch p := cmd.Payload.(type) {
	case *SetStake:
		if _, ok := ctx.Get(ledger.AccountKey(p.Account)); !ok {
			return ledger.Errorf(ledger.ErrUnknownAccount, "account %s does not exist", p.Account)
		}
		cur, since, err := m.StakeAt(ctx, p.Account, ctx.Height)
		if err != nil {
			return err
		}
		if cur.IsZero() {
			since = ctx.Time
		}
		if p.Since != "" {
			t, _ := time.Parse(time.RFC3339, p.Since)
			since = t.UnixNano()
		}
		return ctx.Emit(&StakeChanged{Account: p.Account, Amount: p.Amount, Since: since, Height: ctx.Height})
	case *Probe:
		b, err := ctx.Params(ModuleName)
		if err != nil {
			return err
		}
		pr, err := decodeParams(b)
		if err != nil {
			return err
		}
		return ctx.Emit(&Probed{FeeBps: pr.FeeBps, Height: ctx.Height})
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "govtest cannot decide %s", cmd.Payload.Type())
}

// State:
//
//	gt/s/<account>\x00<height>  stake checkpoint: amount, since
//	gt/t/<height>               total stake checkpoint

func stakePrefix(a ledger.AccountID) []byte { return append(append([]byte("gt/s/"), a...), 0) }

func (Module) Evolve(st *ledger.State, ev ledger.Event) error {
	e, ok := ev.(*StakeChanged)
	if !ok {
		if _, ok := ev.(*Probed); ok {
			return nil
		}
		return ledger.Errorf(ledger.ErrUnknownEvent, "govtest cannot apply %s", ev.EventType())
	}
	old, _, err := Module{}.StakeAt(st, e.Account, e.Height)
	if err != nil {
		return err
	}
	enc := ledger.NewEncoder(nil)
	enc.Amount(e.Amount)
	enc.Int(e.Since)
	st.Set(binary.BigEndian.AppendUint64(stakePrefix(e.Account), e.Height), enc.Bytes())
	total, err := Module{}.TotalStakeAt(st, e.Height)
	if err != nil {
		return err
	}
	total, _ = total.Sub(old)
	total, ok = total.Add(e.Amount)
	if !ok {
		return ledger.Errorf(ledger.ErrAmountOverflow, "total stake overflows")
	}
	st.Set(binary.BigEndian.AppendUint64([]byte("gt/t/"), e.Height), ledger.EncodeAmount(total))
	return nil
}

// StakeAt implements governance.StakeSource: the last checkpoint at or
// before height.
func (Module) StakeAt(s governance.Scanner, acct ledger.AccountID, height uint64) (ledger.Amount, int64, error) {
	prefix := stakePrefix(acct)
	var amt ledger.Amount
	var since int64
	var err error
	s.Scan(prefix, func(k, v []byte) bool {
		if binary.BigEndian.Uint64(k[len(prefix):]) > height {
			return false
		}
		d := ledger.NewDecoder(v, "stake")
		amt, since = d.Amount(), d.Int()
		err = d.Finish()
		return err == nil
	})
	return amt, since, err
}

// TotalStakeAt implements governance.StakeSource.
func (Module) TotalStakeAt(s governance.Scanner, height uint64) (ledger.Amount, error) {
	var amt ledger.Amount
	var err error
	s.Scan([]byte("gt/t/"), func(k, v []byte) bool {
		if binary.BigEndian.Uint64(k[5:]) > height {
			return false
		}
		amt, err = ledger.DecodeAmount(v)
		return err == nil
	})
	return amt, err
}
