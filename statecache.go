package coopera

import (
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// stateCache is the sequencer's read cache over the applied state: hot
// keys (balances, account records, asset records) are read from Pebble once
// and then served from memory. The sequencer alone uses it, and updates it
// with each block's changes right after applying the block, so it always
// equals the applied state for the keys it holds. When it is full it drops
// an eighth of its entries, chosen by map order (which cannot reach state:
// the cache only ever answers with the applied value).
type stateCache struct {
	r   store.StateReader
	m   map[string]cached
	max int
}

type cached struct {
	v  []byte
	ok bool
}

func newStateCache(r store.StateReader, max int) *stateCache {
	return &stateCache{r: r, m: make(map[string]cached, min(max, 1<<16)), max: max}
}

// Get implements ledger.Reader.
func (c *stateCache) Get(key []byte) ([]byte, bool, error) {
	if e, ok := c.m[string(key)]; ok {
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
	if len(c.m) >= c.max {
		drop := c.max / 8
		for k := range c.m {
			delete(c.m, k)
			if drop--; drop <= 0 {
				break
			}
		}
	}
	c.m[k] = cached{v, ok}
}

// update records a block's changes once the block is applied.
func (c *stateCache) update(changes []ledger.Change) {
	for i := range changes {
		ch := &changes[i]
		if _, held := c.m[string(ch.Key)]; held || len(c.m) < c.max {
			c.put(string(ch.Key), ch.New, ch.NewOK)
		}
	}
}

// reset empties the cache.
func (c *stateCache) reset() { clear(c.m) }
