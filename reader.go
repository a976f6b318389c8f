package coopera

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// Reads see the state of the last block applied to the store. (A block is
// applied and fsynced in one Pebble commit; for the few microseconds of
// its fsync a read may see a block that a crash at that instant would
// undo. Receipts are only ever given for durable blocks.)

// reader is the engine's read side: it holds the store handle, guarded
// against Close (and against a follower swapping the store for a
// snapshot) while reads are in flight, and answers every query of the
// committed state. The sequencer goroutine, the only one that writes the
// store or swaps it, uses db directly.
type reader struct {
	reg    *ledger.Registry
	height func() uint64 // the last durable block's height: no block past it is served

	// rmu guards the store against Close while reads are in flight.
	rmu      sync.RWMutex
	db       *store.DB
	dbClosed bool
}

func newReader(db *store.DB, reg *ledger.Registry, height func() uint64) *reader {
	return &reader{db: db, reg: reg, height: height}
}

// acquire enters a read of the store; leave it with release.
func (r *reader) acquire() error {
	r.rmu.RLock()
	if r.dbClosed {
		r.rmu.RUnlock()
		return errClosed
	}
	return nil
}

func (r *reader) release() { r.rmu.RUnlock() }

// enter is acquire for a read on behalf of ctx, refused once ctx is done.
func (r *reader) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.acquire()
}

// close waits for the reads in flight and closes the store; every read
// after it fails with ErrClosed.
func (r *reader) close() error {
	r.rmu.Lock()
	defer r.rmu.Unlock()
	r.dbClosed = true
	return r.db.Close()
}

func (r *reader) lookup() *store.Lookup { return &store.Lookup{R: r.db.State()} }

// Balance returns an account's balance of an asset.
func (e *Engine) Balance(ctx context.Context, acct ledger.AccountID, asset ledger.AssetID) (ledger.Amount, error) {
	return e.rd.balance(ctx, acct, asset)
}

func (r *reader) balance(ctx context.Context, acct ledger.AccountID, asset ledger.AssetID) (ledger.Amount, error) {
	if err := r.enter(ctx); err != nil {
		return ledger.Amount{}, err
	}
	defer r.release()
	l := r.lookup()
	if _, ok := l.Get(ledger.AccountKey(acct)); !ok {
		if l.Err != nil {
			return ledger.Amount{}, l.Err
		}
		return ledger.Amount{}, ledger.Errorf(ledger.ErrUnknownAccount, "account %s does not exist", acct)
	}
	if _, ok := l.Get(ledger.AssetKey(asset)); !ok {
		if l.Err != nil {
			return ledger.Amount{}, l.Err
		}
		return ledger.Amount{}, ledger.Errorf(ledger.ErrUnknownAsset, "asset %s is not registered", asset)
	}
	a, err := ledger.BalanceOf(l, acct, asset)
	if l.Err != nil {
		return ledger.Amount{}, l.Err
	}
	return a, err
}

// AccountInfo is an account with its nonce and balances.
type AccountInfo struct {
	ID        ledger.AccountID `json:"id"`
	PublicKey ledger.PublicKey `json:"public_key,omitempty"`
	Nonce     uint64           `json:"nonce"`
	Balances  []Balance        `json:"balances"`
}

// Account returns an account's record, last nonce and non-zero balances
// (sorted by asset).
func (e *Engine) Account(ctx context.Context, id ledger.AccountID) (*AccountInfo, error) {
	return e.rd.account(ctx, id)
}

func (r *reader) account(ctx context.Context, id ledger.AccountID) (*AccountInfo, error) {
	if err := r.enter(ctx); err != nil {
		return nil, err
	}
	defer r.release()
	l := r.lookup()
	a, ok, err := ledger.GetAccount(l, id)
	if err == nil {
		err = l.Err
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ledger.Errorf(ledger.ErrUnknownAccount, "account %s does not exist", id)
	}
	info := &AccountInfo{ID: id, PublicKey: a.PublicKey, Balances: []Balance{}}
	if info.Nonce, err = ledger.LastNonce(l, id); err != nil {
		return nil, err
	}
	prefix := ledger.BalancePrefix(id)
	var bad error
	err = l.R.Scan(prefix, func(k, v []byte) bool {
		amt, err := ledger.DecodeAmount(v)
		if err != nil {
			bad = ledger.Errorf(ledger.ErrCorrupt, "balance %q: %v", k, err)
			return false
		}
		info.Balances = append(info.Balances, Balance{Account: id, Asset: ledger.AssetID(k[len(prefix):]), Amount: amt})
		return true
	})
	if err == nil {
		err = bad
	}
	return info, err
}

// Asset returns an asset's record with its supply counters.
func (e *Engine) Asset(ctx context.Context, id ledger.AssetID) (*ledger.Asset, error) {
	return e.rd.asset(ctx, id)
}

