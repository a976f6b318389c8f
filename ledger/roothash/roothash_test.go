package roothash

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
)

// TestRootHasherMatchesPlainApply: the cached, sharded, parallel hasher
// gives the same accumulator as ledger.LtHash.Apply, whatever the cache
// holds (hits, stale entries, evictions, deletions).
func TestRootHasherMatchesPlainApply(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := New(rapid.IntRange(1, 4).Draw(t, "workers"), rapid.IntRange(0, 40).Draw(t, "cache"))
		var plain, cached ledger.LtHash
		current := map[string][]byte{}
		for range rapid.IntRange(1, 6).Draw(t, "blocks") {
			var changes []ledger.Change
			seen := map[string]bool{}
			for range rapid.IntRange(0, 150).Draw(t, "changes") {
				k := fmt.Sprintf("k%d", rapid.IntRange(0, 60).Draw(t, "key"))
				if seen[k] {
					continue
				}
				seen[k] = true
				c := ledger.Change{Key: []byte(k)}
				c.Old, c.OldOK = current[k]
				if rapid.IntRange(0, 4).Draw(t, "op") > 0 {
					c.New, c.NewOK = []byte{byte(rapid.IntRange(0, 255).Draw(t, "v"))}, true
					current[k] = c.New
				} else {
					delete(current, k)
				}
				changes = append(changes, c)
			}
			plain.Apply(changes)
			r.Update(&cached, changes)
			if plain != cached {
				t.Fatal("cached root hasher diverges from plain Apply")
			}
		}
	})
}

func ExampleHasher() {
	h := New(2, 1024)
	var fast, plain ledger.LtHash
	changes := []ledger.Change{{Key: []byte("a"), New: []byte("1"), NewOK: true}}
	h.Update(&fast, changes)
	plain.Apply(changes)
	fmt.Println(fast == plain)
	// Output: true
}
