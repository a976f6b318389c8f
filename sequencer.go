package coopera

import (
	"context"
	"errors"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/store"
)

// maxEpochClosesPerBlock bounds the CloseEpoch commands injected into one
// block when block time has jumped over several epochs; the rest follow in
// the next blocks.
const maxEpochClosesPerBlock = 64

// run is the sequencer: it gathers waiting requests into a block,
// executes it, applies it to the store and hands it to the acknowledger,
// then goes on with the next block while the previous one's fsync runs.
// It owns e.applied and the state cache.
func (e *Engine) run() {
	ackDone := make(chan struct{})
	go e.acknowledger(e.acks, ackDone)
	defer func() {
		e.stopFollowing()
		close(e.acks)
		<-ackDone
		close(e.done)
	}()
	if e.rep != nil {
		e.follow()
	}
	for {
		var batch []*request // handed to the acknowledger: a new slice each time
		select {
		case r := <-e.reqs:
			if !e.IsLeader() {
				e.reject([]*request{r}, e.notLeader())
				continue
			}
			batch = append(batch, r)
		case ent, ok := <-e.followCh:
			if !ok {
				e.followCh = nil
				if e.Err() == nil && !e.leader.Load() {
					time.AfterFunc(100*time.Millisecond, func() {
						e.control(func() {
							if !e.leader.Load() && e.followCh == nil && e.Err() == nil {
								e.follow()
							}
						})
					})
				}
				continue
			}
			err := e.applyReplicated(ent)
			retry := 100 * time.Millisecond
			if errors.Is(err, errBehindRetention) {
				// The stream dropped the blocks this follower needs:
				// restore from the newest snapshot, then follow on.
				e.stopFollowing()
				if err = e.catchUpFromSnapshot(); err == nil {
					e.follow()
					continue
				}
				if isDivergence(err) || e.Err() != nil {
					e.setFatal(err)
					continue
				}
				// No snapshot reaches the stream yet: retry later.
				retry = time.Second
			}
			if err != nil && !isDivergence(err) {
				// A stream error: follow again from the applied head.
				e.stopFollowing()
				time.AfterFunc(retry, func() {
					e.control(func() {
						if !e.leader.Load() && e.followCh == nil && e.Err() == nil {
							e.follow()
						}
					})
				})
			}
			continue
		case f := <-e.ctrl:
			f()
			continue
		case <-e.quit:
			e.failPending(errClosed)
			return
		}
		n := len(batch[0].cmds)
	gather:
		for n < e.opts.MaxBlockCommands {
			select {
			case r := <-e.reqs:
				batch = append(batch, r)
				n += len(r.cmds)
			default:
				break gather
			}
		}
		if err := e.Err(); err != nil {
			e.fail(batch, err)
			return
		}
		f, err := e.buildBlock(batch)
		var pe *publishError
		if errors.As(err, &pe) {
			// The block was not applied here. Step down. Fenced: another
			// node's block holds the height, so this one will never
			// commit, and the callers may resubmit to the leader. Any
			// other failure (no acknowledgement in time) leaves the
			// outcome unknown: the stream may hold the block, which every
			// node then applies, so a resubmission must carry the same
			// idempotency key to be answered by the original.
			e.demote(pe.Error())
			if errors.Is(pe.err, replication.ErrFenced) {
				e.reject(batch, ledger.Errorf(ErrNotLeader, "this node stopped leading before the block was accepted (%v); resubmit to the leader", pe.err))
			} else {
				e.reject(batch, ledger.Errorf(ErrOutcomeUnknown, "the stream did not acknowledge the block (%v); it may still commit: retry with the same idempotency key, which answers with the original if it did", pe.err))
			}
			continue
		}
		if err != nil {
			e.setFatal(err)
			e.fail(batch, err)
			return
		}
		e.acks <- f
	}
}

func isDivergence(err error) bool { return errors.Is(err, ledger.ErrDivergence) }

// publishError wraps a failure to publish a block to the stream.
type publishError struct{ err error }

func (p *publishError) Error() string { return "publish: " + p.err.Error() }
func (p *publishError) Unwrap() error { return p.err }

func (e *Engine) notLeader() error {
	leader := e.rep.log.Leader(context.Background())
	if leader == "" {
		return ledger.Errorf(ErrNotLeader, "no node leads right now; retry shortly")
	}
	return ledger.Errorf(ErrNotLeader, "node %s leads; submit there", leader)
}

// reject fails a batch without stopping the engine.
func (e *Engine) reject(batch []*request, err error) {
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
	batch   []*request
	start   time.Time
}

