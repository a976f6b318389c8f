package chain

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/chain/bindings"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// EVM is what the relayer reads of the EVM chain: an *ethclient.Client and
// the simulated backend's client have it.
type EVM interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
	// ChainID is eth_chainId: each step checks it against
	// RelayerOptions.ChainID (ChainIDError).
	ChainID(ctx context.Context) (*big.Int, error)
}

// RelayerOptions configure a Relayer.
type RelayerOptions struct {
	// EVM reads the chain. Required.
	EVM EVM
	// ChainID is the EVM chain id the ledger's params.bridge.chain_id
	// names (the ledger refuses deposits from another, ErrRefused). Every
	// Step first checks that EVM is on it (eth_chainId), and fails with
	// a *ChainIDError before it reads anything else if not.
	ChainID uint64
	// Vault is the vault contract whose Deposited events are credited.
	Vault common.Address
	// Ledger takes the bridge_deposit commands: *coopera.Engine, or a
	// node's HTTP API through submit.Node. Required.
	Ledger submit.Submitter
	// Actor is the relayer's ledger account (in params.bridge.relayers),
	// Key its ed25519 key (nil on a ledger where the account has none),
	// LedgerChainID the ledger's chain id, which signatures cover.
	Actor         ledger.AccountID
	Key           ed25519.PrivateKey
	LedgerChainID string
	// Finalized credits deposits at the chain's "finalized" block; when
	// false, at Confirmations blocks below the latest head.
	Finalized bool
	// Confirmations is the depth a deposit's block must reach when
	// Finalized is false: 0 credits at the head itself. Default 0.
	Confirmations uint64
	// MaxRange bounds the blocks one eth_getLogs covers. Default 2000; a
	// step halves it while the provider refuses a range.
	MaxRange uint64
	// Start is the first block to scan when the cursor is new (the vault's
	// deployment block). Default 0.
	Start uint64
	// Cursor keeps the relayer's position across restarts. Default: in
	// memory only.
	Cursor CursorStore
	// Metrics, if set, is updated by every step.
	Metrics *Metrics
	// OnReject is called for a deposit the ledger refused for good (a
	// token with no asset, the only such refusal): it is dropped, never
	// retried. (A refused deposit uses no command nonce, ledger.OnceOnly,
	// but the relayer goes on with later deposits, whose higher nonces
	// then leave it below the account's last: after governance maps the
	// token, another relayer account credits it.) A refusal of the
	// relayer itself is not a
	// deposit's (ErrRefused), and any other refusal stops the relayer
	// (ErrDepositRefused): none is dropped.
	OnReject func(d bridge.Deposit, err error)
}

// Relayer credits the vault's deposits on the ledger, once, at finality.
//
// It follows Deposited logs by block range (eth_getLogs, never only a
// subscription, which loses logs across reconnects), keeping the (number,
// hash) of the blocks it scanned. Each Step first checks that the last
// block it scanned is still canonical; after a reorg it walks its blocks
// back to the common ancestor, drops what it saw above it, and scans
// again from there. Deposits wait in the cursor until their block is at
// or below the safe head (the finalized block, or Confirmations deep) and
// still canonical, then go to the ledger as bridge_deposit commands with
// the idempotency key bridge.DepositKey(chain id, vault, deposit nonce)
// and the deposit nonce as the command nonce, so that a command rebuilt
// after a restart is byte-identical and answered as a duplicate. The
// ledger's own record of the deposit refuses anything else.
//
// A Relayer serves one vault with one ledger account (its command nonces
// are the vault's deposit nonces). Step is not safe for concurrent use.
type Relayer struct {
	o     RelayerOptions
	vault *bindings.CooperaVault
	cur   *Cursor
}

