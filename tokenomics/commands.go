package tokenomics

import (
	"fmt"

	"github.com/coopera/coopera/ledger"
)

// Commands of the tokenomics module. Validate checks everything that needs
// no state; Decide (in the mechanism files) checks the rest.

// ProtocolPool is the ID of the protocol staking pool; every other pool is
// an agent's, named by the agent's ID.
const ProtocolPool = "protocol"

// ValidateAgentID checks an agent ID: 1 to 32 bytes of lowercase letters,
// digits and '-', starting with a letter; "protocol" is reserved.
func ValidateAgentID(id string) error {
	if id == "" {
		return ledger.Errorf(ledger.ErrMissingField, "agent ID is empty")
	}
	if len(id) > 32 {
		return ledger.Errorf(ledger.ErrInvalidID, "agent ID %.20q... is %d bytes; the limit is 32", id, len(id))
	}
	if id[0] < 'a' || id[0] > 'z' {
		return ledger.Errorf(ledger.ErrInvalidID, "agent ID %q must start with a lowercase letter", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return ledger.Errorf(ledger.ErrInvalidID, "agent ID %q has %q at byte %d; use lowercase letters, digits and '-'", id, c, i)
		}
	}
	if id == ProtocolPool {
		return ledger.Errorf(ledger.ErrInvalidID, "agent ID %q is reserved for the protocol staking pool", id)
	}
	return nil
}

func validatePool(pool string) error {
	if pool == ProtocolPool {
		return nil
	}
	if err := ValidateAgentID(pool); err != nil {
		return ledger.Errorf(err.(*ledger.Error), "pool: %s (pools are %q or an agent ID)", err.(*ledger.Error).Msg, ProtocolPool)
	}
	return nil
}

func nonZero(a ledger.Amount, what string) error {
	if a.IsZero() {
		return ledger.Errorf(ledger.ErrZeroAmount, "%s is zero; amounts must be positive base units", what)
	}
	return nil
}

func optAccount(id ledger.AccountID, what string) error {
	if id == "" {
		return nil
	}
	if err := id.Validate(); err != nil {
		return ledger.Errorf(err.(*ledger.Error), "%s: %s", what, err.(*ledger.Error).Msg)
	}
	return nil
}

// usageAccount checks an account a usage record names (optional where
// empty): a valid ID, and not a module account, whose balance is what the
// module's records say (a reward minted into one would be stranded there).
func usageAccount(id ledger.AccountID, what string) error {
	if err := optAccount(id, what); err != nil {
		return err
	}
	if id.IsModule() {
		return ledger.Errorf(ledger.ErrMalformed, "%s: %s is a module account; usage is served by and rewarded to user accounts", what, id)
	}
	return nil
}

// ObservePrice reports a feed's price of the native token, in units of
// 10^-18 USD per whole token (PriceDecimals; "1000000000000000000" is
// $1.00, and USD and ParsePrice build one). The actor must be a feed
// listed in oracle_feeds.
type ObservePrice struct {
	Price ledger.Amount `json:"price"`
}

func (*ObservePrice) Type() string               { return "observe_price" }
func (p *ObservePrice) Encode(e *ledger.Encoder) { e.Amount(p.Price) }
func (p *ObservePrice) Decode(d *ledger.Decoder) { p.Price = d.Amount() }
func (p *ObservePrice) Validate() error {
	if p.Price.IsZero() {
		return ledger.Errorf(ledger.ErrZeroAmount, "price is zero; give units of 10^-18 USD per whole token (\"1000000000000000000\" = $1)")
	}
	return nil
}

// BuyCredits burns Amount base units of the native token for credits at
// the oracle price, credited to To (default: the actor). It fails unless
// at least MinCredits are bought.
type BuyCredits struct {
	Amount     ledger.Amount    `json:"amount"`
	To         ledger.AccountID `json:"to,omitempty"`
	MinCredits ledger.Amount    `json:"min_credits,omitempty"`
}

func (*BuyCredits) Type() string { return "buy_credits" }
func (p *BuyCredits) Encode(e *ledger.Encoder) {
	e.Amount(p.Amount)
	encAcct(e, p.To)
	e.Amount(p.MinCredits)
}
func (p *BuyCredits) Decode(d *ledger.Decoder) {
	p.Amount, p.To, p.MinCredits = d.Amount(), decAcct(d), d.Amount()
}
func (p *BuyCredits) Validate() error {
	if err := nonZero(p.Amount, "amount"); err != nil {
		return err
	}
	return optAccount(p.To, "to")
}

