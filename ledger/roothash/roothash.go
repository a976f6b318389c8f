// Package roothash updates a ledger's state accumulator (ledger.LtHash) for
// a block's changes faster than ledger.LtHash.Apply, with the same result:
// it hashes on several cores and remembers the element hash of recently
// written (key, value) pairs, so that when a key changes again removing its
// old element costs a vector subtraction instead of a hash. Hits and misses
// give the same sum, so the cache never affects a root.
//
// It is a shell component (it starts goroutines), plugged into the pure
// block step through ledger.StepOptions.Roots. A Hasher serves one
// goroutine at a time.
package roothash

import (
	"bytes"
	"sync"

	"github.com/coopera/coopera/ledger"
)

// Hasher is a ledger.RootUpdater with an element cache. Keys are sharded
// across workers by a hash of the key; each worker owns its shard's cache.
type Hasher struct {
	shards []*shard
}

type shard struct {
	m   map[string]*elemEntry
	max int
	d   ledger.LtHash // this block's delta
	tmp ledger.LtHash
	h   ledger.ElementHasher
	idx []int
}

type elemEntry struct {
	value []byte
	vec   ledger.LtHash
}

// New returns a Hasher hashing on workers goroutines (at least 1) and
// caching up to maxEntries element hashes (2 KiB each) in all; 0 disables
// the cache.
func New(workers, maxEntries int) *Hasher {
	n := max(1, workers)
	r := &Hasher{shards: make([]*shard, n)}
	for i := range r.shards {
		r.shards[i] = &shard{m: map[string]*elemEntry{}, max: maxEntries / n}
	}
	return r
}

// parallelMin is the number of changes below which a block is hashed on
// the calling goroutine: starting workers costs more than it saves.
const parallelMin = 64

// Update adds changes to acc (ledger.RootUpdater).
func (r *Hasher) Update(acc *ledger.LtHash, changes []ledger.Change) {
	for _, s := range r.shards {
		s.idx = s.idx[:0]
		s.d = ledger.LtHash{}
	}
	n := uint32(len(r.shards))
	for i := range changes {
		s := r.shards[fnv32(changes[i].Key)%n]
		s.idx = append(s.idx, i)
	}
	if len(r.shards) == 1 || len(changes) < parallelMin {
		for _, s := range r.shards {
			s.run(changes)
		}
	} else {
		var wg sync.WaitGroup
		for _, s := range r.shards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.run(changes)
			}()
		}
		wg.Wait()
	}
	for _, s := range r.shards {
		acc.Merge(&s.d)
	}
}

// Reset empties the cache (after the state was replaced, say by a
// snapshot restore; a stale entry is harmless, as it is checked against
// the old value, but it holds memory).
func (r *Hasher) Reset() {
	for _, s := range r.shards {
		clear(s.m)
	}
}

func fnv32(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func (s *shard) run(changes []ledger.Change) {
	for _, i := range s.idx {
		c := &changes[i]
		e := s.m[string(c.Key)]
		if c.OldOK {
			if e != nil && bytes.Equal(e.value, c.Old) {
				s.d.Subtract(&e.vec)
			} else {
				s.h.Element(c.Key, c.Old, &s.tmp)
				s.d.Subtract(&s.tmp)
			}
		}
		if !c.NewOK {
			delete(s.m, string(c.Key))
			continue
		}
		if e == nil {
			if len(s.m) >= s.max {
				s.h.Element(c.Key, c.New, &s.tmp)
				s.d.Merge(&s.tmp)
				continue
			}
			e = new(elemEntry)
			s.m[string(c.Key)] = e
		}
		e.value = c.New
		s.h.Element(c.Key, c.New, &e.vec)
		s.d.Merge(&e.vec)
	}
}