func (r *reader) asset(ctx context.Context, id ledger.AssetID) (*ledger.Asset, error) {
	if err := r.enter(ctx); err != nil {
		return nil, err
	}
	defer r.release()
	l := r.lookup()
	a, ok, err := ledger.GetAsset(l, id)
	if err == nil {
		err = l.Err
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ledger.Errorf(ledger.ErrUnknownAsset, "asset %s is not registered", id)
	}
	return &a, nil
}

// Chain returns the chain record (identity and the open epoch).
func (e *Engine) Chain(ctx context.Context) (ledger.ChainInfo, error) {
	return e.rd.chain(ctx)
}

func (r *reader) chain(ctx context.Context) (ledger.ChainInfo, error) {
	if err := r.enter(ctx); err != nil {
		return ledger.ChainInfo{}, err
	}
	defer r.release()
	return ledger.GetChain(r.lookup())
}

// Block returns block h, checked against its body hash.
func (e *Engine) Block(ctx context.Context, h uint64) (*ledger.Block, error) {
	return e.rd.block(ctx, h)
}

func (r *reader) block(ctx context.Context, h uint64) (*ledger.Block, error) {
	if err := r.enter(ctx); err != nil {
		return nil, err
	}
	defer r.release()
	if h > r.height() {
		return nil, ledger.Errorf(ErrNoBlock, "block %d is beyond the head %d", h, r.height())
	}
	return r.db.Block(r.reg, h)
}

// blockAt reads block h whatever the head (a subscription asks only for
// blocks it saw committed).
func (r *reader) blockAt(h uint64) (*ledger.Block, error) {
	if err := r.acquire(); err != nil {
		return nil, err
	}
	defer r.release()
	return r.db.Block(r.reg, h)
}

// ErrNoBlock is returned for a block height beyond the head.
var ErrNoBlock = ledger.NewCode("no_block")

// EventRecord is an event with its place in the log.
type EventRecord struct {
	Height uint64       `json:"height"`
	Index  int          `json:"index"` // the event's index in its block
	Time   int64        `json:"time"`  // the block's time, Unix ns
	Event  ledger.Event `json:"-"`
}

// AccountEvents returns the events concerning an account, from height from
// on, oldest first, at most limit (0: no limit). The account-event index is
// written just after each block (see the README's storage layout); it
// waits until the index covers every durable block, so a command's events
// are listed once Submit has returned.
func (e *Engine) AccountEvents(ctx context.Context, id ledger.AccountID, from uint64, limit int) ([]EventRecord, error) {
	for {
		h := e.seq.durable().Height
		if err := e.seq.idx.wait(ctx, h); err != nil {
			return nil, err
		}
		recs, err := e.rd.accountEvents(ctx, id, from, limit, e.chain.GenesisTime, h)
		if err != errIndexBehind {
			return recs, err
		}
		// A snapshot replaced the store between the wait and the read.
	}
}

// errIndexBehind: the store's account-event index does not reach the
// height asked for.
var errIndexBehind = errors.New("coopera: the account-event index is behind")

// accountEvents: see AccountEvents; genesis events carry genesisTime. The
// index must cover block need.
func (r *reader) accountEvents(ctx context.Context, id ledger.AccountID, from uint64, limit int, genesisTime int64, need uint64) ([]EventRecord, error) {
	if err := r.acquire(); err != nil {
		return nil, err
	}
	defer r.release()
	if r.db.AccountIndex() && r.db.Indexed() < need {
		return nil, errIndexBehind
	}
	refs, err := r.db.AccountEvents(id, from, limit)
	if err != nil {
		return nil, err
	}
	out := make([]EventRecord, 0, len(refs))
	if len(refs) > 0 && refs[0].Height == 0 {
		// Block 0 may hold millions of genesis events: read it in
		// pieces for the ones asked for, never whole.
		var at []uint32
		for _, ref := range refs {
			if ref.Height == 0 {
				at = append(at, ref.Index)
			}
		}
		evs, err := r.reg.GenesisEventsAt(func(fn func([]byte) error) error { return r.db.RawBlockPieces(0, fn) }, at)
		if err != nil {
			return nil, err
		}
		for i, ev := range evs {
			if !concerns(ev, id) {
				return nil, ledger.Errorf(ledger.ErrCorrupt, "account index lists event %d of block 0 for %s, which it does not concern", at[i], id)
			}
			out = append(out, EventRecord{Height: 0, Index: int(at[i]), Time: genesisTime, Event: ev})
		}
		refs = refs[len(at):]
	}
	var b *ledger.Block
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if b == nil || b.Height != ref.Height {
			if b, err = r.db.Block(r.reg, ref.Height); err != nil {
				return nil, err
			}
		}
		if int(ref.Index) >= len(b.Events) {
			return nil, ledger.Errorf(ledger.ErrCorrupt, "account index points to event %d of block %d, which has %d", ref.Index, ref.Height, len(b.Events))
		}
		ev := b.Events[ref.Index]
		if !concerns(ev, id) {
			return nil, ledger.Errorf(ledger.ErrCorrupt, "account index lists event %d of block %d for %s, which it does not concern", ref.Index, ref.Height, id)
		}
		out = append(out, EventRecord{Height: ref.Height, Index: int(ref.Index), Time: b.Time, Event: ev})
	}
	return out, nil
}

