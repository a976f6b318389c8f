package coopera

import (
	"context"
	"sync"
	"time"

	"github.com/coopera/coopera/ledger"
)

// indexBatch is the most blocks the indexer writes in one batch, and
// indexDelay the longest it holds a block back to gather more (unless
// AccountEvents waits for it): one Pebble commit per block measured
// 0.82-0.91x the 64-caller benchmark's rate.
const (
	indexBatch = 64
	indexDelay = 10 * time.Millisecond
)

// indexer writes the account-event index of durable blocks on a goroutine
// of its own (store.Options.DeferAccountIndex). The index is half of what
// a transfer inserts into Pebble's memtable (two entries beside two
// balances), and those inserts were on the sequencer's serial path; now
// blocks are written without them, and the indexer adds them in batches
// of up to indexBatch blocks, in key order, on the other core. The store
// records how far the index reaches, so AccountEvents waits until it
// covers the durable head it answers for, and a crash loses nothing: Open
// indexes the blocks past the record before it serves.
type indexer struct {
	rd     *reader
	reg    *ledger.Registry
	blocks chan *ledger.Block // durable blocks, in height order (the acknowledger)
	nudged chan struct{}      // index up to the store's head
	urgent chan struct{}      // a reader waits: index what is gathered now
	done   chan struct{}

	mu     sync.Mutex
	notify chan struct{} // closed and replaced whenever the index advances
	err    error         // the failure that stopped indexing
}

func newIndexer(rd *reader, reg *ledger.Registry) *indexer {
	return &indexer{
		rd: rd, reg: reg,
		blocks: make(chan *ledger.Block, 4*indexBatch),
		nudged: make(chan struct{}, 1),
		urgent: make(chan struct{}, 1),
		done:   make(chan struct{}),
		notify: make(chan struct{}),
	}
}

// run indexes the blocks it is handed, and up to the store's head when
// nudged, until the blocks' channel is closed.
func (x *indexer) run() {
	defer close(x.done)
	batch := make([]*ledger.Block, 0, indexBatch)
	delay := time.NewTimer(indexDelay)
	for open := true; open; {
		batch = batch[:0]
		nudged := false
		select {
		case b, ok := <-x.blocks:
			if !ok {
				return
			}
			batch = append(batch, b)
		case <-x.nudged:
			nudged = true
		}
		if len(batch) > 0 {
			delay.Reset(indexDelay)
		}
	gather:
		for len(batch) > 0 && len(batch) < indexBatch {
			select {
			case b, ok := <-x.blocks:
				if !ok {
					open = false
					break gather
				}
				batch = append(batch, b)
			case <-x.nudged:
				nudged = true
			case <-x.urgent:
				break gather
			case <-delay.C:
				break gather
			}
		}
		if len(batch) > 0 {
			x.index(batch)
		}
		if nudged {
			x.index(nil)
		}
	}
}

// nudge has the indexer index up to the store's head, without waiting
// (one nudge pending is enough).
func (x *indexer) nudge() {
	select {
	case x.nudged <- struct{}{}:
	default:
	}
}

// restored is called once a snapshot replaced the store, whose index may
// reach less far than its head: a failure to index the old store is
// forgotten, and the indexer nudged.
func (x *indexer) restored() {
	x.mu.Lock()
	x.err = nil
	x.mu.Unlock()
	x.nudge()
}

// index extends the index to the last block given, or with none given
// (a nudge, the catch-up at Open) to the store's head; it takes the
// blocks given (in height order), and the store's for any others, and
// skips the blocks it covers already.
func (x *indexer) index(given []*ledger.Block) {
	x.mu.Lock()
	failed := x.err != nil
	x.mu.Unlock()
	if failed {
		return
	}
	err := x.extend(given)
	x.mu.Lock()
	if err != nil && x.err == nil {
		x.err = err
	}
	close(x.notify)
	x.notify = make(chan struct{})
	x.mu.Unlock()
}

// extend is index, holding the store for one batch at a time (a snapshot
// restore waits for the store no longer than that).
func (x *indexer) extend(given []*ledger.Block) error {
	var target uint64
	if len(given) > 0 {
		target = given[len(given)-1].Height
	} else {
		h, err := x.storeHead()
		if err != nil {
			return err
		}
		target = h
	}
	for {
		more, err := x.extendOnce(given, target)
		if err != nil || !more {
			return err
		}
	}
}

// storeHead returns the height of the store's head (0 for a ledger
// without the index, which has nothing to index).
func (x *indexer) storeHead() (uint64, error) {
	if err := x.rd.acquire(); err != nil {
		return 0, err
	}
	defer x.rd.release()
	if !x.rd.db.AccountIndex() {
		return 0, nil
	}
	head, ok, err := x.rd.db.Head()
	if err != nil || !ok {
		return 0, err
	}
	return head.Height, nil
}

// extendOnce indexes up to indexBatch blocks towards target, and reports
// whether more remain.
func (x *indexer) extendOnce(given []*ledger.Block, target uint64) (bool, error) {
	if err := x.rd.acquire(); err != nil {
		return false, err // closed, or the store was lost
	}
	defer x.rd.release()
	db := x.rd.db
	next := db.Indexed() + 1
	if !db.AccountIndex() || next > target {
		return false, nil
	}
	var todo []*ledger.Block
	for h := next; h <= target && len(todo) < indexBatch; h++ {
		for len(given) > 0 && given[0].Height < h {
			given = given[1:]
		}
		if len(given) > 0 && given[0].Height == h {
			todo = append(todo, given[0])
			continue
		}
		b, err := db.Block(x.reg, h)
		if err != nil {
			return false, err
		}
		todo = append(todo, b)
	}
	if err := db.IndexBlocks(todo); err != nil {
		return false, err
	}
	return db.Indexed() < target, nil
}

// catchUp indexes the store's blocks, before the engine serves.
func (x *indexer) catchUp() error {
	x.index(nil)
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// waitRecheck is how often wait looks again, and nudges the indexer,
// while the index stays short of what it waits for: a backstop for a
// wake-up that did not come (a nudge dropped, the store lost).
const waitRecheck = 20 * time.Millisecond

// wait returns once the index covers block h.
func (x *indexer) wait(ctx context.Context, h uint64) error {
	var recheck *time.Timer
	for {
		x.mu.Lock()
		n, err := x.notify, x.err
		x.mu.Unlock()
		if err != nil {
			return err
		}
		if err := x.rd.acquire(); err != nil {
			return err
		}
		covered := !x.rd.db.AccountIndex() || x.rd.db.Indexed() >= h
		x.rd.release()
		if covered {
			return nil
		}
		select {
		case x.urgent <- struct{}{}:
		default:
		}
		if recheck == nil {
			recheck = time.NewTimer(waitRecheck)
			defer recheck.Stop()
		} else {
			recheck.Reset(waitRecheck)
		}
		select {
		case <-n:
		case <-recheck.C:
			x.nudge()
		case <-x.done:
			return errClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stop indexes the blocks handed over so far and stops.
func (x *indexer) stop() {
	close(x.blocks)
	<-x.done
}
