package ledger

// Rules versions the decisions the ledger core makes, so that a chain can
// move to new ones at a height every node agrees on. Followers re-execute
// every block they apply and compare it with the leader's: a build that
// decides a command differently from the build that decided a block
// cannot follow it. Each version keeps the decisions of the ones before,
// for the blocks below the height where it took over
// (StepOptions.RulesFrom).
type Rules uint16

const (
	// RulesV1 are the decisions of the builds before RulesV2: a rejected
	// command uses no nonce.
	RulesV1 Rules = 1
	// RulesV2: a command rejected after its signature and nonce checks
	// uses its nonce (NonceUsed), but for create_account, close_epoch and
	// OnceOnly payloads; booked accounts (Bookkeeper) exist: Context.Booked
	// and the genesis check know none before (then tokenomics refused
	// transfers into its own, with a message of its own, and governance
	// refused only its escrow as treasury); contribution bounds a
	// record's credits and energy. Modules ask Context.Rules.
	RulesV2 Rules = 2
	// LatestRules are the rules this build decides new blocks by.
	LatestRules = RulesV2
)

// rulesAt returns the rules that decide block height, for a chain that
// moved to LatestRules at from (0: always).
func rulesAt(height, from uint64) Rules {
	if height < from {
		return RulesV1
	}
	return LatestRules
}

// Rules returns the rules that decide the block in hand.
func (c *Context) Rules() Rules {
	if c.rules == 0 {
		return LatestRules
	}
	return c.rules
}
