package ledger

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
)

// Reader reads committed state. Values returned must not be modified by
// the caller, and a Reader must not modify them later either.
type Reader interface {
	// Get returns the value of key, and ok=false if key is absent. It
	// must not modify key or keep it after it returns.
	Get(key []byte) (value []byte, ok bool, err error)
	// Scan calls fn for every key with the prefix, in ascending key order,
	// until fn returns false.
	Scan(prefix []byte, fn func(key, value []byte) bool) error
}

// State is the working state of one block: a write overlay over committed
// state, with a journal so that a rejected command's writes are undone.
// Reducers read and write state only through it.
//
// Errors from the underlying Reader are I/O faults, not verdicts on a
// command: the first one is latched, reads then return nothing, and the
// host checks Err after each command and abandons the block.
type State struct {
	base    Reader
	m       map[string]*entry
	journal []undo
	err     error
	slab    []entry // entries are allocated from here, 64 to 256 at a time
	slabAll []entry // the first slab, reused by reset
	taken   int     // entries taken from slabs since the last reset
	// written lists every key written in the block, once, so that Scan
	// and Changes visit the written keys instead of every key read; the
	// first sorted of them are in key order.
	written []string
	sorted  int
	// writtenE holds the written keys' entries in the order first
	// written (commitTo).
	writtenE []*entry
	// spare is memory for writtenSorted to merge into, and scanning
	// counts the Scans in progress, which hold s.written: while one is,
	// writtenSorted sorts into new memory.
	spare    []string
	scanning int
	scans    []*scanState // reused by Scan, one per depth
	kbuf     []byte       // a copy of the key a miss reads from base
	// recent holds the entries load found or made last, nextRecent
	// counts them.
	recent     [4]*entry
	nextRecent uint8
	// gen numbers the blocks s has served; an entry loaded in an earlier
	// block (gen below s.gen) is refreshed from base when first read.
	gen uint32
	// mem is base when it is a *MemStore. Over the same MemStore block
	// after block, entries are kept from block to block (up to maxKept):
	// a key read again needs no new entry, no copy of its key, no lookup
	// in the store, and keeps its decoded value while the store still
	// holds the very bytes it was decoded from.
	mem *MemStore
	// trustFrom is the first block from which every change to mem was
	// this State's own (Changes, applied unaltered): an entry loaded since
	// then has the store's value without asking the store. out is the
	// last Changes' result (over mem), outEntries their entries (also
	// Changes' scratch), outGen its block and outApplies the store's
	// count of Applies when it was made.
	trustFrom  uint32
	out        []Change
	outEntries []*entry
	outGen     uint32
	outApplies uint64
	// keepMax, when positive, keeps entries from block to block over any
	// Reader too (StepOptions.KeepStateBytes), while keptBytes (the sum
	// of the entries' sizes, entrySize) stays within it.
	// hostApplied is the host's word (Step.Applied) that the last
	// block's Changes were applied unaltered to the state the next block
	// reads, and nothing else changed it; without it every kept entry is
	// read again from the Reader when the next block first needs it.
	keepMax     int64
	keptBytes   int64
	hostApplied bool
}

// maxKept bounds the entries a State keeps from block to block; past it,
// reset starts afresh.
const maxKept = 1 << 16

type entry struct {
	key           string
	orig, val     []byte
	origOK, valOK bool
	dirty         bool
	listed        bool      // in State.written
	size          int64     // entrySize when last counted in State.keptBytes
	gen           uint32    // the block (State.gen) the entry was loaded in
	mem           *memEntry // the MemStore's entry for key, if State.mem has one
	// dec is the value decoded (of the kind kind), which reducers read
	// and write without decoding and encoding it at every access (a key
	// is decoded once and encoded once per block): the decoded val, or,
	// while stale, a value written by SetAmount or SetRecord whose bytes
	// are made only when they are needed (Get, Scan, Changes).
	kind  decKind
	stale bool
	dec   decoded
}

// decoded is a value in decoded form: an Amount (kind decAmount) or a
// Record (decRecord).
type decoded struct {
	amt Amount
	rec Record
}