// concerns reports whether ev names id among its accounts, as every event
// the account-event index lists for id must.
func concerns(ev ledger.Event, id ledger.AccountID) bool {
	ae, ok := ev.(ledger.AccountEvent)
	return ok && slices.Contains(ae.Accounts(), id)
}

// Snapshot writes a consistent copy of the ledger, at a block boundary, to
// dir (which must not exist). Open(dir) resumes from it.
func (e *Engine) Snapshot(ctx context.Context, dir string) error {
	return e.rd.snapshot(ctx, dir)
}

func (r *reader) snapshot(ctx context.Context, dir string) error {
	if err := r.enter(ctx); err != nil {
		return err
	}
	defer r.release()
	return r.db.Checkpoint(dir)
}

// DiskUsage returns the bytes the ledger occupies on disk (0 once the
// engine is closed).
func (e *Engine) DiskUsage() uint64 { return e.rd.diskUsage() }

func (r *reader) diskUsage() uint64 {
	if r.acquire() != nil {
		return 0 // closed; a follower restoring a snapshot swaps the store under rmu
	}
	defer r.release()
	return r.db.DiskUsage()
}

// StateView reads the committed state for the query functions of modules
// (tokenomics.Supply, contribution.ProviderResults, governance's queries,
// ...): Get and Scan are the read interfaces those take. A read error is
// returned as "absent" and latched in Err, which callers check after
// their query.
type StateView struct {
	r   *reader
	err error
}

// View returns a reader of the committed state.
func (e *Engine) View() *StateView { return e.rd.view() }

func (r *reader) view() *StateView { return &StateView{r: r} }

// Get reads a state key.
func (v *StateView) Get(key []byte) ([]byte, bool) {
	if err := v.r.acquire(); err != nil {
		v.latch(err)
		return nil, false
	}
	defer v.r.release()
	val, ok, err := v.r.db.State().Get(key)
	if err != nil {
		v.latch(err)
		return nil, false
	}
	return val, ok
}

// Scan calls fn for each key with the prefix, in order.
func (v *StateView) Scan(prefix []byte, fn func(key, value []byte) bool) {
	if err := v.r.acquire(); err != nil {
		v.latch(err)
		return
	}
	defer v.r.release()
	if err := v.r.db.State().Scan(prefix, fn); err != nil {
		v.latch(err)
	}
}

// Height returns the height of the last durable block, the height at
// which parameters are read for queries.
func (v *StateView) Height() uint64 { return v.r.height() }

// Err returns the first read error.
func (v *StateView) Err() error { return v.err }

func (v *StateView) latch(err error) {
	if v.err == nil {
		v.err = err
	}
}

// IdempotentCommand returns the command committed under an actor's
// idempotency key, if any: a client that retries with the same key can
// resubmit it verbatim (same nonce and signature) and be answered with the
// original receipt.
func (e *Engine) IdempotentCommand(ctx context.Context, actor ledger.AccountID, key string) (*ledger.Command, bool, error) {
	return e.rd.idempotentCommand(ctx, actor, key)
}

func (r *reader) idempotentCommand(ctx context.Context, actor ledger.AccountID, key string) (*ledger.Command, bool, error) {
	if err := r.enter(ctx); err != nil {
		return nil, false, err
	}
	defer r.release()
	ie, ok, err := r.db.Idempotency(actor, key)
	if err != nil || !ok {
		return nil, false, err
	}
	b, err := r.db.Block(r.reg, ie.Height)
	if err != nil {
		return nil, false, err
	}
	i, err := idemCommand(b, &ie)
	if err != nil {
		return nil, false, err
	}
	return b.Commands[i], true, nil
}

// admit runs the admitters on c against the committed state.
func (r *reader) admit(ctx context.Context, admitters []Admitter, c *ledger.Command) error {
	if err := r.acquire(); err != nil {
		return err
	}
	defer r.release()
	for _, a := range admitters {
		l := r.lookup()
		err := a.Admit(ctx, l, c)
		if l.Err != nil {
			return l.Err
		}
		if err != nil {
			if _, ok := err.(*ledger.Error); !ok {
				return ledger.Errorf(ledger.ErrUnauthorized, "%v", err)
			}
			return err
		}
	}
	return nil
}

// committedAccount reads an account record from the committed state.
func (r *reader) committedAccount(id ledger.AccountID) (ledger.Account, bool, error) {
	if err := r.acquire(); err != nil {
		return ledger.Account{}, false, err
	}
	defer r.release()
	l := r.lookup()
	acct, ok, err := ledger.GetAccount(l, id)
	if l.Err != nil {
		return ledger.Account{}, false, l.Err
	}
	return acct, ok, err
}
