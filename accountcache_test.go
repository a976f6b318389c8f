package coopera

import (
	"fmt"
	"testing"

	"github.com/coopera/coopera/ledger"
)

// A record read before a block changed it is not kept: the block's forget
// came between the read and the store.
func TestAccountCacheDropsReadsOvertakenByABlock(t *testing.T) {
	c := newAccountCache(1 << 20)
	key := ledger.PublicKey(make([]byte, 32))
	stale := func() (ledger.Account, bool, error) {
		// The block giving alice a key is applied while this read of the
		// record before it is in flight.
		c.forget([]ledger.Change{{Key: ledger.AccountKey("alice"), NewOK: true}})
		return ledger.Account{}, true, nil
	}
	if a, err := c.get("alice", stale); err != nil || !a.exists || a.key != nil {
		t.Fatalf("get = %+v, %v; want what the load read", a, err)
	}
	loads := 0
	fresh := func() (ledger.Account, bool, error) {
		loads++
		return ledger.Account{PublicKey: key}, true, nil
	}
	for range 2 {
		if a, err := c.get("alice", fresh); err != nil || len(a.key) != 32 {
			t.Fatalf("get = %+v, %v; want the key", a, err)
		}
	}
	if loads != 1 {
		t.Fatalf("%d loads, want 1: the stale read was kept, or the fresh one was not", loads)
	}
	// A block that changes bob's record drops bob, not alice.
	c.forget([]ledger.Change{{Key: ledger.AccountKey("bob")}, {Key: []byte("b/alice/COOP")}})
	if _, err := c.get("alice", fresh); err != nil || loads != 1 {
		t.Fatalf("alice reloaded (%d loads, %v) after a block that changed only bob", loads, err)
	}
	c.forget([]ledger.Change{{Key: ledger.AccountKey("alice")}})
	if _, err := c.get("alice", fresh); err != nil || loads != 2 {
		t.Fatalf("alice not reloaded (%d loads, %v) after a block that changed her record", loads, err)
	}
}

// The cache holds at most its bytes and counts them exactly.
func TestAccountCacheBoundedByBytes(t *testing.T) {
	const max = 4 << 10
	c := newAccountCache(max)
	for i := range 1000 {
		id := ledger.AccountID(fmt.Sprintf("acct-%d", i%300))
		key := make(ledger.PublicKey, 32*(i%2))
		if _, err := c.get(id, func() (ledger.Account, bool, error) { return ledger.Account{PublicKey: key}, true, nil }); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			c.forget([]ledger.Change{{Key: ledger.AccountKey(id)}})
		}
		var n int64
		for k, v := range c.m {
			n += accountEntrySize(k, v)
		}
		if n != c.bytes || n > max {
			t.Fatalf("step %d: entries take %d bytes, the count says %d, the bound is %d", i, n, c.bytes, max)
		}
	}
	if len(c.m) < 20 {
		t.Fatalf("%d entries left: the cache evicts far more than it must", len(c.m))
	}
	c.clear()
	if len(c.m) != 0 || c.bytes != 0 {
		t.Fatalf("after clear: %d entries, %d bytes", len(c.m), c.bytes)
	}
}

// Two callers that miss the same account both load it (here the first
// read saw no key, the second a key, which needs room): the second leaves
// the first's entry, and the byte count stays exact whichever entries an
// eviction would pick.
func TestAccountCacheConcurrentMisses(t *testing.T) {
	key := ledger.PublicKey(make([]byte, 32))
	small := accountEntrySize("alice", cachedAccount{exists: true})
	for range 50 {
		c := newAccountCache(accountEntrySize("bob", cachedAccount{exists: true}) + small + 8)
		plain := func() (ledger.Account, bool, error) { return ledger.Account{}, true, nil }
		if _, err := c.get("bob", plain); err != nil {
			t.Fatal(err)
		}
		outer := func() (ledger.Account, bool, error) {
			if _, err := c.get("alice", plain); err != nil { // the other caller, first
				t.Fatal(err)
			}
			return ledger.Account{PublicKey: key}, true, nil
		}
		if _, err := c.get("alice", outer); err != nil {
			t.Fatal(err)
		}
		var n int64
		for k, v := range c.m {
			n += accountEntrySize(k, v)
		}
		if n != c.bytes || n > c.max {
			t.Fatalf("entries take %d bytes, the count says %d, the bound is %d", n, c.bytes, c.max)
		}
	}
}
