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

	"github.com/nats-io/nats.go/jetstream"

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
func (e *Engine) IsLeader() bool { return e.fol == nil || e.fol.leader.Load() }

// Lag returns how many blocks of the stream this node has not yet made
// durable (always 0 on an embedded engine).
func (e *Engine) Lag() uint64 {
	if e.fol == nil {
		return 0
	}
	return e.fol.lag.Load()
}

// follower is a replicated node's role: it follows the stream on the
// sequencer goroutine (applying each block, or restoring a snapshot when
// the stream no longer reaches back), runs the lease loop that makes the
// node the leader or a follower again, and publishes the leader's blocks
// and snapshots. Its functions marked "sequencer goroutine only" run there
// (the run loop, or control).
type follower struct {
	log      *replication.Log
	cancel   context.CancelFunc // stops the lease loop
	snapping atomic.Bool
	restores atomic.Int64 // snapshots a running follower restored
	leader   atomic.Bool
	lag      atomic.Uint64

	// followCh and followCancel belong to the sequencer goroutine.
	followCh     <-chan replication.Entry
	followCancel context.CancelFunc

	seq     *sequencer
	rd      *reader // the store, which a snapshot restore swaps
	reg     *ledger.Registry
	met     *metrics
	opts    *Options // the engine's: a restore at Open drops its Genesis
	dir     string
	chainID string
	// reload reads the ledger in the store again after a restore at Open
	// (Engine.load: the head, the chain, the modules) and returns its head.
	reload func() (store.Head, error)
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
	e.fol = &follower{
		log: log, seq: e.seq, rd: e.rd, reg: e.reg, met: e.met, opts: &e.opts, dir: e.dir, chainID: e.chain.ChainID,
		reload: func() (store.Head, error) { return e.load(e.rd.db) },
	}
	e.seq.fol = e.fol
	return e.fol.start(ctx)
}

// start: see startReplica (Open only).
func (f *follower) start(ctx context.Context) error {
	if err := f.maybeRestoreSnapshot(ctx); err != nil {
		return err
	}
	// The stream's genesis, if any, must be ours. The stream holds block
	// 0's header (see promote; an older node published the whole block,
	// which starts with it), whose hash names the block.
	if raw, err := f.log.Get(ctx, 0); err == nil {
		mine, err := f.rd.db.BlockHeader(0)
		if err != nil {
			return err
		}
		theirs, _, derr := ledger.DecodeHeader(raw)
		if derr != nil || theirs.Height != 0 || theirs.Hash() != mine.Hash() {
			return ledger.Errorf(ledger.ErrInvalidGenesis, "the stream %s holds another chain's genesis block", f.log.Options().Stream)
		}
	}
	lctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go f.leaseLoop(lctx)
	return nil
}

