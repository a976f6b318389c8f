package tokenomics

import (
	"github.com/coopera/coopera/ledger"
)

// Events of the tokenomics module. Each is version 1; its Encode/Decode is
// its canonical form, fixed forever. Movements of funds are the accounts
// module's events (transferred, minted, burned) emitted next to these;
// these carry the module's own state changes and the figures that explain
// the movements.

func encAcct(e *ledger.Encoder, a ledger.AccountID) { e.String(string(a)) }
func decAcct(d *ledger.Decoder) ledger.AccountID    { return ledger.AccountID(d.String()) }

// FeeCharged records a platform fee: Fee = ceil(Base * fee_bps / 10000) of
// Asset paid by Payer on top of Base, and where it went. Treasury includes
// every rounding remainder and any share with no recipient.
type FeeCharged struct {
	Kind     string           `json:"kind"` // transfer, trade, create
	Payer    ledger.AccountID `json:"payer"`
	Asset    ledger.AssetID   `json:"asset"`
	Base     ledger.Amount    `json:"base"`
	Fee      ledger.Amount    `json:"fee"`
	Treasury ledger.Amount    `json:"treasury"`
	Burned   ledger.Amount    `json:"burned"`
	Stakers  ledger.Amount    `json:"stakers"`
	Creator  ledger.Amount    `json:"creator"`
	To       ledger.AccountID `json:"creator_account,omitempty"`
	Agent    string           `json:"agent,omitempty"`
}

func (*FeeCharged) EventType() string    { return "fee_charged" }
func (*FeeCharged) EventVersion() uint16 { return 1 }
func (e *FeeCharged) Accounts() []ledger.AccountID {
	if e.To != "" {
		return []ledger.AccountID{e.Payer, e.To}
	}
	return []ledger.AccountID{e.Payer}
}
func (e *FeeCharged) Encode(enc *ledger.Encoder) {
	enc.String(e.Kind)
	encAcct(enc, e.Payer)
	enc.String(string(e.Asset))
	for _, a := range []ledger.Amount{e.Base, e.Fee, e.Treasury, e.Burned, e.Stakers, e.Creator} {
		enc.Amount(a)
	}
	encAcct(enc, e.To)
	enc.String(e.Agent)
}
func (e *FeeCharged) Decode(d *ledger.Decoder) {
	e.Kind, e.Payer, e.Asset = d.String(), decAcct(d), ledger.AssetID(d.String())
	e.Base, e.Fee, e.Treasury, e.Burned, e.Stakers, e.Creator = d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount()
	e.To, e.Agent = decAcct(d), d.String()
}

// PoolRewarded records native rewards added to a staking pool: the
// accumulator becomes Acc, Credited of Amount moved to the rewards account
// (Frac is the pool's scaled fraction after it), and Dust, what flooring
// the increment lost, went to the treasury.
type PoolRewarded struct {
	Pool     string        `json:"pool"`
	Amount   ledger.Amount `json:"amount"`
	Credited ledger.Amount `json:"credited"`
	Dust     ledger.Amount `json:"dust"`
	Acc      Nat           `json:"acc"`
	Frac     Nat           `json:"frac"`
}

func (*PoolRewarded) EventType() string    { return "pool_rewarded" }
func (*PoolRewarded) EventVersion() uint16 { return 1 }
func (e *PoolRewarded) Encode(enc *ledger.Encoder) {
	enc.String(e.Pool)
	enc.Amount(e.Amount)
	enc.Amount(e.Credited)
	enc.Amount(e.Dust)
	encBig(enc, e.Acc.Int)
	encBig(enc, e.Frac.Int)
}
func (e *PoolRewarded) Decode(d *ledger.Decoder) {
	e.Pool, e.Amount, e.Credited, e.Dust, e.Acc, e.Frac = d.String(), d.Amount(), d.Amount(), d.Amount(), natOf(decBig(d)), natOf(decBig(d))
}

