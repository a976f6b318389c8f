package coopera

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/roothash"
	"github.com/coopera/coopera/ledger/store"
)

// Engine is an embedded coopera ledger: a Pebble store, the state machine
// and a sequencer goroutine that turns submitted commands into blocks.
//
// Many goroutines may call Submit at once; their commands share blocks, and
// each block is one synced Pebble batch (group commit). A command is
// acknowledged only after its block is durable. All methods are safe for
// concurrent use.
type Engine struct {
	dir     string
	opts    Options
	db      *store.DB
	machine *ledger.Machine
	reg     *ledger.Registry
	chain   ledger.ChainInfo // as of genesis; ChainID and signature rule never change

	reqs chan *request
	quit chan struct{}
	done chan struct{}

	// applied and cache belong to the sequencer goroutine.
	applied store.Head
	cache   *stateCache
	step    *ledger.Step // the block step, with the root hasher's cache

	mu     sync.RWMutex
	head   store.Head    // the last durable block
	notify chan struct{} // closed and replaced after each block
	fatal  error         // set when the sequencer stopped on a fault

	closed  atomic.Bool // no new submissions: Close was called or a fault stopped the sequencer
	closing atomic.Bool // Close was called

	// Replication (nil for an embedded engine).
	rep          *replica
	leader       atomic.Bool
	lag          atomic.Uint64
	ctrl         chan func()
	followCh     <-chan replication.Entry // sequencer only
	followCancel context.CancelFunc       // sequencer only
	acks         chan *inflight

	met         *metrics
	metricsAddr string

	// rmu guards the store against Close while reads are in flight.
	rmu      sync.RWMutex
	dbClosed bool
}

// acquire enters a read of the store; release it with e.rmu.RUnlock.
func (e *Engine) acquire() error {
	e.rmu.RLock()
	if e.dbClosed {
		e.rmu.RUnlock()
		return errClosed
	}
	return nil
}

// Head summarises the last committed block.
type Head struct {
	Height    uint64      `json:"height"`
	Hash      ledger.Hash `json:"hash"`
	StateRoot ledger.Hash `json:"state_root"`
	Time      int64       `json:"time"`
}

// Open opens the ledger in dir, creating it from opts.Genesis if dir holds
// none. On return the engine has resumed from its last durable block.
func Open(dir string, opts *Options) (*Engine, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	m, err := ledger.NewMachine(o.Modules...)
	if err != nil {
		return nil, err
	}
	if o.FS == nil {
		if o.Genesis == nil && !Exists(dir) {
			return nil, ledger.Errorf(ErrNoLedger, "%s holds no ledger; give Options.Genesis to create one", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("coopera: %w", err)
		}
	}
	db, err := store.Open(dir, &store.Options{FS: o.FS, CacheBytes: o.CacheBytes, MemTableBytes: o.MemTableBytes, NoAccountIndex: o.NoAccountIndex})
	if err != nil {
		return nil, err
	}
	e := &Engine{
		dir: dir, opts: o, db: db, machine: m, reg: m.Registry(),
		reqs:   make(chan *request, 1024),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
		notify: make(chan struct{}),
		ctrl:   make(chan func()),
		acks:   make(chan *inflight, 2), // pipeline depth: blocks awaiting fsync
		met:    newMetrics(),
	}
	if err := e.load(); err != nil {
		db.Close()
		return nil, err
	}
	e.applied = e.head
	e.cache = newStateCache(db.State(), o.StateCacheBytes)
	e.step = newStep(m, &o)
	if o.Replication != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := e.startReplica(ctx)
		cancel()
		if err != nil {
			if e.rep != nil {
				if e.rep.cancel != nil {
					e.rep.cancel()
				}
				e.rep.log.Close()
			}
			e.db.Close()
			return nil, err
		}
	}
	if o.MetricsAddr != "" {
		addr, err := e.met.serve(o.MetricsAddr)
		if err != nil {
			e.db.Close()
			return nil, fmt.Errorf("coopera: metrics listener: %w", err)
		}
		e.metricsAddr = addr
	}
	e.met.height.Set(float64(e.head.Height))
	go e.run()
	return e, nil
}

