package ledger

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The MemStore's ordered index (sorted chunks, split when full,
// tombstones compacted once they are half of it) answers Get, Scan and Len
// as a plain map does, through inserts, deletions and keys that come back,
// over enough keys to split chunks many times and compact several.
func TestMemStoreMatchesModel(t *testing.T) {
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 3))
		s, model := NewMemStore(), map[string][]byte{}
		keys := make([]string, 4000)
		for i := range keys {
			keys[i] = fmt.Sprintf("%c/%05d", 'a'+rng.IntN(4), rng.IntN(50000))
		}
		compactions := 0
		for round := range 60 {
			var cs []Change
			seen := map[string]bool{}
			for range 1 + rng.IntN(400) {
				k := keys[rng.IntN(len(keys))]
				if seen[k] {
					continue
				}
				seen[k] = true
				c := Change{Key: []byte(k)}
				// Deletions dominate the middle rounds, so tombstones
				// pile up until the index compacts.
				deletes := 3
				if round >= 25 && round < 45 {
					deletes = 10
				}
				if rng.IntN(11) >= deletes {
					c.New, c.NewOK = []byte{byte(rng.IntN(256))}, true
					model[k] = c.New
				} else {
					delete(model, k)
				}
				cs = append(cs, c)
			}
			indexed := len(s.m)
			s.Apply(cs)
			if len(s.m) < indexed { // only a compaction drops keys from the map
				compactions++
			}
			if s.Len() != len(model) {
				t.Fatalf("seed %d round %d: Len %d, want %d", seed, round, s.Len(), len(model))
			}
			for _, prefix := range []string{"", "a/", "b/0", "c/1", "d/4999", "e/"} {
				var want []string
				for k := range model {
					if strings.HasPrefix(k, prefix) {
						want = append(want, k)
					}
				}
				slices.Sort(want)
				var got []string
				s.Scan([]byte(prefix), func(k, v []byte) bool {
					if !bytes.Equal(v, model[string(k)]) {
						t.Fatalf("seed %d round %d: %s = %x, want %x", seed, round, k, v, model[string(k)])
					}
					got = append(got, string(k))
					return true
				})
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d round %d: Scan(%q) gave %d keys, want %d", seed, round, prefix, len(got), len(want))
				}
			}
			for range 50 {
				k := keys[rng.IntN(len(keys))]
				v, ok := s.Lookup([]byte(k))
				if w, has := model[k]; ok != has || !bytes.Equal(v, w) {
					t.Fatalf("seed %d round %d: Lookup(%s) = %x %v, want %x %v", seed, round, k, v, ok, w, has)
				}
			}
			for i, c := range s.chunks {
				if len(c) == 0 || len(c) >= 2*chunkSize || !slices.IsSortedFunc(c, func(a, b *memEntry) int { return strings.Compare(a.key, b.key) }) ||
					(i > 0 && s.chunks[i-1][len(s.chunks[i-1])-1].key >= c[0].key) {
					t.Fatalf("seed %d round %d: chunk %d of %d is empty, overfull or out of order", seed, round, i, len(s.chunks))
				}
			}
		}
		if compactions == 0 || len(s.chunks) < 8 {
			t.Fatalf("seed %d: %d compactions, %d chunks; want both exercised", seed, compactions, len(s.chunks))
		}
	}
}