// PriceObserved records a feed's observation. Median is the median of the
// fresh feeds after it (0 if fewer than oracle_min_feeds are fresh: no new
// history point); Cum is the cumulative median price (price x ns) at
// Time; history
// points before PruneBefore are dropped; Breach says the median left the
// breaker's band around the TWAP.
type PriceObserved struct {
	Feed        ledger.AccountID `json:"feed"`
	Price       ledger.Amount    `json:"price"`
	Time        int64            `json:"time"`
	Median      ledger.Amount    `json:"median"`
	Cum         Cumulative       `json:"cum"`
	PruneBefore int64            `json:"prune_before"`
	Breach      bool             `json:"breach"`
}

func (*PriceObserved) EventType() string    { return "price_observed" }
func (*PriceObserved) EventVersion() uint16 { return 2 }
func (e *PriceObserved) Encode(enc *ledger.Encoder) {
	encAcct(enc, e.Feed)
	enc.Amount(e.Price)
	enc.Int(e.Time)
	enc.Amount(e.Median)
	e.Cum.enc(enc)
	enc.Int(e.PruneBefore)
	enc.Bool(e.Breach)
}
func (e *PriceObserved) Decode(d *ledger.Decoder) {
	e.Feed, e.Price, e.Time, e.Median = decAcct(d), d.Amount(), d.Int(), d.Amount()
	e.Cum.dec(d)
	e.PruneBefore, e.Breach = d.Int(), d.Bool()
}

// CircuitTripped records the breaker opening: the median deviates from the
// TWAP by more than breaker_bps. Credit purchases pause until it clears.
type CircuitTripped struct {
	Median       ledger.Amount `json:"median"`
	TWAP         ledger.Amount `json:"twap"`
	DeviationBps uint64        `json:"deviation_bps"`
	At           int64         `json:"at"`
}

func (*CircuitTripped) EventType() string    { return "circuit_tripped" }
func (*CircuitTripped) EventVersion() uint16 { return 2 }
func (e *CircuitTripped) Encode(enc *ledger.Encoder) {
	enc.Amount(e.Median)
	enc.Amount(e.TWAP)
	enc.Uint(e.DeviationBps)
	enc.Int(e.At)
}
func (e *CircuitTripped) Decode(d *ledger.Decoder) {
	e.Median, e.TWAP, e.DeviationBps, e.At = d.Amount(), d.Amount(), d.Uint(), d.Int()
}

// CircuitCleared records the breaker closing.
type CircuitCleared struct {
	Median ledger.Amount `json:"median"`
	TWAP   ledger.Amount `json:"twap"`
	At     int64         `json:"at"`
}

func (*CircuitCleared) EventType() string    { return "circuit_cleared" }
func (*CircuitCleared) EventVersion() uint16 { return 2 }
func (e *CircuitCleared) Encode(enc *ledger.Encoder) {
	enc.Amount(e.Median)
	enc.Amount(e.TWAP)
	enc.Int(e.At)
}
func (e *CircuitCleared) Decode(d *ledger.Decoder) {
	e.Median, e.TWAP, e.At = d.Amount(), d.Amount(), d.Int()
}

// CreditsBought records Burned native base units turned into Credits
// (micro-USD) for To at Price (10^-18 USD per whole token):
// Credits = floor(Burned * Price / 10^(decimals + 12)).
type CreditsBought struct {
	Buyer   ledger.AccountID `json:"buyer"`
	To      ledger.AccountID `json:"to"`
	Burned  ledger.Amount    `json:"burned"`
	Price   ledger.Amount    `json:"price"`
	Credits ledger.Amount    `json:"credits"`
}