// load reads the head, or writes the genesis block into an empty store.
func (e *Engine) load() error {
	h, ok, err := e.db.Head()
	if err != nil {
		return err
	}
	if !ok {
		if e.opts.Genesis == nil {
			return ledger.Errorf(ErrNoLedger, "%s holds no ledger; give Options.Genesis to create one", e.dir)
		}
		return e.writeGenesis(e.opts.Genesis)
	}
	e.head = *h
	if e.db.AccountIndex() == e.opts.NoAccountIndex {
		return ledger.Errorf(ErrNoAccountIndex, "%s was created %s the account-event index; open it with Options.NoAccountIndex %v",
			e.dir, map[bool]string{true: "with", false: "without"}[e.db.AccountIndex()], !e.db.AccountIndex())
	}
	// The head's block must be there and hash to the head's hash (its
	// header is enough: BlockHeader checks the body's hash without
	// decoding it, or holding a large genesis block whole).
	b, err := e.db.BlockHeader(h.Height)
	if err != nil {
		return err
	}
	if b.Hash() != h.Hash || b.StateRoot != h.StateRoot {
		return ledger.Errorf(ledger.ErrCorrupt, "head says block %d is %s, the log holds %s", h.Height, h.Hash.Short(), b.Hash().Short())
	}
	if e.opts.Genesis != nil {
		if err := e.sameGenesis(e.opts.Genesis); err != nil {
			return err
		}
	}
	c, err := ledger.GetChain(e.lookup())
	if err != nil {
		return err
	}
	if want := e.machine.ModuleNames(); !slices.Equal(c.Modules, want) {
		return ledger.Errorf(ledger.ErrInvalidGenesis, "%s was created with the modules %v; it must be opened with exactly those (Options.Modules gives %v)", e.dir, c.Modules, want)
	}
	e.chain = c
	return nil
}

func genesisBlock(m *ledger.Machine, g *ledger.Genesis) (*ledger.Block, error) {
	rd, err := ledger.NewStep(m, ledger.StepOptions{}).Genesis(ledger.NewMemStore(), g)
	if err != nil {
		return nil, err
	}
	return rd.Block, nil
}

// rootCacheEntries is how many element hashes fit in bytes (each 2 KiB,
// its key and its map slot).
func rootCacheEntries(bytes int64) int {
	if bytes <= 0 {
		return 0
	}
	return int(bytes / (ledger.LtHashSize + 128))
}

// newStep returns the engine's block step: roots hashed on every core with
// an element cache, invariants checked when asked.
func newStep(m *ledger.Machine, o *Options) *ledger.Step {
	return ledger.NewStep(m, ledger.StepOptions{
		Roots:           roothash.New(runtime.GOMAXPROCS(0), rootCacheEntries(o.RootCacheBytes)),
		CheckInvariants: o.CheckInvariants,
		MaxCloses:       maxEpochClosesPerBlock,
	})
}

// writeGenesis creates the ledger from g in bounded memory: the genesis
// is applied and written in chunks (ledger.Step.GenesisChunked), the
// document in pieces, and the head last, in the one synced batch that
// completes it. A genesis cut short by a crash is discarded and redone by
// the next Open.
func (e *Engine) writeGenesis(g *ledger.Genesis) error {
	w, wiped, err := e.db.BeginGenesis()
	if err != nil {
		return err
	}
	if wiped {
		e.opts.Logger.Warn("discarded a genesis that was cut short; writing it again", "dir", e.dir)
	}
	if err := ledger.WriteGenesisJSON(w, g); err != nil {
		return err
	}
	step := ledger.NewStep(e.machine, ledger.StepOptions{CheckInvariants: true, Roots: roothash.New(runtime.GOMAXPROCS(0), 0)})
	gb, err := step.GenesisChunked(e.db.State(), g, e.opts.genesisChunkKeys, w)
	if err != nil {
		return err
	}
	if err := w.Finish(gb); err != nil {
		return err
	}
	e.head = gb.Head
	c, err := ledger.GetChain(e.lookup())
	e.chain = c
	return err
}

