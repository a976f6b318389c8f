package agents

import (
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/control"
	"github.com/coopera/coopera/tokenomics"
)

// Env is what a behaviour sees: the epoch, the prices, the committed state
// of its run (read-only) and helpers that build the commands its agents
// submit. The simulator updates the exported fields before every Step; a
// behaviour must not keep pointers into Report or Params across epochs.
type Env struct {
	Epoch       int                // the epoch being played, from 0
	Epochs      int                // epochs in the run
	Height      uint64             // height of the last committed block
	Time        int64              // block time of the epoch's trading blocks, Unix ns
	Rand        *Rand              // the population's own random stream
	Name        string             // the population's name
	Accounts    []ledger.AccountID // the population's agents
	Native      ledger.AssetID     // the native token
	Decimals    uint8              // its decimals
	EpochsYear  int64              // epochs per 365 days
	EpochLength time.Duration      // length of an epoch

	// Price is the market price this epoch, in micro-USD per whole token.
	Price int64
	// CreditPrice is the oracle's price for credit purchases now
	// (min(median, TWAP), micro-USD per token), or 0 without a fresh
	// price.
	CreditPrice int64
	// CircuitOpen reports that the oracle's circuit breaker is open: credit
	// purchases will be rejected (circuit_open) until it clears. Consumers
	// do not look at it, as users of a live service would not.
	CircuitOpen bool
	// Params are the tokenomics parameters in effect.
	Params *tokenomics.Params
	// Report is the last closed epoch's report (nil in epoch 0).
	Report *tokenomics.EpochReport
	// StakingAPR is the protocol staking pool's reward over the last
	// epoch, annualised, as a fraction of its stake (0 with no stake).
	StakingAPR Dec

	h  Host
	sv stateViewer // h, if it is one
}

// stateViewer is a Host whose committed state is a ledger.MemStore (the
// simulator's): Env reads balances through its view, a concrete call that
// needs no key on the heap.
type stateViewer interface{ StateView() ledger.MemView }

// Host is the simulator's side of an Env: the committed state of the run
// (read-only), what the run learnt at the last close, and the market's
// reservations. The simulator implements it; behaviours use Env's methods.
type Host interface {
	ledger.Getter
	// Scan iterates committed state under a prefix, in key order.
	Scan(prefix []byte, fn func(key, value []byte) bool)
	// Rewards and Served are an account's at the last close (Env.Rewards,
	// Env.Served).
	Rewards(acct ledger.AccountID) ledger.Amount
	Served(acct ledger.AccountID) ledger.Amount
	// DemandFactor is the product of the demand events active for a
	// population in an epoch.
	DemandFactor(population string, epoch int) Dec
	// Reserve reserves t of the exchange's native inventory for a credit
	// purchase, and reports false (reserving nothing) if the inventory not
	// yet reserved is not above t.
	Reserve(t ledger.Amount) bool
	// Escrow is the population's vesting escrow, or "".
	Escrow() ledger.AccountID
	Agents() []AgentInfo
	Servers(population string) []ledger.AccountID
	Behaviour(population string) Behaviour
	NewSymbol() ledger.AssetID
}

// NewEnv returns an Env with e's fields over host h. The simulator calls
// it; behaviours receive Envs.
func NewEnv(e Env, h Host) *Env {
	e.h = h
	e.sv, _ = h.(stateViewer)
	return &e
}

// Get reads a key of the committed state (a ledger.Getter).
func (e *Env) Get(key []byte) ([]byte, bool) { return e.h.Get(key) }

// Scan iterates committed state under a prefix, in key order; with Get it
// makes Env a tokenomics.View for the package's queries.
func (e *Env) Scan(prefix []byte, fn func(key, value []byte) bool) { e.h.Scan(prefix, fn) }

// Balance returns an account's balance of an asset.
func (e *Env) Balance(acct ledger.AccountID, asset ledger.AssetID) ledger.Amount {
	if e.sv != nil {
		a, _ := ledger.BalanceOf(e.sv.StateView(), acct, asset)
		return a
	}
	a, _ := ledger.BalanceOf(e, acct, asset)
	return a
}

// NativeBalance returns an account's native balance.
func (e *Env) NativeBalance(acct ledger.AccountID) ledger.Amount { return e.Balance(acct, e.Native) }

// Credits returns an account's service credits, in micro-USD.
func (e *Env) Credits(acct ledger.AccountID) ledger.Amount {
	if e.sv != nil {
		a, _ := tokenomics.Credits(e.sv.StateView(), acct)
		return a
	}
	a, _ := tokenomics.Credits(e, acct)
	return a
}

// Rewards returns the native base units an account received at the last
// epoch close: minted to it (the tokenomics provider and creator pools) or
// paid to it from a module account (contribution rewards).
func (e *Env) Rewards(acct ledger.AccountID) ledger.Amount { return e.h.Rewards(acct) }

// Served returns the credits (micro-USD) an account served last epoch: its
// weight in the provider pool, from the usage recorded.
func (e *Env) Served(acct ledger.AccountID) ledger.Amount { return e.h.Served(acct) }

// ValueUSD returns the market value of a native amount, in micro-USD.
func (e *Env) ValueUSD(a ledger.Amount) int64 { return ValueOf(a, e.Price, e.Decimals) }