func (*CreditsBought) EventType() string              { return "credits_bought" }
func (*CreditsBought) EventVersion() uint16           { return 2 }
func (e *CreditsBought) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Buyer, e.To} }
func (e *CreditsBought) Encode(enc *ledger.Encoder) {
	encAcct(enc, e.Buyer)
	encAcct(enc, e.To)
	enc.Amount(e.Burned)
	enc.Amount(e.Price)
	enc.Amount(e.Credits)
}
func (e *CreditsBought) Decode(d *ledger.Decoder) {
	e.Buyer, e.To, e.Burned, e.Price, e.Credits = decAcct(d), decAcct(d), d.Amount(), d.Amount(), d.Amount()
}

// Weight is credits served attributed to a recipient this epoch.
type Weight struct {
	Recipient string        `json:"to"`
	Credits   ledger.Amount `json:"credits"`
}

// UsageRecorded records a service consumed: Credits spent by Consumer, of
// which Fee is the platform fee; Weights attribute the credits served to
// the value network (the fee's burn share is attributed to no one).
type UsageRecorded struct {
	Consumer ledger.AccountID `json:"consumer"`
	Agent    string           `json:"agent,omitempty"`
	Creator  ledger.AccountID `json:"creator,omitempty"`
	Input    uint64           `json:"input_tokens"`
	Output   uint64           `json:"output_tokens"`
	Credits  ledger.Amount    `json:"credits"`
	Fee      ledger.Amount    `json:"fee"`
	Weights  []Weight         `json:"weights"`
	Ref      string           `json:"ref,omitempty"`
}

func (*UsageRecorded) EventType() string              { return "usage_recorded" }
func (*UsageRecorded) EventVersion() uint16           { return 1 }
func (e *UsageRecorded) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Consumer} }
func (e *UsageRecorded) Encode(enc *ledger.Encoder) {
	encAcct(enc, e.Consumer)
	enc.String(e.Agent)
	encAcct(enc, e.Creator)
	enc.Uint(e.Input)
	enc.Uint(e.Output)
	enc.Amount(e.Credits)
	enc.Amount(e.Fee)
	enc.Uint(uint64(len(e.Weights)))
	for _, w := range e.Weights {
		enc.String(w.Recipient)
		enc.Amount(w.Credits)
	}
	enc.String(e.Ref)
}
func (e *UsageRecorded) Decode(d *ledger.Decoder) {
	e.Consumer, e.Agent, e.Creator = decAcct(d), d.String(), decAcct(d)
	e.Input, e.Output, e.Credits, e.Fee = d.Uint(), d.Uint(), d.Amount(), d.Amount()
	n := d.Len(2)
	for range n {
		e.Weights = append(e.Weights, Weight{Recipient: d.String(), Credits: d.Amount()})
	}
	e.Ref = d.String()
}

// RewardPaid records one recipient's share of an epoch pool: Reward paid
// (minted), Capped withheld by the self-dealing cap (to the treasury);
// Basis is the credits it served.
type RewardPaid struct {
	Epoch     uint64        `json:"epoch"`
	Pool      string        `json:"pool"` // providers, mining, creators
	Recipient string        `json:"to"`
	Basis     ledger.Amount `json:"basis"`
	Reward    ledger.Amount `json:"reward"`
	Capped    ledger.Amount `json:"capped"`
}

func (*RewardPaid) EventType() string    { return "reward_paid" }
func (*RewardPaid) EventVersion() uint16 { return 1 }
func (e *RewardPaid) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	enc.String(e.Pool)
	enc.String(e.Recipient)
	enc.Amount(e.Basis)
	enc.Amount(e.Reward)
	enc.Amount(e.Capped)
}
func (e *RewardPaid) Decode(d *ledger.Decoder) {
	e.Epoch, e.Pool, e.Recipient, e.Basis, e.Reward, e.Capped = d.Uint(), d.String(), d.String(), d.Amount(), d.Amount(), d.Amount()
}