// Errors of the chain adapters.
var (
	ErrDeepReorg = errors.New("chain: reorg deeper than the blocks the relayer kept")
	ErrOptions   = errors.New("chain: invalid options")
	// ErrRefused means the ledger refuses the relayer itself (the bridge
	// disabled, the account not a relayer, another chain or vault, a bad
	// signature): the deposits stay pending and Step fails until it is
	// fixed, then credits them. (A refused deposit uses no command nonce:
	// bridge.Deposit is ledger.OnceOnly, credited once by its own record,
	// so the same commands, whose nonces are their deposit nonces, apply
	// once the cause is fixed.)
	ErrRefused = errors.New("chain: the ledger refuses the relayer")
	// ErrConflict means the ledger holds another deposit under a
	// deposit's key (its chain, vault and nonce): a deposit credited
	// before a reorg replaced it. The relayer stops, the deposit pending,
	// for the operator: the ledger credited value the vault may not hold.
	ErrConflict = errors.New("chain: the ledger credited another deposit under this one's nonce")
	// ErrReceipts means the ledger answered a batch with another number
	// of receipts than commands (or a nil one): a faulty node or proxy.
	// Nothing is known about the commands left unanswered, so the
	// relayer keeps every deposit of the batch pending (sent again, those
	// applied are answered as duplicates) and the anchorer fails its step
	// (its next step reads the ledger's anchors again).
	ErrReceipts = errors.New("chain: the ledger's receipts do not match the commands sent")
	// ErrDepositRefused means the ledger refused a deposit for a reason
	// that is neither the relayer's configuration (ErrRefused) nor final
	// for the deposit (a token with no asset, dropped and reported to
	// OnReject): its credit would overflow the asset's supply counter or
	// the bridge's totals (ledger.ErrAmountOverflow; both count every
	// credit ever made in 128 bits, so it will not fit later either), its
	// command's nonce is not above the account's last (ledger.
	// ErrReplayedNonce: the account signed something else with a higher
	// nonce), or a code the relayer does not know. The
	// relayer never skips such a deposit: it stops, the deposit pending
	// and its tokens in the vault, until its operator settles it (see
	// ErrConflict) or moves the cursor past it.
	ErrDepositRefused = errors.New("chain: the ledger refused a deposit")
)

// NewRelayer returns a relayer, resuming from its cursor.
func NewRelayer(o RelayerOptions) (*Relayer, error) {
	if o.EVM == nil || o.Ledger == nil || o.Actor == "" || o.ChainID == 0 {
		return nil, fmt.Errorf("%w: a relayer needs EVM, Ledger, Actor and ChainID", ErrOptions)
	}
	if o.MaxRange == 0 {
		o.MaxRange = 2000
	}
	if o.Cursor == nil {
		o.Cursor = &MemCursor{}
	}
	if o.Metrics == nil {
		o.Metrics = &Metrics{}
	}
	c, err := o.Cursor.Load()
	if err != nil {
		return nil, err
	}
	if c == nil {
		c = &Cursor{Next: o.Start}
	}
	return &Relayer{o: o, vault: bindings.NewCooperaVault(), cur: c}, nil
}

// Cursor returns a copy of the relayer's position.
func (r *Relayer) Cursor() Cursor { return r.cur.clone() }

// StepResult says what a Step did.
type StepResult struct {
	Head, Safe uint64 // the chain's head and safe block
	Scanned    uint64 // blocks scanned
	Seen       int    // deposits seen (not yet credited)
	Credited   int    // deposits credited now
	Duplicates int    // deposits the ledger had credited before
	Rejected   int    // deposits refused for good
	Rewound    uint64 // blocks rewound after a reorg (0: none)
}

// Step scans new blocks, handles a reorg, credits the deposits that
// became safe, and saves the cursor.
func (r *Relayer) Step(ctx context.Context) (StepResult, error) {
	var res StepResult
	if err := checkChain(ctx, r.o.EVM, r.o.ChainID); err != nil {
		return res, err
	}
	head, err := r.o.EVM.HeaderByNumber(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("chain: head: %w", err)
	}
	res.Head = head.Number.Uint64()
	res.Safe, err = r.safe(ctx, res.Head)
	if err != nil {
		return res, err
	}
	if res.Rewound, err = r.checkReorg(ctx); err != nil {
		return res, err
	}
	if res.Rewound > 0 {
		r.o.Metrics.Reorgs.Add(1)
	}
	span := r.o.MaxRange
	for r.cur.Next <= res.Head {
		to := min(res.Head, r.cur.Next+span-1)
		n, err := r.scan(ctx, r.cur.Next, to)
		if err != nil {
			// Providers cap eth_getLogs (by blocks or results): halve
			// the range and try again, down to one block.
			if ctx.Err() == nil && to > r.cur.Next {
				span = max(1, (to-r.cur.Next+1)/2)
				continue
			}
			return res, err
		}
		res.Seen += n
		res.Scanned += to - r.cur.Next + 1
		r.cur.Next = to + 1
	}
	if err := r.credit(ctx, res.Safe, &res); err != nil {
		return res, err
	}
	r.o.Metrics.observe(res, len(r.cur.Pending))
	return res, r.o.Cursor.Save(r.cur.clone())
}

func (r *Relayer) safe(ctx context.Context, head uint64) (uint64, error) {
	if r.o.Finalized {
		h, err := r.o.EVM.HeaderByNumber(ctx, big.NewInt(int64(rpc.FinalizedBlockNumber)))
		if err != nil {
			return 0, fmt.Errorf("chain: finalized block: %w", err)
		}
		return h.Number.Uint64(), nil
	}
	if head < r.o.Confirmations {
		return 0, nil
	}
	return head - r.o.Confirmations, nil
}