// TokensFor returns the native amount worth usd micro-USD at the market
// price, rounded up.
func (e *Env) TokensFor(usd int64) ledger.Amount { return tokensFor(usd, e.Price, e.Decimals) }

// DemandFactor returns the product of the demand events active for this
// population this epoch (One when none is).
func (e *Env) DemandFactor() Dec { return e.h.DemandFactor(e.Name, e.Epoch) }

// BuyCredits returns the command by which a consumer buys credits worth
// usd micro-USD: the exchange burns the tokens needed at the credit price
// (rounded up) for credits to the consumer, who pays the exchange in USD.
// It returns nil without a credit price or if the exchange has not enough
// tokens.
func (e *Env) BuyCredits(consumer ledger.AccountID, usd int64) *ledger.Command {
	if usd <= 0 || e.CreditPrice <= 0 {
		return nil
	}
	t := tokensFor(usd, e.CreditPrice, e.Decimals)
	// Reserve the tokens, so that the epoch's other purchases see the
	// inventory left; the market learns of the order only if the
	// behaviour returns the command.
	if !e.h.Reserve(t) {
		return nil
	}
	c := &buyCommand{p: tokenomics.BuyCredits{Amount: t, To: consumer}}
	c.cmd = ledger.Command{Actor: ExchangeAccount, Payload: &c.p}
	return &c.cmd
}

// buyCommand, saleCommand and usageCommand hold a command with its
// payload (and a sale's one leg) in one allocation: a behaviour returns
// thousands of them an epoch.
type buyCommand struct {
	cmd ledger.Command
	p   tokenomics.BuyCredits
}

type saleCommand struct {
	cmd ledger.Command
	p   ledger.Transfer
	leg [1]ledger.Leg
}

type usageCommand struct {
	cmd ledger.Command
	p   tokenomics.RecordUsage
}

// newUsage returns acct's command recording usage u.
func newUsage(acct ledger.AccountID, u tokenomics.RecordUsage) *ledger.Command {
	c := &usageCommand{p: u}
	c.cmd = ledger.Command{Actor: acct, Payload: &c.p}
	return &c.cmd
}

// Sell returns the command by which acct sells native tokens to the
// market: a transfer to the exchange of at most amount, less if acct's
// committed balance cannot also pay the transfer fee; nil if nothing can be
// sold.
func (e *Env) Sell(acct ledger.AccountID, amount ledger.Amount) *ledger.Command {
	bal := e.NativeBalance(acct)
	fee := uint64(0)
	if e.Params != nil {
		fee = uint64(e.Params.FeeBps)
	}
	// amount + ceil(amount * fee / 10000) <= bal
	maxAmt, _, _ := bal.MulDiv(10000, 10000+fee)
	for !maxAmt.IsZero() {
		f, rem, _ := maxAmt.MulDiv(fee, 10000)
		if rem != 0 {
			f, _ = f.Add(ledger.NewAmount(1))
		}
		if s, ok := maxAmt.Add(f); ok && s.Cmp(bal) <= 0 {
			break
		}
		maxAmt, _ = maxAmt.Sub(ledger.NewAmount(1))
	}
	if amount.Cmp(maxAmt) > 0 {
		amount = maxAmt
	}
	if amount.IsZero() {
		return nil
	}
	c := &saleCommand{leg: [1]ledger.Leg{{To: ExchangeAccount, Asset: e.Native, Amount: amount}}}
	c.p.Legs = c.leg[:]
	c.cmd = ledger.Command{Actor: acct, Payload: &c.p}
	return &c.cmd
}

// Release returns the operator's command that moves amount native tokens
// from the population's vesting escrow (Spec.Escrow) to holder, or nil
// for nothing. It runs in the trading blocks; a release the reducers
// refuse moves nothing.
func (e *Env) Release(holder ledger.AccountID, amount ledger.Amount) *ledger.Command {
	esc := e.h.Escrow()
	if amount.IsZero() || esc == "" {
		return nil
	}
	return &ledger.Command{Actor: OperatorAccount, Payload: &control.Release{Escrow: esc, To: holder, Asset: e.Native, Amount: amount}}
}

// AgentInfo is an agent created on the chain during the run.
type AgentInfo struct {
	ID        string
	Creator   ledger.AccountID
	PriceIn   uint64         // credits per input token
	PriceOut  uint64         // credits per output token
	Token     ledger.AssetID // its token, once launched
	Graduated bool           // its curve has graduated (trading on it ended)
}

// Agents returns the agents created so far, in creation order. The slice
// is the simulator's: do not modify it.
func (e *Env) Agents() []AgentInfo { return e.h.Agents() }

// Servers returns the accounts of a population that serve consumers this
// epoch: its Server behaviour's answer, or all its accounts.
func (e *Env) Servers(population string) []ledger.AccountID { return e.h.Servers(population) }

// Behaviour returns the behaviour of another population in this run, or
// nil; behaviours that cooperate can type-assert it.
func (e *Env) Behaviour(population string) Behaviour { return e.h.Behaviour(population) }

// NewSymbol returns a fresh asset symbol for an agent token ("AGT" and a
// number), unique within the run.
func (e *Env) NewSymbol() ledger.AssetID { return e.h.NewSymbol() }

// itoa formats n >= 0 in decimal.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