// maybeRestoreSnapshot replaces a new node's store (or one the stream no
// longer reaches back to) with the newest snapshot (Open only).
func (f *follower) maybeRestoreSnapshot(ctx context.Context) error {
	first, err := f.log.FirstHeight(ctx)
	if err != nil {
		return err
	}
	needed := first > f.seq.durable().Height+1
	if f.seq.durable().Height != 0 && !needed {
		return nil
	}
	return f.restoreSnapshot(ctx, first, needed, false)
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
func (f *follower) catchUpFromSnapshot() error {
	// The acknowledger holds the old store's pending syncs: drain them.
	r := &request{done: make(chan struct{})}
	f.seq.acks <- &inflight{batch: []*request{r}}
	<-r.done
	if err := f.seq.err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() { // Close does not wait for the snapshot
		select {
		case <-f.seq.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	first, err := f.log.FirstHeight(ctx)
	if err != nil {
		return err
	}
	if first <= f.seq.applied.Height+1 {
		return nil // not behind after all: follow again
	}
	return f.restoreSnapshot(ctx, first, true, true)
}

// restoreSnapshot replaces the store with the newest snapshot if it is
// past this node's head; needed says the node cannot go on without it. A
// running engine (running) keeps its readers out while the store is
// swapped, and a snapshot older than first-1, the block before the
// stream's first, is refused (it would leave the node behind again).
func (f *follower) restoreSnapshot(ctx context.Context, first uint64, needed, running bool) error {
	tmp := f.dir + ".snapshot"
	os.RemoveAll(tmp)
	defer os.RemoveAll(tmp)
	h, ok, err := f.log.GetSnapshot(ctx, tmp)
	if err != nil {
		return err
	}
	if !ok || h <= f.seq.durable().Height {
		if needed {
			return ledger.Errorf(ledger.ErrCorrupt, "the stream starts at block %d, this node is at %d, and there is no snapshot to start from", first, f.seq.durable().Height)
		}
		return nil
	}
	if running && h+1 < first {
		return fmt.Errorf("coopera: the newest snapshot, at block %d, is behind the stream's first block %d too; waiting for a newer one", h, first)
	}
	if err := f.checkSnapshot(ctx, tmp); err != nil {
		return err
	}
	// The snapshot carries its publisher's rules height (or none): it
	// must agree with this node's, which is settled before the store is
	// swapped.
	rules, err := f.snapshotRulesFrom(tmp)
	if err != nil {
		if running && errors.Is(err, ErrRulesFrom) {
			// The node's height contradicts the chain's: a later
			// snapshot would not agree either, and the node cannot
			// follow without one. It stops, and Err says why.
			f.seq.setFatal(err)
		}
		return err
	}
	if running {
		f.rd.rmu.Lock()
		defer f.rd.rmu.Unlock()
	}
	// Swap the store for the snapshot.
	if err := f.rd.db.Close(); err != nil {
		return f.lostStore(running, err)
	}
	entries, _ := os.ReadDir(f.dir)
	for _, en := range entries {
		os.RemoveAll(filepath.Join(f.dir, en.Name()))
	}
	snap, _ := os.ReadDir(tmp)
	for _, en := range snap {
		if err := os.Rename(filepath.Join(tmp, en.Name()), filepath.Join(f.dir, en.Name())); err != nil {
			return f.lostStore(running, err)
		}
	}
	db, err := store.Open(f.dir, f.opts.storeOptions())
	if err != nil {
		return f.lostStore(running, err)
	}
	f.rd.db = db
	// The adopted store records the settled height (where the snapshot
	// had none, or another); every step made from here on decides by it
	// (seq.reset below). A crash before this write leaves the snapshot's
	// record, or none, which the next Open settles with the height the
	// node is given: a node given none then loses the height its old
	// store recorded, where the snapshot has none.
	if err := rules.apply(db, f.opts.Logger, f.dir); err != nil {
		return f.lostStore(running, err)
	}
	f.opts.RulesFrom = rules.eff // under rmu when running (Engine.RulesFrom)
	var head store.Head
	if !running {
		f.opts.Genesis = nil // the snapshot's genesis is checked against the stream's below
		h, err := f.reload()
		if err != nil {
			return err
		}
		head = h
	} else {
		// checkSnapshot matched the snapshot's head block with the
		// stream's; the head's block must be in the store.
		h, ok, err := db.Head()
		if err == nil && !ok {
			err = ledger.Errorf(ledger.ErrCorrupt, "the snapshot holds no ledger")
		}
		if err != nil {
			return f.lostStore(running, err)
		}
		b, err := db.Block(f.reg, h.Height)
		if err != nil {
			return f.lostStore(running, err)
		}
		if b.Hash() != h.Hash || b.StateRoot != h.StateRoot || b.Time != h.Time {
			return f.lostStore(running, ledger.Errorf(ledger.ErrCorrupt, "the snapshot's head says block %d is %s at %d, its log holds %s at %d", h.Height, h.Hash.Short(), h.Time, b.Hash().Short(), b.Time))
		}
		head = *h
	}
	f.seq.advance(head)
	if running {
		f.met.height.Set(float64(head.Height))
		f.restores.Add(1)
	}
	// The state cache and the root hasher's cache hold the old state.
	f.seq.reset(head)
	// The snapshot's account-event index may reach less far than its head.
	f.seq.idx.restored()
	return nil
}

// lostStore stops a running engine whose store could not be swapped for a
// snapshot (the old one is gone): readers get the fault, not a closed store.
func (f *follower) lostStore(running bool, err error) error {
	if running {
		f.rd.dbClosed = true
		err = fmt.Errorf("coopera: restoring a snapshot: %w", err)
		f.seq.setFatal(err)
	}
	return err
}

// checkSnapshot accepts a snapshot only if its state hashes to its head's
// root and its head block is the stream's block at that height, signed by
// one of the sequencer keys this node already trusts (its own state's: for
// a new node, the genesis's) when the chain has any. A snapshot whose head
// block the stream no longer holds cannot be checked on a chain with
// sequencer keys and is refused.
func (f *follower) checkSnapshot(ctx context.Context, dir string) error {
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
	var idem ledger.LtHash
	_, acc, _, err := db.HeadState(nil, &idem)
	if err != nil {
		return err
	}
	if acc.Root() != h.StateRoot {
		return ledger.Errorf(ledger.ErrDivergence, "the snapshot's state hashes to %s, its head says %s", acc.Root().Short(), h.StateRoot.Short())
	}
	if err := checkSnapshotLog(db, f.reg, h, &idem); err != nil {
		return err
	}
	cp, err := ledger.ChainParamsAt(f.rd.lookup(), f.seq.durable().Height+1)
	if err != nil {
		return err
	}
	ent, gerr := f.log.GetEntry(ctx, h.Height)
	if gerr != nil && !errors.Is(gerr, jetstream.ErrMsgNotFound) {
		// The stream holds the block but it cannot be read (its stored
		// body missing or not that block, or the servers' trouble): the
		// snapshot is not adopted unchecked.
		return gerr
	}
	if gerr != nil {
		if len(cp.SequencerKeys) > 0 {
			return ledger.Errorf(ledger.ErrCorrupt, "the snapshot at block %d cannot be checked: the stream no longer holds that block (%v)", h.Height, gerr)
		}
		return nil
	}
	// The header names the block (block 0's entry is only its header).
	b, _, err := ledger.DecodeHeader(ent.Raw)
	if err != nil {
		return ledger.Errorf(ledger.ErrDivergence, "the stream's block %d: %v", h.Height, err)
	}
	if b.Hash() != h.Hash {
		return ledger.Errorf(ledger.ErrDivergence, "the snapshot's head block %d is %s; the stream's is %s", h.Height, h.Hash.Short(), b.Hash().Short())
	}
	if len(cp.SequencerKeys) > 0 {
		if err := cp.VerifyBlockSignature(f.chainID, b.Hash(), ent.Signature.Signer, ent.Signature.Sig); err != nil {
			return ledger.Errorf(ledger.ErrDivergence, "the snapshot's head block: %v", err)
		}
	}
	return nil
}

// checkSnapshotLog checks what of a snapshot its state root does not
// cover: its blocks 1 to its head must each name the one before and end
// at the head's hash (which checkSnapshot matches with the stream's, so
// the whole log is the chain's); its idempotency entries (stored, idem)
// must be exactly those the blocks record, and its account-event index
// exactly the one they give (store.CheckAccountIndex). A snapshot stripped
// of an idempotency entry would otherwise let a keyed retry apply twice on
// the node adopting it, and one stripped of index entries would hide
// events from AccountEvents. It decodes every block once, block 0 in
// pieces: the snapshot's whole log.
func checkSnapshotLog(db *store.DB, reg *ledger.Registry, head *store.Head, stored *ledger.LtHash) error {
	var logged, index ledger.LtHash
	indexed := uint64(0)
	if db.AccountIndex() {
		indexed = db.Indexed()
		err := reg.GenesisEvents(func(fn func([]byte) error) error { return db.RawBlockPieces(0, fn) }, func(i uint64, ev ledger.Event) error {
			store.AddAccountIndex(&index, []ledger.Event{ev}, 0, int(i))
			return nil
		})
		if err != nil {
			return err
		}
	}
	var entries []ledger.IdemEntry
	var prev ledger.Hash
	for h := uint64(1); h <= head.Height; h++ {
		b, err := db.Block(reg, h)
		if err != nil {
			return err
		}
		if h > 1 && b.PrevHash != prev {
			return ledger.Errorf(ledger.ErrCorrupt, "the snapshot's block %d does not follow its block %d", h, h-1)
		}
		prev = b.Hash()
		entries = b.IdemEntries(entries[:0])
		for i := range entries {
			store.AddIdem(&logged, &entries[i])
		}
		if h <= indexed {
			store.AddAccountIndex(&index, b.Events, h, 0)
		}
	}
	if head.Height > 0 && prev != head.Hash {
		return ledger.Errorf(ledger.ErrCorrupt, "the snapshot's log ends at block %s, its head says %s", prev.Short(), head.Hash.Short())
	}
	if logged.Root() != stored.Root() {
		return ledger.Errorf(ledger.ErrCorrupt, "the snapshot's idempotency keys differ from those its blocks record (one missing, added or changed)")
	}
	if err := db.CheckAccountIndex(&index); err != nil {
		return fmt.Errorf("adopting a snapshot: %w", err)
	}
	return nil
}

// signBlock signs a block hash with the node's sequencer key, if any.
func (f *follower) signBlock(hash ledger.Hash) replication.Signature {
	k := f.opts.SequencerKey
	if k == nil {
		return replication.Signature{}
	}
	return replication.Signature{Signer: k.Public().(ed25519.PublicKey), Sig: ed25519.Sign(k, ledger.SequencerSignBytes(f.chainID, hash))}
}

// mayLead reports why this node may not lead, or "" if it may: on a chain
// with sequencer keys (as of the next block) it needs one of them
// (sequencer goroutine only).
func (f *follower) mayLead() string {
	cp, err := ledger.ChainParamsAt(f.seq.cacheGetter(), f.seq.applied.Height+1)
	if err != nil {
		return err.Error()
	}
	if len(cp.SequencerKeys) == 0 {
		return ""
	}
	if f.opts.SequencerKey == nil {
		return "the chain names sequencer keys and this node has none (Options.SequencerKey)"
	}
	if !cp.IsSequencer(f.opts.SequencerKey.Public().(ed25519.PublicKey)) {
		return "this node's sequencer key is not one of the chain's sequencer keys"
	}
	return ""
}

// leaseLoop takes and keeps the leader lease, and measures the lag.
func (f *follower) leaseLoop(ctx context.Context) {
	ttl := f.log.Options().LeaseTTL
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		if f.leader.Load() {
			if err := f.seq.err(); err != nil {
				// The sequencer stopped on a fault: give the lease up at
				// once, so that another node leads.
				f.demote("the sequencer stopped: " + err.Error())
			} else if err := f.log.Renew(ctx); err != nil && ctx.Err() == nil {
				f.seq.control(func() { f.demote("lease lost: " + err.Error()) })
			} else if skew := f.measureSkew(ctx); f.skewed(skew) {
				f.seq.control(func() {
					f.demote(fmt.Sprintf("the clock is %s off the NATS servers' (MaxClockSkew %s)", skew, f.opts.MaxClockSkew))
				})
			}
		} else if f.seq.err() == nil {
			ok, err := f.log.Acquire(ctx)
			if ok && err == nil {
				f.seq.control(func() {
					if why := f.mayLead(); why != "" {
						f.log.Release(context.Background())
						return
					}
					if f.skewed(f.measureSkew(ctx)) {
						f.log.Release(context.Background())
						return
					}
					f.promote()
				})
			}
		}
		if last, ok, err := f.log.LastHeight(ctx); err == nil && ok {
			if h := f.seq.durable().Height; last > h {
				f.lag.Store(last - h)
			} else {
				f.lag.Store(0)
			}
			f.met.lag.Set(float64(f.lag.Load()))
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
func (f *follower) measureSkew(ctx context.Context) time.Duration {
	if f.opts.MaxClockSkew < 0 {
		return 0
	}
	t, err := f.log.LeaseTime(ctx)
	if err != nil {
		return 0
	}
	skew := f.opts.Clock().Sub(t)
	f.met.clockAhead.Set(skew.Seconds())
	return skew
}

// skewed reports whether a clock skew is past Options.MaxClockSkew.
func (f *follower) skewed(skew time.Duration) bool {
	return f.opts.MaxClockSkew >= 0 && (skew > f.opts.MaxClockSkew || -skew > f.opts.MaxClockSkew)
}

// follow starts consuming the stream after the applied head (sequencer
// goroutine only).
func (f *follower) follow() {
	f.stopFollowing()
	ctx, cancel := context.WithCancel(context.Background())
	f.followCancel = cancel
	f.followCh = f.log.Follow(ctx, f.seq.applied.Height+1)
}

func (f *follower) stopFollowing() {
	if f.followCancel != nil {
		f.followCancel()
		f.followCancel, f.followCh = nil, nil
	}
}

// receive handles what the run loop took from the stream (sequencer
// goroutine only): ok false says the consumer stopped, and the node
// follows again shortly unless it leads or has stopped.
func (f *follower) receive(ent replication.Entry, ok bool) {
	if !ok {
		f.followCh = nil
		if f.seq.err() == nil && !f.leader.Load() {
			time.AfterFunc(100*time.Millisecond, func() {
				f.seq.control(func() {
					if !f.leader.Load() && f.followCh == nil && f.seq.err() == nil {
						f.follow()
					}
				})
			})
		}
		return
	}
	err := f.applyReplicated(ent)
	retry := 100 * time.Millisecond
	if errors.Is(err, errBehindRetention) {
		// The stream dropped the blocks this follower needs:
		// restore from the newest snapshot, then follow on.
		f.stopFollowing()
		if err = f.catchUpFromSnapshot(); err == nil {
			f.follow()
			return
		}
		if isDivergence(err) || f.seq.err() != nil {
			f.seq.setFatal(err)
			return
		}
		// No snapshot reaches the stream yet: retry later.
		retry = time.Second
	}
	if err != nil && !isDivergence(err) {
		// A stream error: follow again from the applied head.
		f.stopFollowing()
		time.AfterFunc(retry, func() {
			f.seq.control(func() {
				if !f.leader.Load() && f.followCh == nil && f.seq.err() == nil {
					f.follow()
				}
			})
		})
	}
}

// publish puts a block this node built into the stream, signed (leader,
// sequencer goroutine only).
func (f *follower) publish(height uint64, hash ledger.Hash, raw []byte) error {
	return f.log.Publish(context.Background(), height, hash, raw, f.signBlock(hash))
}

// notLeader is the error for a submission to a node that does not lead.
func (f *follower) notLeader() error {
	leader := f.log.Leader(context.Background())
	if leader == "" {
		return ledger.Errorf(ErrNotLeader, "no node leads right now; retry shortly")
	}
	return ledger.Errorf(ErrNotLeader, "node %s leads; submit there", leader)
}

// promote makes this node the leader: catch up to the stream's last block,
// publish the genesis block into an empty stream, then sequence.
func (f *follower) promote() {
	if f.leader.Load() || f.seq.err() != nil {
		return
	}
	f.stopFollowing()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	last, ok, err := f.log.LastHeight(ctx)
	if err == nil && !ok {
		// Block 0's header alone: every node builds block 0 from the
		// same genesis, and the header names it (its body hash), while
		// the block of a large genesis is far over a message's limit.
		raw, hdr, rerr := f.rd.db.RawBlockHeader(0)
		if rerr != nil {
			err = rerr
		} else {
			err = f.log.Publish(ctx, 0, hdr.Hash(), raw, f.signBlock(hdr.Hash()))
			last = 0
		}
	}
	for h := f.seq.applied.Height + 1; err == nil && h <= last; h++ {
		var ent replication.Entry
		if ent, err = f.log.GetEntry(ctx, h); err == nil {
			err = f.applyReplicated(ent)
		}
	}
	if err != nil {
		f.log.Release(ctx)
		if !errors.Is(err, ledger.ErrDivergence) {
			f.follow()
		}
		return
	}
	f.leader.Store(true)
	f.met.leader.Set(1)
	f.met.leadership.Inc()
}

// demote makes this node a follower again.
func (f *follower) demote(reason string) {
	_ = reason
	if f.leader.Swap(false) {
		f.met.leader.Set(0)
		f.met.leadership.Inc()
		f.log.Release(context.Background())
	}
	if f.seq.err() == nil {
		f.follow()
	}
}

// applyReplicated checks and applies one block from the stream (sequencer
// goroutine only). A block that does not extend the applied chain, does not
// decode, or whose replay gives another state root is refused with
// ErrDivergence, and the node stops applying.
func (f *follower) applyReplicated(ent replication.Entry) error {
	if ent.Err != nil && !errors.Is(ent.Err, ledger.ErrCorrupt) {
		return ent.Err // the stream's or the servers' trouble: follow again
	}
	if ent.Height <= f.seq.applied.Height {
		return nil // already applied (a restart of the consumer)
	}
	diverge := func(format string, args ...any) error {
		err := ledger.Errorf(ledger.ErrDivergence, "stream block %d: "+format, append([]any{ent.Height}, args...)...)
		f.met.divergence.Inc()
		f.seq.setFatal(err)
		f.stopFollowing()
		return err
	}
	if ent.Err != nil {
		// A message naming a stored body that is not its block.
		return diverge("%v", ent.Err)
	}
	if ent.Height > f.seq.applied.Height+1 {
		// A gap: the stream's retention may have dropped the blocks
		// between (the consumer starts at the first block it keeps).
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		first, err := f.log.FirstHeight(ctx)
		cancel()
		if err != nil {
			return err // a stream error: follow again
		}
		if first > f.seq.applied.Height+1 {
			return errBehindRetention
		}
	}
	if ent.Height != f.seq.applied.Height+1 {
		return diverge("expected block %d next", f.seq.applied.Height+1)
	}
	b, err := f.reg.DecodeBlock(ent.Raw)
	if err != nil {
		return diverge("%v", err)
	}
	if b.Height != ent.Height {
		return diverge("says height %d", b.Height)
	}
	cp, err := ledger.ChainParamsAt(f.seq.cacheGetter(), b.Height)
	if err != nil {
		return err
	}
	if len(cp.SequencerKeys) > 0 {
		if err := cp.VerifyBlockSignature(f.chainID, b.Hash(), ent.Signature.Signer, ent.Signature.Sig); err != nil {
			return diverge("%v", err)
		}
	}
	// Re-execute the block's commands with the block step: a block whose
	// events, results or root are not what its commands decide (a forged
	// block, however self-consistent) is divergence.
	// The block starts with the epoch closes due at its time, which the
	// step injects again; a close_epoch after them (however it got into
	// the block) is one of the block's commands like any other.
	chain, err := ledger.GetChain(f.seq.cacheGetter())
	if err != nil {
		return err
	}
	due := ledger.EpochCloses(chain, b.Time, maxEpochClosesPerBlock)
	if len(b.Commands) < len(due) {
		return diverge("has %d commands; %d epoch closes are due at its time", len(b.Commands), len(due))
	}
	for i, c := range due {
		if got := b.Commands[i]; got.Actor != c.Actor || got.ContentHash() != c.ContentHash() {
			return diverge("command %d is not the epoch close due (%d)", i, c.Payload.(*ledger.CloseEpoch).Epoch)
		}
	}
	rd, err := f.seq.step.Execute(f.seq.cache, ledger.BlockInput{Prev: f.seq.applied, Time: b.Time, Commands: b.Commands[len(due):], Idem: f.rd.db.Idempotency})
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
	applied, err := f.rd.db.ApplyUnsynced(store.CommitOf(rd))
	if err != nil {
		return err
	}
	f.seq.noteApplied(rd)
	f.met.blocks.Inc()
	f.met.commands.Add(float64(len(b.Commands)))
	f.seq.acks <- &inflight{applied: applied, head: rd.Head, block: b, start: time.Now()}
	return nil
}

// maybeSnapshot stores a snapshot in the object store every SnapshotEvery
// blocks (leader only, in the background, one at a time).
func (f *follower) maybeSnapshot(h uint64) {
	every := f.log.Options().SnapshotEvery
	if every <= 0 || h%uint64(every) != 0 || !f.snapping.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer f.snapping.Store(false)
		if err := f.publishSnapshot(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "coopera: snapshot at %d: %v\n", h, err)
		}
	}()
}

// PublishSnapshot stores a snapshot of this node's ledger in the stream's
// object store, for new nodes to start from.
func (e *Engine) PublishSnapshot(ctx context.Context) error {
	if e.fol == nil {
		return fmt.Errorf("coopera: PublishSnapshot needs a replicated engine")
	}
	return e.fol.publishSnapshot(ctx)
}

// publishSnapshot: see PublishSnapshot.
func (f *follower) publishSnapshot(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "coopera-snap-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "cp")
	if err := f.rd.snapshot(ctx, dir); err != nil {
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
	return f.log.PutSnapshot(ctx, h.Height, dir)
}
