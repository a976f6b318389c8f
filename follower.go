package coopera

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/store"
)

// A replicated node (Options.Replication set) shares its chain's block log
// with other nodes through a NATS JetStream stream (see package
// replication). One node, the leader, sequences: for each block it
// publishes to the stream, fenced by the expected last sequence, waits for
// the stream's acknowledgement (a quorum of the stream's replicas), applies
// the block to its Pebble store, and acknowledges the callers once the
// block is durable there too. The others follow: they apply each block
// from the stream after checking its hash chain and re-deriving its state
// root, and serve reads. Leadership is a lease in a JetStream key-value
// bucket; when it lapses, a follower takes it, catches up to the stream's
// last block and starts sequencing. A deposed leader's publish fails (the
// stream already holds that height), and it steps down without applying
// the block.

// ErrNotLeader is returned by Submit on a node that does not sequence.
var ErrNotLeader = replication.ErrNotLeader

// ErrOutcomeUnknown is returned by Submit when the block holding the
// command was published but not acknowledged by the stream: it may still
// commit. Retry with the same idempotency key: if it committed, the retry
// is answered with the original receipt, and it is never applied twice.
var ErrOutcomeUnknown = ledger.NewCode("outcome_unknown")

// IsLeader reports whether this node sequences blocks. An embedded
// (unreplicated) engine always does.
func (e *Engine) IsLeader() bool { return e.rep == nil || e.leader.Load() }

// Lag returns how many blocks of the stream this node has not yet made
// durable (always 0 on an embedded engine).
func (e *Engine) Lag() uint64 { return e.lag.Load() }

// replica is the replicated-node state that is not the sequencer's.
type replica struct {
	log      *replication.Log
	cancel   context.CancelFunc // stops the lease loop
	snapping atomic.Bool
	restores atomic.Int64 // snapshots a running follower restored
}

// startReplica connects to the stream, restores from a snapshot when the
// stream no longer reaches back to this node's head (or the node is new),
// checks the genesis, and starts the lease loop. The node starts as a
// follower.
func (e *Engine) startReplica(ctx context.Context) error {
	ro := *e.opts.Replication
	log, err := replication.Connect(ctx, e.chain.ChainID, ro)
	if err != nil {
		return err
	}
	e.rep = &replica{log: log}
	if err := e.maybeRestoreSnapshot(ctx); err != nil {
		return err
	}
	// The stream's genesis, if any, must be ours.
	if raw, err := log.Get(ctx, 0); err == nil {
		mine, _, err := e.db.RawBlock(0)
		if err != nil {
			return err
		}
		if string(raw) != string(mine) {
			return ledger.Errorf(ledger.ErrInvalidGenesis, "the stream %s holds another chain's genesis block", log.Options().Stream)
		}
	}
	lctx, cancel := context.WithCancel(context.Background())
	e.rep.cancel = cancel
	go e.leaseLoop(lctx)
	return nil
}

// maybeRestoreSnapshot replaces a new node's store (or one the stream no
// longer reaches back to) with the newest snapshot (Open only).
func (e *Engine) maybeRestoreSnapshot(ctx context.Context) error {
	first, err := e.rep.log.FirstHeight(ctx)
	if err != nil {
		return err
	}
	needed := first > e.head.Height+1
	if e.head.Height != 0 && !needed {
		return nil
	}
	return e.restoreSnapshot(ctx, first, needed, false)
}

// errBehindRetention: the stream no longer holds the next block this
// follower needs (its retention dropped it); the follower restores from a
// snapshot instead of calling the gap divergence.
var errBehindRetention = errors.New("coopera: the stream no longer holds the next block")

