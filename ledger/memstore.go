package ledger

import (
	"slices"
	"strings"
)

// MemStore is an in-memory Reader that applies blocks' changes: the
// simulator's state, the test harness's, the reference for tests. It is
// not safe for concurrent use.
//
// It keeps an ordered key index so that a prefix scan costs the keys under
// the prefix rather than the whole state (reducers scan on hot paths, for
// example the oracle's TWAP on every credit purchase). The index is a list
// of sorted chunks of at most 2 x chunkSize entries (a one-level B-tree): an
// insertion costs a binary search and a move within one chunk. Deleted keys
// stay in the index as tombstones until they are half of it.
type MemStore struct {
	m      map[string]*memEntry
	chunks [][]*memEntry // each sorted and non-empty; in key order
	n      int           // entries in the index
	dead   int           // tombstones in the index
	// applies counts the calls to Apply; last and lastLen are the
	// changes of the last one (State tells its own changes by them).
	applies uint64
	last    *Change
	lastLen int
}

type memEntry struct {
	key  string
	kb   []byte // key, as scans hand it out (callers must not modify it)
	v    []byte
	live bool
	gone bool // no longer in the map: the key, if it comes back, has a new entry
}

const chunkSize = 64

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{m: make(map[string]*memEntry, 1024)} }

// Get implements Reader.
func (s *MemStore) Get(key []byte) ([]byte, bool, error) {
	if e := s.m[string(key)]; e != nil && e.live {
		return e.v, true, nil
	}
	return nil, false, nil
}

// Lookup is Get without the error (a MemStore never fails).
func (s *MemStore) Lookup(key []byte) ([]byte, bool) {
	if e := s.m[string(key)]; e != nil && e.live {
		return e.v, true
	}
	return nil, false
}

// Scan implements Reader, in ascending key order.
func (s *MemStore) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	s.scan(prefix, fn)
	return nil
}

// seek returns the position of the first entry with a key >= key.
func (s *MemStore) seek(key string) (ci, j int) {
	lo, hi := 0, len(s.chunks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := s.chunks[mid]
		if c[len(c)-1].key < key {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(s.chunks) {
		return lo, 0
	}
	c := s.chunks[lo]
	a, b := 0, len(c)
	for a < b {
		mid := int(uint(a+b) >> 1)
		if c[mid].key < key {
			a = mid + 1
		} else {
			b = mid
		}
	}
	return lo, a
}

func (s *MemStore) scan(prefix []byte, fn func(key, value []byte) bool) {
	p := string(prefix)
	ci, j := s.seek(p)
	for ; ci < len(s.chunks); ci, j = ci+1, 0 {
		for _, e := range s.chunks[ci][j:] {
			if !strings.HasPrefix(e.key, p) {
				return
			}
			if e.live && !fn(e.kb, e.v) {
				return
			}
		}
	}
}

func (s *MemStore) insert(e *memEntry) {
	s.n++
	if len(s.chunks) == 0 {
		s.chunks = append(s.chunks, []*memEntry{e})
		return
	}
	ci, j := s.seek(e.key)
	if ci == len(s.chunks) {
		ci = len(s.chunks) - 1
		j = len(s.chunks[ci])
	}
	c := append(s.chunks[ci], nil)
	copy(c[j+1:], c[j:])
	c[j] = e
	if len(c) < 2*chunkSize {
		s.chunks[ci] = c
		return
	}
	// Split the full chunk in two.
	right := append(make([]*memEntry, 0, 2*chunkSize), c[chunkSize:]...)
	clear(c[chunkSize:])
	s.chunks[ci] = c[:chunkSize]
	s.chunks = slices.Insert(s.chunks, ci+1, right)
}

// compact drops tombstones once they are half the index.
func (s *MemStore) compact() {
	if s.dead <= 1024 || s.dead <= s.n/2 {
		return
	}
	var out [][]*memEntry
	var cur []*memEntry
	for _, c := range s.chunks {
		for _, e := range c {
			if !e.live {
				e.gone = true
				delete(s.m, e.key)
				continue
			}
			if cur == nil {
				cur = make([]*memEntry, 0, 2*chunkSize)
			}
			cur = append(cur, e)
			if len(cur) == chunkSize {
				out, cur = append(out, cur), nil
			}
		}
	}
	if cur != nil {
		out = append(out, cur)
	}
	s.chunks, s.n, s.dead = out, s.n-s.dead, 0
}

// Apply writes a block's changes.
func (s *MemStore) Apply(changes []Change) {
	s.applies++
	s.last, s.lastLen = nil, len(changes)
	if len(changes) > 0 {
		s.last = &changes[0]
	}
	for i := range changes {
		c := &changes[i]
		e := s.m[string(c.Key)]
		if e == nil && c.NewOK {
			e = s.add(string(c.Key))
		}
		s.put(e, c.New, c.NewOK)
	}
	s.compact()
}

// add makes key's entry, a tombstone until put makes it live. key must
// not share memory that changes (a conversion from bytes copies).
func (s *MemStore) add(key string) *memEntry {
	e := &memEntry{key: key, kb: []byte(key)}
	s.m[key] = e
	s.insert(e)
	s.dead++
	return e
}

// put writes e's value, or deletes it if !ok; e may be nil when !ok.
func (s *MemStore) put(e *memEntry, v []byte, ok bool) {
	if ok {
		if !e.live {
			s.dead--
		}
		e.v, e.live = v, true
	} else if e != nil && e.live {
		e.v, e.live = nil, false
		s.dead++
	}
}

// Len returns the number of live keys.
func (s *MemStore) Len() int { return s.n - s.dead }

// View returns s as a Getter with Scan (the reader's view that queries
// take, for example tokenomics.View).
func (s *MemStore) View() MemView { return MemView{s} }

// MemView adapts a MemStore to Getter.
type MemView struct{ s *MemStore }

// Get implements Getter.
func (v MemView) Get(key []byte) ([]byte, bool) { return v.s.Lookup(key) }

// Scan calls fn for every key with the prefix, in ascending order.
func (v MemView) Scan(prefix []byte, fn func(key, value []byte) bool) { v.s.scan(prefix, fn) }