// canonical reports whether ref is still the chain's block at its number.
func (r *Relayer) canonical(ctx context.Context, ref BlockRef) (bool, error) {
	h, err := r.o.EVM.HeaderByNumber(ctx, new(big.Int).SetUint64(ref.Number))
	if errors.Is(err, ethereum.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("chain: block %d: %w", ref.Number, err)
	}
	return h.Hash() == ref.Hash, nil
}

// checkReorg rewinds the cursor to the common ancestor when the last block
// scanned is no longer canonical; it returns the blocks rewound.
func (r *Relayer) checkReorg(ctx context.Context) (uint64, error) {
	if len(r.cur.Blocks) == 0 {
		return 0, nil
	}
	last := r.cur.Blocks[len(r.cur.Blocks)-1]
	ok, err := r.canonical(ctx, last)
	if err != nil || ok {
		return 0, err
	}
	return r.rewind(ctx)
}

func (r *Relayer) rewind(ctx context.Context) (uint64, error) {
	return r.rewindBelow(ctx, math.MaxUint64)
}

// rewindBelow rewinds the cursor to the highest block scanned below limit
// that is still canonical (a block at or above limit is known not to be).
func (r *Relayer) rewindBelow(ctx context.Context, limit uint64) (uint64, error) {
	from := r.cur.Next
	for i := len(r.cur.Blocks) - 1; i >= 0; i-- {
		ref := r.cur.Blocks[i]
		if ref.Number >= limit {
			continue
		}
		ok, err := r.canonical(ctx, ref)
		if err != nil {
			return 0, err
		}
		if ok {
			r.cur.truncate(ref.Number)
			return from - r.cur.Next, nil
		}
	}
	if r.cur.Floor > 0 {
		return 0, fmt.Errorf("%w: none of the last %d blocks scanned is canonical (from %d)", ErrDeepReorg, len(r.cur.Blocks), r.cur.Floor)
	}
	r.cur.truncate(0)
	r.cur.Next = r.o.Start
	return from - r.cur.Next, nil
}

func (r *Relayer) scan(ctx context.Context, from, to uint64) (int, error) {
	// The range's end first: a reorg after it shows as that block no
	// longer canonical (checkReorg), while one between the logs and a
	// later read would leave a canonical end above stale logs.
	end, err := r.o.EVM.HeaderByNumber(ctx, new(big.Int).SetUint64(to))
	if err != nil {
		return 0, fmt.Errorf("chain: block %d: %w", to, err)
	}
	logs, err := r.o.EVM.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to),
		Addresses: []common.Address{r.o.Vault},
		Topics:    [][]common.Hash{{r.vault.GetABI().Events["Deposited"].ID}},
	})
	if err != nil {
		return 0, fmt.Errorf("chain: logs %d..%d: %w", from, to, err)
	}
	n := 0
	for i := range logs {
		l := &logs[i]
		if l.Removed {
			continue
		}
		ev, err := r.vault.UnpackDepositedEvent(l)
		if err != nil {
			return n, fmt.Errorf("chain: deposit log in block %d: %w", l.BlockNumber, err)
		}
		amt, ok := ledger.AmountFromBig(ev.Amount)
		if !ok {
			return n, fmt.Errorf("chain: deposit %d: amount %s does not fit the ledger", ev.Nonce, ev.Amount)
		}
		ref := BlockRef{Number: l.BlockNumber, Hash: l.BlockHash}
		r.cur.addBlock(ref)
		r.cur.Pending = append(r.cur.Pending, PendingDeposit{Block: ref, Deposit: bridge.Deposit{
			ChainID: r.o.ChainID, Contract: bridge.Address(r.o.Vault), Nonce: ev.Nonce, Token: bridge.Address(ev.Token),
			From: bridge.Address(ev.From), To: depositTo(ev.To), Amount: amt, L1Block: l.BlockNumber,
		}})
		n++
	}
	r.cur.addBlock(BlockRef{Number: to, Hash: end.Hash()})
	return n, nil
}

// depositTo is the ledger account a deposit names. The vault takes any
// string; one that is not valid UTF-8 would not survive the JSON a
// relayer submits through (its signature would fail there), so its
// invalid bytes become U+FFFD: still no account, and the ledger credits
// the deposit to the bridge's suspense account as it does any other.
func depositTo(to string) ledger.AccountID {
	return ledger.AccountID(strings.ToValidUTF8(to, "\uFFFD"))
}