// sameGenesis reports whether g is the genesis the store was created with:
// the digests of the documents match, or, failing that (a document
// written differently, or a format-2 directory that kept no digest), g's
// genesis block is the stored one.
func (e *Engine) sameGenesis(g *ledger.Genesis) error {
	stored, ok, err := e.db.GenesisDigest()
	if err != nil {
		return err
	}
	if ok {
		h := blake3.New()
		if err := ledger.WriteGenesisJSON(h, g); err != nil {
			return err
		}
		if ledger.Hash(h.Sum(nil)) == stored {
			return nil
		}
	}
	want, err := genesisBlock(e.machine, g)
	if err != nil {
		return err
	}
	got, err := e.db.Block(e.reg, 0)
	if err != nil {
		return err
	}
	if want.Hash() != got.Hash() {
		return ledger.Errorf(ledger.ErrInvalidGenesis, "%s holds a chain with genesis block %s; Options.Genesis describes %s", e.dir, got.Hash().Short(), want.Hash().Short())
	}
	return nil
}

// Close stops the sequencer, failing commands not yet in a block with
// ErrClosed, and closes the store. Acknowledged commands are durable.
func (e *Engine) Close() error {
	if !e.closing.CompareAndSwap(false, true) {
		return nil
	}
	e.closed.Store(true)
	if e.rep != nil && e.rep.cancel != nil {
		e.rep.cancel()
	}
	close(e.quit)
	<-e.done
	if e.rep != nil {
		if e.leader.Load() {
			e.rep.log.Release(context.Background())
		}
		e.rep.log.Close()
	}
	e.met.close()
	e.rmu.Lock()
	defer e.rmu.Unlock()
	e.dbClosed = true
	return e.db.Close()
}

// Dir returns the ledger's directory.
func (e *Engine) Dir() string { return e.dir }

// Machine returns the state machine, whose Registry parses commands.
func (e *Engine) Machine() *ledger.Machine { return e.machine }

// ChainID returns the chain's identifier, which signatures cover.
func (e *Engine) ChainID() string { return e.chain.ChainID }

// Head returns the last committed block's summary.
func (e *Engine) Head() Head {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return Head{Height: e.head.Height, Hash: e.head.Hash, StateRoot: e.head.StateRoot, Time: e.head.Time}
}

// Err returns the fault that stopped the sequencer, or nil.
func (e *Engine) Err() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.fatal
}

func (e *Engine) lookup() *store.Lookup { return &store.Lookup{R: e.db.State()} }

// cacheGetter reads through the sequencer's cache; sequencer only.
func (e *Engine) cacheGetter() *readerGetter { return &readerGetter{r: e.cache} }

type readerGetter struct {
	r   ledger.Reader
	err error
}

func (g *readerGetter) Get(key []byte) ([]byte, bool) {
	v, ok, err := g.r.Get(key)
	if err != nil && g.err == nil {
		g.err = err
	}
	return v, ok
}

// ParseCommand decodes the JSON form of a command (see ledger.Command).
func (e *Engine) ParseCommand(data []byte) (*ledger.Command, error) {
	return e.reg.ParseCommandJSON(bytes.TrimSpace(data))
}

// ErrNoLedger is returned when a directory holds no ledger and no genesis
// was given to create one.
var ErrNoLedger = ledger.NewCode("no_ledger")

// ErrNoAccountIndex: AccountEvents on a ledger created with
// Options.NoAccountIndex, or an Open whose Options.NoAccountIndex differs
// from the ledger's.
var ErrNoAccountIndex = store.ErrNoAccountIndex

// Exists reports whether dir holds a ledger (a Pebble store). It does not
// open it.
func Exists(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "MANIFEST-*"))
	return len(m) > 0
}

var errClosed = ledger.Errorf(ledger.ErrClosed, "the engine is closed")
