package coopera

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// The state cache holds at most its bytes, whatever the mix of sizes and
// updates, keeps its byte count exact, and always answers with the
// applied value (each change is written to the store, then to the cache,
// as the sequencer does).
func TestStateCacheBoundedByBytes(t *testing.T) {
	db, err := store.Open("c", &store.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const max = 4 << 10
	c := newStateCache(db.State(), max)
	want := map[string][]byte{} // what the cache must answer: absent keys read as absent
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		k := fmt.Sprintf("k%03d", rng.IntN(300))
		switch rng.IntN(3) {
		case 0: // a block changes k (values up to 2 KiB: some fill half the cache)
			v := bytes.Repeat([]byte{byte(i)}, rng.IntN(2048))
			if err := db.Pebble().Set(append([]byte{'S'}, k...), v, nil); err != nil {
				t.Fatal(err)
			}
			c.update([]ledger.Change{{Key: []byte(k), New: v, NewOK: true}})
			want[k] = v
		case 1: // a block deletes k
			if err := db.Pebble().Delete(append([]byte{'S'}, k...), nil); err != nil {
				t.Fatal(err)
			}
			c.update([]ledger.Change{{Key: []byte(k)}})
			delete(want, k)
		default:
			v, ok, err := c.Get([]byte(k))
			if err != nil {
				t.Fatal(err)
			}
			if w, held := want[k]; ok != held || !bytes.Equal(v, w) {
				t.Fatalf("step %d: %s = %d bytes (ok %v), want %d bytes (ok %v)", i, k, len(v), ok, len(w), held)
			}
		}
		var n int64
		for k, e := range c.m {
			n += cacheSize(k, e.v)
			if w, held := want[k]; e.ok != held || !bytes.Equal(e.v, w) {
				t.Fatalf("step %d: the cache holds %s = %d bytes (ok %v), the last change says %d bytes (ok %v)", i, k, len(e.v), e.ok, len(w), held)
			}
		}
		if n != c.bytes || c.bytes > max {
			t.Fatalf("step %d: %d bytes counted, %d held, bound %d", i, c.bytes, n, max)
		}
	}
	big := bytes.Repeat([]byte{1}, max)
	c.update([]ledger.Change{{Key: []byte("k000"), New: big, NewOK: true}})
	if e, held := c.m["k000"]; held && len(e.v) == max {
		t.Fatal("a value larger than the whole cache was kept")
	}
}
