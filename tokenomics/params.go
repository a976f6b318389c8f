package tokenomics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/coopera/coopera/ledger"
)

// BPS is the denominator of every ratio in basis points: 10000 bps = 100%.
const BPS = 10000

// FeeShares splits the platform fee, in bps of the fee, summing to 10000.
// The treasury also receives every rounding remainder; where a fee has no
// agent (plain transfers, agent creation) the creator share goes to the
// treasury.
type FeeShares struct {
	Treasury uint32 `json:"treasury"`
	Burn     uint32 `json:"burn"`
	Stakers  uint32 `json:"stakers"`
	Creator  uint32 `json:"creator"`
}

// EpochShares splits each epoch's mint (emission + remint), in bps summing
// to 10000: the provider pool (pro rata to credits served), the mining pool
// (agents by usage served), the creator pool (creators by their agents'
// usage), the protocol staking pool, and the treasury.
type EpochShares struct {
	Providers uint32 `json:"providers"`
	Mining    uint32 `json:"mining"`
	Creators  uint32 `json:"creators"`
	Stakers   uint32 `json:"stakers"`
	Treasury  uint32 `json:"treasury"`
}

// UsageShares splits an agent service payment (net of the platform fee)
// among the value network of the white paper, in bps of the net; the
// agent's creator keeps the rest.
type UsageShares struct {
	Launchpad uint32 `json:"launchpad"` // to the treasury, which runs the launchpad
	Template  uint32 `json:"template"`  // the agent's template developer
	Tools     uint32 `json:"tools"`     // MCP tool providers, equally
	Platform  uint32 `json:"platform"`  // the serving platform
}

// ModelShares splits a model-serving payment (net of the platform fee), in
// bps of the net; the GPU provider keeps the rest. An open-source model (no
// model account) takes 0 and its share stays with the GPU provider.
type ModelShares struct {
	Platform uint32 `json:"platform"`
	Model    uint32 `json:"model"`
}

// StakeAsset registers an asset other than the native token for staking.
// WeightBps is the staking weight of one whole token of the asset in bps of
// one whole native token (a haircut below 10000); decimals are normalised.
type StakeAsset struct {
	Asset     ledger.AssetID `json:"asset"`
	WeightBps uint32         `json:"weight_bps"`
}

// Params are the tokenomics module's parameters: genesis state under
// params.tokenomics, changed only by governance (ledger.ChangeParam with a
// top-level JSON name below). Amounts are base units of the native asset
// unless said otherwise; prices are in units of 10^-18 USD per whole native
// token (PriceDecimals).
type Params struct {
	NativeAsset ledger.AssetID `json:"native_asset"`

	// Fees.
	FeeBps    uint32    `json:"fee_bps"`
	FeeShares FeeShares `json:"fee_shares"`

	// Oracle.
	OracleFeeds     []ledger.AccountID `json:"oracle_feeds"`
	OracleMinFeeds  uint32             `json:"oracle_min_feeds"`
	MaxPriceAge     ledger.Duration    `json:"max_price_age"`
	TWAPWindow      ledger.Duration    `json:"twap_window"`
	BreakerBps      uint32             `json:"breaker_bps"`
	BreakerCooldown ledger.Duration    `json:"breaker_cooldown"`
	MaxPrice        ledger.Amount      `json:"max_price"`

	// Burn and mint.
	EmissionKind          string             `json:"emission_kind"`
	EmissionInitial       ledger.Amount      `json:"emission_initial"`
	EmissionHalvingEpochs uint64             `json:"emission_halving_epochs"`
	EmissionDecayBps      uint32             `json:"emission_decay_bps"`
	EmissionFloor         ledger.Amount      `json:"emission_floor"`
	RemintCap             ledger.Amount      `json:"remint_cap"`
	RemintSmoothing       uint32             `json:"remint_smoothing"`
	EpochShares           EpochShares        `json:"epoch_shares"`
	UsageShares           UsageShares        `json:"usage_shares"`
	ModelShares           ModelShares        `json:"model_shares"`
	UsageReporters        []ledger.AccountID `json:"usage_reporters"`
	// ProviderPool, if set, receives the providers' share of each epoch's
	// mint whole, for another module to distribute (the contribution
	// module's pool, "mod:contribution/pool", which pays it out by Proof
	// of Intelligence, with its own self-dealing cap). Empty: the share is
	// paid pro rata to the credits each provider served.
	ProviderPool ledger.AccountID `json:"provider_pool,omitempty"`

	// Staking.
	StakeAssets     []StakeAsset       `json:"stake_assets"`
	UnbondingEpochs uint64             `json:"unbonding_epochs"`
	Slashers        []ledger.AccountID `json:"slashers"`

	// Value locking and the launchpad.
	AgentDeposit         ledger.Amount `json:"agent_deposit"`
	AgentLockEpochs      uint64        `json:"agent_lock_epochs"`
	TokenDecimals        uint8         `json:"token_decimals"`
	CurveSupply          ledger.Amount `json:"curve_supply"`
	CurveSaleSupply      ledger.Amount `json:"curve_sale_supply"`
	CurveVirtualBase     ledger.Amount `json:"curve_virtual_base"`
	CurveVirtualTokens   ledger.Amount `json:"curve_virtual_tokens"`
	GraduationBase       ledger.Amount `json:"graduation_base"`
	GraduationLockEpochs uint64        `json:"graduation_lock_epochs"`
}

