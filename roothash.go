package coopera

import (
	"bytes"
	"hash/maphash"
	"runtime"
	"sync"

	"github.com/coopera/coopera/ledger"
)

// rootHasher updates the state accumulator for a block's changes on every
// core, and remembers the element hash of each recently written (key,
// value): when the key changes again, removing its old element costs a
// vector subtraction instead of a hash. Hits and misses give the same sum,
// so the cache never affects a root. Keys are sharded across workers by a
// hash of the key; each worker owns its shard's cache.
type rootHasher struct {
	seed   maphash.Seed
	shards []*rootShard
}

type rootShard struct {
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

// newRootHasher returns a hasher caching up to maxEntries element hashes
// (2 KiB each); 0 disables the cache.
func newRootHasher(maxEntries int) *rootHasher {
	n := max(1, runtime.GOMAXPROCS(0))
	r := &rootHasher{seed: maphash.MakeSeed(), shards: make([]*rootShard, n)}
	for i := range r.shards {
		r.shards[i] = &rootShard{m: map[string]*elemEntry{}, max: maxEntries / n}
	}
	return r
}

// apply adds changes to acc.
func (r *rootHasher) apply(acc *ledger.LtHash, changes []ledger.Change) {
	for _, s := range r.shards {
		s.idx = s.idx[:0]
		s.d = ledger.LtHash{}
	}
	n := uint64(len(r.shards))
	for i := range changes {
		s := r.shards[maphash.Bytes(r.seed, changes[i].Key)%n]
		s.idx = append(s.idx, i)
	}
	if len(r.shards) == 1 || len(changes) < 64 {
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

func (s *rootShard) run(changes []ledger.Change) {
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