// RecordUsage records a service consumed by Consumer (default: the actor;
// another consumer only for an actor listed in usage_reporters), paid in
// credits. With Agent set it is an agent service priced by the agent
// (price_in per input token, price_out per output token) and Platform is
// the serving platform, Tools the MCP tool providers. Without Agent it is
// model serving at PriceIn/PriceOut, served by GPU on Platform for the
// Model developer (empty: an open-source model, which takes 0).
type RecordUsage struct {
	Consumer ledger.AccountID   `json:"consumer,omitempty"`
	Agent    string             `json:"agent,omitempty"`
	Platform ledger.AccountID   `json:"platform"`
	Tools    []ledger.AccountID `json:"tools,omitempty"`
	GPU      ledger.AccountID   `json:"gpu,omitempty"`
	Model    ledger.AccountID   `json:"model,omitempty"`
	Input    uint64             `json:"input_tokens"`
	Output   uint64             `json:"output_tokens"`
	PriceIn  uint64             `json:"price_in,omitempty"`
	PriceOut uint64             `json:"price_out,omitempty"`
	Ref      string             `json:"ref,omitempty"`
}

// MaxTools bounds the tool providers of one usage record.
const MaxTools = 16

func (*RecordUsage) Type() string { return "record_usage" }
func (p *RecordUsage) Encode(e *ledger.Encoder) {
	encAcct(e, p.Consumer)
	e.String(p.Agent)
	encAcct(e, p.Platform)
	encAccounts(e, p.Tools)
	encAcct(e, p.GPU)
	encAcct(e, p.Model)
	e.Uint(p.Input)
	e.Uint(p.Output)
	e.Uint(p.PriceIn)
	e.Uint(p.PriceOut)
	e.String(p.Ref)
}
func (p *RecordUsage) Decode(d *ledger.Decoder) {
	p.Consumer, p.Agent, p.Platform = decAcct(d), d.String(), decAcct(d)
	p.Tools = decAccounts(d)
	p.GPU, p.Model = decAcct(d), decAcct(d)
	p.Input, p.Output, p.PriceIn, p.PriceOut = d.Uint(), d.Uint(), d.Uint(), d.Uint()
	p.Ref = d.String()
}
func (p *RecordUsage) Validate() error {
	if err := usageAccount(p.Consumer, "consumer"); err != nil {
		return err
	}
	if p.Platform == "" {
		return ledger.Errorf(ledger.ErrMissingField, "platform (the serving platform's account) is required")
	}
	if err := usageAccount(p.Platform, "platform"); err != nil {
		return err
	}
	if p.Input == 0 && p.Output == 0 {
		return ledger.Errorf(ledger.ErrZeroAmount, "usage of zero tokens; give input_tokens and/or output_tokens")
	}
	if len(p.Ref) > 128 {
		return ledger.Errorf(ledger.ErrMalformed, "ref is %d bytes; the limit is 128", len(p.Ref))
	}
	if p.Agent != "" {
		if err := ValidateAgentID(p.Agent); err != nil {
			return err
		}
		if p.GPU != "" || p.Model != "" || p.PriceIn != 0 || p.PriceOut != 0 {
			return ledger.Errorf(ledger.ErrMalformed, "agent usage is priced by the agent; gpu, model, price_in and price_out are for model serving (no agent)")
		}
		if len(p.Tools) > MaxTools {
			return ledger.Errorf(ledger.ErrMalformed, "%d tools; the limit is %d", len(p.Tools), MaxTools)
		}
		for i, t := range p.Tools {
			what := fmt.Sprintf("tools[%d]", i)
			if t == "" {
				return ledger.Errorf(ledger.ErrMissingField, "%s is empty; give the tool provider's account", what)
			}
			if err := usageAccount(t, what); err != nil {
				return err
			}
		}
		return nil
	}
	if len(p.Tools) > 0 {
		return ledger.Errorf(ledger.ErrMalformed, "tools are for agent usage; set agent")
	}
	if p.GPU == "" {
		return ledger.Errorf(ledger.ErrMissingField, "model serving needs gpu (the GPU provider's account)")
	}
	if err := usageAccount(p.GPU, "gpu"); err != nil {
		return err
	}
	if err := usageAccount(p.Model, "model"); err != nil {
		return err
	}
	if p.PriceIn == 0 && p.PriceOut == 0 {
		return ledger.Errorf(ledger.ErrZeroAmount, "model serving needs price_in and/or price_out (credits per token)")
	}
	return nil
}