func (r *Relayer) command(d *bridge.Deposit) *ledger.Command {
	p := *d
	c := &ledger.Command{Actor: r.o.Actor, Nonce: d.Nonce, Key: bridge.DepositKey(d.ChainID, d.Contract, d.Nonce), Payload: &p}
	if r.o.Key != nil {
		c.Sign(r.o.LedgerChainID, r.o.Key)
	}
	return c
}

// credit submits the pending deposits whose blocks are safe and still
// canonical, in nonce order.
func (r *Relayer) credit(ctx context.Context, safe uint64, res *StepResult) error {
	slices.SortFunc(r.cur.Pending, func(a, b PendingDeposit) int { return cmpUint(a.Deposit.Nonce, b.Deposit.Nonce) })
	var ready []PendingDeposit
	checked := map[uint64]bool{}
	for _, p := range r.cur.Pending {
		if p.Block.Number > safe {
			break
		}
		if !checked[p.Block.Number] {
			ok, err := r.canonical(ctx, p.Block)
			if err != nil {
				return err
			}
			if !ok {
				// A reorg between the scan and now: rescan from the
				// common ancestor below this block next step, credit
				// nothing of it.
				n, err := r.rewindBelow(ctx, p.Block.Number)
				res.Rewound += n
				r.o.Metrics.Reorgs.Add(1)
				return err
			}
			checked[p.Block.Number] = true
		}
		ready = append(ready, p)
	}
	if len(ready) == 0 {
		return nil
	}
	cmds := make([]*ledger.Command, len(ready))
	for i := range ready {
		cmds[i] = r.command(&ready[i].Deposit)
	}
	rcs, err := r.o.Ledger.SubmitBatch(ctx, cmds)
	if err == nil {
		err = checkReceipts(rcs, len(cmds))
	}
	if err != nil {
		return fmt.Errorf("chain: submitting %d deposits: %w", len(cmds), err)
	}
	for i, rc := range rcs {
		if misconfigured(rc.Err) {
			// The ledger refuses this relayer, not the deposit: keep every
			// deposit pending and stop until the operator or governance
			// fixes it (crediting later deposits first would be fine for
			// the ledger, but a silent skip is not).
			r.cur.Pending = r.cur.Pending[i:]
			return fmt.Errorf("%w: deposit %d: %w", ErrRefused, ready[i].Deposit.Nonce, rc.Err)
		}
		switch {
		case rc.Err == nil && rc.Duplicate:
			res.Duplicates++
		case rc.Err == nil:
			res.Credited++
		case errors.Is(rc.Err, ledger.ErrIdempotencyConflict):
			// This relayer's key for the deposit answered another
			// deposit: the one credited was replaced by a reorg.
			r.cur.Pending = r.cur.Pending[i:]
			return fmt.Errorf("%w: deposit %d (%s to %s, block %d): %w", ErrConflict, ready[i].Deposit.Nonce, ready[i].Deposit.Amount, ready[i].Deposit.To, ready[i].Deposit.L1Block, rc.Err)
		case errors.Is(rc.Err, bridge.ErrAlreadyCredited):
			res.Duplicates++
		case errors.Is(rc.Err, bridge.ErrUnknownToken):
			// Final for this relayer account once a later deposit is
			// credited (its command nonce is then below the account's
			// last). The tokens stay in the vault.
			res.Rejected++
			if r.o.OnReject != nil {
				r.o.OnReject(ready[i].Deposit, rc.Err)
			}
		default:
			r.cur.Pending = r.cur.Pending[i:]
			d := &ready[i].Deposit
			return fmt.Errorf("%w: deposit %d (%s of token %s to %s, block %d): %w", ErrDepositRefused, d.Nonce, d.Amount, d.Token, d.To, d.L1Block, rc.Err)
		}
	}
	r.cur.Pending = r.cur.Pending[len(ready):]
	return nil
}

// checkReceipts checks that a Submitter answered each of n commands
// with a receipt: a shorter answer read as the whole one would drop the
// commands it leaves out, a longer one misplace them.
func checkReceipts(rcs []*coopera.Receipt, n int) error {
	if len(rcs) != n {
		return fmt.Errorf("%w: %d receipts for %d commands", ErrReceipts, len(rcs), n)
	}
	for i, rc := range rcs {
		if rc == nil {
			return fmt.Errorf("%w: no receipt for command %d of %d", ErrReceipts, i, n)
		}
	}
	return nil
}

// misconfigured reports a rejection that concerns the relayer's
// configuration (the bridge's parameters, its account or key), not the
// deposit.
func misconfigured(err error) bool {
	for _, e := range []error{bridge.ErrDisabled, bridge.ErrNotRelayer, bridge.ErrWrongSource, ledger.ErrBadSignature, ledger.ErrUnknownAccount} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
