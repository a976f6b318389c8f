package coopera

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/ledger"
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
	machine *ledger.Machine
	reg     *ledger.Registry
	chain   ledger.ChainInfo // as of genesis; ChainID and signature rule never change
	met     *metrics

	// The parts: each owns its state (see their types).
	rd  *reader    // the store handle and every read of it
	seq *sequencer // the sequencer goroutine, its acknowledger and the durable head
	fol *follower  // the replicated node's role; nil for an embedded engine

	closing     atomic.Bool // Close was called
	metricsAddr string
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
	db, err := store.Open(dir, o.storeOptions())
	if err != nil {
		return nil, err
	}
	e := &Engine{dir: dir, opts: o, machine: m, reg: m.Registry(), met: newMetrics()}
	head, err := e.load(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	e.rd = newReader(db, e.reg, func() uint64 { return e.seq.durable().Height })
	e.seq = newSequencer(e.rd, m, &e.opts, e.met, head)
	if err := e.seq.idx.catchUp(); err != nil {
		db.Close()
		return nil, fmt.Errorf("coopera: indexing the blocks a crash left unindexed: %w", err)
	}
	if o.Replication != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := e.startReplica(ctx)
		cancel()
		if err != nil {
			if e.fol != nil {
				if e.fol.cancel != nil {
					e.fol.cancel()
				}
				e.fol.log.Close()
			}
			e.rd.db.Close()
			return nil, err
		}
	}
	if o.MetricsAddr != "" {
		addr, err := e.met.serve(o.MetricsAddr)
		if err != nil {
			e.rd.db.Close()
			return nil, fmt.Errorf("coopera: metrics listener: %w", err)
		}
		e.metricsAddr = addr
	}
	e.met.height.Set(float64(e.seq.durable().Height))
	go e.seq.run()
	return e, nil
}

// load reads the head, or writes the genesis block into an empty store,
// and returns it.
func (e *Engine) load(db *store.DB) (store.Head, error) {
	h, ok, err := db.Head()
	if err != nil {
		return store.Head{}, err
	}
	if !ok {
		if e.opts.Genesis == nil {
			return store.Head{}, ledger.Errorf(ErrNoLedger, "%s holds no ledger; give Options.Genesis to create one", e.dir)
		}
		// A new ledger records the height it is given (0: a chain this
		// build starts) with its genesis.
		head, err := writeGenesis(db, e.machine, e.opts.Genesis, &e.opts, e.dir)
		if err != nil {
			return store.Head{}, err
		}
		c, err := ledger.GetChain(&store.Lookup{R: db.State()})
		e.chain = c
		return head, err
	}
	if db.AccountIndex() == e.opts.NoAccountIndex {
		return store.Head{}, ledger.Errorf(ErrNoAccountIndex, "%s was created %s the account-event index; open it with Options.NoAccountIndex %v",
			e.dir, map[bool]string{true: "with", false: "without"}[db.AccountIndex()], !db.AccountIndex())
	}
	// The head's block must be there and hash to the head's hash (its
	// header is enough: BlockHeader checks the body's hash without
	// decoding it, or holding a large genesis block whole).
	b, err := db.BlockHeader(h.Height)
	if err != nil {
		return store.Head{}, err
	}
	if b.Hash() != h.Hash || b.StateRoot != h.StateRoot || b.Time != h.Time {
		// The time too: the next block's time starts from the head's.
		return store.Head{}, ledger.Errorf(ledger.ErrCorrupt, "head says block %d is %s at %d, the log holds %s at %d", h.Height, h.Hash.Short(), h.Time, b.Hash().Short(), b.Time)
	}
	// The rules height, settled before anything decides a block (the
	// genesis compared below, the sequencer's step), and recorded once
	// the ledger is accepted.
	rules, err := e.decideRulesFrom(db, h.Height)
	if err != nil {
		return store.Head{}, err
	}
	e.opts.RulesFrom = rules.eff
	if e.opts.Genesis != nil {
		if err := e.sameGenesis(db, e.opts.Genesis); err != nil {
			return store.Head{}, err
		}
	}
	c, err := ledger.GetChain(&store.Lookup{R: db.State()})
	if err != nil {
		return store.Head{}, err
	}
	if want := e.machine.ModuleNames(); !slices.Equal(c.Modules, want) {
		return store.Head{}, ledger.Errorf(ledger.ErrInvalidGenesis, "%s was created with the modules %v; it must be opened with exactly those (Options.Modules gives %v)", e.dir, c.Modules, want)
	}
	if err := rules.apply(db, e.opts.Logger, e.dir); err != nil {
		return store.Head{}, err
	}
	e.chain = c
	return *h, nil
}