func amt(s string) ledger.Amount {
	a, err := ledger.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// DefaultParams returns the documented defaults, written for a native
// asset with 6 decimals (1 COOP = 1,000,000 base units).
func DefaultParams() Params {
	return Params{
		NativeAsset: "COOP",
		FeeBps:      100,
		FeeShares:   FeeShares{Treasury: 2000, Burn: 3000, Stakers: 3000, Creator: 2000},

		OracleMinFeeds:  1,
		MaxPriceAge:     ledger.Duration(10 * time.Minute),
		TWAPWindow:      ledger.Duration(30 * time.Minute),
		BreakerBps:      2000,
		BreakerCooldown: ledger.Duration(30 * time.Minute),
		MaxPrice:        USD(1_000_000_000), // $1e9 per token

		EmissionKind:          EmissionHalving,
		EmissionInitial:       amt("1000000000000"), // 1,000,000 COOP per epoch
		EmissionHalvingEpochs: 730,                  // two years of daily epochs
		EmissionFloor:         amt("0"),
		RemintCap:             amt("100000000000"), // 100,000 COOP per epoch
		RemintSmoothing:       7,                   // HIP-20: 6/7 old + 1/7 new
		EpochShares:           EpochShares{Providers: 5000, Mining: 1500, Creators: 1000, Stakers: 2000, Treasury: 500},
		UsageShares:           UsageShares{Launchpad: 1000, Template: 1000, Tools: 1000, Platform: 3000},
		ModelShares:           ModelShares{Platform: 2000, Model: 3000},

		UnbondingEpochs: 7,

		AgentDeposit:         amt("100000000"), // 100 COOP
		AgentLockEpochs:      90,
		TokenDecimals:        6,
		CurveSupply:          amt("1000000000000000"), // 1e9 agent tokens
		CurveSaleSupply:      amt("800000000000000"),  // 8e8 sold on the curve
		CurveVirtualBase:     amt("30000000000"),      // 30,000 COOP virtual
		CurveVirtualTokens:   amt("1073000000000000"), // 1.073e9 tokens virtual
		GraduationBase:       amt("85000000000"),      // 85,000 COOP raised
		GraduationLockEpochs: 3650,
	}
}

// Emission schedule kinds.
const (
	EmissionHalving = "halving" // E(t) = max(floor, initial >> (t / halving_epochs))
	EmissionDecay   = "decay"   // E(t) = max(floor, floor(initial * (1 - decay)^t))
)

// sumBps adds shares in basis points without wrapping (each is a uint32:
// a sum of them could wrap around to 10000).
func sumBps(parts ...uint32) uint64 {
	var s uint64
	for _, p := range parts {
		s += uint64(p)
	}
	return s
}

func paramErr(name, format string, args ...any) error {
	return ledger.Errorf(ledger.ErrInvalidParameter, "tokenomics.%s: %s", name, fmt.Sprintf(format, args...))
}

// Validate checks every bound that needs no state.
func (p *Params) Validate() error {
	if err := p.NativeAsset.Validate(); err != nil {
		return paramErr("native_asset", "%v", err)
	}
	if p.FeeBps > 1000 {
		return paramErr("fee_bps", "%d bps is above the 1000 bps (10%%) bound", p.FeeBps)
	}
	if s := sumBps(p.FeeShares.Treasury, p.FeeShares.Burn, p.FeeShares.Stakers, p.FeeShares.Creator); s != BPS {
		return paramErr("fee_shares", "treasury %d + burn %d + stakers %d + creator %d = %d bps; the shares must sum to 10000",
			p.FeeShares.Treasury, p.FeeShares.Burn, p.FeeShares.Stakers, p.FeeShares.Creator, s)
	}
	if err := validateAccounts("oracle_feeds", p.OracleFeeds); err != nil {
		return err
	}
	if p.OracleMinFeeds == 0 {
		return paramErr("oracle_min_feeds", "must be at least 1")
	}
	if len(p.OracleFeeds) > 0 && int(p.OracleMinFeeds) > len(p.OracleFeeds) {
		return paramErr("oracle_min_feeds", "%d exceeds the %d feeds", p.OracleMinFeeds, len(p.OracleFeeds))
	}
	for _, d := range []struct {
		name string
		v    ledger.Duration
	}{{"max_price_age", p.MaxPriceAge}, {"twap_window", p.TWAPWindow}, {"breaker_cooldown", p.BreakerCooldown}} {
		if d.v <= 0 {
			return paramErr(d.name, "must be a positive duration such as \"10m\"")
		}
	}
	if p.BreakerBps == 0 || p.BreakerBps > BPS {
		return paramErr("breaker_bps", "%d bps; must be 1..10000", p.BreakerBps)
	}
	if p.MaxPrice.IsZero() || p.MaxPrice.Cmp(MaxPriceLimit) > 0 {
		return paramErr("max_price", "%s; must be 1..%s (units of 10^-18 USD per whole token, as a string: \"1000000000000000000\" is $1)", p.MaxPrice, MaxPriceLimit)
	}
	switch p.EmissionKind {
	case EmissionHalving:
		if p.EmissionHalvingEpochs == 0 {
			return paramErr("emission_halving_epochs", "must be at least 1")
		}
	case EmissionDecay:
		if p.EmissionDecayBps == 0 || p.EmissionDecayBps >= BPS {
			return paramErr("emission_decay_bps", "%d bps; a decay schedule needs 1..9999", p.EmissionDecayBps)
		}
	default:
		return paramErr("emission_kind", "%q; use %q or %q", p.EmissionKind, EmissionHalving, EmissionDecay)
	}
	if p.EmissionFloor.Cmp(p.EmissionInitial) > 0 {
		return paramErr("emission_floor", "%s is above emission_initial %s", p.EmissionFloor, p.EmissionInitial)
	}
	if p.RemintSmoothing == 0 || p.RemintSmoothing > 1000 {
		return paramErr("remint_smoothing", "%d; must be 1..1000 (1 = no smoothing)", p.RemintSmoothing)
	}
	es := p.EpochShares
	if s := sumBps(es.Providers, es.Mining, es.Creators, es.Stakers, es.Treasury); s != BPS {
		return paramErr("epoch_shares", "providers %d + mining %d + creators %d + stakers %d + treasury %d = %d bps; the shares must sum to 10000",
			es.Providers, es.Mining, es.Creators, es.Stakers, es.Treasury, s)
	}
	us := p.UsageShares
	if s := sumBps(us.Launchpad, us.Template, us.Tools, us.Platform); s > BPS {
		return paramErr("usage_shares", "launchpad %d + template %d + tools %d + platform %d = %d bps; at most 10000 (the creator keeps the rest)",
			us.Launchpad, us.Template, us.Tools, us.Platform, s)
	}
	if s := sumBps(p.ModelShares.Platform, p.ModelShares.Model); s > BPS {
		return paramErr("model_shares", "platform %d + model %d = %d bps; at most 10000 (the GPU provider keeps the rest)", p.ModelShares.Platform, p.ModelShares.Model, s)
	}
	if err := validateAccounts("usage_reporters", p.UsageReporters); err != nil {
		return err
	}
	if p.ProviderPool != "" {
		if err := p.ProviderPool.Validate(); err != nil {
			return paramErr("provider_pool", "%v", err)
		}
	}
	seen := map[ledger.AssetID]bool{p.NativeAsset: true}
	for i, a := range p.StakeAssets {
		if err := a.Asset.Validate(); err != nil {
			return paramErr(fmt.Sprintf("stake_assets[%d].asset", i), "%v", err)
		}
		if seen[a.Asset] {
			return paramErr(fmt.Sprintf("stake_assets[%d].asset", i), "%s is listed twice or is the native asset (always stakeable at 10000 bps)", a.Asset)
		}
		seen[a.Asset] = true
		if a.WeightBps == 0 || a.WeightBps > 100*BPS {
			return paramErr(fmt.Sprintf("stake_assets[%d].weight_bps", i), "%d; must be 1..1000000", a.WeightBps)
		}
	}
	if p.UnbondingEpochs > 1000 {
		return paramErr("unbonding_epochs", "%d; at most 1000", p.UnbondingEpochs)
	}
	if err := validateAccounts("slashers", p.Slashers); err != nil {
		return err
	}
	if p.TokenDecimals > 18 {
		return paramErr("token_decimals", "%d; at most 18", p.TokenDecimals)
	}
	for _, z := range []struct {
		name string
		v    ledger.Amount
	}{{"curve_supply", p.CurveSupply}, {"curve_sale_supply", p.CurveSaleSupply}, {"curve_virtual_base", p.CurveVirtualBase},
		{"curve_virtual_tokens", p.CurveVirtualTokens}, {"graduation_base", p.GraduationBase}} {
		if z.v.IsZero() {
			return paramErr(z.name, "must be positive")
		}
	}
	if p.CurveSaleSupply.Cmp(p.CurveSupply) > 0 {
		return paramErr("curve_sale_supply", "%s exceeds curve_supply %s", p.CurveSaleSupply, p.CurveSupply)
	}
	if p.CurveSaleSupply.Cmp(p.CurveVirtualTokens) >= 0 {
		return paramErr("curve_sale_supply", "%s must be below curve_virtual_tokens %s, or the last token has no price", p.CurveSaleSupply, p.CurveVirtualTokens)
	}
	// Graduation must come before the curve runs out of tokens to sell.
	c := Curve{X: p.CurveVirtualBase, Y: p.CurveVirtualTokens}
	if _, _, sold, ok := c.buyOut(p.GraduationBase); !ok || sold.Cmp(p.CurveSaleSupply) > 0 {
		return paramErr("graduation_base", "raising %s sells %s tokens, more than curve_sale_supply %s; lower graduation_base or raise the sale supply", p.GraduationBase, sold, p.CurveSaleSupply)
	}
	return nil
}

func validateAccounts(name string, ids []ledger.AccountID) error {
	for i, id := range ids {
		if err := id.Validate(); err != nil {
			return paramErr(fmt.Sprintf("%s[%d]", name, i), "%v", err)
		}
		if slices.Contains(ids[:i], id) {
			return paramErr(fmt.Sprintf("%s[%d]", name, i), "%s is listed twice", id)
		}
	}
	return nil
}

// validateState checks what needs state: the assets exist.
func (p *Params) validateState(g ledger.Getter) error {
	if _, ok, err := ledger.GetAsset(g, p.NativeAsset); err != nil {
		return err
	} else if !ok {
		return paramErr("native_asset", "asset %s is not registered; declare it in the genesis assets", p.NativeAsset)
	}
	for i, a := range p.StakeAssets {
		if _, ok, err := ledger.GetAsset(g, a.Asset); err != nil {
			return err
		} else if !ok {
			return paramErr(fmt.Sprintf("stake_assets[%d].asset", i), "asset %s is not registered", a.Asset)
		}
	}
	return nil
}

// validateBooked checks that the provider pool, which every close mints
// to, is not a booked account (ledger.Bookkeeper): the share would land
// where no record covers it, stranded.
func (p *Params) validateBooked(v ledger.ParamsView) error {
	if p.ProviderPool == "" {
		return nil
	}
	if mod, ok := v.Booked(p.ProviderPool); ok {
		return paramErr("provider_pool", "%s is booked by module %s: its balance is what that module's records owe, and the providers' share minted there would be stranded; name the distributing module's pool or another account that is not booked", p.ProviderPool, mod)
	}
	return nil
}

// CheckParamsState checks encoded parameters against state
// (ledger.ParamsStateChecker): the assets exist, and so does the
// provider pool, which every close mints to (a close that cannot fails
// every epoch), and the pool is not a booked account. At genesis the pool
// may be another module's account, made after this one's, so genesis
// checks only that it is not booked.
func (Module) CheckParamsState(v ledger.ParamsView, encoded []byte) error {
	p, err := DecodeParams(encoded)
	if err != nil {
		return err
	}
	if err := p.validateState(v); err != nil {
		return err
	}
	if err := p.validateBooked(v); err != nil {
		return err
	}
	if p.ProviderPool != "" {
		if _, ok := v.Get(ledger.AccountKey(p.ProviderPool)); !ok {
			return paramErr("provider_pool", "account %s does not exist", p.ProviderPool)
		}
	}
	return nil
}

// stakeWeight returns the weight of asset in bps, and whether it stakes.
func (p *Params) stakeWeight(asset ledger.AssetID) (uint32, bool) {
	if asset == p.NativeAsset {
		return BPS, true
	}
	for _, a := range p.StakeAssets {
		if a.Asset == asset {
			return a.WeightBps, true
		}
	}
	return 0, false
}

// encode writes the canonical form stored in state.
func (p *Params) encode() []byte {
	e := ledger.NewEncoder(make([]byte, 0, 256))
	e.String(string(p.NativeAsset))
	e.Uint(uint64(p.FeeBps))
	fs := p.FeeShares
	for _, v := range []uint32{fs.Treasury, fs.Burn, fs.Stakers, fs.Creator} {
		e.Uint(uint64(v))
	}
	encAccounts(e, p.OracleFeeds)
	e.Uint(uint64(p.OracleMinFeeds))
	e.Int(int64(p.MaxPriceAge))
	e.Int(int64(p.TWAPWindow))
	e.Uint(uint64(p.BreakerBps))
	e.Int(int64(p.BreakerCooldown))
	e.Amount(p.MaxPrice)
	e.String(p.EmissionKind)
	e.Amount(p.EmissionInitial)
	e.Uint(p.EmissionHalvingEpochs)
	e.Uint(uint64(p.EmissionDecayBps))
	e.Amount(p.EmissionFloor)
	e.Amount(p.RemintCap)
	e.Uint(uint64(p.RemintSmoothing))
	es := p.EpochShares
	for _, v := range []uint32{es.Providers, es.Mining, es.Creators, es.Stakers, es.Treasury} {
		e.Uint(uint64(v))
	}
	us := p.UsageShares
	for _, v := range []uint32{us.Launchpad, us.Template, us.Tools, us.Platform} {
		e.Uint(uint64(v))
	}
	e.Uint(uint64(p.ModelShares.Platform))
	e.Uint(uint64(p.ModelShares.Model))
	encAccounts(e, p.UsageReporters)
	e.String(string(p.ProviderPool))
	e.Uint(uint64(len(p.StakeAssets)))
	for _, a := range p.StakeAssets {
		e.String(string(a.Asset))
		e.Uint(uint64(a.WeightBps))
	}
	e.Uint(p.UnbondingEpochs)
	encAccounts(e, p.Slashers)
	e.Amount(p.AgentDeposit)
	e.Uint(p.AgentLockEpochs)
	e.Uint(uint64(p.TokenDecimals))
	for _, a := range []ledger.Amount{p.CurveSupply, p.CurveSaleSupply, p.CurveVirtualBase, p.CurveVirtualTokens, p.GraduationBase} {
		e.Amount(a)
	}
	e.Uint(p.GraduationLockEpochs)
	return e.Bytes()
}

func encAccounts(e *ledger.Encoder, ids []ledger.AccountID) {
	e.Uint(uint64(len(ids)))
	for _, id := range ids {
		e.String(string(id))
	}
}

func decAccounts(d *ledger.Decoder) []ledger.AccountID {
	n := d.Len(1)
	var out []ledger.AccountID
	for range n {
		out = append(out, ledger.AccountID(d.String()))
	}
	return out
}

func u32(d *ledger.Decoder) uint32 {
	v := d.Uint()
	if v > 1<<32-1 {
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "%s: %d does not fit 32 bits", d.What, v))
	}
	return uint32(v)
}

