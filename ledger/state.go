package ledger

import (
	"bytes"
	"slices"
	"strings"
)

// Reader reads committed state. Values returned must not be modified by
// the caller, and a Reader must not modify them later either.
type Reader interface {
	// Get returns the value of key, and ok=false if key is absent.
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
	slab    []entry // entries are allocated from here, 256 at a time
	slabAll []entry // the first slab, reused by reset
	// written lists every key written in the block, once, so that Scan
	// and Changes visit the written keys instead of every key read; the
	// first sorted of them are in key order.
	written []string
	sorted  int
}

type entry struct {
	key           string
	orig, val     []byte
	origOK, valOK bool
	dirty         bool
	listed        bool // in State.written
}

type undo struct {
	e     *entry
	val   []byte
	ok    bool
	dirty bool
}

// NewState returns an empty overlay over base.
func NewState(base Reader) *State {
	return &State{base: base, m: make(map[string]*entry, 256), journal: make([]undo, 0, 256)}
}

// reset empties s for a new block over base, keeping its memory.
func (s *State) reset(base Reader) {
	s.base, s.err = base, nil
	clear(s.m)
	clear(s.journal)
	s.journal = s.journal[:0]
	clear(s.written)
	s.written, s.sorted = s.written[:0], 0
	s.slab = s.slabAll
	clear(s.slab)
}

// Err returns the first read error, if any.
func (s *State) Err() error { return s.err }

func (s *State) load(key []byte) *entry {
	if e, ok := s.m[string(key)]; ok {
		return e
	}
	if len(s.slab) == 0 {
		s.slab = make([]entry, 256)
		if s.slabAll == nil {
			s.slabAll = s.slab
		}
	}
	e := &s.slab[0]
	s.slab = s.slab[1:]
	if s.err == nil {
		v, ok, err := s.base.Get(key)
		if err != nil {
			s.err = err
		} else {
			e.orig, e.origOK, e.val, e.valOK = v, ok, v, ok
		}
	}
	e.key = string(key)
	s.m[e.key] = e
	return e
}

// Get returns the current value of key.
func (s *State) Get(key []byte) ([]byte, bool) {
	e := s.load(key)
	return e.val, e.valOK
}

// Set sets key to value. State keeps value; the caller must not modify it.
func (s *State) Set(key, value []byte) {
	e := s.write(key)
	e.val, e.valOK = value, true
}

// Delete removes key.
func (s *State) Delete(key []byte) {
	e := s.write(key)
	e.val, e.valOK = nil, false
}

// write journals key's entry before a write and marks it written.
func (s *State) write(key []byte) *entry {
	e := s.load(key)
	s.journal = append(s.journal, undo{e, e.val, e.valOK, e.dirty})
	e.dirty = true
	if !e.listed {
		e.listed = true
		s.written = append(s.written, e.key)
	}
	return e
}

// writtenSorted returns the written keys in key order (a key stays listed
// after a rollback undoes its write; its entry is then not dirty).
func (s *State) writtenSorted() []string {
	if s.sorted < len(s.written) {
		if s.sorted > 0 && len(s.written)-s.sorted < s.sorted/8 {
			tail := s.written[s.sorted:]
			slices.Sort(tail)
			merged := make([]string, 0, len(s.written))
			a, b := s.written[:s.sorted], tail
			for len(a) > 0 && len(b) > 0 {
				if a[0] < b[0] {
					merged, a = append(merged, a[0]), a[1:]
				} else {
					merged, b = append(merged, b[0]), b[1:]
				}
			}
			s.written = append(append(merged, a...), b...)
		} else {
			// A new slice: a Scan in progress may hold the old one.
			s.written = slices.Sorted(slices.Values(s.written))
		}
		s.sorted = len(s.written)
	}
	return s.written
}

// Mark returns a point to roll back to.
func (s *State) Mark() int { return len(s.journal) }

// Rollback undoes every write made since mark.
func (s *State) Rollback(mark int) {
	for i := len(s.journal) - 1; i >= mark; i-- {
		u := s.journal[i]
		u.e.val, u.e.valOK, u.e.dirty = u.val, u.ok, u.dirty
	}
	s.journal = s.journal[:mark]
}

// Scan calls fn for every key with the prefix, in ascending order, as the
// state is now (committed state merged with this block's writes).
func (s *State) Scan(prefix []byte, fn func(key, value []byte) bool) {
	if s.err != nil {
		return
	}
	written := s.writtenSorted()
	lo, _ := slices.BinarySearch(written, string(prefix))
	hi := lo
	for hi < len(written) && strings.HasPrefix(written[hi], string(prefix)) {
		hi++
	}
	overlay := written[lo:hi]
	i := 0
	stopped := false
	emitOverlayBefore := func(key []byte) bool {
		for i < len(overlay) && (key == nil || overlay[i] < string(key)) {
			e := s.m[overlay[i]]
			if e.dirty && e.valOK && !fn([]byte(overlay[i]), e.val) {
				return false
			}
			i++
		}
		return true
	}
	err := s.base.Scan(prefix, func(k, v []byte) bool {
		if !emitOverlayBefore(k) {
			stopped = true
			return false
		}
		if i < len(overlay) && overlay[i] == string(k) {
			e := s.m[overlay[i]]
			i++
			if e.dirty {
				if !e.valOK {
					return true
				}
				v = e.val
			}
		}
		if !fn(k, v) {
			stopped = true
			return false
		}
		return true
	})
	if err != nil {
		s.err = err
		return
	}
	if !stopped {
		emitOverlayBefore(nil)
	}
}

// Change is one key's net change over a block.
type Change struct {
	Key          []byte
	Old, New     []byte
	OldOK, NewOK bool
}

// Changes returns the keys whose value differs from the committed state,
// sorted by key.
func (s *State) Changes() []Change {
	written := s.writtenSorted()
	out := make([]Change, 0, len(written))
	for _, k := range written {
		e := s.m[k]
		if !e.dirty || (e.origOK == e.valOK && bytes.Equal(e.orig, e.val)) {
			continue
		}
		out = append(out, Change{Key: []byte(k), Old: e.orig, OldOK: e.origOK, New: e.val, NewOK: e.valOK})
	}
	return out
}

// UpdateRoot applies changes to the state accumulator.
func UpdateRoot(acc *LtHash, changes []Change) { acc.Apply(changes) }
