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

// Allocation modes.
const (
	AllocationRoles     = "roles"
	AllocationSubtensor = "subtensor"
)

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
	// Kappa is the consensus majority as a 16-bit fraction of 65535, as
	// the chain's kappa (default 32767, just under one half): a
	// provider's consensus weight is the stake-weighted median of its
	// weights at this majority.
	Kappa uint16 `json:"kappa"`
	// BondsMovingAverage sets the bond EMA as the chain does, in parts per
	// million: alpha = 1 - BondsMovingAverage / 1e6 (default 900000,
	// alpha 0.1).
	BondsMovingAverage uint64 `json:"bonds_moving_average"`
	// BondsPenalty, a 16-bit fraction of 65535, chooses what bonds grow
	// on: 65535 (the default, as the chain's) the clipped weights, 0 the
	// weights as given, between the two an interpolation.
	BondsPenalty uint16 `json:"bonds_penalty"`
	// ActivityCutoff is the number of epochs a validator's last weights
	// keep it active (default 13: the chain's 5000 blocks at a tempo of
	// 360). An inactive validator's stake leaves consensus; its weights
	// and bonds stay, and its bonds decay.
	ActivityCutoff uint64 `json:"activity_cutoff"`
	// BondBits is the precision bonds are stored at, per provider column
	// scaled so that its largest bond is 2^bits - 1: 16 (the default,
	// the chain's u16) or 32.
	BondBits uint8 `json:"bond_bits"`
	// Allocation chooses how the pool is split: "roles" (the default) by
	// governed role shares, providers by contribution x incentive and
	// validators by dividends x validator trust; "subtensor" as the
	// chain does, providers by incentive and validators by dividends
	// over their sum (about half each).
	Allocation string `json:"allocation"`
	// CommitReveal requires weights to be committed in an earlier block
	// before they are revealed (default true). Off, a reveal without a
	// commitment sets weights at once, as the chain's set_weights.
	CommitReveal bool `json:"commit_reveal"`
	// WithholdOutliers withholds the reward of a provider flagged by
	// OutlierBps (default true; "roles" allocation only).
	WithholdOutliers bool `json:"withhold_outliers"`
	// SelfDealingCap caps a provider's reward at the value of the credits
	// it served, when a PriceSource is given (default true).
	SelfDealingCap bool `json:"self_dealing_cap"`
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
		MaxQuantity:        1_000_000_000_000,
		MinValidatorStake:  ledger.NewAmount(1_000_000),
		Kappa:              32767,
		BondsMovingAverage: 900_000,
		BondsPenalty:       65535,
		ActivityCutoff:     13,
		BondBits:           16,
		Allocation:         AllocationRoles,
		CommitReveal:       true,
		WithholdOutliers:   true,
		SelfDealingCap:     true,
		OutlierBps:         5000,
		Shares:             RoleShares{Compute: 4000, Models: 2000, Data: 1500, Creators: 1500, Validators: 1000},
		Treasury:           TreasuryAccount,
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
	if p.Kappa == 0 {
		return paramErr("kappa", "must be positive (a fraction of 65535; the chain's default is 32767)")
	}
	if p.BondsMovingAverage > ppm {
		return paramErr("bonds_moving_average", "%d is above 1000000 (parts per million)", p.BondsMovingAverage)
	}
	if p.BondBits != 16 && p.BondBits != 32 {
		return paramErr("bond_bits", "%d; bonds are stored at 16 or 32 bits", p.BondBits)
	}
	if p.ActivityCutoff > 1<<32 {
		return paramErr("activity_cutoff", "%d epochs is absurd", p.ActivityCutoff)
	}
	switch p.Allocation {
	case AllocationRoles, AllocationSubtensor:
	default:
		return paramErr("allocation", "%q; allocations are %q and %q", p.Allocation, AllocationRoles, AllocationSubtensor)
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
	// The first version's kappa_bps and bond_alpha_bps slots hold 0: the
	// epoch's parameters follow in the version-2 trailer.
	for _, v := range []uint32{0, 0, p.OutlierBps, p.Shares.Compute, p.Shares.Models, p.Shares.Data, p.Shares.Creators, p.Shares.Validators} {
		e.Uint(uint64(v))
	}
	e.String(string(p.Treasury))
	e.Uint(2) // trailer version
	e.Uint(uint64(p.Kappa))
	e.Uint(p.BondsMovingAverage)
	e.Uint(uint64(p.BondsPenalty))
	e.Uint(p.ActivityCutoff)
	e.Uint(uint64(p.BondBits))
	e.String(p.Allocation)
	e.Bool(p.CommitReveal)
	e.Bool(p.WithholdOutliers)
	e.Bool(p.SelfDealingCap)
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
	kappaBps, alphaBps := u32(), u32()
	p.OutlierBps = u32()
	p.Shares = RoleShares{Compute: u32(), Models: u32(), Data: u32(), Creators: u32(), Validators: u32()}
	p.Treasury = ledger.AccountID(d.String())
	if d.Err() == nil && d.Remaining() == 0 {
		// Version 1, before the epoch followed the chain: kappa in bps
		// (rounded to the nearest 65535th) and the EMA rate in bps; the
		// rest at their defaults.
		def := DefaultParams()
		p.Kappa = uint16((uint64(kappaBps)*65535 + BPS/2) / BPS)
		p.BondsMovingAverage = ppm - min(uint64(alphaBps), BPS)*(ppm/BPS)
		p.BondsPenalty, p.ActivityCutoff, p.BondBits, p.Allocation = def.BondsPenalty, def.ActivityCutoff, def.BondBits, def.Allocation
		p.CommitReveal, p.WithholdOutliers, p.SelfDealingCap = def.CommitReveal, def.WithholdOutliers, def.SelfDealingCap
		return p, d.Finish()
	}
	if v := d.Uint(); v != 2 && d.Err() == nil {
		d.Fail(ledger.Errorf(ledger.ErrCorrupt, "contribution params: trailer version %d", v))
	}
	k := d.Uint()
	p.BondsMovingAverage = d.Uint()
	pen := d.Uint()
	p.ActivityCutoff = d.Uint()
	bb := d.Uint()
	if k > 65535 || pen > 65535 || bb > 255 {
		d.Fail(ledger.Errorf(ledger.ErrCorrupt, "contribution params: out of range"))
	}
	p.Kappa, p.BondsPenalty, p.BondBits = uint16(k), uint16(pen), uint8(bb)
	p.Allocation = d.String()
	p.CommitReveal, p.WithholdOutliers, p.SelfDealingCap = d.Bool(), d.Bool(), d.Bool()
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

// yumaConfig returns the epoch's fractions in 32.32 fixed point, derived
// as the chain derives them.
func (p *Params) yumaConfig() yumaConfig {
	return yumaConfig{
		kappa:   fxFromU16(p.Kappa),
		alpha:   fxOne - ratio(p.BondsMovingAverage, ppm), // 1 - I64F64(bma / 1e6) truncated to I32F32
		penalty: fxFromU16(p.BondsPenalty),
		bondMax: 1<<p.BondBits - 1,
	}
}
