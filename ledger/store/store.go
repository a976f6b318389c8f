// Package store keeps a coopera ledger in Pebble: the block log, the state,
// the idempotency index, the account event index and the meta records, each
// in its own key space. One Pebble batch holds everything a block changes,
// so the database is always at a block boundary, and a synced batch is the
// block's durability point.
//
// Key spaces (the first byte):
//
//	'm' meta      format version, head, the genesis document (in pieces,
//	              with its digest), block 0 of a chunked genesis (in
//	              pieces), the partial-genesis marker, how far the account
//	              event index reaches (m/indexed), the height from which
//	              blocks are decided by the latest rules (m/rules-from)
//	'B' blocks    height (8 bytes, big-endian) -> encoded block
//	'S' state     state key -> value
//	'I' idempotency  actor 0x00 key -> height, index, content hash
//	'X' account events  account 0x00 height index -> (empty); absent in
//	              a ledger created with Options.NoAccountIndex; with
//	              Options.DeferAccountIndex written after the blocks
//	              (IndexBlocks), up to the height m/indexed records;
//	              CheckAccountIndex compares it with the blocks'
//
// Every read of stored bytes is checked (block hashes, decoding, Pebble's
// own checksums), and a failure is reported as ledger.ErrCorrupt.
package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/coopera/coopera/ledger"
)

// FormatVersion is the durable format of a ledger directory. A directory
// written in another format is refused with ErrFormat; incompatible changes
// to any key space bump it.
//
// Changelog:
//
//   - 1: the first format.
//   - 2: oracle prices widened from micro-USD (uint64) to 10^-18 USD per
//     whole token (a 128-bit amount) and the TWAP's cumulative price to 256
//     bits, in state (tk/feed, tk/oracle, tk/twap, the tokenomics
//     parameters' max_price) and in events (price_observed,
//     circuit_tripped, circuit_cleared, credits_bought and epoch_report,
//     now version 2). State roots change with the state's bytes, so a
//     format-1 history cannot replay to its recorded roots: a format-1
//     directory is refused, and a chain moves by a new genesis that carries
//     its balances (export them with a build that reads format 1).
//   - 3: the genesis document stored in pieces of 1 MiB (m/genesis/<n>)
//     with its BLAKE3 digest (m/genesis-digest), and a genesis written in
//     bounded chunks (m/genesis-partial marks one not finished), its
//     block 0 in pieces (m/block0/<n>: the header and counts, then each
//     chunk's events) rather than under its block key. The blocks'
//     encoding and the state are as in format 2, which this build still
//     reads.
//
// Within format 3, m/indexed (the last block the account-event index
// covers, 8 bytes big-endian) was added when the index could be written
// after its blocks; a directory without it was indexed block by block, up
// to its head, which Open then records. A build from before it reads such
// a directory, but after a crash may list an account's events without the
// last blocks' until a current build has opened it once.
//
// Within format 3, the tokenomics event provider_weights_forwarded was
// added (a close that mints the providers' share to provider_pool clears
// the epoch's provider weights). Histories without it replay as before; a
// build from before it refuses a block holding it (ErrUnknownEvent).
//
// Within format 3, the accounts event nonce_used was added: a command
// rejected after its signature and nonce checks uses its nonce, and its
// result counts that one event (before, a rejected result had none, and a
// rejected signed command could be submitted again later by anyone).
// Histories without it replay as before; a build from before it refuses a
// block holding it (ErrUnknownEvent). It comes with ledger.RulesV2: a
// chain moving to it from an earlier build decides by it only from the
// height every node is given (ledger.StepOptions.RulesFrom), so that its
// followers re-execute the blocks before as they were decided (see the
// README's Upgrades).
//
// Within format 3, m/rules-from (that height, 8 bytes big-endian) was
// added: a new ledger records it with its genesis, and the engine records
// the height it is given in a ledger that has none, so that a node opened
// without the height keeps deciding by the ledger's. A directory without
// it (written before it, or by a build given no height) decides by the
// height its owner gives, as before. A build from before it ignores the
// record, and decides by the height it is given.
const FormatVersion = 3

