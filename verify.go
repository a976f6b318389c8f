package coopera

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/roothash"
	"github.com/coopera/coopera/ledger/store"
)

// VerifyReport summarises a verification or a replay.
type VerifyReport struct {
	Blocks    uint64      `json:"blocks"`
	Commands  uint64      `json:"commands"`
	Rejected  uint64      `json:"rejected"`
	Events    uint64      `json:"events"`
	StateKeys int         `json:"state_keys"`
	Head      ledger.Hash `json:"head"`
	StateRoot ledger.Hash `json:"state_root"`

	idem ledger.LtHash // the idempotency entries the replayed blocks record
}

// Verify proves that the ledger's state is exactly what its log says. It
// replays every block from genesis into a scratch store and checks the hash
// chain, each block's body hash, every state root, and finally that the
// stored state hashes to the head's root and satisfies the invariants. The
// first failure is returned as ErrCorrupt or ErrDivergence with its height.
// It verifies up to the head at the time of the call (the last block
// written then, which may not yet be durable), and may run while blocks
// are written: the head and the state it checks come from one snapshot.
func (e *Engine) Verify(ctx context.Context) (*VerifyReport, error) {
	if err := e.rd.acquire(); err != nil {
		return nil, err
	}
	defer e.rd.release()
	db := e.rd.db
	// The head and the state's accumulator of one moment: later blocks
	// may be written meanwhile (the live state is past the durable head).
	// The same moment's state is checked for the invariants, reported
	// after the replay and the root (a state edited behind the log's back
	// is divergence first).
	var invariants error
	var idem ledger.LtHash
	headRec, acc, n, err := db.HeadState(func(r ledger.Reader) error {
		invariants = ledger.CheckState(r)
		return nil
	}, &idem)
	if err != nil {
		return nil, err
	}
	head := *headRec
	scratch, cleanup, err := e.scratchStore()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rep, err := replayLog(ctx, db, e.machine, head.Height, scratch, true, verifyMemKeys, e.opts.Logger)
	if err != nil {
		return rep, err
	}
	if rep.Head != head.Hash {
		return rep, ledger.Errorf(ledger.ErrCorrupt, "replayed log ends at block %s, the head is %s", rep.Head.Short(), head.Hash.Short())
	}
	rep.StateKeys = n
	if acc.Root() != head.StateRoot {
		return rep, ledger.Errorf(ledger.ErrDivergence, "the stored state hashes to %s, but the log's state root at height %d is %s", acc.Root().Short(), head.Height, head.StateRoot.Short())
	}
	if invariants != nil {
		return rep, invariants
	}
	// The idempotency keys, outside the state root: one missing would let
	// a keyed retry apply again, one changed answer with another receipt.
	if idem.Root() != rep.idem.Root() {
		return rep, ledger.Errorf(ledger.ErrCorrupt, "the stored idempotency keys differ from those the log records (one missing, added or changed)")
	}
	// The stored genesis document, read in pieces against its digest
	// (Replay and snapshots copy it; block 0 alone was checked above).
	return rep, db.GenesisPieces(func([]byte) error { return nil })
}

// scratchOptions keeps a verify's scratch store small beside the running
// ledger's own: it is written once, in order, and read back only by the
// replay (through its state cache).
var scratchOptions = store.Options{NoSync: true, CacheBytes: 16 << 20, MemTableBytes: 8 << 20, NoAccountIndex: true}

func (e *Engine) scratchStore() (*store.DB, func(), error) {
	if e.opts.FS != nil && e.opts.FS != vfs.Default {
		o := scratchOptions
		o.FS = vfs.NewMem()
		db, err := store.Open("scratch", &o)
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close() }, nil
	}
	dir, err := os.MkdirTemp("", "coopera-verify-*")
	if err != nil {
		return nil, nil, fmt.Errorf("coopera: scratch directory for verify: %w", err)
	}
	o := scratchOptions
	db, err := store.Open(dir, &o)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}

// verifyMemKeys bounds the state a verify rebuilds in memory: a ledger
// whose state stays within this many keys (about 100 MB of memory at most)
// is replayed into a ledger.MemStore, and a larger one into the Pebble
// scratch store, which the replay moves to when the state outgrows memory,
// in the genesis or later. Memory is 1.5x to 2x faster (BENCHMARKS.md); the
// scratch store keeps a verify of any ledger in bounded memory.
var verifyMemKeys = 1 << 18

// errOutgrewMemory stops a genesis replayed in memory that has more state
// than verifyMemKeys.
var errOutgrewMemory = errors.New("coopera: the state outgrew the verify's memory")