// EpochReport is the burn-and-mint account of an epoch, emitted when it
// closes: Supply = SupplyBefore - Burned + Minted exactly, where Burned and
// Minted count every burn and mint of the native asset in the epoch (by
// any module), Minted including Emission + Remint minted at the close.
type EpochReport struct {
	Epoch        uint64        `json:"epoch"`
	SupplyBefore ledger.Amount `json:"supply_before"`
	Burned       ledger.Amount `json:"burned"`
	Minted       ledger.Amount `json:"minted"`
	Supply       ledger.Amount `json:"supply"`
	Emission     ledger.Amount `json:"emission"`
	Target       ledger.Amount `json:"target"` // smoothed burn after this epoch
	Remint       ledger.Amount `json:"remint"` // min(target, remint_cap)
	// Providers, Mining, Creators, Stakers: paid from the epoch mint;
	// Treasury: its share plus everything capped, unallocated or rounded.
	Providers       ledger.Amount `json:"providers"`
	Mining          ledger.Amount `json:"mining"`
	Creators        ledger.Amount `json:"creators"`
	Stakers         ledger.Amount `json:"stakers"`
	Treasury        ledger.Amount `json:"treasury"`
	Price           ledger.Amount `json:"price"` // the cap price used, 10^-18 USD per token (0: none)
	CreditsIssued   ledger.Amount `json:"credits_issued"`
	CreditsSpent    ledger.Amount `json:"credits_spent"`
	CreditsOutstand ledger.Amount `json:"credits_outstanding"`
}

func (*EpochReport) EventType() string    { return "epoch_report" }
func (*EpochReport) EventVersion() uint16 { return 2 }
func (e *EpochReport) amounts() []*ledger.Amount {
	return []*ledger.Amount{&e.SupplyBefore, &e.Burned, &e.Minted, &e.Supply, &e.Emission, &e.Target, &e.Remint,
		&e.Providers, &e.Mining, &e.Creators, &e.Stakers, &e.Treasury, &e.CreditsIssued, &e.CreditsSpent, &e.CreditsOutstand}
}
func (e *EpochReport) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	for _, a := range e.amounts() {
		enc.Amount(*a)
	}
	enc.Amount(e.Price)
}
func (e *EpochReport) Decode(d *ledger.Decoder) {
	e.Epoch = d.Uint()
	for _, a := range e.amounts() {
		*a = d.Amount()
	}
	e.Price = d.Amount()
}
func (e *EpochReport) enc(enc *ledger.Encoder) { e.Encode(enc) }
func (e *EpochReport) dec(d *ledger.Decoder)   { e.Decode(d) }

// StakeAdded records a stake: Amount of Asset for Shares of the pool's
// asset total and Units of reward weight.
type StakeAdded struct {
	Pool    string           `json:"pool"`
	Account ledger.AccountID `json:"account"`
	Asset   ledger.AssetID   `json:"asset"`
	Amount  ledger.Amount    `json:"amount"`
	Shares  ledger.Amount    `json:"shares"`
	Units   ledger.Amount    `json:"units"`
}

func (*StakeAdded) EventType() string              { return "stake_added" }
func (*StakeAdded) EventVersion() uint16           { return 1 }
func (e *StakeAdded) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Account} }
func (e *StakeAdded) Encode(enc *ledger.Encoder) {
	enc.String(e.Pool)
	encAcct(enc, e.Account)
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
	enc.Amount(e.Shares)
	enc.Amount(e.Units)
}
func (e *StakeAdded) Decode(d *ledger.Decoder) {
	e.Pool, e.Account, e.Asset = d.String(), decAcct(d), ledger.AssetID(d.String())
	e.Amount, e.Shares, e.Units = d.Amount(), d.Amount(), d.Amount()
}

// StakeRemoved records an unstake. With ID non-zero the amount is unbonding
// until epoch Release; with ID zero (no unbonding period) it was paid out.
type StakeRemoved struct {
	Pool    string           `json:"pool"`
	Account ledger.AccountID `json:"account"`
	Asset   ledger.AssetID   `json:"asset"`
	Amount  ledger.Amount    `json:"amount"`
	Shares  ledger.Amount    `json:"shares"`
	Units   ledger.Amount    `json:"units"`
	ID      uint64           `json:"unbonding_id,omitempty"`
	Release uint64           `json:"release_epoch,omitempty"`
}

