package coopera_test

import (
	"context"
	"testing"
	"time"

	"github.com/coopera/coopera"
)

// TestReplicatedFollowerBehindRetentionRestores: a running follower stalls
// while the leader writes past the stream's retention. When it goes on,
// the blocks it needs next are gone: it restores from the newest snapshot
// (verified as at Open) and follows on, instead of stopping with a false
// divergence.
func TestReplicatedFollowerBehindRetentionRestores(t *testing.T) {
	c := startNATS(t, 1)
	retention := func(o *coopera.Options) {
		o.Replication.MaxBlocks = 8 // the stream forgets early blocks
	}
	a := openNode(t, c, t.TempDir(), "a", 1, retention)
	defer a.Close()
	leader := waitLeader(t, a)
	f := openNode(t, c, t.TempDir(), "f", 1, retention)
	defer f.Close()
	submitN(t, leader, "one", 3)
	converge(t, leader.Head(), a, f)

	f.StallFollowingForTest()
	submitN(t, leader, "two", 12) // past the 8 blocks the stream keeps
	if err := leader.PublishSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	submitN(t, leader, "three", 3)
	if h := f.Head().Height; h != 3 {
		t.Fatalf("the stalled follower moved to height %d", h)
	}
	f.ResumeFollowingForTest()
	converge(t, leader.Head(), a, f)
	if err := f.Err(); err != nil {
		t.Fatalf("follower stopped: %v", err)
	}
	if n := f.SnapshotRestoresForTest(); n != 1 {
		t.Fatalf("the follower restored %d snapshots, want 1", n)
	}
	if got := balance(t, f, "bob", "COOP"); got != 18 {
		t.Fatalf("bob has %d on the follower, want 18", got)
	}
	// Its account-event index: the snapshot's, then its own.
	sameAccountEvents(t, "bob", a, f)
	mustVerify(t, f)
	// It goes on following.
	submitN(t, leader, "four", 2)
	converge(t, leader.Head(), a, f)
	sameAccountEvents(t, "bob", a, f)
}

// TestReplicatedFollowerWaitsForASnapshotThatReaches: behind retention with
// only a snapshot older than the stream's first block, the follower does
// not stop: it waits, and takes the leader's next snapshot.
func TestReplicatedFollowerWaitsForASnapshotThatReaches(t *testing.T) {
	c := startNATS(t, 1)
	retention := func(o *coopera.Options) { o.Replication.MaxBlocks = 4 }
	a := openNode(t, c, t.TempDir(), "a", 1, retention)
	defer a.Close()
	leader := waitLeader(t, a)
	f := openNode(t, c, t.TempDir(), "f", 1, retention)
	defer f.Close()
	submitN(t, leader, "one", 2)
	converge(t, leader.Head(), a, f)
	f.StallFollowingForTest()
	submitN(t, leader, "two", 3)
	if err := leader.PublishSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	submitN(t, leader, "three", 8) // the snapshot no longer reaches the stream
	f.ResumeFollowingForTest()
	time.Sleep(1500 * time.Millisecond)
	if err := f.Err(); err != nil {
		t.Fatalf("follower stopped: %v", err)
	}
	if f.Head().Height >= leader.Head().Height {
		t.Fatal("the follower caught up without a snapshot that reaches the stream: the test tests nothing")
	}
	if err := leader.PublishSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	converge(t, leader.Head(), a, f)
	mustVerify(t, f)
}