// DecodeParams decodes parameters as stored in state.
func DecodeParams(b []byte) (Params, error) {
	d := ledger.NewDecoder(b, "tokenomics params")
	var p Params
	p.NativeAsset = ledger.AssetID(d.String())
	p.FeeBps = u32(d)
	p.FeeShares = FeeShares{Treasury: u32(d), Burn: u32(d), Stakers: u32(d), Creator: u32(d)}
	p.OracleFeeds = decAccounts(d)
	p.OracleMinFeeds = u32(d)
	p.MaxPriceAge = ledger.Duration(d.Int())
	p.TWAPWindow = ledger.Duration(d.Int())
	p.BreakerBps = u32(d)
	p.BreakerCooldown = ledger.Duration(d.Int())
	p.MaxPrice = d.Amount()
	p.EmissionKind = d.String()
	p.EmissionInitial = d.Amount()
	p.EmissionHalvingEpochs = d.Uint()
	p.EmissionDecayBps = u32(d)
	p.EmissionFloor = d.Amount()
	p.RemintCap = d.Amount()
	p.RemintSmoothing = u32(d)
	p.EpochShares = EpochShares{Providers: u32(d), Mining: u32(d), Creators: u32(d), Stakers: u32(d), Treasury: u32(d)}
	p.UsageShares = UsageShares{Launchpad: u32(d), Template: u32(d), Tools: u32(d), Platform: u32(d)}
	p.ModelShares = ModelShares{Platform: u32(d), Model: u32(d)}
	p.UsageReporters = decAccounts(d)
	p.ProviderPool = ledger.AccountID(d.String())
	n := d.Len(2)
	for range n {
		p.StakeAssets = append(p.StakeAssets, StakeAsset{Asset: ledger.AssetID(d.String()), WeightBps: u32(d)})
	}
	p.UnbondingEpochs = d.Uint()
	p.Slashers = decAccounts(d)
	p.AgentDeposit = d.Amount()
	p.AgentLockEpochs = d.Uint()
	dec := d.Uint()
	if dec > 18 {
		d.Fail(ledger.Errorf(ledger.ErrCorrupt, "tokenomics params: token_decimals %d", dec))
	}
	p.TokenDecimals = uint8(dec)
	p.CurveSupply, p.CurveSaleSupply, p.CurveVirtualBase, p.CurveVirtualTokens, p.GraduationBase = d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount()
	p.GraduationLockEpochs = d.Uint()
	return p, d.Finish()
}

