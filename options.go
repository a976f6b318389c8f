package coopera

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/store"
)

// Options configures an Engine. The zero value of every field is replaced
// by its documented default; economic parameters are not options: they are
// genesis state, changed only by governance.
type Options struct {
	// Genesis is the chain to create when the directory holds no ledger. If
	// the directory holds one, a non-nil Genesis must describe the same
	// chain (same genesis block), or Open fails with ErrInvalidGenesis.
	Genesis *ledger.Genesis

	// Modules are the reducers run after the built-in chain and accounts
	// modules, in this order (which is also the order of end-of-epoch work).
	// A ledger must always be opened with the same modules.
	Modules []ledger.Module

	// Admitters examine each command before it is sequenced, in the
	// submitting goroutine and in this order, and may refuse it (with an
	// *ledger.Error) or annotate its payload — for example with a policy
	// decision, which is then recorded in the block so that replay never
	// evaluates the policy again. See Admitter.
	Admitters []Admitter

	// MaxBlockCommands bounds the commands in one block. Default 8192.
	MaxBlockCommands int

	// MaxCommandBytes bounds a command's encoded size; larger commands are
	// refused with ErrPayloadTooLarge. Default 64 KiB.
	MaxCommandBytes int

	// Clock supplies block times. Default time.Now. Block time never goes
	// backwards: a clock reading before the last block's time is raised to it.
	Clock func() time.Time

	// CheckInvariants checks conservation over each block's changes before
	// writing it, and that a fresh block step over the store, keeping
	// nothing from earlier blocks, decides each block this node sequences
	// the same (more than twice the execution time: the fresh step reads
	// the store and hashes every element); a failure fails the block's
	// commands with ErrInvariant and stops the engine before the block is
	// published or written. Default false, or true in a build with the
	// `invariants` tag.
	CheckInvariants bool

	// StateCacheBytes bounds the sequencer's cache of hot state keys
	// (keys, values and about 80 bytes of bookkeeping each); with an
	// eighth of it Submit's cache of account records (whether an actor
	// exists and its signing key, checked before a command is queued);
	// and with a quarter of it the state the block step keeps from one
	// block to the next (keys, values, their decoded forms and about 192
	// bytes of bookkeeping each; at most 65,536 keys;
	// ledger.StepOptions.KeepStateBytes). Default 32 MiB; a negative
	// value disables all three.
	StateCacheBytes int64

	// RootCacheBytes bounds the cache of element hashes that makes a hot
	// key's next state-root update cheaper (2 KiB and its key each).
	// Default 32 MiB (about 16,000 keys); a negative value disables it.
	RootCacheBytes int64

	// Replication joins this engine to a replicated log in NATS JetStream
	// (see package replication); nil runs the embedded single node.
	Replication *replication.Options

	// SequencerKey signs the blocks this node sequences. On a chain whose
	// parameters name sequencer keys (ledger.ChainParams), a replicated
	// node leads only with one of them, and every node refuses a block
	// from the stream without a valid signature. Default: none (blocks
	// unsigned; such a node cannot lead a chain with sequencer keys).
	SequencerKey ed25519.PrivateKey

	// RulesFrom is the height from which this build decides blocks by
	// its rules (ledger.LatestRules); blocks below it are decided, and
	// re-executed by followers, by the rules before (ledger.StepOptions.
	// RulesFrom). A cluster moving to this build from one before
	// ledger.RulesV2 gives all its nodes the same height, ahead of the
	// chain's, and upgrades them before the chain reaches it (see the
	// README's Upgrades).
	//
	// The height is recorded in the ledger: a new ledger records the one
	// given (0, the default: every block, a chain this build starts), and
	// a ledger is then decided by its record; Engine.RulesFrom returns the
	// height in force. Zero means "not given": the record. Another height
	// than the record's is refused with ErrRulesFrom once the chain has
	// reached either (its blocks from there were decided by the rules the
	// record says); before, the cluster moved its upgrade height, and the
	// new height replaces the record (with a warning to Logger). A ledger
	// written by a build before the record holds none: it is decided by
	// the height given, which is then recorded; opened without one, it
	// records nothing (it may come from a build before ledger.RulesV2,
	// whose height must still be given). A follower adopting a snapshot
	// settles its height with the snapshot's record by the same rules,
	// its own height given (the record of its store, when not configured).
	RulesFrom uint64

	// MaxClockSkew is how far a replicated node's clock (Clock) may differ
	// from the NATS servers' before it refuses to lead (it steps down, and
	// the coopera_clock_ahead_seconds metric shows the skew). Default 2s;
	// negative disables the check (tests that drive Clock by hand).
	MaxClockSkew time.Duration

	// MetricsAddr, if set, serves Prometheus metrics at /metrics on this
	// address (for example "127.0.0.1:9100"). Engine.Metrics returns the
	// registry for mounting elsewhere. Default: no listener.
	MetricsAddr string

	// FS is the file system for Pebble. Default: the operating system's.
	FS vfs.FS

	// CacheBytes is the size of Pebble's block cache: decoded table
	// blocks, index and Bloom filter blocks. Default 64 MiB.
	CacheBytes int64

	// MemTableBytes is the size of one Pebble memtable, where writes wait
	// to be flushed to tables. Pebble holds up to four (the one being
	// written, two being flushed, one kept for reuse), so the store's
	// memory is bounded by CacheBytes + 4 × MemTableBytes: 192 MiB by
	// default, of which a quiet node touches a fraction. Between 1 MiB and
	// 4 GiB; default 32 MiB.
	MemTableBytes int64

	// NoAccountIndex creates the ledger without the account-event index
	// behind AccountEvents (two keys fewer written per transfer, by the
	// goroutine that indexes blocks once they are written), which then
	// answers ErrNoAccountIndex. It is chosen when the ledger is created:
	// Open refuses an existing ledger whose choice differs, with
	// ErrNoAccountIndex. Default false (the index is kept).
	NoAccountIndex bool

	// Logger receives the engine's rare operational messages (a genesis
	// cut short and redone, say). Default: none.
	Logger *slog.Logger

	// genesisChunkKeys bounds a chunk of a genesis being written (tests
	// set it small). Default ledger.DefaultGenesisChunkKeys.
	genesisChunkKeys int
}

