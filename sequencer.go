package coopera

import (
	"bytes"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/store"
)

// maxEpochClosesPerBlock bounds the CloseEpoch commands injected into one
// block when block time has jumped over several epochs; the rest follow in
// the next blocks.
const maxEpochClosesPerBlock = 64

// sequencer is the goroutine that turns submitted commands into blocks
// (run), and the acknowledger that releases their callers once each
// block is durable. It owns the applied head, the state cache and the
// block step, and publishes the durable head; on a replicated node its
// follower (fol) applies the stream's blocks on the same goroutine.
type sequencer struct {
	opts    *Options
	machine *ledger.Machine
	reg     *ledger.Registry
	rd      *reader   // the store: the sequencer goroutine alone writes or swaps it, and uses rd.db without rmu
	met     *metrics  // shared with the engine
	fol     *follower // nil for an embedded engine

	reqs chan *request
	ctrl chan func() // functions run on the sequencer goroutine (control)
	quit chan struct{}
	done chan struct{}
	acks chan *inflight

	// applied, cache and step belong to the sequencer goroutine.
	applied store.Head
	cache   *stateCache
	step    *ledger.Step // the block step, with the root hasher's cache

	accts *accountCache // Submit's view of account records, for any goroutine
	idx   *indexer      // writes durable blocks' account-event index

	mu     sync.RWMutex
	head   store.Head    // the last durable block
	notify chan struct{} // closed and replaced after each block
	fatal  error         // set when the sequencer stopped on a fault

	closed atomic.Bool // no new submissions: Close was called or a fault stopped the sequencer
}

// newSequencer returns the sequencer of the ledger in rd's store, whose
// last durable block is head; start it with go s.run().
func newSequencer(rd *reader, m *ledger.Machine, o *Options, met *metrics, head store.Head) *sequencer {
	s := &sequencer{
		opts: o, machine: m, reg: m.Registry(), rd: rd, met: met,
		reqs:   make(chan *request, 1024),
		ctrl:   make(chan func()),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
		acks:   make(chan *inflight, 2), // pipeline depth: blocks awaiting fsync
		notify: make(chan struct{}),
		head:   head,
		accts:  newAccountCache(o.StateCacheBytes / 8),
		idx:    newIndexer(rd, m.Registry()),
	}
	s.reset(head)
	return s
}

// reset makes head the applied head, over a fresh state cache and block
// step for the store rd holds now (at start, and after a snapshot
// replaced the store: the root hasher caches the old state's subtrees).
func (s *sequencer) reset(head store.Head) {
	s.applied = head
	s.cache = newStateCache(s.rd.db.State(), s.opts.StateCacheBytes)
	s.accts.clear()
	s.step = newStep(s.machine, s.opts)
}

// durable returns the last durable block.
func (s *sequencer) durable() store.Head {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.head
}

// watch returns the last durable height and a channel closed once a
// later block is durable.
func (s *sequencer) watch() (uint64, <-chan struct{}) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.head.Height, s.notify
}

// advance publishes h as the last durable block and wakes the watchers.
func (s *sequencer) advance(h store.Head) {
	s.mu.Lock()
	s.head = h
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
}

// err returns the fault that stopped the sequencer, or nil.
func (s *sequencer) err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.fatal
}

// isLeader reports whether this node sequences blocks.
func (s *sequencer) isLeader() bool { return s.fol == nil || s.fol.leader.Load() }

// control runs f on the sequencer goroutine.
func (s *sequencer) control(f func()) {
	select {
	case s.ctrl <- f:
	case <-s.quit:
	case <-s.done: // stopped on a fault: no one runs f
	}
}

// noteApplied records a block applied to the store (written, perhaps not
// yet synced) in the sequencer's caches.
func (s *sequencer) noteApplied(rd *ledger.Ready) {
	s.applied = rd.Head
	s.cache.update(rd.Changes)
	s.accts.forget(rd.Changes)
	s.step.Applied()
}

// cacheGetter reads through the sequencer's cache; sequencer only.
func (s *sequencer) cacheGetter() *readerGetter { return &readerGetter{r: s.cache} }