type decKind uint8

const (
	decNone decKind = iota
	decAmount
	decRecord
)

// Record is a state value a State can keep decoded for the rest of a
// block: see SetRecord. A Record given to a State, or returned by one,
// must never be modified.
type Record interface {
	// EncodeTo appends the value's canonical encoding, the bytes the key
	// holds.
	EncodeTo(e *Encoder)
}

// bytes makes e.val current.
func (e *entry) bytes() {
	if !e.stale {
		return
	}
	if e.kind == decAmount {
		e.val = EncodeAmount(e.dec.amt)
	} else {
		enc := Encoder{buf: make([]byte, 0, 64)}
		e.dec.rec.EncodeTo(&enc)
		e.val = enc.buf
	}
	e.stale = false
}

type undo struct {
	e     *entry
	val   []byte
	dec   decoded
	ok    bool
	dirty bool
	stale bool
	kind  decKind
}

// NewState returns an empty overlay over base.
func NewState(base Reader) *State {
	s := &State{base: base, m: make(map[string]*entry, 256), journal: make([]undo, 0, 64), gen: 1}
	s.mem, _ = base.(*MemStore)
	return s
}

// reset empties s for a new block over base, keeping its memory.
func (s *State) reset(base Reader) {
	if s.keepMax > 0 && s.mem == nil {
		// The block's writes change what its entries hold.
		for _, e := range s.writtenE {
			s.recount(e)
		}
	}
	mem, _ := base.(*MemStore)
	bounded := len(s.m) <= maxKept && s.gen < math.MaxUint32-1
	var keep, trusted bool
	switch {
	case mem != nil:
		keep = bounded && mem == s.mem
		trusted = keep && s.outGen == s.gen && s.appliedOut()
	case s.keepMax > 0:
		// Over another Reader, an entry kept untrusted is read again
		// (refresh), so keeping is always safe; trust is the host's word.
		keep = bounded && s.mem == nil && s.keptBytes <= s.keepMax
		trusted = keep && s.outGen == s.gen && s.hostApplied && s.err == nil
	}
	s.hostApplied = false
	s.base, s.err, s.mem = base, nil, mem
	s.gen++
	if !trusted {
		s.trustFrom = s.gen
	}
	clear(s.outEntries)
	s.out, s.outEntries, s.outGen = nil, s.outEntries[:0], 0 // out is the host's
	clear(s.recent[:])
	clear(s.journal)
	s.journal = s.journal[:0]
	clear(s.written)
	s.written, s.sorted, s.scanning = s.written[:0], 0, 0
	clear(s.writtenE)
	s.writtenE = s.writtenE[:0]
	for _, ss := range s.scans {
		// A scan a panic cut short leaves its callback and overlay.
		ss.overlay, ss.fn = nil, nil
		clear(ss.tail[:cap(ss.tail)])
		clear(ss.merged[:cap(ss.merged)])
	}
	if keep {
		// The entries stay, each refreshed from the store when first
		// read (refresh); their memory must not be reused.
		s.slabAll, s.taken = nil, 0
		return
	}
	clear(s.m)
	s.gen, s.trustFrom, s.keptBytes = 1, 1, 0
	// Only the entries the block took need clearing. The first slab
	// grows to hold the largest block's entries (up to 4096), so a
	// reused State allocates none.
	if s.taken > len(s.slabAll) && len(s.slabAll) < 4096 {
		s.slabAll = make([]entry, min(s.taken, 4096))
	} else {
		clear(s.slabAll[:min(s.taken, len(s.slabAll))])
	}
	s.slab, s.taken = s.slabAll, 0
}

// Err returns the first read error, if any.
func (s *State) Err() error { return s.err }