// Stake stakes Amount of Asset (the native token or a stake_assets entry)
// into Pool ("protocol" or an agent's ID).
type Stake struct {
	Pool   string         `json:"pool"`
	Asset  ledger.AssetID `json:"asset"`
	Amount ledger.Amount  `json:"amount"`
}

func (*Stake) Type() string { return "stake" }
func (p *Stake) Encode(e *ledger.Encoder) {
	e.String(p.Pool)
	e.String(string(p.Asset))
	e.Amount(p.Amount)
}
func (p *Stake) Decode(d *ledger.Decoder) {
	p.Pool, p.Asset, p.Amount = d.String(), ledger.AssetID(d.String()), d.Amount()
}
func (p *Stake) Validate() error { return validateStakeArgs(p.Pool, p.Asset, p.Amount) }

func validateStakeArgs(pool string, asset ledger.AssetID, a ledger.Amount) error {
	if err := validatePool(pool); err != nil {
		return err
	}
	if err := asset.Validate(); err != nil {
		return err
	}
	return nonZero(a, "amount")
}

// Unstake starts unbonding Amount of Asset from Pool; the funds can be
// withdrawn unbonding_epochs epochs later.
type Unstake struct {
	Pool   string         `json:"pool"`
	Asset  ledger.AssetID `json:"asset"`
	Amount ledger.Amount  `json:"amount"`
}

func (*Unstake) Type() string { return "unstake" }
func (p *Unstake) Encode(e *ledger.Encoder) {
	e.String(p.Pool)
	e.String(string(p.Asset))
	e.Amount(p.Amount)
}
func (p *Unstake) Decode(d *ledger.Decoder) {
	p.Pool, p.Asset, p.Amount = d.String(), ledger.AssetID(d.String()), d.Amount()
}
func (p *Unstake) Validate() error { return validateStakeArgs(p.Pool, p.Asset, p.Amount) }

// WithdrawUnbonded pays out an unbonding entry of the actor whose release
// epoch has come.
type WithdrawUnbonded struct {
	ID uint64 `json:"id"`
}

func (*WithdrawUnbonded) Type() string               { return "withdraw_unbonded" }
func (p *WithdrawUnbonded) Encode(e *ledger.Encoder) { e.Uint(p.ID) }
func (p *WithdrawUnbonded) Decode(d *ledger.Decoder) { p.ID = d.Uint() }
func (p *WithdrawUnbonded) Validate() error {
	if p.ID == 0 {
		return ledger.Errorf(ledger.ErrMissingField, "id of the unbonding entry is required")
	}
	return nil
}

// ClaimRewards pays the actor's pending rewards in Pool.
type ClaimRewards struct {
	Pool string `json:"pool"`
}

func (*ClaimRewards) Type() string               { return "claim_rewards" }
func (p *ClaimRewards) Encode(e *ledger.Encoder) { e.String(p.Pool) }
func (p *ClaimRewards) Decode(d *ledger.Decoder) { p.Pool = d.String() }
func (p *ClaimRewards) Validate() error          { return validatePool(p.Pool) }

// Restake stakes the actor's pending rewards in Pool back into it, as the
// native token.
type Restake struct {
	Pool string `json:"pool"`
}

func (*Restake) Type() string               { return "restake" }
func (p *Restake) Encode(e *ledger.Encoder) { e.String(p.Pool) }
func (p *Restake) Decode(d *ledger.Decoder) { p.Pool = d.String() }
func (p *Restake) Validate() error          { return validatePool(p.Pool) }

// SlashPool scales a pool's stake down by Bps; the actor must be listed in
// slashers (governance slashes through Slash).
type SlashPool struct {
	Pool   string `json:"pool"`
	Bps    uint32 `json:"bps"`
	Reason string `json:"reason,omitempty"`
}

func (*SlashPool) Type() string { return "slash_pool" }
func (p *SlashPool) Encode(e *ledger.Encoder) {
	e.String(p.Pool)
	e.Uint(uint64(p.Bps))
	e.String(p.Reason)
}
func (p *SlashPool) Decode(d *ledger.Decoder) {
	p.Pool, p.Bps, p.Reason = d.String(), u32(d), d.String()
}
func (p *SlashPool) Validate() error {
	if err := validatePool(p.Pool); err != nil {
		return err
	}
	if p.Bps == 0 || p.Bps > BPS {
		return ledger.Errorf(ledger.ErrInvalidAmount, "slash of %d bps; give 1..10000", p.Bps)
	}
	if len(p.Reason) > 256 {
		return ledger.Errorf(ledger.ErrMalformed, "reason is %d bytes; the limit is 256", len(p.Reason))
	}
	return nil
}