// run is the sequencer: it gathers waiting requests into a block,
// executes it, applies it to the store and hands it to the acknowledger,
// then goes on with the next block while the previous one's fsync runs.
// It owns s.applied and the state cache.
func (s *sequencer) run() {
	ackDone := make(chan struct{})
	go s.acknowledger(s.acks, ackDone)
	go s.idx.run()
	defer func() {
		if s.fol != nil {
			s.fol.stopFollowing()
		}
		close(s.acks)
		<-ackDone
		s.idx.stop()
		close(s.done)
	}()
	if s.fol != nil {
		s.fol.follow()
	}
	for {
		var batch []*request // handed to the acknowledger: a new slice each time
		// The follower's stream, read on this goroutine; nil (never
		// ready) on an embedded engine or while not following.
		var followCh <-chan replication.Entry
		if s.fol != nil {
			followCh = s.fol.followCh
		}
		select {
		case r := <-s.reqs:
			if !s.isLeader() {
				s.reject([]*request{r}, s.fol.notLeader())
				continue
			}
			batch = append(batch, r)
		case ent, ok := <-followCh:
			s.fol.receive(ent, ok)
			continue
		case f := <-s.ctrl:
			f()
			continue
		case <-s.quit:
			s.failPending(errClosed)
			return
		}
		n := len(batch[0].cmds)
	gather:
		for n < s.opts.MaxBlockCommands {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
				n += len(r.cmds)
			default:
				break gather
			}
		}
		if err := s.err(); err != nil {
			s.fail(batch, err)
			return
		}
		f, err := s.buildBlock(batch)
		var pe *publishError
		if errors.As(err, &pe) {
			// The block was not applied here. Step down. Fenced: another
			// node's block holds the height, so this one will never
			// commit, and the callers may resubmit to the leader. Any
			// other failure (no acknowledgement in time) leaves the
			// outcome unknown: the stream may hold the block, which every
			// node then applies, so a resubmission must carry the same
			// idempotency key to be answered by the original.
			s.fol.demote(pe.Error())
			if errors.Is(pe.err, replication.ErrFenced) {
				s.reject(batch, ledger.Errorf(ErrNotLeader, "this node stopped leading before the block was accepted (%v); resubmit to the leader", pe.err))
			} else {
				s.reject(batch, ledger.Errorf(ErrOutcomeUnknown, "the stream did not acknowledge the block (%v); it may still commit: retry with the same idempotency key, which answers with the original if it did", pe.err))
			}
			continue
		}
		var published *publishedError
		if errors.As(err, &published) {
			s.setFatal(published.err)
			s.failPublished(batch, published.err)
			return
		}
		if err != nil {
			s.setFatal(err)
			s.fail(batch, err)
			return
		}
		s.acks <- f
	}
}

func isDivergence(err error) bool { return errors.Is(err, ledger.ErrDivergence) }

// publishError wraps a failure to publish a block to the stream.
type publishError struct{ err error }

func (p *publishError) Error() string { return "publish: " + p.err.Error() }
func (p *publishError) Unwrap() error { return p.err }

// publishedError wraps a fault of this node after its block was accepted
// by the stream: the block commits on the other nodes.
type publishedError struct{ err error }

func (p *publishedError) Error() string { return "after publishing: " + p.err.Error() }
func (p *publishedError) Unwrap() error { return p.err }

// failPublished answers the callers of a block the stream accepted but
// this node could not write or sync (the engine has stopped): the block
// commits on the other nodes, so the outcome is unknown to them, never a
// plain failure they might retry without their idempotency key. Requests
// not yet in a block get the fault itself.
func (s *sequencer) failPublished(batch []*request, err error) {
	// The fault's own text (a storage error can name files) is the
	// engine's Err, for its operator, not the callers'.
	ue := ledger.Errorf(ErrOutcomeUnknown, "the stream accepted this command's block, then this node failed before acknowledging it; the block commits on the other nodes: retry with the same idempotency key, which answers with the original")
	for _, r := range batch {
		r.err = ue
		r.receipts = nil
		close(r.done)
	}
	s.failPending(err)
}

// reject fails a batch without stopping the engine.
func (s *sequencer) reject(batch []*request, err error) {
	for _, r := range batch {
		r.err = err
		r.receipts = nil
		close(r.done)
	}
}

// inflight is a block applied to the store and waiting for its fsync.
type inflight struct {
	applied *store.Applied // nil if nothing was written (only duplicates)
	head    store.Head
	block   *ledger.Block // for the account-event index, once durable
	batch   []*request
	start   time.Time
}