// acknowledger waits for each block's fsync, in order, then publishes the
// new durable head and releases the block's callers.
func (e *Engine) acknowledger(acks <-chan *inflight, done chan<- struct{}) {
	defer close(done)
	for f := range acks {
		if e.Err() == nil && f.applied != nil {
			t0 := time.Now()
			if err := f.applied.Wait(); err != nil {
				e.setFatal(err)
			} else {
				e.met.fsyncLatency.Observe(time.Since(t0).Seconds())
				e.mu.Lock()
				e.head = f.head
				close(e.notify)
				e.notify = make(chan struct{})
				e.mu.Unlock()
				e.met.height.Set(float64(f.head.Height))
				if f.batch != nil {
					e.met.commitLatency.Observe(time.Since(f.start).Seconds())
				}
			}
		} else if f.applied != nil {
			f.applied.Wait()
		}
		if err := e.Err(); err != nil {
			e.fail(f.batch, err)
			continue
		}
		for _, r := range f.batch {
			close(r.done)
		}
	}
}

func (e *Engine) setFatal(err error) {
	e.mu.Lock()
	if e.fatal == nil {
		e.fatal = err
	}
	e.mu.Unlock()
	e.closed.Store(true)
}

func (e *Engine) fail(batch []*request, err error) {
	for _, r := range batch {
		r.err = err
		r.receipts = nil
		close(r.done)
	}
	e.failPending(err)
}

func (e *Engine) failPending(err error) {
	for {
		select {
		case r := <-e.reqs:
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
func (e *Engine) buildBlock(batch []*request) (*inflight, error) {
	start := time.Now()
	head := e.applied
	var cmds []*ledger.Command
	for _, r := range batch {
		r.receipts = make([]*Receipt, len(r.cmds))
		cmds = append(cmds, r.cmds...)
	}
	var balances [][]Balance
	rd, err := e.step.Execute(e.cache, ledger.BlockInput{
		Prev: head, Time: e.opts.Clock().UnixNano(), Commands: cmds,
		Idem: e.db.Idempotency,
		After: func(st *ledger.State, i int, r ledger.Result, evs []ledger.Event) {
			// Receipts report the balances a command's events touched;
			// injected epoch closes have no receipt.
			if r.Code == "" && len(evs) > 0 && evs[len(evs)-1].EventType() != "epoch_closed" {
				balances = append(balances, make([][]Balance, i+1-len(balances))...)
				balances[i] = touchedBalances(st, evs)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if rd.Block == nil {
		// Only duplicates and conflicts: answer them without a block.
		e.receipts(batch, rd, balances)
		return &inflight{batch: batch}, nil
	}
	b := rd.Block
	if e.rep == nil {
		e.met.clockAhead.Set(time.Duration(rd.ClockAhead).Seconds())
	}
	if e.rep != nil {
		t0 := time.Now()
		if err := e.rep.log.Publish(context.Background(), b.Height, rd.Head.Hash, b.Raw(), e.signBlock(rd.Head.Hash)); err != nil {
			return nil, &publishError{err}
		}
		e.met.publish.Observe(time.Since(t0).Seconds())
	}
	applied, err := e.db.Apply(store.CommitOf(rd))
	if err != nil {
		return nil, err
	}
	e.applied = rd.Head
	e.cache.update(rd.Changes)
	e.met.blocks.Inc()
	e.met.commands.Add(float64(len(b.Commands)))
	if e.rep != nil {
		e.maybeSnapshot(b.Height)
	}
	e.receipts(batch, rd, balances)
	return &inflight{applied: applied, head: rd.Head, batch: batch, start: start}, nil
}

// receipts builds every submitted command's receipt from the block step's
// slots.
func (e *Engine) receipts(batch []*request, rd *ledger.Ready, balances [][]Balance) {
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
			s := rd.Slots[k]
			k++
			var rc *Receipt
			switch {
			case s.Exec >= 0:
				rc = &Receipt{Height: height, Index: s.Exec, BlockHash: hash, Events: events[starts[s.Exec]:starts[s.Exec+1]], Balances: balanceOf(s.Exec), Err: results[s.Exec].Err()}
			case s.Conflict:
				rc = &Receipt{Err: ledger.Errorf(ledger.ErrIdempotencyConflict, "key %q of %s was used before for a different command; use a new key", c.Key, c.Actor)}
			case s.Stored != nil:
				var err error
				rc, err = e.storedReceipt(s.Stored)
				if err != nil {
					rc = &Receipt{Err: err}
				}
			default:
				j := s.DupOf
				rc = &Receipt{Height: height, Index: j, BlockHash: hash, Events: events[starts[j]:starts[j+1]], Err: results[j].Err(), Duplicate: true}
			}
			r.receipts[i] = rc
		}
	}
}

// storedReceipt rebuilds the receipt of a command committed earlier.
func (e *Engine) storedReceipt(ie *store.IdemEntry) (*Receipt, error) {
	b, err := e.db.Block(e.reg, ie.Height)
	if err != nil {
		return nil, err
	}
	if int(ie.Index) >= len(b.Commands) {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "idempotency entry points past block %d", ie.Height)
	}
	i := int(ie.Index)
	return &Receipt{Height: ie.Height, Index: i, BlockHash: b.Hash(), Events: b.CommandEvents(i), Err: b.Results[i].Err(), Duplicate: true}, nil
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
