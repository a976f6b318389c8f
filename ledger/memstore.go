package ledger

import (
	"slices"
	"strings"
)

// MemStore is an in-memory Reader that applies blocks' changes. The
// simulator and tests use it; it is not safe for concurrent use.
type MemStore struct {
	m map[string][]byte
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{m: map[string][]byte{}} }

// Get implements Reader.
func (s *MemStore) Get(key []byte) ([]byte, bool, error) {
	v, ok := s.m[string(key)]
	return v, ok, nil
}

// Scan implements Reader, in ascending key order.
func (s *MemStore) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	keys := make([]string, 0, 64)
	for k := range s.m { // order-free: the keys are sorted below
		if strings.HasPrefix(k, string(prefix)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !fn([]byte(k), s.m[k]) {
			break
		}
	}
	return nil
}

// Apply writes changes.
func (s *MemStore) Apply(changes []Change) {
	for _, c := range changes {
		if c.NewOK {
			s.m[string(c.Key)] = c.New
		} else {
			delete(s.m, string(c.Key))
		}
	}
}

// Len returns the number of keys.
func (s *MemStore) Len() int { return len(s.m) }