// catchUpFromSnapshot is what a running follower does when the stream has
// dropped the blocks it needs next (sequencer goroutine only): it waits
// until every block it applied is durable, then swaps its store for the
// newest snapshot, verified as at Open (checkSnapshot), and follows on from
// the snapshot's head. A snapshot that does not reach the stream's first
// block is not taken (the follower would be behind again): the caller
// retries, and the leader's next snapshot (every SnapshotEvery blocks)
// reaches it.
func (e *Engine) catchUpFromSnapshot() error {
	// The acknowledger holds the old store's pending syncs: drain them.
	r := &request{done: make(chan struct{})}
	e.acks <- &inflight{batch: []*request{r}}
	<-r.done
	if err := e.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() { // Close does not wait for the snapshot
		select {
		case <-e.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	first, err := e.rep.log.FirstHeight(ctx)
	if err != nil {
		return err
	}
	if first <= e.applied.Height+1 {
		return nil // not behind after all: follow again
	}
	return e.restoreSnapshot(ctx, first, true, true)
}

// restoreSnapshot replaces the store with the newest snapshot if it is
// past this node's head; needed says the node cannot go on without it. A
// running engine (running) keeps its readers out while the store is
// swapped, and a snapshot older than first-1, the block before the
// stream's first, is refused (it would leave the node behind again).
func (e *Engine) restoreSnapshot(ctx context.Context, first uint64, needed, running bool) error {
	tmp := e.dir + ".snapshot"
	os.RemoveAll(tmp)
	defer os.RemoveAll(tmp)
	h, ok, err := e.rep.log.GetSnapshot(ctx, tmp)
	if err != nil {
		return err
	}
	if !ok || h <= e.head.Height {
		if needed {
			return ledger.Errorf(ledger.ErrCorrupt, "the stream starts at block %d, this node is at %d, and there is no snapshot to start from", first, e.head.Height)
		}
		return nil
	}
	if running && h+1 < first {
		return fmt.Errorf("coopera: the newest snapshot, at block %d, is behind the stream's first block %d too; waiting for a newer one", h, first)
	}
	if err := e.checkSnapshot(ctx, tmp); err != nil {
		return err
	}
	if running {
		e.rmu.Lock()
		defer e.rmu.Unlock()
	}
	// Swap the store for the snapshot.
	if err := e.db.Close(); err != nil {
		return e.lostStore(running, err)
	}
	entries, _ := os.ReadDir(e.dir)
	for _, en := range entries {
		os.RemoveAll(filepath.Join(e.dir, en.Name()))
	}
	snap, _ := os.ReadDir(tmp)
	for _, en := range snap {
		if err := os.Rename(filepath.Join(tmp, en.Name()), filepath.Join(e.dir, en.Name())); err != nil {
			return e.lostStore(running, err)
		}
	}
	db, err := store.Open(e.dir, &store.Options{FS: e.opts.FS, CacheBytes: e.opts.CacheBytes, MemTableBytes: e.opts.MemTableBytes, NoAccountIndex: e.opts.NoAccountIndex})
	if err != nil {
		return e.lostStore(running, err)
	}
	e.db = db
	if !running {
		e.opts.Genesis = nil // the snapshot's genesis is checked against the stream's below
		if err := e.load(); err != nil {
			return err
		}
	} else {
		// checkSnapshot matched the snapshot's head block with the
		// stream's; the head's block must be in the store.
		head, ok, err := db.Head()
		if err == nil && !ok {
			err = ledger.Errorf(ledger.ErrCorrupt, "the snapshot holds no ledger")
		}
		if err != nil {
			return e.lostStore(running, err)
		}
		b, err := db.Block(e.reg, head.Height)
		if err != nil {
			return e.lostStore(running, err)
		}
		if b.Hash() != head.Hash || b.StateRoot != head.StateRoot {
			return e.lostStore(running, ledger.Errorf(ledger.ErrCorrupt, "the snapshot's head says block %d is %s, its log holds %s", head.Height, head.Hash.Short(), b.Hash().Short()))
		}
		e.mu.Lock()
		e.head = *head
		close(e.notify)
		e.notify = make(chan struct{})
		e.mu.Unlock()
		e.met.height.Set(float64(head.Height))
		e.rep.restores.Add(1)
	}
	e.applied = e.head
	e.cache = newStateCache(db.State(), e.opts.StateCacheBytes)
	// The root hasher caches the old state's subtrees.
	e.step = newStep(e.machine, &e.opts)
	return nil
}

// lostStore stops a running engine whose store could not be swapped for a
// snapshot (the old one is gone): readers get the fault, not a closed store.
func (e *Engine) lostStore(running bool, err error) error {
	if running {
		e.dbClosed = true
		err = fmt.Errorf("coopera: restoring a snapshot: %w", err)
		e.setFatal(err)
	}
	return err
}

// checkSnapshot accepts a snapshot only if its state hashes to its head's
// root and its head block is the stream's block at that height, signed by
// one of the sequencer keys this node already trusts (its own state's: for
// a new node, the genesis's) when the chain has any. A snapshot whose head
// block the stream no longer holds cannot be checked on a chain with
// sequencer keys and is refused.
func (e *Engine) checkSnapshot(ctx context.Context, dir string) error {
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	h, ok, err := db.Head()
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ledger.ErrCorrupt, "the snapshot holds no ledger")
	}
	acc, _, err := db.StateAccumulator()
	if err != nil {
		return err
	}
	if acc.Root() != h.StateRoot {
		return ledger.Errorf(ledger.ErrDivergence, "the snapshot's state hashes to %s, its head says %s", acc.Root().Short(), h.StateRoot.Short())
	}
	cp, err := ledger.ChainParamsAt(e.lookup(), e.head.Height+1)
	if err != nil {
		return err
	}
	ent, gerr := e.rep.log.GetEntry(ctx, h.Height)
	if gerr != nil {
		if len(cp.SequencerKeys) > 0 {
			return ledger.Errorf(ledger.ErrCorrupt, "the snapshot at block %d cannot be checked: the stream no longer holds that block (%v)", h.Height, gerr)
		}
		return nil
	}
	b, err := e.reg.DecodeBlock(ent.Raw)
	if err != nil {
		return ledger.Errorf(ledger.ErrDivergence, "the stream's block %d: %v", h.Height, err)
	}
	if b.Hash() != h.Hash {
		return ledger.Errorf(ledger.ErrDivergence, "the snapshot's head block %d is %s; the stream's is %s", h.Height, h.Hash.Short(), b.Hash().Short())
	}
	if len(cp.SequencerKeys) > 0 {
		if err := cp.VerifyBlockSignature(e.chain.ChainID, b.Hash(), ent.Signature.Signer, ent.Signature.Sig); err != nil {
			return ledger.Errorf(ledger.ErrDivergence, "the snapshot's head block: %v", err)
		}
	}
	return nil
}