// oldestReadable is the oldest format this build reads.
const oldestReadable = 2

func readableFormat(v []byte) bool {
	d := ledger.NewDecoder(v, "format")
	f := d.Uint()
	return d.Finish() == nil && f >= oldestReadable && f <= FormatVersion
}

// ErrFormat reports a directory in a format this build cannot read.
var ErrFormat = ledger.NewCode("format")

const (
	pMeta   = 'm'
	pBlock  = 'B'
	pState  = 'S'
	pIdem   = 'I'
	pAcctEv = 'X'
)

var (
	keyFormat = []byte("m/format")
	keyHead   = []byte("m/head")
	// keyNoAccountIndex marks a ledger created without the account-event
	// index (Options.NoAccountIndex).
	keyNoAccountIndex = []byte("m/no-account-index")
	keyGenesis        = []byte("m/genesis")
	// keyIndexed holds the height of the last block the account-event
	// index covers (DeferAccountIndex).
	keyIndexed = []byte("m/indexed")
)

// Options configures a store.
type Options struct {
	// FS is the file system; nil means the operating system's. Tests pass
	// vfs.NewMem() or a crashable in-memory FS.
	FS vfs.FS
	// CacheBytes is the size of Pebble's block cache for table blocks
	// (default 64 MiB); the memtables' reservations come on top.
	CacheBytes int64
	// MemTableBytes is the size of one memtable (default 32 MiB); Pebble
	// holds up to memTableStopWrites+2 of them.
	MemTableBytes int64
	// NoSync skips fsync on block writes. Only for scratch stores (verify's
	// replay target); a ledger never sets it.
	NoSync bool
	// ReadOnly opens the store without writing.
	ReadOnly bool
	// NoAccountIndex creates the ledger without the account-event index
	// (the 'X' key space): a transfer then writes two keys fewer, and
	// AccountEvents answers ErrNoAccountIndex. It is recorded with the
	// genesis (m/no-account-index); for a store that already holds a
	// ledger, the record decides and this field is ignored.
	NoAccountIndex bool
	// DeferAccountIndex writes blocks after block 0 without their
	// account-event index entries; IndexBlocks writes them later, off the
	// path that waits for a block to be durable (the engine's indexer).
	// The store records how far the index reaches (Indexed), so a crash
	// between the two loses nothing: the owner indexes the blocks past it.
	// A ledger's owner sets it every time (the engine does): a store opened
	// without it indexes each block it writes but leaves a gap a deferred
	// index left, and Indexed where it was.
	DeferAccountIndex bool
}

// ErrNoAccountIndex reports a ledger created without the account-event
// index (Options.NoAccountIndex), or options that disagree with how it was
// created.
var ErrNoAccountIndex = ledger.NewCode("no_account_index")

// memTableStopWrites is Pebble's MemTableStopWritesThreshold: writes wait
// while this many memtables are queued for flushing.
const memTableStopWrites = 2

// DB is a ledger's Pebble store.
type DB struct {
	db    *pebble.DB
	cache interface{ Unref() }
	wo    *pebble.WriteOptions
	latch *latch // the storage fault (see walFS)
	// noIndex: no account-event index (Options.NoAccountIndex)
	noIndex    bool
	deferIndex bool          // Options.DeferAccountIndex
	indexed    atomic.Uint64 // the last block the account-event index covers
}