func (s *State) load(key []byte) *entry {
	// A reducer often reads a key and then writes it, and a command
	// touches a few keys several times: the last entries loaded answer
	// without a map lookup.
	for _, e := range &s.recent {
		if e != nil && e.key == string(key) {
			return e
		}
	}
	if e, ok := s.m[string(key)]; ok {
		if e.gen != s.gen {
			s.refresh(e)
		}
		s.remember(e)
		return e
	}
	if len(s.slab) == 0 {
		// A State used for one block (NewState) starts small.
		s.slab = make([]entry, min(64<<min(s.taken/64, 2), 256))
		if s.slabAll == nil && s.mem == nil {
			s.slabAll = s.slab
		}
	}
	e := &s.slab[0]
	s.slab = s.slab[1:]
	s.taken++
	e.gen = s.gen
	if s.err == nil {
		if s.mem != nil {
			if me := s.mem.m[string(key)]; me != nil {
				e.mem = me
				if me.live {
					e.orig, e.origOK, e.val, e.valOK = me.v, true, me.v, true
				}
			}
		} else {
			// A copy: key itself then never escapes, so callers can
			// build keys on the stack.
			s.kbuf = append(s.kbuf[:0], key...)
			v, ok, err := s.base.Get(s.kbuf)
			if err != nil {
				s.err = err
			} else {
				e.orig, e.origOK, e.val, e.valOK = v, ok, v, ok
			}
		}
	}
	e.key = string(key)
	e.size = entrySize(e)
	s.keptBytes += e.size
	s.m[e.key] = e
	s.remember(e)
	return e
}

// refresh makes e, kept from an earlier block over the same MemStore,
// an entry of this block: its value is the store's, and its decoded value
// is kept only if the store holds the same bytes e's value had (the same
// memory: neither a Reader nor a State modifies a value's bytes).
func (s *State) refresh(e *entry) {
	var v []byte
	var ok bool
	if s.err == nil && e.gen >= s.trustFrom {
		// The store holds the value e had at the end of its block.
		v, ok = e.val, e.valOK
	} else if s.err == nil && s.mem != nil {
		me := e.mem
		if me == nil || me.gone {
			me = s.mem.m[e.key]
			e.mem = me
		}
		if me != nil && me.live {
			v, ok = me.v, true
		}
	} else if s.err == nil {
		s.kbuf = append(s.kbuf[:0], e.key...)
		got, has, err := s.base.Get(s.kbuf)
		if err != nil {
			s.err = err
		} else {
			v, ok = got, has
		}
	}
	same := ok && e.valOK && !e.stale && len(v) == len(e.val) && (len(v) == 0 || &v[0] == &e.val[0])
	e.orig, e.origOK, e.val, e.valOK = v, ok, v, ok
	e.dirty, e.listed, e.stale, e.gen = false, false, false, s.gen
	if !same {
		e.dec, e.kind = decoded{}, decNone
	}
	s.recount(e)
}

// entryOverhead is what a kept entry costs beyond its key's and value's
// bytes: the entry, its map slot, a decoded value of a few words.
const entryOverhead = 192

// entrySize is what e counts for in State.keptBytes.
func entrySize(e *entry) int64 { return int64(len(e.key) + len(e.val) + entryOverhead) }

// recount brings e's share of s.keptBytes up to date.
func (s *State) recount(e *entry) {
	n := entrySize(e)
	s.keptBytes += n - e.size
	e.size = n
}

// appliedOut reports whether the only change to s.mem since the last
// Changes (of the block just ended) is that Changes' result, applied
// unaltered, or nothing if it was empty.
func (s *State) appliedOut() bool {
	m := s.mem
	if len(s.out) == 0 {
		return m.applies == s.outApplies || (m.applies == s.outApplies+1 && m.lastLen == 0)
	}
	if m.applies != s.outApplies+1 || m.last != &s.out[0] || m.lastLen != len(s.out) {
		return false
	}
	for j := range s.out {
		c, e := &s.out[j], s.outEntries[j]
		if c.NewOK != e.valOK || len(c.New) != len(e.val) || (len(c.New) > 0 && &c.New[0] != &e.val[0]) || string(c.Key) != e.key {
			return false
		}
	}
	return true
}

// remember puts e in s.recent, in place of the oldest entry there.
func (s *State) remember(e *entry) {
	s.recent[s.nextRecent%uint8(len(s.recent))] = e
	s.nextRecent++
}

