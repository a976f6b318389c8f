package tokenomics

import (
	"slices"

	"github.com/coopera/coopera/ledger"
)

// ModuleName is the module's name: its parameters live under
// params.tokenomics in the genesis file and its accounts are
// "mod:tokenomics/...".
const ModuleName = "tokenomics"

// Module accounts. Each holds one kind of value, so the supply breakdown
// reads straight off their balances; only this module moves their funds.
var (
	Treasury         = ledger.ModuleAccount(ModuleName, "treasury")  // fees, remainders, capped rewards, slashes
	RewardsAccount   = ledger.ModuleAccount(ModuleName, "rewards")   // staking rewards credited, not yet claimed
	StakeAccount     = ledger.ModuleAccount(ModuleName, "stake")     // bonded stake of every pool
	UnbondingAccount = ledger.ModuleAccount(ModuleName, "unbonding") // stake waiting out its unbonding period
	LockedAccount    = ledger.ModuleAccount(ModuleName, "locked")    // agent deposits and graduated liquidity
	CurveAccount     = ledger.ModuleAccount(ModuleName, "curve")     // bonding-curve reserves (native and agent tokens)
)

// ModuleAccounts lists the module's accounts in a fixed order.
var ModuleAccounts = []ledger.AccountID{Treasury, RewardsAccount, StakeAccount, UnbondingAccount, LockedAccount, CurveAccount}

// Module is the tokenomics reducer. It holds no state; a Machine may run
// it for any number of ledgers at once.
type Module struct{}

var (
	_ ledger.Module             = Module{}
	_ ledger.Parameterized      = Module{}
	_ ledger.EpochEnder         = Module{}
	_ ledger.GenesisInitializer = Module{}
	_ ledger.TransferHook       = Module{}
	_ ledger.ParamsStateChecker = Module{}
	_ ledger.Bookkeeper         = Module{}
)

func (Module) Name() string { return ModuleName }

func (Module) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "observe_price", New: func() ledger.Payload { return new(ObservePrice) }},
		{Type: "buy_credits", New: func() ledger.Payload { return new(BuyCredits) }},
		{Type: "record_usage", New: func() ledger.Payload { return new(RecordUsage) }},
		{Type: "settle_usage", New: func() ledger.Payload { return new(SettleUsage) }},
		{Type: "stake", New: func() ledger.Payload { return new(Stake) }},
		{Type: "unstake", New: func() ledger.Payload { return new(Unstake) }},
		{Type: "withdraw_unbonded", New: func() ledger.Payload { return new(WithdrawUnbonded) }},
		{Type: "claim_rewards", New: func() ledger.Payload { return new(ClaimRewards) }},
		{Type: "restake", New: func() ledger.Payload { return new(Restake) }},
		{Type: "slash_pool", New: func() ledger.Payload { return new(SlashPool) }},
		{Type: "create_agent", New: func() ledger.Payload { return new(CreateAgent) }},
		{Type: "launch_token", New: func() ledger.Payload { return new(LaunchToken) }},
		{Type: "buy", New: func() ledger.Payload { return new(Buy) }},
		{Type: "sell", New: func() ledger.Payload { return new(Sell) }},
		{Type: "unlock", New: func() ledger.Payload { return new(Unlock) }},
	}
}

