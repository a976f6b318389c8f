package coopera

import (
	"context"
	"errors"
	"time"

	"github.com/coopera/coopera/ledger"
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
			if err := e.applyReplicated(ent); err != nil && !isDivergence(err) {
				// A stream error: follow again from the applied head.
				e.stopFollowing()
				time.AfterFunc(100*time.Millisecond, func() {
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
			// Fenced, or the stream did not answer: the block was not
			// applied here. Step down; the callers may resubmit (with
			// their idempotency keys) to the leader.
			e.demote(pe.Error())
			e.reject(batch, ledger.Errorf(ErrNotLeader, "this node stopped leading before the block was accepted (%v); resubmit to the leader", pe.err))
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

// slot is one command's place in a block being built.
type slot struct {
	req  *request
	i    int // index in req.cmds
	cmd  *ledger.Command
	exec int // index among executed commands, or -1
	dup  *dupInfo
}

type dupInfo struct {
	of       int              // index of the executed original in this block, or -1
	stored   *store.IdemEntry // original in an earlier block
	conflict bool
}

func (e *Engine) buildBlock(batch []*request) (*inflight, error) {
	start := time.Now()
	head := e.applied
	t := e.opts.Clock().UnixNano()
	if t < head.Time {
		t = head.Time
	}
	height := head.Height + 1

	// End-of-epoch commands come first, when block time has crossed the
	// open epoch's end.
	var exec []*ledger.Command
	chain, err := ledger.GetChain(e.cacheGetter())
	if err != nil {
		return nil, err
	}
	exec = ledger.EpochCloses(chain, t, maxEpochClosesPerBlock)
	system := len(exec)

	// Idempotency: a key seen before (in this block or the log) with the
	// same content is answered with the original; with other content it
	// is a conflict and is not executed.
	var slots []slot
	var pending map[string]int
	for _, r := range batch {
		r.receipts = make([]*Receipt, len(r.cmds))
		for i, c := range r.cmds {
			s := slot{req: r, i: i, cmd: c, exec: -1}
			if c.Key != "" {
				if pending == nil {
					pending = map[string]int{}
				}
				k := string(c.Actor) + "\x00" + c.Key
				if j, ok := pending[k]; ok {
					s.dup = &dupInfo{of: j, conflict: exec[j].ContentHash() != c.ContentHash()}
				} else if ie, ok, err := e.db.Idempotency(c.Actor, c.Key); err != nil {
					return nil, err
				} else if ok {
					s.dup = &dupInfo{of: -1, stored: &ie, conflict: ie.ContentHash != c.ContentHash()}
				} else {
					pending[k] = len(exec)
				}
			}
			if s.dup == nil {
				s.exec = len(exec)
				exec = append(exec, c)
			}
			slots = append(slots, s)
		}
	}

	if len(exec) == 0 {
		// Only duplicates and conflicts: answer them without a block.
		if err := e.receipts(slots, 0, ledger.Hash{}, nil, nil, nil); err != nil {
			return nil, err
		}
		return &inflight{batch: batch}, nil
	}

	st := ledger.NewState(e.cache)
	balances := make([][]Balance, len(exec))
	results, events, err := e.machine.Execute(st, ledger.BlockContext{Height: height, Time: t}, exec,
		func(i int, r ledger.Result, evs []ledger.Event) {
			if r.Code == "" && i >= system {
				balances[i] = touchedBalances(st, evs)
			}
		})
	if err != nil {
		return nil, err
	}
	changes := st.Changes()
	if e.opts.CheckInvariants {
		if err := ledger.CheckChanges(changes); err != nil {
			return nil, err
		}
	}
	acc := head.Acc
	e.roots.apply(&acc, changes)
	b := &ledger.Block{
		Header:   ledger.Header{Height: height, Time: t, PrevHash: head.Hash, StateRoot: acc.Root()},
		Commands: exec, Results: results, Events: events,
	}
	b.Seal()
	hash := b.Hash()

	var idem []store.IdemEntry
	for i, c := range exec {
		if c.Key != "" && results[i].Code == "" {
			idem = append(idem, store.IdemEntry{Actor: c.Actor, Key: c.Key, Height: height, Index: uint32(i), ContentHash: c.ContentHash()})
		}
	}
	newHead := store.Head{Height: height, Hash: hash, StateRoot: b.StateRoot, Time: t, Acc: acc}
	if e.rep != nil {
		t0 := time.Now()
		if err := e.rep.log.Publish(context.Background(), height, hash, b.Raw()); err != nil {
			return nil, &publishError{err}
		}
		e.met.publish.Observe(time.Since(t0).Seconds())
	}
	applied, err := e.db.Apply(&store.Commit{Block: b, Changes: changes, Head: &newHead, Idem: idem})
	if err != nil {
		return nil, err
	}
	e.applied = newHead
	e.cache.update(changes)
	e.met.blocks.Inc()
	e.met.commands.Add(float64(len(exec)))
	if e.rep != nil {
		e.maybeSnapshot(height)
	}
	if err := e.receipts(slots, height, hash, results, events, balances); err != nil {
		return nil, err
	}
	return &inflight{applied: applied, head: newHead, batch: batch, start: start}, nil
}

// receipts builds every slot's receipt.
func (e *Engine) receipts(slots []slot, height uint64, hash ledger.Hash, results []ledger.Result, events []ledger.Event, balances [][]Balance) error {
	var err error
	exec := results
	starts := make([]int, len(exec)+1)
	for i, r := range results {
		starts[i+1] = starts[i] + int(r.Events)
	}
	for _, s := range slots {
		var rc *Receipt
		switch {
		case s.dup == nil:
			rc = &Receipt{Height: height, Index: s.exec, BlockHash: hash, Events: events[starts[s.exec]:starts[s.exec+1]], Balances: balances[s.exec], Err: results[s.exec].Err()}
		case s.dup.conflict:
			rc = &Receipt{Err: ledger.Errorf(ledger.ErrIdempotencyConflict, "key %q of %s was used before for a different command; use a new key", s.cmd.Key, s.cmd.Actor)}
		case s.dup.stored != nil:
			rc, err = e.storedReceipt(s.dup.stored)
			if err != nil {
				rc = &Receipt{Err: err}
			}
		default:
			j := s.dup.of
			rc = &Receipt{Height: height, Index: j, BlockHash: hash, Events: events[starts[j]:starts[j+1]], Err: results[j].Err(), Duplicate: true}
		}
		s.req.receipts[s.i] = rc
	}
	return nil
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