// Get returns the current value of key.
func (s *State) Get(key []byte) ([]byte, bool) {
	e := s.load(key)
	e.bytes()
	return e.val, e.valOK
}

// Has reports whether key is present.
func (s *State) Has(key []byte) bool { return s.load(key).valOK }

// GetAmount returns the current value of key decoded as an Amount
// (DecodeAmount's error if it is not one), and ok=false if key is absent.
// It decodes a key's value once, however often it is read.
func (s *State) GetAmount(key []byte) (Amount, bool, error) {
	e := s.load(key)
	if !e.valOK {
		return Amount{}, false, nil
	}
	if e.kind != decAmount {
		e.bytes()
		a, err := DecodeAmount(e.val)
		if err != nil {
			return Amount{}, true, err
		}
		e.dec, e.kind = decoded{amt: a}, decAmount
	}
	return e.dec.amt, true, nil
}

// SetAmount sets key to EncodeAmount(a). The encoding is made once, when
// the value's bytes are first needed (Get, Scan, Changes), so an amount
// written many times in a block is encoded once.
func (s *State) SetAmount(key []byte, a Amount) {
	e := s.write(key)
	e.val, e.valOK, e.dec, e.kind, e.stale = nil, true, decoded{amt: a}, decAmount, true
}

// Record returns the Record that key's current value was last set to
// (SetRecord) or kept as (KeepRecord), if any: in this block or, over the
// same MemStore, in an earlier one whose value the store still holds. The
// caller checks its type and must not modify it.
func (s *State) Record(key []byte) (Record, bool) {
	e := s.load(key)
	if !e.valOK || e.kind != decRecord {
		return nil, false
	}
	return e.dec.rec, true
}

// KeepRecord remembers r as key's current value decoded, for Record, so
// that later readers in the block need not decode it again. The caller has
// just decoded r from the value Get returns; it must not modify r.
func (s *State) KeepRecord(key []byte, r Record) {
	e := s.load(key)
	if !e.valOK {
		return
	}
	e.bytes()
	e.dec, e.kind = decoded{rec: r}, decRecord
}

// SetRecord sets key to r's encoding, which is made once, when the value's
// bytes are first needed (Get, Scan, Changes). The caller must not modify
// r afterwards.
func (s *State) SetRecord(key []byte, r Record) {
	e := s.write(key)
	e.val, e.valOK, e.dec, e.kind, e.stale = nil, true, decoded{rec: r}, decRecord, true
}

// Set sets key to value. State keeps value; the caller must not modify it.
func (s *State) Set(key, value []byte) {
	e := s.write(key)
	e.val, e.valOK, e.dec, e.kind, e.stale = value, true, decoded{}, decNone, false
}

// Delete removes key.
func (s *State) Delete(key []byte) {
	e := s.write(key)
	e.val, e.valOK, e.dec, e.kind, e.stale = nil, false, decoded{}, decNone, false
}

// DeletePrefix deletes every key with the prefix (collected first: a scan
// does not see its own deletions).
func (s *State) DeletePrefix(prefix []byte) {
	var keys [][]byte
	s.Scan(prefix, func(k, _ []byte) bool {
		keys = append(keys, bytes.Clone(k))
		return true
	})
	for _, k := range keys {
		s.Delete(k)
	}
}

// write journals key's entry before a write and marks it written.
func (s *State) write(key []byte) *entry {
	e := s.load(key)
	s.outGen = 0 // written after Changes: its result is not the block's
	s.journal = append(s.journal, undo{e: e, val: e.val, dec: e.dec, ok: e.valOK, dirty: e.dirty, stale: e.stale, kind: e.kind})
	e.dirty = true
	if !e.listed {
		e.listed = true
		s.written = append(s.written, e.key)
		s.writtenE = append(s.writtenE, e)
	}
	return e
}