// Open opens or creates the store in dir.
func Open(dir string, o *Options) (*DB, error) {
	if o == nil {
		o = &Options{}
	}
	cacheBytes := o.CacheBytes
	if cacheBytes == 0 {
		cacheBytes = 64 << 20
	}
	memTable := o.MemTableBytes
	if memTable <= 0 {
		memTable = 32 << 20
	}
	// Pebble reserves every memtable's arena in the block cache: a cache
	// of CacheBytes next to 64 MiB memtables held no blocks at all once
	// two or three memtables existed, and every read went to the file
	// (with its checksum and decompression). The cache is therefore
	// CacheBytes for blocks plus room for the memtables Pebble keeps at
	// most: the mutable one, the queue that stops writes, and one kept
	// for recycling.
	cache := pebble.NewCache(cacheBytes + (memTableStopWrites+2)*memTable)
	fs := o.FS
	if fs == nil {
		fs = vfs.Default
	}
	l := &latch{}
	po := &pebble.Options{
		FS:                          &walFS{FS: fs, l: l},
		Cache:                       cache,
		ReadOnly:                    o.ReadOnly,
		FormatMajorVersion:          pebble.FormatNewest,
		MemTableSize:                uint64(memTable),
		MemTableStopWritesThreshold: memTableStopWrites,
		Logger:                      quietLogger{},
		EventListener: &pebble.EventListener{
			// Reads that hit corruption return it as an error, which the
			// store reports as ledger.ErrCorrupt; Pebble's default here
			// would end the process.
			DataCorruption: func(info pebble.DataCorruptionInfo) {
				fmt.Fprintf(os.Stderr, "pebble: on-disk corruption: %s\n", info.Path)
			},
		},
	}
	// Bloom filters on every level: the block step reads many keys that do
	// not exist yet (a new account's balance, its index entries), and
	// without a filter each such miss reads an index block of every table
	// that could hold it. Ten bits a key: about 1% false positives.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	if o.NoSync {
		po.DisableWAL = true
	}
	db, err := pebble.Open(dir, po)
	cache.Unref()
	if err != nil {
		return nil, wrapErr("open "+dir, err)
	}
	s := &DB{db: db, wo: pebble.Sync, latch: l, noIndex: o.NoAccountIndex, deferIndex: o.DeferAccountIndex}
	if o.NoSync {
		s.wo = pebble.NoSync
	}
	if head, ok, err := s.Head(); err != nil || ok {
		if err == nil {
			_, s.noIndex, err = s.get(keyNoAccountIndex)
		}
		if err == nil {
			err = s.loadIndexed(head.Height, o.ReadOnly)
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// loadIndexed reads how far the account-event index reaches. A ledger
// written before the index could be deferred has no record: every block
// up to its head was indexed as it was written, which the record then
// says, before any block is written without its entries.
func (s *DB) loadIndexed(head uint64, readOnly bool) error {
	v, ok, err := s.get(keyIndexed)
	switch {
	case err != nil:
		return err
	case ok && len(v) != 8:
		return ledger.Errorf(ledger.ErrCorrupt, "the account index's height record is %d bytes, want 8", len(v))
	case ok:
		s.indexed.Store(binary.BigEndian.Uint64(v))
		if s.indexed.Load() > head {
			return ledger.Errorf(ledger.ErrCorrupt, "the account index reaches block %d, past the head %d", s.indexed.Load(), head)
		}
		return nil
	}
	s.indexed.Store(head)
	if readOnly || s.noIndex {
		return nil
	}
	return s.commit(func(b *pebble.Batch) error { return putIndexed(b, head) }, true)
}

func putIndexed(b *pebble.Batch, h uint64) error {
	return b.Set(keyIndexed, binary.BigEndian.AppendUint64(nil, h), nil)
}

// Indexed returns the height of the last block the account-event index
// covers: the head, unless the store defers the index (DeferAccountIndex).
func (s *DB) Indexed() uint64 { return s.indexed.Load() }

// AccountIndex reports whether the store keeps the account-event index.
func (s *DB) AccountIndex() bool { return !s.noIndex }

// putNoAccountIndex records, with the genesis, that the ledger keeps no
// account-event index.
func (s *DB) putNoAccountIndex(b *pebble.Batch) error {
	if !s.noIndex {
		return nil
	}
	return b.Set(keyNoAccountIndex, nil, nil)
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)      {}
func (quietLogger) Errorf(f string, a ...any) { fmt.Fprintf(os.Stderr, "pebble: "+f+"\n", a...) }
func (quietLogger) Fatalf(f string, a ...any) {
	panic(fmt.Sprintf("pebble: fatal: "+f, a...))
}

// Close closes the store.
func (s *DB) Close() error { return s.db.Close() }

// Pebble returns the underlying database, for tools and tests.
func (s *DB) Pebble() *pebble.DB { return s.db }

// wrapErr turns Pebble's corruption reports into ledger.ErrCorrupt.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if pebble.IsCorruptionError(err) || errors.Is(err, pebble.ErrCorruption) {
		return ledger.Errorf(ledger.ErrCorrupt, "%s: %v", op, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func (s *DB) get(key []byte) ([]byte, bool, error) { return getFrom(s.db, key) }

// getFrom reads key from r (the database or a snapshot of it), copied.
func getFrom(r pebble.Reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrapErr("read", err)
	}
	out := bytes.Clone(v)
	closer.Close()
	if out == nil {
		out = []byte{}
	}
	return out, true, nil
}

// Meta records.

// Head is the last committed block (the block step's ledger.Head).
type Head = ledger.Head

func encodeHead(h *Head) []byte {
	e := ledger.NewEncoder(make([]byte, 0, 128+ledger.LtHashSize))
	e.Uint(h.Height)
	e.Fixed(h.Hash[:])
	e.Fixed(h.StateRoot[:])
	e.Int(h.Time)
	e.Fixed(h.Acc.Bytes())
	return e.Bytes()
}

func decodeHead(b []byte) (*Head, error) {
	d := ledger.NewDecoder(b, "head")
	h := &Head{Height: d.Uint()}
	copy(h.Hash[:], d.Fixed(32))
	copy(h.StateRoot[:], d.Fixed(32))
	h.Time = d.Int()
	acc := d.Fixed(ledger.LtHashSize)
	if err := d.Finish(); err != nil {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "head record: %v", err)
	}
	if err := h.Acc.SetBytes(acc); err != nil {
		return nil, err
	}
	if h.Acc.Root() != h.StateRoot {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "head record: the accumulator does not hash to the state root")
	}
	return h, nil
}