// replayLog applies blocks 0..upto of src to dst, checking the hash chain
// and every state root. With stateOnly, dst receives only state (a scratch
// store), and while the state has at most memKeys keys it is rebuilt in
// memory instead, dst taking over when it grows past that; otherwise dst
// receives the full ledger (blocks, indexes, head). log hears of a move
// from memory to dst.
func replayLog(ctx context.Context, src *store.DB, m *ledger.Machine, upto uint64, dst *store.DB, stateOnly bool, memKeys int, log *slog.Logger) (*VerifyReport, error) {
	rep := &VerifyReport{}
	reg := m.Registry()
	type item struct {
		b   *ledger.Block
		err error
	}
	// Read and decode ahead on another goroutine: decoding and applying
	// overlap on two cores.
	ch := make(chan item, 8)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		for h := uint64(1); h <= upto; h++ { // block 0: replayGenesis
			b, err := src.Block(reg, h)
			select {
			case ch <- item{b, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var hasher *roothash.Hasher
	newStep := func() *ledger.Step {
		hasher = roothash.New(runtime.GOMAXPROCS(0), 1<<12)
		return ledger.NewStep(m, ledger.StepOptions{Roots: hasher})
	}
	step := newStep()
	var mem *ledger.MemStore
	var gb *ledger.GenesisBlock
	var err error
	if stateOnly && memKeys > 0 {
		mem = ledger.NewMemStore()
		gb, err = step.ApplyGenesisChunked(mem, func(fn func([]byte) error) error { return src.RawBlockPieces(0, fn) }, 0, memSink{mem, memKeys})
		if errors.Is(err, errOutgrewMemory) {
			log.Info("verify: the genesis has more state than a verify keeps in memory; replaying it into the scratch store", "max_keys", memKeys)
			mem, step = nil, newStep()
			gb, err = replayGenesis(src, step, dst, stateOnly)
		}
	} else {
		gb, err = replayGenesis(src, step, dst, stateOnly)
	}
	if err != nil {
		return rep, err
	}
	prev := gb.Head
	rep.Blocks, rep.Events = 1, uint64(gb.Events)
	rep.Head, rep.StateRoot = prev.Hash, prev.StateRoot
	var cache *stateCache
	if mem == nil {
		cache = newStateCache(dst.State(), 16<<20)
	}
	// A verify checks the roots on a goroutine of their own, a block or
	// a few behind (the next block needs the state, not the root); a
	// replay into a new ledger needs each head's accumulator, so it keeps
	// them on its path.
	var roots *rootChecker
	if stateOnly {
		roots = startRootChecker(hasher, prev.Acc)
		defer roots.stop()
	}
	for h := uint64(1); h <= upto; h++ {
		if err := ctx.Err(); err != nil {
			return rep, roots.first(err)
		}
		it, ok := <-ch
		if !ok {
			return rep, roots.first(ledger.Errorf(ledger.ErrCorrupt, "log ends before block %d", h))
		}
		if it.err != nil {
			return rep, roots.first(it.err)
		}
		b := it.b
		var r ledger.Reader = cache
		if mem != nil {
			r = mem
		}
		var rd *ledger.Ready
		if roots != nil {
			rd, err = step.ApplyUnrooted(r, prev, b)
			if err == nil {
				err = roots.check(b.Height, rd.Changes, b.StateRoot)
			}
		} else {
			rd, err = step.Apply(r, prev, b)
		}
		if err != nil {
			return rep, roots.first(err)
		}
		prev = rd.Head
		for i := range rd.Idem {
			store.AddIdem(&rep.idem, &rd.Idem[i])
		}
		switch {
		case mem != nil:
			mem.Apply(rd.Changes)
			if mem.Len() > memKeys {
				log.Info("verify: the state outgrew the verify's memory; moving it to the scratch store", "height", h, "keys", mem.Len())
				if err := spillState(mem, dst); err != nil {
					return rep, err
				}
				mem, cache = nil, newStateCache(dst.State(), 16<<20)
			}
		default:
			c := store.CommitOf(rd)
			c.StateOnly = stateOnly
			if stateOnly {
				c.Idem = nil
			}
			if err := dst.Write(c); err != nil {
				return rep, err
			}
			cache.update(rd.Changes)
		}
		rep.Blocks++
		rep.Commands += uint64(len(b.Commands))
		for _, r := range b.Results {
			if r.Code != "" {
				rep.Rejected++
			}
		}
		rep.Events += uint64(len(b.Events))
		rep.Head, rep.StateRoot = prev.Hash, b.StateRoot
	}
	return rep, roots.first(nil)
}

// rootChecker folds blocks' changes into the state accumulator on a
// goroutine of its own, in block order, and checks the root after each
// block against the one the block records (ledger.Step.ApplyUnrooted).
// A nil rootChecker checks nothing.
type rootChecker struct {
	jobs    chan rootJob
	done    chan error // the first divergence, or nil once jobs closed
	err     error      // what done gave, once received
	stopped bool
}

type rootJob struct {
	height  uint64
	changes []ledger.Change
	want    ledger.Hash
}

// startRootChecker starts checking from the accumulator acc (the
// genesis's), updating it with roots.
func startRootChecker(roots ledger.RootUpdater, acc ledger.LtHash) *rootChecker {
	c := &rootChecker{jobs: make(chan rootJob, 4), done: make(chan error, 1)}
	go func() {
		for j := range c.jobs {
			roots.Update(&acc, j.changes)
			if err := ledger.RootCheck(j.height, acc.Root(), j.want); err != nil {
				c.done <- err
				for range c.jobs { // let check and stop return
				}
				return
			}
		}
		c.done <- nil
	}()
	return c
}

// check queues a block's changes, returning the divergence found in an
// earlier block, if any, instead.
func (c *rootChecker) check(height uint64, changes []ledger.Change, want ledger.Hash) error {
	select {
	case c.jobs <- rootJob{height, changes, want}:
		return nil
	case err := <-c.done:
		c.err, c.stopped = err, true
		close(c.jobs)
		return err
	}
}

// stop waits for the blocks queued so far to be checked and returns the
// first divergence among them.
func (c *rootChecker) stop() error {
	if !c.stopped {
		c.stopped = true
		close(c.jobs)
		c.err = <-c.done
	}
	return c.err
}

// first returns the error a replay stops with: a root divergence in a
// block before the one that failed (the blocks queued so far are checked
// first), or err. With err nil it is the verdict on every root.
func (c *rootChecker) first(err error) error {
	if c == nil {
		return err
	}
	if rerr := c.stop(); rerr != nil {
		return rerr
	}
	return err
}

// memSink is the GenesisSink of a genesis replayed in memory: it applies
// each chunk to mem, and gives up once mem holds more than max keys.
type memSink struct {
	mem *ledger.MemStore
	max int
}

func (k memSink) Chunk(c *ledger.GenesisChunk) error {
	k.mem.Apply(c.Changes)
	if k.mem.Len() > k.max {
		return errOutgrewMemory
	}
	return nil
}

// Body is never called by a replay (ledger.Step.ApplyGenesisChunked).
func (memSink) Body(func([]byte) error) error {
	return errors.New("coopera: a replayed genesis keeps no body")
}

// spillState writes the state rebuilt in mem into the empty scratch store
// dst, in sorted batches.
func spillState(mem *ledger.MemStore, dst *store.DB) error {
	const batch = 4096
	changes := make([]ledger.Change, 0, batch)
	var err error
	mem.View().Scan(nil, func(k, v []byte) bool {
		changes = append(changes, ledger.Change{Key: k, New: v, NewOK: true})
		if len(changes) == batch {
			err = dst.WriteState(changes)
			changes = changes[:0]
		}
		return err == nil
	})
	if err == nil && len(changes) > 0 {
		err = dst.WriteState(changes)
	}
	return err
}

// replayGenesis replays block 0 of src into the empty dst in bounded
// memory (ledger.Step.ApplyGenesisChunked: block 0 read in pieces, its
// state written in chunks), copying the genesis document too unless
// stateOnly.
func replayGenesis(src *store.DB, step *ledger.Step, dst *store.DB, stateOnly bool) (*ledger.GenesisBlock, error) {
	w, _, err := dst.BeginGenesis()
	if err != nil {
		return nil, err
	}
	if !stateOnly {
		if err := src.GenesisPieces(func(p []byte) error { _, err := w.Write(p); return err }); err != nil {
			return nil, err
		}
	}
	gb, err := step.ApplyGenesisChunked(dst.State(), func(fn func([]byte) error) error { return src.RawBlockPieces(0, fn) }, 0, w)
	if err != nil {
		return nil, err
	}
	return gb, w.Finish(gb)
}

// Replay rebuilds a ledger from the log of the ledger in src into the new
// directory dst, re-deriving and checking every state root on the way, and
// returns what it replayed. The engine in src must not be running. The
// result is an independent ledger that Open(dst) resumes.
func Replay(ctx context.Context, src, dst string, opts *Options) (*VerifyReport, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.EnsureDefaults()
	m, err := ledger.NewMachine(o.Modules...)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dst)); err == nil {
		return nil, fmt.Errorf("coopera: replay target %s exists; give a new directory", dst)
	}
	if !Exists(src) {
		return nil, ledger.Errorf(ErrNoLedger, "%s holds no ledger", src)
	}
	sdb, err := store.Open(src, &store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	head, ok, err := sdb.Head()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ledger.Errorf(ErrNoLedger, "%s holds no ledger", src)
	}
	ddb, err := store.Open(dst, &store.Options{NoSync: true, NoAccountIndex: !sdb.AccountIndex()}) // as src was created
	if err != nil {
		return nil, err
	}
	rep, err := replayLog(ctx, sdb, m, head.Height, ddb, false, 0, o.Logger)
	if err == nil && rep.Head != head.Hash {
		err = ledger.Errorf(ledger.ErrCorrupt, "replayed log ends at %s, the head is %s", rep.Head.Short(), head.Hash.Short())
	}
	if err == nil {
		// The rules height is the chain's: the copy decides by it too.
		err = copyRulesFrom(sdb, ddb)
	}
	if err == nil {
		err = ddb.Flush()
	}
	if cerr := ddb.Close(); err == nil {
		err = cerr
	}
	return rep, err
}