// signBlock signs a block hash with the node's sequencer key, if any.
func (e *Engine) signBlock(hash ledger.Hash) replication.Signature {
	k := e.opts.SequencerKey
	if k == nil {
		return replication.Signature{}
	}
	return replication.Signature{Signer: k.Public().(ed25519.PublicKey), Sig: ed25519.Sign(k, ledger.SequencerSignBytes(e.chain.ChainID, hash))}
}

// mayLead reports why this node may not lead, or "" if it may: on a chain
// with sequencer keys (as of the next block) it needs one of them
// (sequencer goroutine only).
func (e *Engine) mayLead() string {
	cp, err := ledger.ChainParamsAt(e.cacheGetter(), e.applied.Height+1)
	if err != nil {
		return err.Error()
	}
	if len(cp.SequencerKeys) == 0 {
		return ""
	}
	if e.opts.SequencerKey == nil {
		return "the chain names sequencer keys and this node has none (Options.SequencerKey)"
	}
	if !cp.IsSequencer(e.opts.SequencerKey.Public().(ed25519.PublicKey)) {
		return "this node's sequencer key is not one of the chain's sequencer keys"
	}
	return ""
}

// control runs f on the sequencer goroutine.
func (e *Engine) control(f func()) {
	select {
	case e.ctrl <- f:
	case <-e.quit:
	}
}