// writtenSorted returns the written keys in key order (a key stays listed
// after a rollback undoes its write; its entry is then not dirty).
func (s *State) writtenSorted() []string {
	if s.sorted == len(s.written) {
		return s.written
	}
	tail := s.written[s.sorted:]
	switch {
	case s.sorted > 0 && len(tail) < s.sorted/8:
		// A few keys written since the last sort: merged in.
		slices.Sort(tail)
		var merged []string
		if s.scanning == 0 {
			merged = s.spare[:0]
		} else {
			// A new slice: a Scan in progress holds the old one.
			merged = make([]string, 0, len(s.written))
		}
		a, b := s.written[:s.sorted], tail
		for len(a) > 0 && len(b) > 0 {
			if a[0] < b[0] {
				merged, a = append(merged, a[0]), a[1:]
			} else {
				merged, b = append(merged, b[0]), b[1:]
			}
		}
		merged = append(append(merged, a...), b...)
		if s.scanning == 0 {
			s.spare = s.written[:0]
		}
		s.written = merged
	case s.scanning == 0:
		slices.Sort(s.written)
	default:
		s.written = slices.Sorted(slices.Values(s.written))
	}
	s.sorted = len(s.written)
	return s.written
}

// Mark returns a point to roll back to.
func (s *State) Mark() int { return len(s.journal) }

// Rollback undoes every write made since mark.
func (s *State) Rollback(mark int) {
	if mark < len(s.journal) {
		s.outGen = 0 // as for write
	}
	for i := len(s.journal) - 1; i >= mark; i-- {
		u := s.journal[i]
		u.e.val, u.e.valOK, u.e.dirty, u.e.dec, u.e.stale, u.e.kind = u.val, u.ok, u.dirty, u.dec, u.stale, u.kind
	}
	s.journal = s.journal[:mark]
}

// Scan calls fn for every key with the prefix, in ascending order, as the
// state is now (committed state merged with this block's writes).
func (s *State) Scan(prefix []byte, fn func(key, value []byte) bool) {
	if s.err != nil {
		return
	}
	if tail := len(s.written) - s.sorted; tail > 64 && tail > s.sorted/8 {
		s.writtenSorted()
	}
	for len(s.scans) <= s.scanning {
		s.scans = append(s.scans, newScanState(s))
	}
	ss := s.scans[s.scanning]
	ss.overlay, ss.i, ss.fn, ss.stopped = s.writtenUnder(string(prefix), ss), 0, fn, false
	// A copy, as in load: the caller's prefix then never escapes.
	ss.prefix = append(ss.prefix[:0], prefix...)
	s.scanning++ // not deferred: a panic leaves it raised, which is safe
	err := s.base.Scan(ss.prefix, ss.visit)
	if err == nil && !ss.stopped {
		ss.emitBefore(nil)
	}
	s.scanning--
	ss.overlay, ss.fn = nil, nil
	if err != nil {
		s.err = err
	}
}

// writtenUnder returns the keys written in the block under prefix, in key
// order: the range of the sorted keys, merged with those written since
// they were sorted (into ss's memory, when there are any).
func (s *State) writtenUnder(prefix string, ss *scanState) []string {
	head := s.written[:s.sorted]
	lo, _ := slices.BinarySearch(head, prefix)
	hi := lo
	for hi < len(head) && strings.HasPrefix(head[hi], prefix) {
		hi++
	}
	ss.tail = ss.tail[:0]
	for _, k := range s.written[s.sorted:] {
		if strings.HasPrefix(k, prefix) {
			ss.tail = append(ss.tail, k)
		}
	}
	if len(ss.tail) == 0 {
		return head[lo:hi]
	}
	slices.Sort(ss.tail)
	a, b := head[lo:hi], ss.tail
	merged := ss.merged[:0]
	for len(a) > 0 && len(b) > 0 {
		if a[0] < b[0] {
			merged, a = append(merged, a[0]), a[1:]
		} else {
			merged, b = append(merged, b[0]), b[1:]
		}
	}
	ss.merged = append(append(merged, a...), b...)
	return ss.merged
}

