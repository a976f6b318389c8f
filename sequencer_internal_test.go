package coopera

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/coopera/coopera/ledger"
)

// syncGate holds back every fsync of Pebble's log (WAL) while armed, until
// opened: blocks are applied, but none becomes durable.
type syncGate struct {
	armed atomic.Bool
	held  atomic.Int32 // fsyncs waiting at the gate
	open  chan struct{}
}

func (g *syncGate) String() string { return "syncGate" }

func (g *syncGate) MaybeError(op errorfs.Op) error {
	switch op.Kind {
	case errorfs.OpFileSync, errorfs.OpFileSyncData, errorfs.OpFileSyncTo:
		if g.armed.Load() && strings.HasSuffix(op.Path, ".log") {
			g.held.Add(1)
			<-g.open
		}
	}
	return nil
}

// startSequencer builds an embedded sequencer over l's store and runs it
// until the end of the test.
func startSequencer(t *testing.T, l *partsLedger) (*sequencer, *reader) {
	t.Helper()
	var s *sequencer
	r := l.reader(t, func() uint64 { return s.durable().Height })
	s = newSequencer(r, l.m, l.opts, newMetrics(), l.head)
	go s.run()
	t.Cleanup(func() {
		select {
		case <-s.quit:
		default:
			close(s.quit)
		}
		<-s.done
	})
	return s, r
}

func submitTo(s *sequencer, cmds ...*ledger.Command) *request {
	r := &request{cmds: cmds, done: make(chan struct{}), queued: time.Now()}
	s.reqs <- r
	return r
}

func isDone(r *request) bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// waitApplied polls until bob's balance, read from the store, is want.
func waitApplied(t *testing.T, r *reader, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if a, err := r.balance(context.Background(), "bob", "COOP"); err == nil && a.String() == want {
			return
		}
	}
	t.Fatalf("bob's balance never reached %s", want)
}

// The sequencer makes a block of a request and applies it at once (reads
// see it), but acknowledges it, and moves the durable head, only once the
// block's fsync is done; the next block is built meanwhile, and the
// callers are released in block order.
func TestSequencerAcknowledgesInOrderWhenDurable(t *testing.T) {
	gate := &syncGate{open: make(chan struct{})}
	l := newPartsLedger(t, errorfs.Wrap(vfs.Default, gate))
	s, rd := startSequencer(t, l)
	opened := false
	defer func() {
		if !opened {
			close(gate.open)
		}
	}()

	gate.armed.Store(true)
	r1 := submitTo(s, partsTransfer("alice", "bob", 5))
	waitApplied(t, rd, "5")
	r2 := submitTo(s, partsTransfer("alice", "bob", 7))
	waitApplied(t, rd, "12") // block 2 built while block 1 waits for its fsync
	time.Sleep(20 * time.Millisecond)
	if isDone(r1) || isDone(r2) {
		t.Fatalf("a block was acknowledged before its fsync (r1 %v, r2 %v)", isDone(r1), isDone(r2))
	}
	if h := s.durable().Height; h != 0 {
		t.Fatalf("durable height %d before any fsync, want 0", h)
	}
	if gate.held.Load() == 0 {
		t.Fatal("no fsync reached the gate")
	}

	gate.armed.Store(false)
	close(gate.open)
	opened = true
	select {
	case <-r2.done:
	case <-time.After(10 * time.Second):
		t.Fatal("block 2 never acknowledged")
	}
	if !isDone(r1) {
		t.Fatal("block 2 acknowledged before block 1")
	}
	for i, r := range []*request{r1, r2} {
		if r.err != nil || len(r.receipts) != 1 || r.receipts[0].Err != nil || r.receipts[0].Height != uint64(i+1) {
			t.Fatalf("request %d: err %v, receipts %+v; want an applied command in block %d", i+1, r.err, r.receipts, i+1)
		}
	}
	if h := s.durable().Height; h != 2 {
		t.Fatalf("durable height %d, want 2", h)
	}
	if b, err := rd.block(context.Background(), 2); err != nil || b.Hash() != r2.receipts[0].BlockHash {
		t.Fatalf("block 2 in the store: %v, want the receipt's block", err)
	}
}

// A command resubmitted under its idempotency key is answered with the
// original receipt, without a new block.
func TestSequencerDuplicateMakesNoBlock(t *testing.T) {
	l := newPartsLedger(t, nil)
	s, _ := startSequencer(t, l)
	cmd := func() *ledger.Command { c := partsTransfer("alice", "bob", 5); c.Key = "k1"; return c }
	r1 := submitTo(s, cmd())
	<-r1.done
	r2 := submitTo(s, cmd())
	<-r2.done
	if r1.err != nil || r2.err != nil {
		t.Fatal(r1.err, r2.err)
	}
	o, d := r1.receipts[0], r2.receipts[0]
	if o.Duplicate || !d.Duplicate || d.Height != o.Height || d.BlockHash != o.BlockHash || d.Index != o.Index {
		t.Fatalf("original %+v, resubmission %+v; want the original's receipt marked duplicate", o, d)
	}
	if h := s.durable().Height; h != 1 {
		t.Fatalf("durable height %d, want 1 (no block for a duplicate)", h)
	}
}

// A fault latched in the sequencer fails the requests it has not built
// with the fault, stops the sequencer, and refuses new submissions; quit
// fails them with ErrClosed.
func TestSequencerStops(t *testing.T) {
	t.Run("fault", func(t *testing.T) {
		l := newPartsLedger(t, nil)
		s, _ := startSequencer(t, l)
		boom := ledger.Errorf(ledger.ErrCorrupt, "boom")
		s.setFatal(boom)
		if !s.closed.Load() || !errors.Is(s.err(), boom) {
			t.Fatalf("after a fault: closed %v, err %v", s.closed.Load(), s.err())
		}
		r := submitTo(s, partsTransfer("alice", "bob", 5))
		<-r.done
		if r.err != boom || r.receipts != nil {
			t.Fatalf("a request after the fault: %v, %v; want the fault", r.err, r.receipts)
		}
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Fatal("the sequencer did not stop on its fault")
		}
		if h := s.durable().Height; h != 0 {
			t.Fatalf("durable height %d after a fault, want 0", h)
		}
	})
	t.Run("quit", func(t *testing.T) {
		// Quit stops the sequencer only once the blocks it built are
		// durable and acknowledged.
		gate := &syncGate{open: make(chan struct{})}
		l := newPartsLedger(t, errorfs.Wrap(vfs.Default, gate))
		s, rd := startSequencer(t, l)
		gate.armed.Store(true)
		r := submitTo(s, partsTransfer("alice", "bob", 5))
		waitApplied(t, rd, "5")
		close(s.quit)
		select {
		case <-s.done:
			close(gate.open)
			t.Fatal("the sequencer stopped with a block waiting for its fsync")
		case <-time.After(50 * time.Millisecond):
		}
		gate.armed.Store(false)
		close(gate.open)
		<-s.done
		if !isDone(r) || r.err != nil || len(r.receipts) != 1 || r.receipts[0].Height != 1 {
			t.Fatalf("the block built before quit: done %v, err %v, receipts %+v", isDone(r), r.err, r.receipts)
		}
		if h := s.durable().Height; h != 1 {
			t.Fatalf("durable height %d, want 1", h)
		}
		// A request left behind is failed with ErrClosed.
		left := &request{done: make(chan struct{})}
		s.reqs <- left
		s.failPending(errClosed)
		if !isDone(left) || !errors.Is(left.err, ledger.ErrClosed) {
			t.Fatalf("a request left after quit: %v, want ErrClosed", left.err)
		}
	})
}