// acknowledger waits for each block's fsync, in order, then publishes the
// new durable head and releases the block's callers.
func (s *sequencer) acknowledger(acks <-chan *inflight, done chan<- struct{}) {
	defer close(done)
	for f := range acks {
		if s.err() == nil && f.applied != nil {
			t0 := time.Now()
			if err := f.applied.Wait(); err != nil {
				s.setFatal(err)
			} else {
				if f.batch != nil { // a block this node sequenced (a follower's is written unsynced)
					s.met.fsyncLatency.Observe(time.Since(t0).Seconds())
				}
				s.advance(f.head)
				s.met.height.Set(float64(f.head.Height))
				if f.block != nil {
					s.idx.blocks <- f.block
				}
				if f.batch != nil {
					s.met.commitLatency.Observe(time.Since(f.start).Seconds())
				}
			}
		} else if f.applied != nil {
			f.applied.Wait()
		}
		if err := s.err(); err != nil {
			if s.fol != nil && f.applied != nil {
				s.failPublished(f.batch, err) // the leader's block was published
			} else {
				s.fail(f.batch, err)
			}
			continue
		}
		for _, r := range f.batch {
			close(r.done)
		}
	}
}

func (s *sequencer) setFatal(err error) {
	s.mu.Lock()
	if s.fatal == nil {
		s.fatal = err
	}
	s.mu.Unlock()
	s.closed.Store(true)
}

func (s *sequencer) fail(batch []*request, err error) {
	for _, r := range batch {
		r.err = err
		r.receipts = nil
		close(r.done)
	}
	s.failPending(err)
}

func (s *sequencer) failPending(err error) {
	for {
		select {
		case r := <-s.reqs:
			r.err = err
			close(r.done)
		default:
			return
		}
	}
}

// buildBlock runs the block step on a batch of requests, publishes the
// block (replicated nodes), applies it to the store, and returns it to be
// acknowledged once durable.
func (s *sequencer) buildBlock(batch []*request) (*inflight, error) {
	start := time.Now()
	head := s.applied
	var cmds []*ledger.Command
	for _, r := range batch {
		r.receipts = make([]*Receipt, len(r.cmds))
		cmds = append(cmds, r.cmds...)
		s.met.queueLatency.Observe(start.Sub(r.queued).Seconds())
	}
	var balances [][]Balance
	in := ledger.BlockInput{Prev: head, Time: s.opts.Clock().UnixNano(), Commands: cmds, Idem: s.rd.db.Idempotency}
	in.After = func(st *ledger.State, i int, r ledger.Result, evs []ledger.Event) {
		// Receipts report the balances a command's events touched;
		// injected epoch closes have no receipt.
		if r.Code == "" && len(evs) > 0 && evs[len(evs)-1].EventType() != "epoch_closed" {
			balances = append(balances, make([][]Balance, i+1-len(balances))...)
			balances[i] = touchedBalances(st, evs)
		}
	}
	rd, err := s.step.Execute(s.cache, in)
	if err != nil {
		return nil, err
	}
	executed := time.Since(start)
	if s.opts.CheckInvariants {
		if err := s.checkFresh(in, rd); err != nil {
			return nil, err
		}
	}
	if rd.Block == nil {
		// Only duplicates and conflicts: answer them without a block.
		s.receipts(batch, rd, balances)
		return &inflight{batch: batch}, nil
	}
	b := rd.Block
	s.met.execute.Observe(executed.Seconds())
	if s.fol == nil {
		s.met.clockAhead.Set(time.Duration(rd.ClockAhead).Seconds())
	}
	if s.fol != nil {
		t0 := time.Now()
		if err := s.fol.publish(b.Height, rd.Head.Hash, b.Raw()); err != nil {
			return nil, &publishError{err}
		}
		s.met.publish.Observe(time.Since(t0).Seconds())
	}
	t0 := time.Now()
	applied, err := s.rd.db.Apply(store.CommitOf(rd))
	if err != nil {
		if s.fol != nil {
			return nil, &publishedError{err}
		}
		return nil, err
	}
	s.met.write.Observe(time.Since(t0).Seconds())
	s.noteApplied(rd)
	s.met.blocks.Inc()
	s.met.commands.Add(float64(len(b.Commands)))
	s.met.blockSize.Observe(float64(len(b.Commands)))
	if s.fol != nil {
		s.fol.maybeSnapshot(b.Height)
	}
	s.receipts(batch, rd, balances)
	return &inflight{applied: applied, head: rd.Head, block: b, batch: batch, start: start}, nil
}

// checkFresh decides the block in rd again on a fresh step, which keeps
// nothing from earlier blocks, reading the store itself rather than the
// state cache, with a root hasher of its own without an element cache
// (Options.CheckInvariants). The sequencer's step keeps its state from
// block to block and trusts it on the host's word (ledger.Step.Applied),
// and no value kept there, in the state cache or in the hasher's cache
// may change a block.
func (s *sequencer) checkFresh(in ledger.BlockInput, rd *ledger.Ready) error {
	in.After = nil
	fresh, err := ledger.NewStep(s.machine, stepOptions(s.opts, false)).Execute(s.rd.db.State(), in)
	if err != nil {
		return err
	}
	switch {
	case rd.Block == nil && fresh.Block == nil:
		return nil
	case rd.Block == nil || fresh.Block == nil || !bytes.Equal(fresh.Block.Raw(), rd.Block.Raw()):
		height := in.Prev.Height + 1
		return ledger.Errorf(ledger.ErrInvariant, "block %d: the block step (its kept state, the state cache or the root hasher's cache) decided otherwise than a fresh step over the store (state roots %s and %s)",
			height, rd.Head.StateRoot, fresh.Head.StateRoot)
	}
	return nil
}