// Head returns the last committed block's summary; ok is false for an
// empty (uninitialised) store.
func (s *DB) Head() (*Head, bool, error) {
	if v, ok, err := s.get(keyFormat); err != nil {
		return nil, false, err
	} else if !ok {
		return nil, false, nil
	} else if !readableFormat(v) {
		return nil, false, ledger.Errorf(ErrFormat, "directory is in format %x; this build reads formats %d to %d", v, oldestReadable, FormatVersion)
	}
	v, ok, err := s.get(keyHead)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, ledger.Errorf(ledger.ErrCorrupt, "format record present but no head record")
	}
	h, err := decodeHead(v)
	return h, err == nil, err
}

// Block key helpers.

func blockKey(h uint64) []byte {
	k := make([]byte, 9)
	k[0] = pBlock
	binary.BigEndian.PutUint64(k[1:], h)
	return k
}

// RawBlock returns the stored encoding of block h.
func (s *DB) RawBlock(h uint64) ([]byte, bool, error) {
	raw, ok, err := s.get(blockKey(h))
	if err == nil && !ok && h == 0 {
		return s.rawBlock0()
	}
	return raw, ok, err
}

// Block reads and decodes block h, checking its body hash.
func (s *DB) Block(reg *ledger.Registry, h uint64) (*ledger.Block, error) {
	raw, ok, err := s.RawBlock(h)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "block %d is missing from the log", h)
	}
	b, err := reg.DecodeBlock(raw)
	if err != nil {
		return nil, err
	}
	if b.Height != h {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "block stored at height %d says it is height %d", h, b.Height)
	}
	return b, nil
}

// State reads.

// StateReader reads the committed state. It implements ledger.Reader and
// ledger.Getter.
type StateReader struct{ s *DB }

// State returns a reader of the committed state.
func (s *DB) State() StateReader { return StateReader{s} }

func stateKey(k []byte) []byte {
	out := make([]byte, 1+len(k))
	out[0] = pState
	copy(out[1:], k)
	return out
}

// Get implements ledger.Reader.
func (r StateReader) Get(key []byte) ([]byte, bool, error) {
	var buf [96]byte
	k := append(append(buf[:0], pState), key...)
	return r.s.get(k)
}