// parseParams reads genesis JSON over the defaults: fields left out keep
// their default; unknown fields are errors.
func parseParams(raw []byte) (Params, error) {
	p := DefaultParams()
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return p, p.Validate()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Params{}, ledger.Errorf(ledger.ErrInvalidParameter, "tokenomics params JSON: %v", err)
	}
	return p, p.Validate()
}

// paramNames returns the JSON names of Params' fields, sorted.
func paramNames() []string {
	t := reflect.TypeFor[Params]()
	var names []string
	for i := range t.NumField() {
		if n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); n != "" && n != "-" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// SetParam implements ledger.Parameterized: name is a top-level JSON name
// of Params (for example "fee_bps" or "fee_shares", the latter with a whole
// object as value).
func (Module) SetParam(current []byte, name string, value json.RawMessage) ([]byte, error) {
	p, err := DecodeParams(current)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(&p)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(js, &fields); err != nil {
		return nil, err
	}
	// The names from the type, not from the JSON: a field left out while
	// empty (provider_pool) is a parameter all the same.
	names := paramNames()
	if !slices.Contains(names, name) {
		return nil, ledger.Errorf(ledger.ErrInvalidParameter, "tokenomics has no parameter %q; parameters: %v", name, names)
	}
	fields[name] = value
	js, err = json.Marshal(fields)
	if err != nil {
		return nil, ledger.Errorf(ledger.ErrInvalidParameter, "tokenomics.%s: value is not JSON: %v", name, err)
	}
	var next Params
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return nil, ledger.Errorf(ledger.ErrInvalidParameter, "tokenomics.%s: %v", name, err)
	}
	if next.NativeAsset != p.NativeAsset {
		return nil, paramErr("native_asset", "is fixed at genesis")
	}
	if next.TokenDecimals != p.TokenDecimals {
		// Changing it would make later agent tokens disagree with the curve
		// parameters written for them; it is fixed too.
		return nil, paramErr("token_decimals", "is fixed at genesis")
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	return next.encode(), nil
}

// ParamsJSON implements ledger.Parameterized.
func (Module) ParamsJSON(encoded []byte) (json.RawMessage, error) {
	p, err := DecodeParams(encoded)
	if err != nil {
		return nil, err
	}
	return json.Marshal(&p)
}

// MarshalJSON writes empty lists as [] rather than null.
func (p *Params) MarshalJSON() ([]byte, error) {
	type plain Params
	q := plain(*p)
	for _, l := range []*[]ledger.AccountID{&q.OracleFeeds, &q.UsageReporters, &q.Slashers} {
		if *l == nil {
			*l = []ledger.AccountID{}
		}
	}
	if q.StakeAssets == nil {
		q.StakeAssets = []StakeAsset{}
	}
	return json.Marshal(&q)
}

// ParamsAt reads the parameters in effect at height.
func ParamsAt(g ledger.Getter, height uint64) (Params, error) {
	b, err := ledger.ParamsAt(g, ModuleName, height)
	if err != nil {
		return Params{}, err
	}
	return DecodeParams(b)
}

// ctxParams returns the parameters in effect in the block being decided,
// decoded once per block (ledger.Memo); callers must not modify them.
func ctxParams(ctx *ledger.Context) (*Params, error) {
	return ledger.Memo(ctx, "tokenomics/params", func() (*Params, error) {
		b, err := ctx.Params(ModuleName)
		if err != nil {
			return nil, err
		}
		p, err := DecodeParams(b)
		return &p, err
	})
}
