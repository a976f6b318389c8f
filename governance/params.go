package governance

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/coopera/coopera/ledger"
)

// Params are the governance module's parameters: genesis state under
// "governance" in the genesis params, changed only by executed parameter
// change proposals. The rules that decide a proposal (quorum, threshold,
// veto, periods, minimum deposit) are copied from them, overlaid with the
// policy's rules for the proposal's kind, onto the proposal when it is
// created, so a later change never alters a proposal already made.
//
// JSON names and defaults:
//
//	deposit_asset               asset of deposits                 "COOP"
//	min_deposit                 minimum deposit, base units       "0"
//	voting_delay                creation to voting start          "0s"
//	voting_period               length of the vote                "72h"
//	late_quorum_extension       see below                         "24h"
//	timelock                    success to earliest execution     "48h"
//	execution_window            time to queue, then to execute    "168h"
//	quorum_bps                  share of snapshot stake voting    3340
//	threshold_bps               yes share of non-abstain power    5000
//	veto_bps                    veto share of all power           3340
//	guardian                    account that may cancel; "" none  ""
//	treasury                    account treasury spends debit     "mod:governance/treasury"
//	duration_bonus_max_bps      voting power bonus, full duration 10000
//	duration_bonus_full         staking time for the full bonus   "8760h"
//	participation_bonus_max_bps bonus for voting on all of window 5000
//	participation_window        proposals the bonus looks back on 10
//	max_actions                 actions per proposal              16
//	max_live_proposals          per proposer; 0 means no limit    1
//
// Durations are Go duration strings; amounts are strings of base units.
type Params struct {
	DepositAsset             ledger.AssetID   `json:"deposit_asset"`
	MinDeposit               ledger.Amount    `json:"min_deposit"`
	VotingDelay              ledger.Duration  `json:"voting_delay"`
	VotingPeriod             ledger.Duration  `json:"voting_period"`
	LateQuorumExtension      ledger.Duration  `json:"late_quorum_extension"`
	Timelock                 ledger.Duration  `json:"timelock"`
	ExecutionWindow          ledger.Duration  `json:"execution_window"`
	QuorumBps                uint32           `json:"quorum_bps"`
	ThresholdBps             uint32           `json:"threshold_bps"`
	VetoBps                  uint32           `json:"veto_bps"`
	Guardian                 ledger.AccountID `json:"guardian"`
	Treasury                 ledger.AccountID `json:"treasury"`
	DurationBonusMaxBps      uint32           `json:"duration_bonus_max_bps"`
	DurationBonusFull        ledger.Duration  `json:"duration_bonus_full"`
	ParticipationBonusMaxBps uint32           `json:"participation_bonus_max_bps"`
	ParticipationWindow      uint32           `json:"participation_window"`
	MaxActions               uint32           `json:"max_actions"`
	MaxLiveProposals         uint32           `json:"max_live_proposals"`
}

// Bounds of parameters and rules.
const (
	// BpsDenominator is 100% in basis points.
	BpsDenominator = 10000
	// MaxPeriod bounds every duration parameter and rule: about ten years.
	MaxPeriod = ledger.Duration(10 * 365 * 24 * time.Hour)
	// MaxActionsLimit bounds max_actions, and the actions of any proposal.
	MaxActionsLimit = 64
	// MaxParticipationWindow bounds participation_window.
	MaxParticipationWindow = 100
)

// DefaultTreasury is the default treasury account.
var DefaultTreasury = ledger.ModuleAccount(ModuleName, "treasury")

// DepositsAccount holds deposits in escrow while proposals are open.
var DepositsAccount = ledger.ModuleAccount(ModuleName, "deposits")

// DefaultParams returns the documented defaults.
func DefaultParams() Params {
	return Params{
		DepositAsset:             "COOP",
		VotingPeriod:             ledger.Duration(72 * time.Hour),
		LateQuorumExtension:      ledger.Duration(24 * time.Hour),
		Timelock:                 ledger.Duration(48 * time.Hour),
		ExecutionWindow:          ledger.Duration(7 * 24 * time.Hour),
		QuorumBps:                3340,
		ThresholdBps:             5000,
		VetoBps:                  3340,
		Treasury:                 DefaultTreasury,
		DurationBonusMaxBps:      10000,
		DurationBonusFull:        ledger.Duration(365 * 24 * time.Hour),
		ParticipationBonusMaxBps: 5000,
		ParticipationWindow:      10,
		MaxActions:               16,
		MaxLiveProposals:         1,
	}
}

func paramErr(name, format string, args ...any) error {
	return ledger.Errorf(ledger.ErrInvalidParameter, "governance."+name+": "+format, args...)
}

