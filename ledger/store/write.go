package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/ledger"
)

// IdemEntry records that an idempotency key was used (the block step's
// ledger.IdemEntry).
type IdemEntry = ledger.IdemEntry

func idemKey(actor ledger.AccountID, key string) []byte {
	return appendIdemKey(make([]byte, 0, 2+len(actor)+len(key)), actor, key)
}

func appendIdemKey(buf []byte, actor ledger.AccountID, key string) []byte {
	buf = append(buf, pIdem)
	buf = append(buf, actor...)
	buf = append(buf, 0)
	return append(buf, key...)
}

// appendIdemValue appends an idempotency entry's stored value.
func appendIdemValue(buf []byte, ie *IdemEntry) []byte {
	e := ledger.NewEncoder(buf)
	e.Uint(ie.Height)
	e.Uint(uint64(ie.Index))
	e.Fixed(ie.ContentHash[:])
	return e.Bytes()
}

// AddIdem adds an idempotency entry, as the store keeps it, to acc: the
// accumulator of the entries a log's blocks record, against which
// HeadState's accumulator of the stored ones is checked.
func AddIdem(acc *ledger.LtHash, ie *IdemEntry) {
	acc.Add(idemKey(ie.Actor, ie.Key), appendIdemValue(nil, ie))
}

// Idempotency looks up an idempotency key of an actor.
func (s *DB) Idempotency(actor ledger.AccountID, key string) (IdemEntry, bool, error) {
	v, ok, err := s.get(idemKey(actor, key))
	if err != nil || !ok {
		return IdemEntry{}, false, err
	}
	d := ledger.NewDecoder(v, "idempotency entry")
	e := IdemEntry{Actor: actor, Key: key, Height: d.Uint()}
	index := d.Uint()
	copy(e.ContentHash[:], d.Fixed(32))
	if err := d.Finish(); err != nil {
		return IdemEntry{}, false, ledger.Errorf(ledger.ErrCorrupt, "%v", err)
	}
	if index > math.MaxUint32 {
		// Cut to 32 bits, it would name another command.
		return IdemEntry{}, false, ledger.Errorf(ledger.ErrCorrupt, "idempotency entry of %s %q: command index %d is out of range", actor, key, index)
	}
	e.Index = uint32(index)
	return e, true, nil
}

// CommitOf is what a block step's Ready writes: the block, its changes,
// its idempotency entries and the new head.
func CommitOf(rd *ledger.Ready) *Commit {
	return &Commit{Block: rd.Block, Changes: rd.Changes, Head: &rd.Head, Idem: rd.Idem}
}

// Commit is everything one block writes.
type Commit struct {
	Block   *ledger.Block // sealed
	Changes []ledger.Change
	Head    *Head
	Idem    []IdemEntry
	Genesis []byte // the genesis document, with block 0 only
	// StateOnly writes only the state changes and the head: for scratch
	// stores that rebuild state to check it.
	StateOnly bool
}

// Write applies c in one batch, synced unless the store is a scratch store.
func (s *DB) Write(c *Commit) error {
	b := s.db.NewBatch()
	defer b.Close()
	if err := s.fill(b, c); err != nil {
		return err
	}
	if err := s.latch.fault(); err != nil {
		return err
	}
	if err := b.Commit(s.wo); err != nil {
		return wrapErr("commit block", err)
	}
	s.committed(c)
	return s.latch.fault()
}

func (s *DB) fill(b *pebble.Batch, c *Commit) error {
	height := c.Block.Height
	if c.StateOnly {
		for i := range c.Changes {
			if err := putChange(b, &c.Changes[i]); err != nil {
				return err
			}
		}
		return b.Set(keyHead, encodeHead(c.Head), nil)
	}
	if height == 0 {
		if err := putFormat(b); err != nil {
			return err
		}
		if err := s.putNoAccountIndex(b); err != nil {
			return err
		}
		if err := putIndexed(b, 0); err != nil {
			return err
		}
		if err := putGenesisDoc(b, c.Genesis); err != nil {
			return err
		}
		digest := blake3.Sum256(c.Genesis)
		if err := b.Set(keyGenesisDigest, digest[:], nil); err != nil {
			return err
		}
	}
	// The keys go in ascending order within each key space (B, I, S, X,
	// then m/head): Pebble inserts a batch into its memtable in batch
	// order, and an insert that follows the previous one in key order
	// starts its skiplist search from there rather than from the top.
	if err := b.Set(blockKey(height), c.Block.Raw(), nil); err != nil {
		return err
	}
	if len(c.Idem) > 0 {
		var run keyRun
		for _, ie := range c.Idem {
			run.start()
			run.buf = appendIdemKey(run.buf, ie.Actor, ie.Key)
			run.value()
			run.buf = appendIdemValue(run.buf, &ie)
			run.end()
		}
		if err := run.set(b); err != nil {
			return err
		}
	}
	for i := range c.Changes { // sorted by key (ledger.State.Changes)
		if err := putChange(b, &c.Changes[i]); err != nil {
			return err
		}
	}
	entries, record := s.inlineIndex(c)
	if entries {
		if err := putAccountEvents(b, c.Block.Events, height, 0); err != nil {
			return err
		}
	}
	if record {
		if err := putIndexed(b, height); err != nil {
			return err
		}
	}
	return b.Set(keyHead, encodeHead(c.Head), nil)
}