// Scan implements ledger.Reader.
func (r StateReader) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	return r.s.scan(stateKey(prefix), func(k, v []byte) bool { return fn(k[1:], v) })
}

// Lookup is Get without the error, for ledger.Getter; a read error is
// returned as absent and recorded in Err.
type Lookup struct {
	R   StateReader
	Err error
}

// Get implements ledger.Getter.
func (l *Lookup) Get(key []byte) ([]byte, bool) {
	v, ok, err := l.R.Get(key)
	if err != nil && l.Err == nil {
		l.Err = err
	}
	return v, ok
}

func (s *DB) scan(prefix []byte, fn func(k, v []byte) bool) error {
	return s.scanRange(prefix, prefixEnd(prefix), fn)
}

// scanRange calls fn with the keys in [lo, hi) in order until it returns
// false.
func (s *DB) scanRange(lo, hi []byte, fn func(k, v []byte) bool) error {
	return scanFrom(s.db, lo, hi, fn)
}

// scanFrom is scanRange over r (the database or a snapshot of it).
func scanFrom(r pebble.Reader, lo, hi []byte, fn func(k, v []byte) bool) error {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return wrapErr("scan", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return wrapErr("scan", err)
		}
		if !fn(it.Key(), v) {
			break
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return wrapErr("scan", err)
	}
	return wrapErr("scan", it.Close())
}

func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// HeadState returns the head record and the state's accumulator (with its
// key count) read from one snapshot of the store, so that they belong
// together while blocks are being written: a block's state and its head
// go into one batch. check, if not nil, reads the same snapshot's state,
// and idem, if not nil, receives the accumulator of its idempotency
// entries (keys and values, as AddIdem adds them).
func (s *DB) HeadState(check func(ledger.Reader) error, idem *ledger.LtHash) (*Head, *ledger.LtHash, int, error) {
	snap := s.db.NewSnapshot()
	defer snap.Close()
	v, ok, err := getFrom(snap, keyHead)
	if err != nil {
		return nil, nil, 0, err
	}
	if !ok {
		return nil, nil, 0, ledger.Errorf(ledger.ErrCorrupt, "no head record")
	}
	h, err := decodeHead(v)
	if err != nil {
		return nil, nil, 0, err
	}
	var acc ledger.LtHash
	n := 0
	if err := scanFrom(snap, []byte{pState}, []byte{pState + 1}, func(k, v []byte) bool {
		acc.Add(k[1:], v)
		n++
		return true
	}); err != nil {
		return nil, nil, 0, err
	}
	if check != nil {
		if err := check(snapState{snap}); err != nil {
			return nil, nil, 0, err
		}
	}
	if idem != nil {
		if err := scanFrom(snap, []byte{pIdem}, []byte{pIdem + 1}, func(k, v []byte) bool {
			idem.Add(k, v)
			return true
		}); err != nil {
			return nil, nil, 0, err
		}
	}
	return h, &acc, n, nil
}

// snapState reads the state of a snapshot (ledger.Reader).
type snapState struct{ snap *pebble.Snapshot }

func (r snapState) Get(key []byte) ([]byte, bool, error) { return getFrom(r.snap, stateKey(key)) }

func (r snapState) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	lo := stateKey(prefix)
	return scanFrom(r.snap, lo, prefixEnd(lo), func(k, v []byte) bool { return fn(k[1:], v) })
}

// Checkpoint writes a consistent copy of the store to dir, which must not
// exist. Opening dir as a ledger resumes from the checkpoint's head.
func (s *DB) Checkpoint(dir string) error {
	return wrapErr("checkpoint", s.db.Checkpoint(dir, pebble.WithFlushedWAL()))
}

// Metrics returns Pebble's metrics summary.
func (s *DB) Metrics() string { return s.db.Metrics().String() }

// DiskUsage returns the bytes the store occupies on disk.
func (s *DB) DiskUsage() uint64 { return s.db.Metrics().DiskSpaceUsage() }

var _ io.Closer = (*DB)(nil)