func (*StakeRemoved) EventType() string              { return "stake_removed" }
func (*StakeRemoved) EventVersion() uint16           { return 1 }
func (e *StakeRemoved) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Account} }
func (e *StakeRemoved) Encode(enc *ledger.Encoder) {
	enc.String(e.Pool)
	encAcct(enc, e.Account)
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
	enc.Amount(e.Shares)
	enc.Amount(e.Units)
	enc.Uint(e.ID)
	enc.Uint(e.Release)
}
func (e *StakeRemoved) Decode(d *ledger.Decoder) {
	e.Pool, e.Account, e.Asset = d.String(), decAcct(d), ledger.AssetID(d.String())
	e.Amount, e.Shares, e.Units, e.ID, e.Release = d.Amount(), d.Amount(), d.Amount(), d.Uint(), d.Uint()
}

// UnbondingWithdrawn records an unbonding entry paid out.
type UnbondingWithdrawn struct {
	Account ledger.AccountID `json:"account"`
	ID      uint64           `json:"id"`
	Asset   ledger.AssetID   `json:"asset"`
	Amount  ledger.Amount    `json:"amount"`
}

func (*UnbondingWithdrawn) EventType() string              { return "unbonding_withdrawn" }
func (*UnbondingWithdrawn) EventVersion() uint16           { return 1 }
func (e *UnbondingWithdrawn) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Account} }
func (e *UnbondingWithdrawn) Encode(enc *ledger.Encoder) {
	encAcct(enc, e.Account)
	enc.Uint(e.ID)
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
}
func (e *UnbondingWithdrawn) Decode(d *ledger.Decoder) {
	e.Account, e.ID, e.Asset, e.Amount = decAcct(d), d.Uint(), ledger.AssetID(d.String()), d.Amount()
}

// RewardsClaimed records a staker's rewards in a pool settled: Amount
// native paid (to the staker, or staked again if Restaked); every position
// of the staker in the pool is settled to the pool's accumulator.
type RewardsClaimed struct {
	Pool     string           `json:"pool"`
	Account  ledger.AccountID `json:"account"`
	Amount   ledger.Amount    `json:"amount"`
	Restaked bool             `json:"restaked,omitempty"`
}

func (*RewardsClaimed) EventType() string              { return "rewards_claimed" }
func (*RewardsClaimed) EventVersion() uint16           { return 1 }
func (e *RewardsClaimed) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Account} }
func (e *RewardsClaimed) Encode(enc *ledger.Encoder) {
	enc.String(e.Pool)
	encAcct(enc, e.Account)
	enc.Amount(e.Amount)
	enc.Bool(e.Restaked)
}
func (e *RewardsClaimed) Decode(d *ledger.Decoder) {
	e.Pool, e.Account, e.Amount, e.Restaked = d.String(), decAcct(d), d.Amount(), d.Bool()
}

// ProviderWeightsForwarded records an epoch close that minted the
// providers' share to provider_pool, for another module to distribute:
// the epoch's provider weights, which nothing else pays, are cleared, so
// that they never meet a later epoch's total.
type ProviderWeightsForwarded struct {
	Epoch  uint64           `json:"epoch"`
	Pool   ledger.AccountID `json:"provider_pool"`
	Amount ledger.Amount    `json:"amount"`
}

func (*ProviderWeightsForwarded) EventType() string    { return "provider_weights_forwarded" }
func (*ProviderWeightsForwarded) EventVersion() uint16 { return 1 }
func (e *ProviderWeightsForwarded) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	encAcct(enc, e.Pool)
	enc.Amount(e.Amount)
}
func (e *ProviderWeightsForwarded) Decode(d *ledger.Decoder) {
	e.Epoch, e.Pool, e.Amount = d.Uint(), decAcct(d), d.Amount()
}

