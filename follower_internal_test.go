package coopera

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

// streamOf builds blocks 1..n on an embedded sequencer (one transfer of 1
// to bob each) and publishes blocks 0..n into a new stream on an
// in-process NATS server, returning the stream's log and the blocks'
// hashes.
func streamOf(t *testing.T, n int) (*replication.Log, []ledger.Hash) {
	t.Helper()
	leader := newPartsLedger(t, nil)
	s, rd := startSequencer(t, leader)
	for range n {
		r := submitTo(s, partsTransfer("alice", "bob", 1))
		<-r.done
		if r.err != nil {
			t.Fatal(r.err)
		}
	}
	c, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log, err := replication.Connect(ctx, "parts", replication.Options{URLs: c.URLs(), NodeID: "test", Replicas: 1, SnapshotEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(log.Close)
	var hashes []ledger.Hash
	for h := range uint64(n + 1) {
		b, err := rd.blockAt(h)
		if err != nil {
			t.Fatal(err)
		}
		raw, _, err := rd.db.RawBlock(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := log.Publish(ctx, h, b.Hash(), raw, replication.Signature{}); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, b.Hash())
	}
	return log, hashes
}

// newTestFollower builds a follower, and its sequencer, over a new ledger
// of the same genesis, following log. The sequencer does not run: the
// test's goroutine stands for it, and an acknowledger makes the applied
// blocks durable.
func newTestFollower(t *testing.T, log *replication.Log) *follower {
	t.Helper()
	l := newPartsLedger(t, nil)
	var s *sequencer
	rd := l.reader(t, func() uint64 { return s.durable().Height })
	s = newSequencer(rd, l.m, l.opts, newMetrics(), l.head)
	f := &follower{log: log, seq: s, rd: rd, reg: l.m.Registry(), met: s.met, opts: l.opts, dir: l.dir, chainID: "parts"}
	s.fol = f
	ackDone := make(chan struct{})
	go s.acknowledger(s.acks, ackDone)
	t.Cleanup(func() {
		f.stopFollowing()
		close(s.acks)
		<-ackDone
	})
	return f
}

func waitDurable(t *testing.T, s *sequencer, h uint64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if s.durable().Height >= h {
			return
		}
	}
	t.Fatalf("durable height %d, never reached %d", s.durable().Height, h)
}

// A follower applies the stream's next block, re-derived to the same
// hash; it ignores a block it already applied, and refuses one past a gap
// the stream still holds as divergence, which stops the node.
func TestFollowerAppliesInOrder(t *testing.T) {
	log, hashes := streamOf(t, 3)
	f := newTestFollower(t, log)
	ctx := context.Background()
	entry := func(h uint64) replication.Entry {
		ent, err := log.GetEntry(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		return ent
	}

	if err := f.applyReplicated(entry(1)); err != nil {
		t.Fatalf("block 1: %v", err)
	}
	waitDurable(t, f.seq, 1)
	if got := f.seq.durable().Hash; got != hashes[1] {
		t.Fatalf("durable block 1 is %s, the stream's %s", got.Short(), hashes[1].Short())
	}
	if a, err := f.rd.balance(ctx, "bob", "COOP"); err != nil || a.String() != "1" {
		t.Fatalf("bob's COOP after block 1: %v, %v; want 1", a, err)
	}

	if err := f.applyReplicated(entry(1)); err != nil || f.seq.applied.Height != 1 {
		t.Fatalf("block 1 again: %v, applied height %d; want it ignored", err, f.seq.applied.Height)
	}

	err := f.applyReplicated(entry(3))
	if !errors.Is(err, ledger.ErrDivergence) || !strings.Contains(err.Error(), "expected block 2 next") {
		t.Fatalf("block 3 after block 1: %v, want ErrDivergence (expected block 2 next)", err)
	}
	if !errors.Is(f.seq.err(), ledger.ErrDivergence) || !f.seq.closed.Load() {
		t.Fatalf("after a divergence: the sequencer's fault %v, closed %v; want it stopped", f.seq.err(), f.seq.closed.Load())
	}
	if f.seq.applied.Height != 1 || f.seq.durable().Height != 1 {
		t.Fatalf("after the refused block: applied %d, durable %d; want 1", f.seq.applied.Height, f.seq.durable().Height)
	}
}

// A block that is not what its height says is refused as divergence.
func TestFollowerRefusesMisplacedBlock(t *testing.T) {
	log, _ := streamOf(t, 2)
	f := newTestFollower(t, log)
	ent, err := log.GetEntry(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	ent.Height = 1 // block 2's bytes where block 1 should be
	if err := f.applyReplicated(ent); !errors.Is(err, ledger.ErrDivergence) {
		t.Fatalf("block 2 given as block 1: %v, want ErrDivergence", err)
	}
	if f.seq.applied.Height != 0 || f.seq.durable().Height != 0 {
		t.Fatalf("after the refused block: applied %d, durable %d; want 0", f.seq.applied.Height, f.seq.durable().Height)
	}
}

// Run with a follower, the sequencer goroutine follows the stream to its
// end and refuses submissions with ErrNotLeader, since nobody leads.
func TestFollowerFollowsOnSequencer(t *testing.T) {
	log, hashes := streamOf(t, 3)
	l := newPartsLedger(t, nil)
	var s *sequencer
	rd := l.reader(t, func() uint64 { return s.durable().Height })
	s = newSequencer(rd, l.m, l.opts, newMetrics(), l.head)
	s.fol = &follower{log: log, seq: s, rd: rd, reg: l.m.Registry(), met: s.met, opts: l.opts, dir: l.dir, chainID: "parts"}
	go s.run()
	defer func() { close(s.quit); <-s.done }()

	waitDurable(t, s, 3)
	if got := s.durable().Hash; got != hashes[3] {
		t.Fatalf("durable block 3 is %s, the stream's %s", got.Short(), hashes[3].Short())
	}
	r := submitTo(s, partsTransfer("alice", "bob", 1))
	<-r.done
	if !errors.Is(r.err, ErrNotLeader) {
		t.Fatalf("a submission to a follower: %v, want ErrNotLeader", r.err)
	}
}
