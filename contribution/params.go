package contribution

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/coopera/coopera/ledger"
)

// BPS is the denominator of ratios in basis points: 10000 = 100%.
const BPS = 10000

// Roles of registered participants.
const (
	RoleCompute   = "compute"   // GPU providers and inference servers
	RoleModels    = "models"    // model developers
	RoleData      = "data"      // data contributors and annotators
	RoleCreators  = "creators"  // agent, template and tool creators
	RoleValidator = "validator" // validators who score providers
)

var providerRoles = []string{RoleCompute, RoleModels, RoleData, RoleCreators}

// Kinds of contribution and the role each belongs to.
var kindRole = map[string]string{
	"gpu_seconds":      RoleCompute, // metered running time of a device class
	"input_tokens":     RoleCompute, // inference served
	"output_tokens":    RoleCompute,
	"model_deployed":   RoleModels,
	"model_adopted":    RoleModels,
	"data_items":       RoleData,
	"annotations":      RoleData,
	"agent_adopted":    RoleCreators,
	"template_adopted": RoleCreators,
	"tool_adopted":     RoleCreators,
}

// Kinds lists the contribution kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kindRole))
	for k := range kindRole { // order-free: the keys are sorted below
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RoleShares splits each epoch's pool among the roles, in bps summing to
// 10000.
type RoleShares struct {
	Compute    uint32 `json:"compute"`
	Models     uint32 `json:"models"`
	Data       uint32 `json:"data"`
	Creators   uint32 `json:"creators"`
	Validators uint32 `json:"validators"`
}

func (r RoleShares) of(role string) uint32 {
	switch role {
	case RoleCompute:
		return r.Compute
	case RoleModels:
		return r.Models
	case RoleData:
		return r.Data
	case RoleCreators:
		return r.Creators
	}
	return r.Validators
}

// Params are the contribution module's governed parameters, set from the
// genesis file's params.contribution (JSON, defaults filled in) and kept in
// state in a canonical binary form.
type Params struct {
	// RewardAsset is the asset the pool pays and stakes are held in.
	RewardAsset ledger.AssetID `json:"reward_asset"`
	// Prices is the price table P(k): contribution points per unit of each
	// kind. GPU time is priced per device class: "gpu_seconds:<class>"
	// (P(i,j) of the white paper); "gpu_seconds" prices unknown classes.
	Prices map[string]uint64 `json:"prices"`
	// Reporters are the accounts (meters, services) allowed to record
	// contributions.
	Reporters []ledger.AccountID `json:"reporters"`
	// MaxQuantity bounds one record's quantity; larger is refused as absurd.
	MaxQuantity uint64 `json:"max_quantity"`
	// MinValidatorStake is the least stake a validator registers with.
	MinValidatorStake ledger.Amount `json:"min_validator_stake"`
	// KappaBps: a provider's consensus weight is the largest weight that
	// validators holding at least kappa of the stake give it (default 5000).
	KappaBps uint32 `json:"kappa_bps"`
	// BondAlphaBps is the EMA rate of validator bonds (default 1000 = 0.1).
	BondAlphaBps uint32 `json:"bond_alpha_bps"`
	// OutlierBps flags a provider whose claimed share of its role's
	// contribution exceeds its consensus share by more than this (default
	// 5000: claims above 1.5x consensus); its reward goes to the treasury.
	OutlierBps uint32 `json:"outlier_bps"`
	// Shares splits the pool among roles.
	Shares RoleShares `json:"shares"`
	// Treasury receives withheld rewards and every rounding remainder.
	Treasury ledger.AccountID `json:"treasury"`
}

// PoolAccount is the module account whose balance of the reward asset is
// distributed at each epoch's end. Tokenomics' emission, or anyone, funds it.
var PoolAccount = ledger.ModuleAccount(ModuleName, "pool")

// StakeAccount holds registration stakes.
var StakeAccount = ledger.ModuleAccount(ModuleName, "stake")

// TreasuryAccount is the default treasury.
var TreasuryAccount = ledger.ModuleAccount(ModuleName, "treasury")

// DefaultParams returns the documented defaults.
func DefaultParams() Params {
	return Params{
		RewardAsset: "COOP",
		Prices: map[string]uint64{
			"gpu_seconds": 1, "input_tokens": 1, "output_tokens": 2,
			"model_deployed": 1000, "model_adopted": 100, "data_items": 10,
			"annotations": 5, "agent_adopted": 100, "template_adopted": 50, "tool_adopted": 50,
		},
		MaxQuantity:       1_000_000_000_000,
		MinValidatorStake: ledger.NewAmount(1_000_000),
		KappaBps:          5000,
		BondAlphaBps:      1000,
		OutlierBps:        5000,
		Shares:            RoleShares{Compute: 4000, Models: 2000, Data: 1500, Creators: 1500, Validators: 1000},
		Treasury:          TreasuryAccount,
	}
}

func paramErr(field, format string, args ...any) error {
	return ledger.Errorf(ledger.ErrInvalidParameter, "contribution.%s: %s", field, fmt.Sprintf(format, args...))
}

// Validate checks the parameters' bounds.
func (p *Params) Validate() error {
	if err := p.RewardAsset.Validate(); err != nil {
		return paramErr("reward_asset", "%v", err)
	}
	kinds := make([]string, 0, len(p.Prices))
	for k := range p.Prices { // order-free: the keys are sorted below
		kinds = append(kinds, k)
	}
	slices.Sort(kinds) // the first error reported must not depend on map order
	for _, k := range kinds {
		base := k
		if i := bytes.IndexByte([]byte(k), ':'); i >= 0 {
			base = k[:i]
		}
		if _, ok := kindRole[base]; !ok {
			return paramErr("prices", "unknown kind %q; kinds are %v", k, Kinds())
		}
	}
	for _, r := range p.Reporters {
		if err := r.Validate(); err != nil {
			return paramErr("reporters", "%v", err)
		}
	}
	if p.MaxQuantity == 0 {
		return paramErr("max_quantity", "must be positive")
	}
	if p.KappaBps == 0 || p.KappaBps > BPS {
		return paramErr("kappa_bps", "%d is outside 1..10000", p.KappaBps)
	}
	if p.BondAlphaBps > BPS {
		return paramErr("bond_alpha_bps", "%d is above 10000", p.BondAlphaBps)
	}
	if p.OutlierBps > 100*BPS {
		return paramErr("outlier_bps", "%d is above 1000000", p.OutlierBps)
	}
	s := p.Shares
	if sum := uint64(s.Compute) + uint64(s.Models) + uint64(s.Data) + uint64(s.Creators) + uint64(s.Validators); sum != BPS {
		return paramErr("shares", "sum to %d bps; they must sum to 10000", sum)
	}
	if err := p.Treasury.Validate(); err != nil {
		return paramErr("treasury", "%v", err)
	}
	return nil
}

// price returns P(k) for a kind and device class.
func (p *Params) price(kind, class string) uint64 {
	if class != "" {
		if v, ok := p.Prices[kind+":"+class]; ok {
			return v
		}
	}
	return p.Prices[kind]
}

func (p *Params) isReporter(a ledger.AccountID) bool { return slices.Contains(p.Reporters, a) }

// encode returns the canonical binary form kept in state.
func (p *Params) encode() []byte {
	e := ledger.NewEncoder(make([]byte, 0, 256))
	e.String(string(p.RewardAsset))
	kinds := make([]string, 0, len(p.Prices))
	for k := range p.Prices { // order-free: the keys are sorted below
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	e.Uint(uint64(len(kinds)))
	for _, k := range kinds {
		e.String(k)
		e.Uint(p.Prices[k])
	}
	e.Uint(uint64(len(p.Reporters)))
	for _, r := range p.Reporters {
		e.String(string(r))
	}
	e.Uint(p.MaxQuantity)
	e.Amount(p.MinValidatorStake)
	for _, v := range []uint32{p.KappaBps, p.BondAlphaBps, p.OutlierBps, p.Shares.Compute, p.Shares.Models, p.Shares.Data, p.Shares.Creators, p.Shares.Validators} {
		e.Uint(uint64(v))
	}
	e.String(string(p.Treasury))
	return e.Bytes()
}

func decodeParams(b []byte) (Params, error) {
	d := ledger.NewDecoder(b, "contribution params")
	p := Params{RewardAsset: ledger.AssetID(d.String()), Prices: map[string]uint64{}}
	for range d.Len(2) {
		k := d.String()
		p.Prices[k] = d.Uint()
	}
	for range d.Len(1) {
		p.Reporters = append(p.Reporters, ledger.AccountID(d.String()))
	}
	p.MaxQuantity = d.Uint()
	p.MinValidatorStake = d.Amount()
	u32 := func() uint32 {
		v := d.Uint()
		if v > 1<<32-1 {
			d.Fail(ledger.Errorf(ledger.ErrCorrupt, "contribution params: %d out of range", v))
		}
		return uint32(v)
	}
	p.KappaBps, p.BondAlphaBps, p.OutlierBps = u32(), u32(), u32()
	p.Shares = RoleShares{Compute: u32(), Models: u32(), Data: u32(), Creators: u32(), Validators: u32()}
	p.Treasury = ledger.AccountID(d.String())
	return p, d.Finish()
}

// parseGenesisParams reads params.contribution from a genesis file: the
// defaults, overridden field by field.
func parseGenesisParams(raw []byte) (Params, error) {
	p := DefaultParams()
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return Params{}, ledger.Errorf(ledger.ErrInvalidParameter, "contribution params: %v", err)
		}
	}
	return p, p.Validate()
}

// SetParam implements ledger.Parameterized: name is a top-level JSON field
// and value its new JSON value.
func (Module) SetParam(current []byte, name string, value json.RawMessage) ([]byte, error) {
	p, err := decodeParams(current)
	if err != nil {
		return nil, err
	}
	cur, _ := json.Marshal(p)
	var m map[string]json.RawMessage
	json.Unmarshal(cur, &m)
	if _, ok := m[name]; !ok {
		return nil, paramErr(name, "no such parameter")
	}
	m[name] = value
	merged, _ := json.Marshal(m)
	var next Params
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return nil, paramErr(name, "%v", err)
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	return next.encode(), nil
}

// ParamsJSON implements ledger.Parameterized.
func (Module) ParamsJSON(encoded []byte) (json.RawMessage, error) {
	p, err := decodeParams(encoded)
	if err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

// ParamsAt returns the parameters in effect at height.
func ParamsAt(g ledger.Getter, height uint64) (Params, error) {
	b, err := ledger.ParamsAt(g, ModuleName, height)
	if err != nil {
		return Params{}, err
	}
	return decodeParams(b)
}