// Admitter is a shell-side check run on every submitted command before
// sequencing. It reads the committed state through view. It must not keep
// cmd. Whatever it decides that the state machine needs must be written
// into cmd's payload, where the block records it.
type Admitter interface {
	Admit(ctx context.Context, view ledger.Getter, cmd *ledger.Command) error
}

// AdmitterFunc adapts a function to Admitter.
type AdmitterFunc func(ctx context.Context, view ledger.Getter, cmd *ledger.Command) error

// Admit calls f.
func (f AdmitterFunc) Admit(ctx context.Context, view ledger.Getter, cmd *ledger.Command) error {
	return f(ctx, view, cmd)
}

// EnsureDefaults fills unset fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.MaxBlockCommands <= 0 {
		o.MaxBlockCommands = 8192
	}
	if o.MaxCommandBytes <= 0 {
		o.MaxCommandBytes = 64 << 10
	}
	if o.StateCacheBytes == 0 {
		o.StateCacheBytes = 32 << 20
	}
	if o.RootCacheBytes == 0 {
		o.RootCacheBytes = 32 << 20
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.MaxClockSkew == 0 {
		o.MaxClockSkew = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if invariantsBuild {
		o.CheckInvariants = true
	}
}

// Validate reports options that cannot work.
func (o *Options) Validate() error {
	if o.MaxBlockCommands > 1<<20 {
		return fmt.Errorf("coopera: MaxBlockCommands %d is above the limit of %d", o.MaxBlockCommands, 1<<20)
	}
	if o.MemTableBytes != 0 && (o.MemTableBytes < 1<<20 || o.MemTableBytes >= 4<<30) {
		return fmt.Errorf("coopera: MemTableBytes %d is outside 1 MiB to 4 GiB", o.MemTableBytes)
	}
	return nil
}

// storeOptions are the options of the engine's store.
func (o *Options) storeOptions() *store.Options {
	return &store.Options{FS: o.FS, CacheBytes: o.CacheBytes, MemTableBytes: o.MemTableBytes, NoAccountIndex: o.NoAccountIndex, DeferAccountIndex: true}
}