func genesisBlock(m *ledger.Machine, g *ledger.Genesis, rulesFrom uint64) (*ledger.Block, error) {
	rd, err := ledger.NewStep(m, ledger.StepOptions{RulesFrom: rulesFrom}).Genesis(ledger.NewMemStore(), g)
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

// keptStateBytes is what the block step keeps of the state from block to
// block (ledger.StepOptions.KeepStateBytes): a quarter of StateCacheBytes,
// or nothing when the state cache is disabled.
func keptStateBytes(cacheBytes int64) int64 {
	if cacheBytes <= 0 {
		return 0
	}
	return cacheBytes / 4
}

// newStep returns the engine's block step: roots hashed on every core with
// an element cache, state kept from block to block, invariants checked
// when asked.
func newStep(m *ledger.Machine, o *Options) *ledger.Step {
	return ledger.NewStep(m, stepOptions(o, true))
}

// stepOptions are the engine's block step options; without caches, the
// step keeps nothing from block to block and its root hasher remembers no
// element (the fresh step of Options.CheckInvariants).
func stepOptions(o *Options, caches bool) ledger.StepOptions {
	so := ledger.StepOptions{CheckInvariants: o.CheckInvariants, MaxCloses: maxEpochClosesPerBlock, RulesFrom: o.RulesFrom}
	elements := 0
	if caches {
		elements = rootCacheEntries(o.RootCacheBytes)
		so.KeepStateBytes = keptStateBytes(o.StateCacheBytes)
	}
	so.Roots = roothash.New(runtime.GOMAXPROCS(0), elements)
	return so
}

// writeGenesis creates the ledger from g in bounded memory: the genesis
// is applied and written in chunks (ledger.Step.GenesisChunked), the
// document in pieces, and the head last, in the one synced batch that
// completes it, with the rules height o.RulesFrom. A genesis cut short by
// a crash is discarded and redone by the next Open. It returns the genesis
// block's head.
func writeGenesis(db *store.DB, m *ledger.Machine, g *ledger.Genesis, o *Options, dir string) (store.Head, error) {
	w, wiped, err := db.BeginGenesis()
	if err != nil {
		return store.Head{}, err
	}
	if wiped {
		o.Logger.Warn("discarded a genesis that was cut short; writing it again", "dir", dir)
	}
	w.RecordRulesFrom(o.RulesFrom)
	if err := ledger.WriteGenesisJSON(w, g); err != nil {
		return store.Head{}, err
	}
	step := ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true, Roots: roothash.New(runtime.GOMAXPROCS(0), 0), RulesFrom: o.RulesFrom})
	gb, err := step.GenesisChunked(db.State(), g, o.genesisChunkKeys, w)
	if err != nil {
		return store.Head{}, err
	}
	if err := w.Finish(gb); err != nil {
		return store.Head{}, err
	}
	return gb.Head, nil
}

// sameGenesis reports whether g is the genesis the store was created with:
// the digests of the documents match, or, failing that (a document
// written differently, or a format-2 directory that kept no digest), g's
// genesis block is the stored one.
func (e *Engine) sameGenesis(db *store.DB, g *ledger.Genesis) error {
	stored, ok, err := db.GenesisDigest()
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
	want, err := genesisBlock(e.machine, g, e.opts.RulesFrom)
	if err != nil {
		return err
	}
	got, err := db.Block(e.reg, 0)
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
	e.seq.closed.Store(true)
	if e.fol != nil && e.fol.cancel != nil {
		e.fol.cancel()
	}
	close(e.seq.quit)
	<-e.seq.done
	if e.fol != nil {
		if e.fol.leader.Load() {
			e.fol.log.Release(context.Background())
		}
		e.fol.log.Close()
	}
	e.met.close()
	return e.rd.close()
}

// Dir returns the ledger's directory.
func (e *Engine) Dir() string { return e.dir }

// Machine returns the state machine, whose Registry parses commands.
func (e *Engine) Machine() *ledger.Machine { return e.machine }

// ChainID returns the chain's identifier, which signatures cover.
func (e *Engine) ChainID() string { return e.chain.ChainID }

// Head returns the last committed block's summary.
func (e *Engine) Head() Head {
	h := e.seq.durable()
	return Head{Height: h.Height, Hash: h.Hash, StateRoot: h.StateRoot, Time: h.Time}
}

// Err returns the fault that stopped the sequencer, or nil.
func (e *Engine) Err() error { return e.seq.err() }

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

// ErrRulesFrom is returned when Options.RulesFrom contradicts the height
// the ledger records (see Options.RulesFrom): the chain already reached
// one of the two heights. A follower refuses a snapshot whose record
// contradicts its height with it too.
var ErrRulesFrom = ledger.NewCode("rules_from")

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
