package coopera

import (
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// stateCache is the sequencer's read cache over the applied state: hot
// keys (balances, account records, asset records) are read from Pebble once
// and then served from memory. The sequencer alone uses it, and updates it
// with each block's changes right after applying the block, so it always
// equals the applied state for the keys it holds. It holds at most max
// bytes (keys, values and cacheEntryOverhead each); when full it drops an
// eighth of its entries, chosen by map order (which cannot reach state:
// the cache only ever answers with the applied value).
type stateCache struct {
	r     store.StateReader
	m     map[string]*cached // a pointer: update changes a held value in place
	max   int64              // bytes; 0 or less: no cache
	bytes int64
}

// cacheEntryOverhead is what an entry costs beyond its key's and value's
// bytes: the map's slot, the string and slice headers, the allocations'
// rounding.
const cacheEntryOverhead = 80

func cacheSize(k string, v []byte) int64 { return int64(len(k) + len(v) + cacheEntryOverhead) }

type cached struct {
	v  []byte
	ok bool
}

func newStateCache(r store.StateReader, max int64) *stateCache {
	return &stateCache{r: r, m: make(map[string]*cached, min(max/256, 1<<16)), max: max}
}

// Get implements ledger.Reader.
func (c *stateCache) Get(key []byte) ([]byte, bool, error) {
	if e := c.m[string(key)]; e != nil {
		return e.v, e.ok, nil
	}
	v, ok, err := c.r.Get(key)
	if err != nil {
		return nil, false, err
	}
	c.put(string(key), v, ok)
	return v, ok, nil
}

// Scan implements ledger.Reader; scans go to the store.
func (c *stateCache) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	return c.r.Scan(prefix, fn)
}

func (c *stateCache) put(k string, v []byte, ok bool) {
	if c.max <= 0 {
		return
	}
	if old := c.m[k]; old != nil {
		c.bytes -= cacheSize(k, old.v)
	}
	size := cacheSize(k, v)
	if c.bytes+size > c.max {
		drop := max(len(c.m)/8, 1)
		for dk, dv := range c.m {
			if dk == k {
				continue
			}
			c.bytes -= cacheSize(dk, dv.v)
			delete(c.m, dk)
			if drop--; drop <= 0 && c.bytes+size <= c.max {
				break
			}
		}
	}
	if c.bytes+size > c.max {
		delete(c.m, k) // larger than the whole cache
		return
	}
	c.m[k] = &cached{v, ok}
	c.bytes += size
}

// update records a block's changes once the block is applied.
func (c *stateCache) update(changes []ledger.Change) {
	for i := range changes {
		ch := &changes[i]
		if e := c.m[string(ch.Key)]; e != nil {
			// Held: changed in place (one lookup, no new key) while the
			// cache stays within its bound.
			if grow := int64(len(ch.New) - len(e.v)); c.bytes+grow <= c.max {
				c.bytes += grow
				e.v, e.ok = ch.New, ch.NewOK
				continue
			}
			c.put(string(ch.Key), ch.New, ch.NewOK)
		} else if c.bytes+cacheSize(string(ch.Key), ch.New) <= c.max {
			c.put(string(ch.Key), ch.New, ch.NewOK)
		}
	}
}