func checkBps(name string, v uint32) error {
	if v > BpsDenominator {
		return paramErr(name, "%d bps is above 10000 (100%%)", v)
	}
	return nil
}

func checkPeriod(name string, d ledger.Duration, min ledger.Duration) error {
	if d < min || d > MaxPeriod {
		return paramErr(name, "%s is outside [%s, %s]", time.Duration(d), time.Duration(min), time.Duration(MaxPeriod))
	}
	return nil
}

// Validate checks every parameter's bounds.
func (p *Params) Validate() error {
	if err := p.DepositAsset.Validate(); err != nil {
		return paramErr("deposit_asset", "%v", err)
	}
	for _, c := range []struct {
		name string
		d    ledger.Duration
		min  ledger.Duration
	}{
		{"voting_delay", p.VotingDelay, 0},
		{"voting_period", p.VotingPeriod, ledger.Duration(time.Second)},
		{"late_quorum_extension", p.LateQuorumExtension, 0},
		{"timelock", p.Timelock, 0},
		{"execution_window", p.ExecutionWindow, ledger.Duration(time.Second)},
		{"duration_bonus_full", p.DurationBonusFull, ledger.Duration(time.Second)},
	} {
		if err := checkPeriod(c.name, c.d, c.min); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		name string
		v    uint32
	}{
		{"quorum_bps", p.QuorumBps}, {"threshold_bps", p.ThresholdBps}, {"veto_bps", p.VetoBps},
		{"duration_bonus_max_bps", p.DurationBonusMaxBps}, {"participation_bonus_max_bps", p.ParticipationBonusMaxBps},
	} {
		if err := checkBps(c.name, c.v); err != nil {
			return err
		}
	}
	if p.Guardian != "" {
		if err := p.Guardian.Validate(); err != nil {
			return paramErr("guardian", "%v", err)
		}
		if p.Guardian.IsModule() {
			return paramErr("guardian", "%s is a module account, which cannot submit commands", p.Guardian)
		}
	}
	if err := p.Treasury.Validate(); err != nil {
		return paramErr("treasury", "%v", err)
	}
	if p.ParticipationWindow < 1 || p.ParticipationWindow > MaxParticipationWindow {
		return paramErr("participation_window", "%d is outside [1, %d]", p.ParticipationWindow, MaxParticipationWindow)
	}
	if p.MaxActions < 1 || p.MaxActions > MaxActionsLimit {
		return paramErr("max_actions", "%d is outside [1, %d]", p.MaxActions, MaxActionsLimit)
	}
	return nil
}

// Encode appends the canonical encoding.
func (p *Params) Encode(e *ledger.Encoder) {
	e.String(string(p.DepositAsset))
	e.Amount(p.MinDeposit)
	e.Int(int64(p.VotingDelay))
	e.Int(int64(p.VotingPeriod))
	e.Int(int64(p.LateQuorumExtension))
	e.Int(int64(p.Timelock))
	e.Int(int64(p.ExecutionWindow))
	e.Uint(uint64(p.QuorumBps))
	e.Uint(uint64(p.ThresholdBps))
	e.Uint(uint64(p.VetoBps))
	e.String(string(p.Guardian))
	e.String(string(p.Treasury))
	e.Uint(uint64(p.DurationBonusMaxBps))
	e.Int(int64(p.DurationBonusFull))
	e.Uint(uint64(p.ParticipationBonusMaxBps))
	e.Uint(uint64(p.ParticipationWindow))
	e.Uint(uint64(p.MaxActions))
	e.Uint(uint64(p.MaxLiveProposals))
}

func decodeU32(d *ledger.Decoder) uint32 {
	v := d.Uint()
	if v > 1<<32-1 {
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "%s: %d does not fit 32 bits", d.What, v))
	}
	return uint32(v)
}

// Decode reads the canonical encoding.
func (p *Params) Decode(d *ledger.Decoder) {
	p.DepositAsset = ledger.AssetID(d.String())
	p.MinDeposit = d.Amount()
	p.VotingDelay = ledger.Duration(d.Int())
	p.VotingPeriod = ledger.Duration(d.Int())
	p.LateQuorumExtension = ledger.Duration(d.Int())
	p.Timelock = ledger.Duration(d.Int())
	p.ExecutionWindow = ledger.Duration(d.Int())
	p.QuorumBps = decodeU32(d)
	p.ThresholdBps = decodeU32(d)
	p.VetoBps = decodeU32(d)
	p.Guardian = ledger.AccountID(d.String())
	p.Treasury = ledger.AccountID(d.String())
	p.DurationBonusMaxBps = decodeU32(d)
	p.DurationBonusFull = ledger.Duration(d.Int())
	p.ParticipationBonusMaxBps = decodeU32(d)
	p.ParticipationWindow = decodeU32(d)
	p.MaxActions = decodeU32(d)
	p.MaxLiveProposals = decodeU32(d)
}

