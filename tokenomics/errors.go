package tokenomics

import "github.com/coopera/coopera/ledger"

// Sentinel errors of the tokenomics module. Codes are durable (they are
// stored in blocks): never rename one. Match them with errors.Is. Invalid
// parameters are ledger.ErrInvalidParameter, zero amounts
// ledger.ErrZeroAmount, overdrafts ledger.ErrInsufficientFunds and
// unauthorised actors ledger.ErrUnauthorized.
var (
	ErrNoPrice             = ledger.NewCode("no_price")             // the oracle has no feeds or no observation yet
	ErrStalePrice          = ledger.NewCode("stale_price")          // fewer fresh feeds than oracle_min_feeds
	ErrPriceOutOfRange     = ledger.NewCode("price_out_of_range")   // an observation above max_price
	ErrCircuitOpen         = ledger.NewCode("circuit_open")         // the price breaker has paused credit purchases
	ErrInsufficientCredits = ledger.NewCode("insufficient_credits") // a usage costs more credits than the consumer holds
	ErrAmountTooSmall      = ledger.NewCode("amount_too_small")     // the amount rounds to nothing
	ErrSlippage            = ledger.NewCode("slippage")             // fewer out than the min_out / min_credits limit
	ErrUnknownAgent        = ledger.NewCode("unknown_agent")        // no agent with that ID
	ErrAgentExists         = ledger.NewCode("agent_exists")         // the agent ID is taken
	ErrAssetExists         = ledger.NewCode("asset_exists")         // the token symbol is taken
	ErrNotLaunched         = ledger.NewCode("not_launched")         // the agent has no token on a curve
	ErrAlreadyLaunched     = ledger.NewCode("already_launched")     // the agent's token is already launched
	ErrGraduated           = ledger.NewCode("graduated")            // the curve graduated: trading on it has ended
	ErrCurveExhausted      = ledger.NewCode("curve_exhausted")      // a buy past the tokens left for sale
	ErrNotStakeable        = ledger.NewCode("not_stakeable")        // the asset is not registered for staking
	ErrInsufficientStake   = ledger.NewCode("insufficient_stake")   // unstaking more than is staked
	ErrStillUnbonding      = ledger.NewCode("still_unbonding")      // withdrawing before the release epoch
	ErrUnknownUnbonding    = ledger.NewCode("unknown_unbonding")    // no unbonding entry with that ID for the actor
	ErrNothingToClaim      = ledger.NewCode("nothing_to_claim")     // no pending rewards
	ErrPoolWiped           = ledger.NewCode("pool_wiped")           // the pool's stake of the asset was slashed to zero
	ErrUnknownLock         = ledger.NewCode("unknown_lock")         // no lock with that ID
	ErrStillLocked         = ledger.NewCode("still_locked")         // unlocking before the unlock epoch
)