// inlineIndex reports whether fill writes the account-event index
// entries of c's block (block 0 always; any block unless the store defers
// the index) and whether it advances the index's record with them (when
// the record reaches the block before, so that a store written without
// DeferAccountIndex, such as Replay's, is opened later with nothing to
// index).
func (s *DB) inlineIndex(c *Commit) (entries, record bool) {
	h := c.Block.Height
	switch {
	case s.noIndex || c.StateOnly:
		return false, false
	case h == 0:
		return true, false // the genesis's meta records block 0
	case s.deferIndex:
		return false, false
	}
	return true, s.indexed.Load() == h-1
}

// committed notes that c was committed.
func (s *DB) committed(c *Commit) {
	if _, record := s.inlineIndex(c); record {
		s.indexed.Store(c.Block.Height)
	}
}

// IndexBlocks writes the account-event index entries of blocks, the ones
// after Indexed() in order, and the new Indexed height, in one batch
// without an fsync of its own (the next block's synced write makes it
// durable; a crash before that leaves Indexed where it was).
func (s *DB) IndexBlocks(blocks []*ledger.Block) error {
	if s.noIndex || len(blocks) == 0 {
		return nil
	}
	next := s.indexed.Load() + 1
	for i, b := range blocks {
		if b.Height != next+uint64(i) {
			return fmt.Errorf("store: indexing block %d, but the index reaches block %d", b.Height, next+uint64(i)-1)
		}
	}
	last := blocks[len(blocks)-1].Height
	err := s.commit(func(pb *pebble.Batch) error {
		var run keyRun
		for _, b := range blocks {
			run.accountEvents(b.Events, b.Height, 0)
		}
		if err := run.set(pb); err != nil {
			return err
		}
		return putIndexed(pb, last)
	}, false)
	if err != nil {
		return err
	}
	s.indexed.Store(last)
	return nil
}

// keyRun gathers keys and values in one buffer to set them in key order.
type keyRun struct {
	buf  []byte
	ents []runEnt
	k0   int // where the entry being built starts
	k1   int // where its key ends
}

// runEnt is an entry of a keyRun: its key is buf[k0:k1], its value
// buf[k1:v1].
type runEnt struct{ k0, k1, v1 int }

// start starts an entry: its key is what is appended to buf before value,
// its value what is appended after it, before end.
func (r *keyRun) start() { r.k0 = len(r.buf) }

func (r *keyRun) value() { r.k1 = len(r.buf) }

func (r *keyRun) end() { r.ents = append(r.ents, runEnt{r.k0, r.k1, len(r.buf)}) }

// set sets the entries in b in key order; entries with equal keys keep the
// order they were added in, so the last one wins as it would unsorted.
func (r *keyRun) set(b *pebble.Batch) error {
	k := func(e runEnt) []byte { return r.buf[e.k0:e.k1] }
	slices.SortStableFunc(r.ents, func(x, y runEnt) int { return bytes.Compare(k(x), k(y)) })
	for _, e := range r.ents {
		if err := b.Set(k(e), r.buf[e.k1:e.v1], nil); err != nil {
			return err
		}
	}
	return nil
}

// putAccountEvents indexes events by the accounts they concern; events[0]
// is event first of the block at height.
func putAccountEvents(b *pebble.Batch, events []ledger.Event, height uint64, first int) error {
	var run keyRun
	run.accountEvents(events, height, first)
	return run.set(b)
}

// accountEvents adds the account-event index entries of events, events[0]
// being event first of the block at height.
func (r *keyRun) accountEvents(events []ledger.Event, height uint64, first int) {
	for i, ev := range events {
		eachEventAccount(ev, func(a ledger.AccountID) {
			r.start()
			r.buf = acctEvKey(r.buf, a, height, uint32(first+i))
			r.value()
			r.end()
		})
	}
}

// eachEventAccount calls fn with each account the index files ev under:
// the accounts it concerns (ledger.AccountEvent), each once however often
// they name it (its entry's key is the same each time).
func eachEventAccount(ev ledger.Event, fn func(a ledger.AccountID)) {
	ae, ok := ev.(ledger.AccountEvent)
	if !ok {
		return
	}
	accts := ae.Accounts()
	var seen map[ledger.AccountID]bool // for long lists only
	if len(accts) > 8 {
		seen = make(map[ledger.AccountID]bool, len(accts))
	}
	for j, a := range accts {
		if seen != nil {
			if seen[a] {
				continue
			}
			seen[a] = true
		} else if slices.Contains(accts[:j], a) {
			continue
		}
		fn(a)
	}
}