// EncodeParams returns the canonical encoding of p.
func EncodeParams(p *Params) []byte {
	e := ledger.NewEncoder(make([]byte, 0, 96))
	p.Encode(e)
	return e.Bytes()
}

// DecodeParams decodes parameters encoded by EncodeParams.
func DecodeParams(b []byte) (Params, error) {
	var p Params
	d := ledger.NewDecoder(b, "governance params")
	p.Decode(d)
	return p, d.Finish()
}

// ReadParams returns the parameters in effect for the block being decided.
func ReadParams(ctx *ledger.Context) (Params, error) {
	b, err := ctx.Params(ModuleName)
	if err != nil {
		return Params{}, err
	}
	return DecodeParams(b)
}

// ParamNames lists the parameter names, sorted.
func ParamNames() []string {
	b, _ := json.Marshal(DefaultParams())
	var m map[string]json.RawMessage
	json.Unmarshal(b, &m)
	return slices.Sorted(maps.Keys(m))
}

// setJSON sets one parameter by name from JSON, strictly.
func (p *Params) setJSON(name string, value json.RawMessage) error {
	cur, err := json.Marshal(p)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(cur, &m); err != nil {
		return err
	}
	if _, ok := m[name]; !ok {
		return ledger.Errorf(ledger.ErrInvalidParameter, "governance has no parameter %q; parameters: %v", name, ParamNames())
	}
	// Decode the one value into a fresh copy, so that a value of the wrong
	// type leaves p as it was.
	one, _ := json.Marshal(map[string]json.RawMessage{name: value})
	next := *p
	dec := json.NewDecoder(bytes.NewReader(one))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return paramErr(name, "value %s: %v", value, err)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*p = next
	return nil
}

// SetParam implements ledger.Parameterized.
func (Module) SetParam(current []byte, name string, value json.RawMessage) ([]byte, error) {
	p, err := DecodeParams(current)
	if err != nil {
		return nil, err
	}
	if err := p.setJSON(name, value); err != nil {
		return nil, err
	}
	return EncodeParams(&p), nil
}

// ParamsJSON implements ledger.Parameterized.
func (Module) ParamsJSON(encoded []byte) (json.RawMessage, error) {
	p, err := DecodeParams(encoded)
	if err != nil {
		return nil, err
	}
	return json.Marshal(&p)
}

// Genesis is the module's genesis document, under "governance" in the
// genesis params: any parameters (unset ones take their defaults) and the
// hash of the policy set in force at genesis, as "policy_hash" (hex, the
// Hash of governance/policy.Set).
//
//	"governance": {"policy_hash": "9f2c...", "voting_period": "48h", "guardian": "council"}
type Genesis struct {
	Params     Params
	PolicyHash []byte
}

// ParseGenesis reads the genesis document strictly: every key but
// policy_hash must name a parameter, and values are checked as SetParam
// checks them.
func ParseGenesis(raw []byte) (*Genesis, error) {
	g := &Genesis{Params: DefaultParams()}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, ledger.Errorf(ledger.ErrInvalidGenesis, `governance needs its genesis params with at least "policy_hash", the hash of the policy set in force`)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, ledger.Errorf(ledger.ErrInvalidGenesis, "governance params must be a JSON object: %v", err)
	}
	hv, ok := m["policy_hash"]
	if !ok {
		return nil, ledger.Errorf(ledger.ErrInvalidGenesis, `governance params have no "policy_hash"; give the hash that "coopera gov eval" prints for the policy directory`)
	}
	var hs string
	if err := json.Unmarshal(hv, &hs); err != nil {
		return nil, ledger.Errorf(ledger.ErrInvalidGenesis, "policy_hash must be a hex string: %v", err)
	}
	h, err := ParseHash(hs)
	if err != nil {
		return nil, ledger.Errorf(ledger.ErrInvalidGenesis, "policy_hash: %v", err)
	}
	g.PolicyHash = h
	delete(m, "policy_hash")
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := g.Params.setJSON(k, m[k]); err != nil {
			return nil, err
		}
	}
	if err := g.Params.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

// HashSize is the size of a policy-set hash.
const HashSize = 32

// ParseHash decodes a policy-set hash from hex.
func ParseHash(s string) ([]byte, error) {
	h, err := hex.DecodeString(s)
	if err != nil || len(h) != HashSize {
		return nil, ledger.Errorf(ledger.ErrMalformed, "policy hash %q is not %d hex-encoded bytes", s, HashSize)
	}
	return h, nil
}