// receipts builds every submitted command's receipt from the block step's
// slots.
func (s *sequencer) receipts(batch []*request, rd *ledger.Ready, balances [][]Balance) {
	var height uint64
	var hash ledger.Hash
	var results []ledger.Result
	var events []ledger.Event
	if b := rd.Block; b != nil {
		height, hash, results, events = b.Height, rd.Head.Hash, b.Results, b.Events
	}
	starts := make([]int, len(results)+1)
	for i, r := range results {
		starts[i+1] = starts[i] + int(r.Events)
	}
	balanceOf := func(i int) []Balance {
		if i < len(balances) {
			return balances[i]
		}
		return nil
	}
	k := 0
	for _, r := range batch {
		for i, c := range r.cmds {
			sl := rd.Slots[k]
			k++
			var rc *Receipt
			switch {
			case sl.Exec >= 0:
				rc = &Receipt{Height: height, Index: sl.Exec, BlockHash: hash, Events: events[starts[sl.Exec]:starts[sl.Exec+1]], Balances: balanceOf(sl.Exec), Err: results[sl.Exec].Err()}
			case sl.Conflict:
				rc = &Receipt{Err: ledger.Errorf(ledger.ErrIdempotencyConflict, "key %q of %s was used before for a different command; use a new key", c.Key, c.Actor)}
			case sl.Stored != nil:
				var err error
				rc, err = s.storedReceipt(sl.Stored)
				if err != nil {
					rc = &Receipt{Err: err}
				}
			default:
				j := sl.DupOf
				rc = &Receipt{Height: height, Index: j, BlockHash: hash, Events: events[starts[j]:starts[j+1]], Err: results[j].Err(), Duplicate: true}
			}
			r.receipts[i] = rc
		}
	}
}

// storedReceipt rebuilds the receipt of a command committed earlier.
func (s *sequencer) storedReceipt(ie *store.IdemEntry) (*Receipt, error) {
	b, err := s.rd.db.Block(s.reg, ie.Height)
	if err != nil {
		return nil, err
	}
	i, err := idemCommand(b, ie)
	if err != nil {
		return nil, err
	}
	return &Receipt{Height: ie.Height, Index: i, BlockHash: b.Hash(), Events: b.CommandEvents(i), Err: b.Results[i].Err(), Duplicate: true}, nil
}

// idemCommand returns the index of the command an idempotency entry names
// in its block b, after checking that it is that command: its actor, key
// and content, applied (only applied commands are recorded). An entry
// that names another command is ErrCorrupt, never an answer.
func idemCommand(b *ledger.Block, ie *store.IdemEntry) (int, error) {
	i := int(ie.Index)
	if i >= len(b.Commands) {
		return 0, ledger.Errorf(ledger.ErrCorrupt, "the idempotency entry of %s %q points past block %d", ie.Actor, ie.Key, ie.Height)
	}
	if c := b.Commands[i]; c.Actor != ie.Actor || c.Key != ie.Key || c.ContentHash() != ie.ContentHash || b.Results[i].Code != "" {
		return 0, ledger.Errorf(ledger.ErrCorrupt, "the idempotency entry of %s %q names command %d of block %d, which is not that applied command", ie.Actor, ie.Key, i, ie.Height)
	}
	return i, nil
}

// touchedBalances reads the balances that balance events touched.
func touchedBalances(st *ledger.State, evs []ledger.Event) []Balance {
	var out []Balance
	add := func(a ledger.AccountID, asset ledger.AssetID) {
		for _, b := range out {
			if b.Account == a && b.Asset == asset {
				return
			}
		}
		amt, _ := ledger.BalanceOf(st, a, asset)
		out = append(out, Balance{Account: a, Asset: asset, Amount: amt})
	}
	for _, ev := range evs {
		switch x := ev.(type) {
		case *ledger.Transferred:
			add(x.From, x.Asset)
			add(x.To, x.Asset)
		case *ledger.Minted:
			add(x.To, x.Asset)
		case *ledger.Burned:
			add(x.From, x.Asset)
		}
	}
	return out
}