// DustSwept records the rounding dust of a pool whose stake went to zero
// moved to the treasury: every staker was settled, so Received - Paid is
// owed to no one.
type DustSwept struct {
	Pool   string        `json:"pool"`
	Amount ledger.Amount `json:"amount"`
}

func (*DustSwept) EventType() string    { return "dust_swept" }
func (*DustSwept) EventVersion() uint16 { return 1 }
func (e *DustSwept) Encode(enc *ledger.Encoder) {
	enc.String(e.Pool)
	enc.Amount(e.Amount)
}
func (e *DustSwept) Decode(d *ledger.Decoder) { e.Pool, e.Amount = d.String(), d.Amount() }

// StakeSlashed records a pool's stake of one asset scaled down by Bps:
// Amount = ceil(total * bps / 10000) moved to the treasury. Positions keep
// their shares, each now worth (1 - bps) of before.
type StakeSlashed struct {
	Pool   string         `json:"pool"`
	Asset  ledger.AssetID `json:"asset"`
	Bps    uint32         `json:"bps"`
	Amount ledger.Amount  `json:"amount"`
	Reason string         `json:"reason,omitempty"`
}

func (*StakeSlashed) EventType() string    { return "stake_slashed" }
func (*StakeSlashed) EventVersion() uint16 { return 1 }
func (e *StakeSlashed) Encode(enc *ledger.Encoder) {
	enc.String(e.Pool)
	enc.String(string(e.Asset))
	enc.Uint(uint64(e.Bps))
	enc.Amount(e.Amount)
	enc.String(e.Reason)
}
func (e *StakeSlashed) Decode(d *ledger.Decoder) {
	e.Pool, e.Asset, e.Bps, e.Amount, e.Reason = d.String(), ledger.AssetID(d.String()), u32(d), d.Amount(), d.String()
}

// AgentCreated records a new agent.
type AgentCreated struct {
	Agent    string           `json:"agent"`
	Creator  ledger.AccountID `json:"creator"`
	Template ledger.AccountID `json:"template,omitempty"`
	PriceIn  uint64           `json:"price_in"`
	PriceOut uint64           `json:"price_out"`
	Deposit  uint64           `json:"deposit_lock,omitempty"` // lock id, 0 if no deposit
	Epoch    uint64           `json:"epoch"`
}

func (*AgentCreated) EventType() string              { return "agent_created" }
func (*AgentCreated) EventVersion() uint16           { return 1 }
func (e *AgentCreated) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Creator} }
func (e *AgentCreated) Encode(enc *ledger.Encoder) {
	enc.String(e.Agent)
	encAcct(enc, e.Creator)
	encAcct(enc, e.Template)
	enc.Uint(e.PriceIn)
	enc.Uint(e.PriceOut)
	enc.Uint(e.Deposit)
	enc.Uint(e.Epoch)
}
func (e *AgentCreated) Decode(d *ledger.Decoder) {
	e.Agent, e.Creator, e.Template = d.String(), decAcct(d), decAcct(d)
	e.PriceIn, e.PriceOut, e.Deposit, e.Epoch = d.Uint(), d.Uint(), d.Uint(), d.Uint()
}

// ValueLocked records value moved into the locked account until an epoch.
type ValueLocked struct {
	Lock
}

func (*ValueLocked) EventType() string              { return "value_locked" }
func (*ValueLocked) EventVersion() uint16           { return 1 }
func (e *ValueLocked) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Owner} }
func (e *ValueLocked) Encode(enc *ledger.Encoder) {
	enc.Uint(e.ID)
	e.Lock.enc(enc)
}
func (e *ValueLocked) Decode(d *ledger.Decoder) {
	e.ID = d.Uint()
	e.Lock.dec(d)
}

// ValueUnlocked records a lock released to its owner.
type ValueUnlocked struct {
	ID     uint64           `json:"id"`
	Owner  ledger.AccountID `json:"owner"`
	Asset  ledger.AssetID   `json:"asset"`
	Amount ledger.Amount    `json:"amount"`
}