func (Module) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "fee_charged", Version: 1, New: func() ledger.Event { return new(FeeCharged) }},
		{Type: "pool_rewarded", Version: 1, New: func() ledger.Event { return new(PoolRewarded) }},
		{Type: "price_observed", Version: 2, New: func() ledger.Event { return new(PriceObserved) }},
		{Type: "circuit_tripped", Version: 2, New: func() ledger.Event { return new(CircuitTripped) }},
		{Type: "circuit_cleared", Version: 2, New: func() ledger.Event { return new(CircuitCleared) }},
		{Type: "credits_bought", Version: 2, New: func() ledger.Event { return new(CreditsBought) }},
		{Type: "usage_recorded", Version: 1, New: func() ledger.Event { return new(UsageRecorded) }},
		{Type: "usage_settled", Version: 1, New: func() ledger.Event { return new(UsageSettled) }},
		{Type: "reward_paid", Version: 1, New: func() ledger.Event { return new(RewardPaid) }},
		{Type: "epoch_report", Version: 2, New: func() ledger.Event { return new(EpochReport) }},
		{Type: "stake_added", Version: 1, New: func() ledger.Event { return new(StakeAdded) }},
		{Type: "stake_checkpointed", Version: 1, New: func() ledger.Event { return new(StakeCheckpointed) }},
		{Type: "stake_removed", Version: 1, New: func() ledger.Event { return new(StakeRemoved) }},
		{Type: "unbonding_withdrawn", Version: 1, New: func() ledger.Event { return new(UnbondingWithdrawn) }},
		{Type: "rewards_claimed", Version: 1, New: func() ledger.Event { return new(RewardsClaimed) }},
		{Type: "dust_swept", Version: 1, New: func() ledger.Event { return new(DustSwept) }},
		{Type: "provider_weights_forwarded", Version: 1, New: func() ledger.Event { return new(ProviderWeightsForwarded) }},
		{Type: "stake_slashed", Version: 1, New: func() ledger.Event { return new(StakeSlashed) }},
		{Type: "agent_created", Version: 1, New: func() ledger.Event { return new(AgentCreated) }},
		{Type: "value_locked", Version: 1, New: func() ledger.Event { return new(ValueLocked) }},
		{Type: "value_unlocked", Version: 1, New: func() ledger.Event { return new(ValueUnlocked) }},
		{Type: "token_launched", Version: 1, New: func() ledger.Event { return new(TokenLaunched) }},
		{Type: "curve_traded", Version: 1, New: func() ledger.Event { return new(CurveTraded) }},
		{Type: "curve_graduated", Version: 1, New: func() ledger.Event { return new(CurveGraduated) }},
	}
}