func acctEvKey(buf []byte, a ledger.AccountID, height uint64, idx uint32) []byte {
	buf = append(buf, pAcctEv)
	buf = append(buf, a...)
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint64(buf, height)
	return binary.BigEndian.AppendUint32(buf, idx)
}

// EventRef locates an event: a block height and the event's index in it.
type EventRef struct {
	Height uint64
	Index  uint32
}

// AccountEvents lists references to events concerning an account, from
// height from on, at most limit of them (0 means no limit).
func (s *DB) AccountEvents(a ledger.AccountID, from uint64, limit int) ([]EventRef, error) {
	if s.noIndex {
		return nil, ledger.Errorf(ErrNoAccountIndex, "this ledger was created without the account-event index (Options.NoAccountIndex)")
	}
	prefix := append(append([]byte{pAcctEv}, a...), 0)
	lower := binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), from)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return nil, wrapErr("account events", err)
	}
	var out []EventRef
	for ok := it.First(); ok && (limit == 0 || len(out) < limit); ok = it.Next() {
		k := it.Key()[len(prefix):]
		if len(k) != 12 {
			it.Close()
			return nil, ledger.Errorf(ledger.ErrCorrupt, "account event index key of %d bytes", len(k)+len(prefix))
		}
		out = append(out, EventRef{Height: binary.BigEndian.Uint64(k), Index: binary.BigEndian.Uint32(k[8:])})
	}
	if err := it.Error(); err != nil {
		it.Close()
		return nil, wrapErr("account events", err)
	}
	return out, wrapErr("account events", it.Close())
}

func putChange(b *pebble.Batch, ch *ledger.Change) error {
	if !ch.NewOK {
		return b.Delete(stateKey(ch.Key), nil)
	}
	op := b.SetDeferred(1+len(ch.Key), len(ch.New))
	op.Key[0] = pState
	copy(op.Key[1:], ch.Key)
	copy(op.Value, ch.New)
	return op.Finish()
}

// WriteState writes state changes alone, in one batch, synced unless the
// store is a scratch store: for a scratch store taking over state that
// was rebuilt elsewhere (a verify that outgrew memory). It writes no head,
// block or index.
func (s *DB) WriteState(changes []ledger.Change) error {
	return s.commit(func(b *pebble.Batch) error {
		for i := range changes {
			if err := putChange(b, &changes[i]); err != nil {
				return err
			}
		}
		return nil
	}, true)
}

// Flush writes the memtable to disk; for stores written with NoSync.
func (s *DB) Flush() error { return wrapErr("flush", s.db.Flush()) }

// Applied is a block applied to the store whose fsync may still be running.
type Applied struct {
	b    *pebble.Batch
	sync bool
	l    *latch
}

// Wait blocks until the block is durable and releases the batch. It must be
// called exactly once, in the order the blocks were applied.
func (a *Applied) Wait() error {
	defer a.b.Close()
	if !a.sync {
		return nil
	}
	if err := a.b.SyncWait(); err != nil {
		return wrapErr("sync block", err)
	}
	// A log write or sync that failed before the waiter was released
	// latched the fault (see walFS): the block may not be durable.
	return a.l.fault()
}

// Apply applies c like Write but returns as soon as the block is visible
// to reads, before its fsync completes; Wait on the result waits for
// durability. It lets the sequencer execute the next block while this one
// syncs. Pebble syncs its log in order, so a block is durable only after
// every block applied before it.
func (s *DB) Apply(c *Commit) (*Applied, error) { return s.apply(c, s.wo != pebble.NoSync) }

// ApplyUnsynced applies c without an fsync of its own: for blocks that are
// durable elsewhere (a follower's blocks are in the replicated stream, and
// a crash only loses a suffix that is fetched again). A later synced write
// makes it durable too, since Pebble's log is ordered.
func (s *DB) ApplyUnsynced(c *Commit) (*Applied, error) { return s.apply(c, false) }

func (s *DB) apply(c *Commit, sync bool) (*Applied, error) {
	if err := s.latch.fault(); err != nil {
		return nil, err
	}
	b := s.db.NewBatch()
	if err := s.fill(b, c); err != nil {
		b.Close()
		return nil, err
	}
	if !sync {
		if err := b.Commit(pebble.NoSync); err != nil {
			b.Close()
			return nil, wrapErr("commit block", err)
		}
		s.committed(c)
		return &Applied{b: b, l: s.latch}, nil
	}
	if err := s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		b.Close()
		return nil, wrapErr("commit block", err)
	}
	s.committed(c)
	return &Applied{b: b, sync: true, l: s.latch}, nil
}