func (*ValueUnlocked) EventType() string              { return "value_unlocked" }
func (*ValueUnlocked) EventVersion() uint16           { return 1 }
func (e *ValueUnlocked) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Owner} }
func (e *ValueUnlocked) Encode(enc *ledger.Encoder) {
	enc.Uint(e.ID)
	encAcct(enc, e.Owner)
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
}
func (e *ValueUnlocked) Decode(d *ledger.Decoder) {
	e.ID, e.Owner, e.Asset, e.Amount = d.Uint(), decAcct(d), ledger.AssetID(d.String()), d.Amount()
}

// TokenLaunched records an agent token put on its bonding curve.
type TokenLaunched struct {
	Agent      string         `json:"agent"`
	Asset      ledger.AssetID `json:"asset"`
	Supply     ledger.Amount  `json:"supply"`
	SaleSupply ledger.Amount  `json:"sale_supply"`
	X          ledger.Amount  `json:"x"`
	Y          ledger.Amount  `json:"y"`
}

func (*TokenLaunched) EventType() string    { return "token_launched" }
func (*TokenLaunched) EventVersion() uint16 { return 1 }
func (e *TokenLaunched) Encode(enc *ledger.Encoder) {
	enc.String(e.Agent)
	enc.String(string(e.Asset))
	enc.Amount(e.Supply)
	enc.Amount(e.SaleSupply)
	enc.Amount(e.X)
	enc.Amount(e.Y)
}
func (e *TokenLaunched) Decode(d *ledger.Decoder) {
	e.Agent, e.Asset = d.String(), ledger.AssetID(d.String())
	e.Supply, e.SaleSupply, e.X, e.Y = d.Amount(), d.Amount(), d.Amount(), d.Amount()
}

// CurveTraded records a trade on a curve: Base native in (buy) or out
// (sell, before the fee), Tokens out (buy) or in (sell); X and Y are the
// reserves after it.
type CurveTraded struct {
	Agent  string           `json:"agent"`
	Trader ledger.AccountID `json:"trader"`
	Side   string           `json:"side"` // buy or sell
	Base   ledger.Amount    `json:"base"`
	Tokens ledger.Amount    `json:"tokens"`
	Fee    ledger.Amount    `json:"fee"`
	X      ledger.Amount    `json:"x"`
	Y      ledger.Amount    `json:"y"`
}

func (*CurveTraded) EventType() string              { return "curve_traded" }
func (*CurveTraded) EventVersion() uint16           { return 1 }
func (e *CurveTraded) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Trader} }
func (e *CurveTraded) Encode(enc *ledger.Encoder) {
	enc.String(e.Agent)
	encAcct(enc, e.Trader)
	enc.String(e.Side)
	for _, a := range []ledger.Amount{e.Base, e.Tokens, e.Fee, e.X, e.Y} {
		enc.Amount(a)
	}
}
func (e *CurveTraded) Decode(d *ledger.Decoder) {
	e.Agent, e.Trader, e.Side = d.String(), decAcct(d), d.String()
	e.Base, e.Tokens, e.Fee, e.X, e.Y = d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount()
}

// CurveGraduated records a curve reaching graduation_base: trading on it
// ends and its liquidity (Base native, Tokens unsold) is locked.
type CurveGraduated struct {
	Agent  string        `json:"agent"`
	Base   ledger.Amount `json:"base"`
	Tokens ledger.Amount `json:"tokens"`
}

func (*CurveGraduated) EventType() string    { return "curve_graduated" }
func (*CurveGraduated) EventVersion() uint16 { return 1 }
func (e *CurveGraduated) Encode(enc *ledger.Encoder) {
	enc.String(e.Agent)
	enc.Amount(e.Base)
	enc.Amount(e.Tokens)
}
func (e *CurveGraduated) Decode(d *ledger.Decoder) {
	e.Agent, e.Base, e.Tokens = d.String(), d.Amount(), d.Amount()
}