// InitGenesis reads params.tokenomics over the defaults, validates it
// against the genesis assets, stores it and creates the module accounts.
func (Module) InitGenesis(ctx *ledger.Context, raw []byte) error {
	p, err := parseParams(raw)
	if err != nil {
		return err
	}
	if err := p.validateState(ctx); err != nil {
		return err
	}
	if err := p.validateBooked(ctx); err != nil {
		return err
	}
	if err := ledger.InitParams(ctx, ModuleName, p.encode()); err != nil {
		return err
	}
	for _, a := range ModuleAccounts {
		if err := ledger.EnsureModuleAccount(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// Decide decides the module's commands.
func (Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	p, err := ctxParams(ctx)
	if err != nil {
		return err
	}
	actor := cmd.Actor
	switch c := cmd.Payload.(type) {
	case *ObservePrice:
		return decideObserve(ctx, p, actor, c)
	case *BuyCredits:
		return decideBuyCredits(ctx, p, actor, c)
	case *RecordUsage:
		return decideUsage(ctx, p, actor, c)
	case *SettleUsage:
		return decideSettle(ctx, p, actor, c)
	case *Stake:
		return decideStake(ctx, p, actor, c)
	case *Unstake:
		return decideUnstake(ctx, p, actor, c)
	case *WithdrawUnbonded:
		return decideWithdraw(ctx, actor, c)
	case *ClaimRewards:
		return decideClaim(ctx, p, actor, c.Pool, false)
	case *Restake:
		return decideClaim(ctx, p, actor, c.Pool, true)
	case *SlashPool:
		if !containsAccount(p.Slashers, actor) {
			return ledger.Errorf(ledger.ErrUnauthorized, "%s is not in slashers %v; slashing is governance's (tokenomics.Slash) or a listed slasher's", actor, p.Slashers)
		}
		return Slash(ctx, c.Pool, c.Bps, c.Reason)
	case *CreateAgent:
		return decideCreateAgent(ctx, p, actor, c)
	case *LaunchToken:
		return decideLaunch(ctx, p, actor, c)
	case *Buy:
		return decideBuy(ctx, p, actor, c)
	case *Sell:
		return decideSell(ctx, p, actor, c)
	case *Unlock:
		return decideUnlock(ctx, actor, c)
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "tokenomics cannot decide %s", cmd.Payload.Type())
}

// Evolve applies the module's events.
func (Module) Evolve(st *ledger.State, ev ledger.Event) error {
	switch e := ev.(type) {
	case *FeeCharged:
		return nil // the movements are the accounts module's events
	case *PoolRewarded:
		return evolvePoolRewarded(st, e)
	case *PriceObserved:
		return evolvePriceObserved(st, e)
	case *CircuitTripped:
		return evolveCircuit(st, true, e.At)
	case *CircuitCleared:
		return evolveCircuit(st, false, e.At)
	case *CreditsBought:
		return evolveCreditsBought(st, e)
	case *UsageRecorded:
		return evolveUsage(st, e)
	case *UsageSettled:
		return evolveSettled(st, e)
	case *RewardPaid:
		return evolveRewardPaid(st, e)
	case *EpochReport:
		return evolveReport(st, e)
	case *StakeAdded:
		return evolveStakeAdded(st, e)
	case *StakeCheckpointed:
		return evolveStakeCheckpointed(st, e)
	case *StakeRemoved:
		return evolveStakeRemoved(st, e)
	case *UnbondingWithdrawn:
		return evolveWithdrawn(st, e)
	case *RewardsClaimed:
		return evolveClaimed(st, e)
	case *DustSwept:
		return evolveDustSwept(st, e)
	case *ProviderWeightsForwarded:
		return evolveProviderWeightsForwarded(st)
	case *StakeSlashed:
		return evolveSlashed(st, e)
	case *AgentCreated:
		return evolveAgentCreated(st, e)
	case *ValueLocked:
		return evolveLocked(st, e)
	case *ValueUnlocked:
		return evolveUnlocked(st, e)
	case *TokenLaunched:
		return evolveLaunched(st, e)
	case *CurveTraded:
		return evolveTraded(st, e)
	case *CurveGraduated:
		return evolveGraduated(st, e)
	}
	return ledger.Errorf(ledger.ErrUnknownEvent, "tokenomics cannot apply %s", ev.EventType())
}

// BookedAccounts lists the module accounts whose balances are the
// module's records (checked against them block by block in the tests):
// all but the treasury, which takes donations. As ledger.Bookkeeper says,
// no user transfer, treasury spend or pool parameter of any module may
// then send funds into one or take them out.
func (Module) BookedAccounts() []ledger.AccountID { return slices.Clone(bookedAccounts) }

var bookedAccounts = []ledger.AccountID{RewardsAccount, StakeAccount, UnbondingAccount, LockedAccount, CurveAccount}

// isBooked reports whether id is one of the module's booked accounts.
func isBooked(id ledger.AccountID) bool { return slices.Contains(bookedAccounts, id) }

// AfterTransfer charges the platform fee on a user transfer leg, on top,
// from the sender. Legs from or to a module account are exempt. (A leg
// into a booked account gets here only in a block decided by
// ledger.RulesV1: from RulesV2 on, the accounts module refuses it.)
func (Module) AfterTransfer(ctx *ledger.Context, t *ledger.Transferred) error {
	if ctx.Rules() < ledger.RulesV2 && isBooked(t.To) {
		// As decided before the ledger refused every booked account
		// (ledger.RulesV2), for the blocks decided so.
		return ledger.Errorf(ledger.ErrUnauthorized, "%s holds what the tokenomics records say (stake, rewards, unbonding, locks, curve reserves); only the module moves funds into it (use stake, buy, ...); transfers to %s are welcome", t.To, Treasury)
	}
	if t.From.IsModule() || t.To.IsModule() {
		return nil
	}
	p, err := ctxParams(ctx)
	if err != nil {
		return err
	}
	_, err = chargeFee(ctx, p, feeSpec{kind: "transfer", payer: t.From, asset: t.Asset, base: t.Amount})
	return err
}

func containsAccount(list []ledger.AccountID, id ledger.AccountID) bool {
	for _, a := range list {
		if a == id {
			return true
		}
	}
	return false
}

func mustAccount(ctx *ledger.Context, id ledger.AccountID, role string) error {
	if _, ok := ctx.Get(ledger.AccountKey(id)); !ok {
		return ledger.Errorf(ledger.ErrUnknownAccount, "%s %s does not exist; create the account first", role, id)
	}
	return nil
}

func currentEpoch(g ledger.Getter) (uint64, error) {
	c, err := ledger.GetChain(g)
	return c.Epoch, err
}

func decimals(g ledger.Getter, a ledger.AssetID) (uint8, error) {
	rec, ok, err := ledger.GetAsset(g, a)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ledger.Errorf(ledger.ErrUnknownAsset, "asset %s is not registered", a)
	}
	return rec.Decimals, nil
}