// leaseLoop takes and keeps the leader lease, and measures the lag.
func (e *Engine) leaseLoop(ctx context.Context) {
	ttl := e.rep.log.Options().LeaseTTL
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		if e.leader.Load() {
			if err := e.rep.log.Renew(ctx); err != nil && ctx.Err() == nil {
				e.control(func() { e.demote("lease lost: " + err.Error()) })
			} else if skew := e.measureSkew(ctx); e.skewed(skew) {
				e.control(func() {
					e.demote(fmt.Sprintf("the clock is %s off the NATS servers' (MaxClockSkew %s)", skew, e.opts.MaxClockSkew))
				})
			}
		} else if e.Err() == nil {
			ok, err := e.rep.log.Acquire(ctx)
			if ok && err == nil {
				e.control(func() {
					if why := e.mayLead(); why != "" {
						e.rep.log.Release(context.Background())
						return
					}
					if e.skewed(e.measureSkew(ctx)) {
						e.rep.log.Release(context.Background())
						return
					}
					e.promote()
				})
			}
		}
		if last, ok, err := e.rep.log.LastHeight(ctx); err == nil && ok {
			if h := e.Head().Height; last > h {
				e.lag.Store(last - h)
			} else {
				e.lag.Store(0)
			}
			e.met.lag.Set(float64(e.lag.Load()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// measureSkew compares this node's clock with the NATS servers': the time
// the servers stored the lease (just written by this node) against the
// node's clock now. A positive skew is a clock ahead of the servers'.
func (e *Engine) measureSkew(ctx context.Context) time.Duration {
	if e.opts.MaxClockSkew < 0 {
		return 0
	}
	t, err := e.rep.log.LeaseTime(ctx)
	if err != nil {
		return 0
	}
	skew := e.opts.Clock().Sub(t)
	e.met.clockAhead.Set(skew.Seconds())
	return skew
}

// skewed reports whether a clock skew is past Options.MaxClockSkew.
func (e *Engine) skewed(skew time.Duration) bool {
	return e.opts.MaxClockSkew >= 0 && (skew > e.opts.MaxClockSkew || -skew > e.opts.MaxClockSkew)
}

// follow starts consuming the stream after the applied head (sequencer
// goroutine only).
func (e *Engine) follow() {
	e.stopFollowing()
	ctx, cancel := context.WithCancel(context.Background())
	e.followCancel = cancel
	e.followCh = e.rep.log.Follow(ctx, e.applied.Height+1)
}

func (e *Engine) stopFollowing() {
	if e.followCancel != nil {
		e.followCancel()
		e.followCancel, e.followCh = nil, nil
	}
}

// promote makes this node the leader: catch up to the stream's last block,
// publish the genesis block into an empty stream, then sequence.
func (e *Engine) promote() {
	if e.leader.Load() || e.Err() != nil {
		return
	}
	e.stopFollowing()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	last, ok, err := e.rep.log.LastHeight(ctx)
	if err == nil && !ok {
		raw, _, rerr := e.db.RawBlock(0)
		if rerr != nil {
			err = rerr
		} else {
			err = e.rep.log.Publish(ctx, 0, e.genesisHash(), raw, e.signBlock(e.genesisHash()))
			last = 0
		}
	}
	for h := e.applied.Height + 1; err == nil && h <= last; h++ {
		var ent replication.Entry
		if ent, err = e.rep.log.GetEntry(ctx, h); err == nil {
			err = e.applyReplicated(ent)
		}
	}
	if err != nil {
		e.rep.log.Release(ctx)
		if !errors.Is(err, ledger.ErrDivergence) {
			e.follow()
		}
		return
	}
	e.leader.Store(true)
	e.met.leader.Set(1)
	e.met.leadership.Inc()
}

func (e *Engine) genesisHash() ledger.Hash {
	b, err := e.db.Block(e.reg, 0)
	if err != nil {
		return ledger.Hash{}
	}
	return b.Hash()
}

// demote makes this node a follower again.
func (e *Engine) demote(reason string) {
	_ = reason
	if e.leader.Swap(false) {
		e.met.leader.Set(0)
		e.met.leadership.Inc()
		e.rep.log.Release(context.Background())
	}
	if e.Err() == nil {
		e.follow()
	}
}

// applyReplicated checks and applies one block from the stream (sequencer
// goroutine only). A block that does not extend the applied chain, does not
// decode, or whose replay gives another state root is refused with
// ErrDivergence, and the node stops applying.
func (e *Engine) applyReplicated(ent replication.Entry) error {
	if ent.Err != nil {
		return ent.Err
	}
	if ent.Height <= e.applied.Height {
		return nil // already applied (a restart of the consumer)
	}
	diverge := func(format string, args ...any) error {
		err := ledger.Errorf(ledger.ErrDivergence, "stream block %d: "+format, append([]any{ent.Height}, args...)...)
		e.met.divergence.Inc()
		e.setFatal(err)
		e.stopFollowing()
		return err
	}
	if ent.Height > e.applied.Height+1 {
		// A gap: the stream's retention may have dropped the blocks
		// between (the consumer starts at the first block it keeps).
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		first, err := e.rep.log.FirstHeight(ctx)
		cancel()
		if err != nil {
			return err // a stream error: follow again
		}
		if first > e.applied.Height+1 {
			return errBehindRetention
		}
	}
	if ent.Height != e.applied.Height+1 {
		return diverge("expected block %d next", e.applied.Height+1)
	}
	b, err := e.reg.DecodeBlock(ent.Raw)
	if err != nil {
		return diverge("%v", err)
	}
	if b.Height != ent.Height {
		return diverge("says height %d", b.Height)
	}
	cp, err := ledger.ChainParamsAt(e.cacheGetter(), b.Height)
	if err != nil {
		return err
	}
	if len(cp.SequencerKeys) > 0 {
		if err := cp.VerifyBlockSignature(e.chain.ChainID, b.Hash(), ent.Signature.Signer, ent.Signature.Sig); err != nil {
			return diverge("%v", err)
		}
	}
	// Re-execute the block's commands with the block step: a block whose
	// events, results or root are not what its commands decide (a forged
	// block, however self-consistent) is divergence.
	closes := 0
	for closes < len(b.Commands) && b.Commands[closes].Payload.Type() == "close_epoch" {
		closes++
	}
	rd, err := e.step.Execute(e.cache, ledger.BlockInput{Prev: e.applied, Time: b.Time, Commands: b.Commands[closes:], Idem: e.db.Idempotency})
	if err != nil {
		if errors.Is(err, ledger.ErrCorrupt) || errors.Is(err, ledger.ErrDivergence) || errors.Is(err, ledger.ErrInvariant) {
			return diverge("%v", err)
		}
		return err
	}
	if rd.Block == nil || rd.Head.Hash != b.Hash() {
		if rd.Block == nil {
			return diverge("its commands, executed here, make no block")
		}
		return diverge("its commands, executed here, give block %s with state root %s; the stream's block is %s with root %s", rd.Head.Hash.Short(), rd.Head.StateRoot.Short(), b.Hash().Short(), b.StateRoot.Short())
	}
	rd.Block = b // the stream's encoding, identical, is what the log keeps
	// The stream holds the block durably on a quorum already; a crash here
	// loses at most a suffix that is fetched again on restart.
	applied, err := e.db.ApplyUnsynced(store.CommitOf(rd))
	if err != nil {
		return err
	}
	e.applied = rd.Head
	e.cache.update(rd.Changes)
	e.met.blocks.Inc()
	e.met.commands.Add(float64(len(b.Commands)))
	e.acks <- &inflight{applied: applied, head: rd.Head, start: time.Now()}
	return nil
}

// maybeSnapshot stores a snapshot in the object store every SnapshotEvery
// blocks (leader only, in the background, one at a time).
func (e *Engine) maybeSnapshot(h uint64) {
	every := e.rep.log.Options().SnapshotEvery
	if every <= 0 || h%uint64(every) != 0 || !e.rep.snapping.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer e.rep.snapping.Store(false)
		if err := e.PublishSnapshot(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "coopera: snapshot at %d: %v\n", h, err)
		}
	}()
}

// PublishSnapshot stores a snapshot of this node's ledger in the stream's
// object store, for new nodes to start from.
func (e *Engine) PublishSnapshot(ctx context.Context) error {
	if e.rep == nil {
		return fmt.Errorf("coopera: PublishSnapshot needs a replicated engine")
	}
	tmp, err := os.MkdirTemp("", "coopera-snap-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "cp")
	if err := e.Snapshot(ctx, dir); err != nil {
		return err
	}
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	h, _, err := db.Head()
	db.Close()
	if err != nil {
		return err
	}
	return e.rep.log.PutSnapshot(ctx, h.Height, dir)
}