// scanState is one Scan in progress. A State keeps one per depth of
// nested scans (a scan's callback may scan again) and reuses them, so a
// scan allocates nothing of its own.
type scanState struct {
	s       *State
	overlay []string // the block's written keys under the prefix, in key order
	i       int      // the next of them to merge
	fn      func(key, value []byte) bool
	stopped bool
	visit   func(key, value []byte) bool // the base's callback, bound once
	// tail and merged are writtenUnder's memory, prefix the scan's.
	tail, merged []string
	prefix       []byte
}

func newScanState(s *State) *scanState {
	ss := &scanState{s: s}
	ss.visit = func(k, v []byte) bool {
		if !ss.emitBefore(k) {
			ss.stopped = true
			return false
		}
		if ss.i < len(ss.overlay) && ss.overlay[ss.i] == string(k) {
			e := ss.s.m[ss.overlay[ss.i]]
			ss.i++
			e.bytes()
			if e.dirty {
				if !e.valOK {
					return true
				}
				v = e.val
			}
		}
		if !ss.fn(k, v) {
			ss.stopped = true
			return false
		}
		return true
	}
	return ss
}

// emitBefore hands fn the written keys before key (all that are left, if
// key is nil) that the base does not hold, and reports false if fn
// stopped the scan.
func (ss *scanState) emitBefore(key []byte) bool {
	for ss.i < len(ss.overlay) && (key == nil || ss.overlay[ss.i] < string(key)) {
		e := ss.s.m[ss.overlay[ss.i]]
		e.bytes()
		if e.dirty && e.valOK && !ss.fn([]byte(ss.overlay[ss.i]), e.val) {
			return false
		}
		ss.i++
	}
	return true
}

// Change is one key's net change over a block.
type Change struct {
	Key          []byte
	Old, New     []byte
	OldOK, NewOK bool
}

// Changes returns the keys whose value differs from the committed state,
// sorted by key. The keys share one allocation.
func (s *State) Changes() []Change {
	written := s.writtenSorted()
	out := make([]Change, 0, len(written))
	clear(s.outEntries)
	s.outEntries = s.outEntries[:0]
	n := 0
	for _, k := range written {
		e := s.m[k]
		e.bytes()
		if !e.dirty || (e.origOK == e.valOK && bytes.Equal(e.orig, e.val)) {
			continue
		}
		out = append(out, Change{Old: e.orig, OldOK: e.origOK, New: e.val, NewOK: e.valOK})
		s.outEntries = append(s.outEntries, e)
		n += len(k)
	}
	keys := make([]byte, 0, n)
	for j, e := range s.outEntries {
		keys = append(keys, e.key...)
		out[j].Key = keys[len(keys)-len(e.key) : len(keys) : len(keys)]
	}
	if s.mem != nil {
		s.out, s.outGen, s.outApplies = out, s.gen, s.mem.applies
	} else if s.keepMax > 0 {
		s.outGen = s.gen // for reset: no write since (Step.Applied)
	}
	return out
}

// commitTo writes the block's changes into mem, the MemStore s reads:
// what mem.Apply(s.Changes()) does, without the list of changes. s then
// trusts mem as it does after its own Changes are applied.
func (s *State) commitTo(mem *MemStore) error {
	if s.err != nil {
		return s.err
	}
	if mem == nil || mem != s.mem {
		return errors.New("ledger: the block was not decided over this MemStore")
	}
	mem.applies++
	mem.last, mem.lastLen = nil, 0
	for _, e := range s.writtenE {
		e.bytes()
		if !e.dirty || (e.origOK == e.valOK && bytes.Equal(e.orig, e.val)) {
			continue
		}
		me := e.mem
		if me == nil || me.gone {
			me = mem.m[e.key]
		}
		if me == nil && e.valOK {
			me = mem.add(e.key)
		}
		mem.put(me, e.val, e.valOK)
		e.mem = me
	}
	mem.compact()
	clear(s.outEntries)
	s.out, s.outEntries = nil, s.outEntries[:0]
	s.outGen, s.outApplies = s.gen, mem.applies
	return nil
}

// UpdateRoot applies changes to the state accumulator.
func UpdateRoot(acc *LtHash, changes []Change) { acc.Apply(changes) }