// CreateAgent creates an agent owned by the actor, locking agent_deposit
// native base units for agent_lock_epochs (and paying the fee on it).
// PriceIn and PriceOut are credits (micro-USD) per input and output token.
type CreateAgent struct {
	Agent    string           `json:"agent"`
	Template ledger.AccountID `json:"template,omitempty"`
	PriceIn  uint64           `json:"price_in"`
	PriceOut uint64           `json:"price_out"`
}

func (*CreateAgent) Type() string { return "create_agent" }
func (p *CreateAgent) Encode(e *ledger.Encoder) {
	e.String(p.Agent)
	encAcct(e, p.Template)
	e.Uint(p.PriceIn)
	e.Uint(p.PriceOut)
}
func (p *CreateAgent) Decode(d *ledger.Decoder) {
	p.Agent, p.Template, p.PriceIn, p.PriceOut = d.String(), decAcct(d), d.Uint(), d.Uint()
}
func (p *CreateAgent) Validate() error {
	if err := ValidateAgentID(p.Agent); err != nil {
		return err
	}
	if err := optAccount(p.Template, "template"); err != nil {
		return err
	}
	if p.PriceIn == 0 && p.PriceOut == 0 {
		return ledger.Errorf(ledger.ErrZeroAmount, "an agent needs price_in and/or price_out (credits per token)")
	}
	return nil
}

// LaunchToken launches the agent's token Symbol on a bonding curve; only
// the agent's creator may.
type LaunchToken struct {
	Agent  string         `json:"agent"`
	Symbol ledger.AssetID `json:"symbol"`
}

func (*LaunchToken) Type() string { return "launch_token" }
func (p *LaunchToken) Encode(e *ledger.Encoder) {
	e.String(p.Agent)
	e.String(string(p.Symbol))
}
func (p *LaunchToken) Decode(d *ledger.Decoder) {
	p.Agent, p.Symbol = d.String(), ledger.AssetID(d.String())
}
func (p *LaunchToken) Validate() error {
	if err := ValidateAgentID(p.Agent); err != nil {
		return err
	}
	return p.Symbol.Validate()
}

// Buy buys an agent's tokens on its curve with Amount native base units
// (the fee is paid on top); it fails if fewer than MinOut tokens come out.
type Buy struct {
	Agent  string        `json:"agent"`
	Amount ledger.Amount `json:"amount"`
	MinOut ledger.Amount `json:"min_out"`
}

func (*Buy) Type() string { return "buy" }
func (p *Buy) Encode(e *ledger.Encoder) {
	e.String(p.Agent)
	e.Amount(p.Amount)
	e.Amount(p.MinOut)
}
func (p *Buy) Decode(d *ledger.Decoder) {
	p.Agent, p.Amount, p.MinOut = d.String(), d.Amount(), d.Amount()
}
func (p *Buy) Validate() error {
	if err := ValidateAgentID(p.Agent); err != nil {
		return err
	}
	return nonZero(p.Amount, "amount")
}

// Sell sells Amount of an agent's tokens on its curve; it fails if fewer
// than MinOut native base units come out after the fee.
type Sell struct {
	Agent  string        `json:"agent"`
	Amount ledger.Amount `json:"amount"`
	MinOut ledger.Amount `json:"min_out"`
}

func (*Sell) Type() string { return "sell" }
func (p *Sell) Encode(e *ledger.Encoder) {
	e.String(p.Agent)
	e.Amount(p.Amount)
	e.Amount(p.MinOut)
}
func (p *Sell) Decode(d *ledger.Decoder) {
	p.Agent, p.Amount, p.MinOut = d.String(), d.Amount(), d.Amount()
}
func (p *Sell) Validate() error {
	if err := ValidateAgentID(p.Agent); err != nil {
		return err
	}
	return nonZero(p.Amount, "amount")
}

// Unlock releases a lock of the actor whose unlock epoch has come.
type Unlock struct {
	ID uint64 `json:"id"`
}

func (*Unlock) Type() string               { return "unlock" }
func (p *Unlock) Encode(e *ledger.Encoder) { e.Uint(p.ID) }
func (p *Unlock) Decode(d *ledger.Decoder) { p.ID = d.Uint() }
func (p *Unlock) Validate() error {
	if p.ID == 0 {
		return ledger.Errorf(ledger.ErrMissingField, "id of the lock is required")
	}
	return nil
}
