package coopera_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

// natsCluster is a test's in-process NATS servers.
type natsCluster struct {
	*natsembed.Cluster
	t testing.TB
}

func startNATS(t testing.TB, n int) *natsCluster {
	t.Helper()
	c, err := natsembed.Start(n, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Shutdown)
	return &natsCluster{Cluster: c, t: t}
}

func (c *natsCluster) urls() string { return c.URLs() }

func openNode(t testing.TB, c *natsCluster, dir, id string, replicas int, mod ...func(*coopera.Options)) *coopera.Engine {
	t.Helper()
	o := &coopera.Options{
		Genesis:      testGenesis(t),
		Clock:        stepClock(),
		MaxClockSkew: -1, // the step clock starts in 2026-01-01
		Replication: &replication.Options{
			URLs: c.urls(), NodeID: id, Replicas: replicas, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: -1,
		},
	}
	for _, m := range mod {
		m(o)
	}
	e, err := coopera.Open(dir, o)
	if err != nil {
		t.Fatalf("node %s: %v", id, err)
	}
	return e
}

func waitLeader(t testing.TB, nodes ...*coopera.Engine) *coopera.Engine {
	t.Helper()
	var leader *coopera.Engine
	checkFor(t, 15*time.Second, func() error {
		for _, n := range nodes {
			if n != nil && n.IsLeader() {
				leader = n
				return nil
			}
		}
		return errors.New("no leader")
	})
	return leader
}

// converge waits until every node's durable head equals want.
func converge(t testing.TB, want coopera.Head, nodes ...*coopera.Engine) {
	t.Helper()
	checkFor(t, 15*time.Second, func() error {
		for i, n := range nodes {
			if n == nil {
				continue
			}
			if h := n.Head(); h != want {
				return fmt.Errorf("node %d at height %d (%s), want %d (%s); err %v", i, h.Height, h.StateRoot.Short(), want.Height, want.StateRoot.Short(), n.Err())
			}
		}
		return nil
	})
}

func submitN(t testing.TB, leader *coopera.Engine, prefix string, n int) {
	t.Helper()
	for i := range n {
		c := transfer("alice", "bob", "COOP", 1)
		c.Key = fmt.Sprintf("%s-%d", prefix, i)
		if _, err := leader.Submit(context.Background(), c); err != nil {
			t.Fatalf("%s %d: %v", prefix, i, err)
		}
	}
}

// submitToLeader submits n keyed transfers to whichever node leads,
// resubmitting a command to the new leader when leadership moved under it
// (the key makes a resubmission of an applied command a duplicate), and
// returns the node that led at the end.
func submitToLeader(t testing.TB, nodes []*coopera.Engine, prefix string, n int) *coopera.Engine {
	t.Helper()
	leader := waitLeader(t, nodes...)
	for i := range n {
		c := transfer("alice", "bob", "COOP", 1)
		c.Key = fmt.Sprintf("%s-%d", prefix, i)
		for try := 0; ; try++ {
			_, err := leader.Submit(context.Background(), c)
			if err == nil {
				break
			}
			if try < 5 && (errors.Is(err, coopera.ErrNotLeader) || errors.Is(err, coopera.ErrOutcomeUnknown)) {
				t.Logf("%s %d: %v; resubmitting to the leader", prefix, i, err)
				leader = waitLeader(t, nodes...)
				continue
			}
			t.Fatalf("%s %d: %v", prefix, i, err)
		}
	}
	return leader
}

func TestReplicatedWriteAppearsOnFollowers(t *testing.T) {
	c := startNATS(t, 1)
	var nodes []*coopera.Engine
	for i := range 3 {
		n := openNode(t, c, t.TempDir(), fmt.Sprintf("node%d", i), 1)
		defer n.Close()
		nodes = append(nodes, n)
	}
	leader := waitLeader(t, nodes...)
	// Concurrent writes on the leader.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			submitN(t, leader, fmt.Sprintf("g%d", g), 10)
		}()
	}
	wg.Wait()
	converge(t, leader.Head(), nodes...)
	sameAccountEvents(t, "bob", nodes...)
	for _, n := range nodes {
		if got := balance(t, n, "bob", "COOP"); got != 80 {
			t.Fatalf("bob has %d on a node, want 80", got)
		}
		if n != leader {
			if _, err := n.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); !errors.Is(err, coopera.ErrNotLeader) {
				t.Fatalf("submit on a follower: %v", err)
			}
			mustVerify(t, n)
		}
	}
	var lagFollower *coopera.Engine
	for _, n := range nodes {
		if n != leader {
			lagFollower = n
		}
	}
	checkFor(t, 5*time.Second, func() error {
		if l := lagFollower.Lag(); l != 0 {
			return fmt.Errorf("lag %d", l)
		}
		return nil
	})
}

func TestReplicatedFailover(t *testing.T) {
	c := startNATS(t, 3)
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	nodes := make([]*coopera.Engine, 3)
	for i := range nodes {
		nodes[i] = openNode(t, c, dirs[i], fmt.Sprintf("node%d", i), 3)
	}
	defer func() {
		for _, n := range nodes {
			if n != nil {
				n.Close()
			}
		}
	}()
	leader := waitLeader(t, nodes...)
	submitN(t, leader, "before", 30)
	acked := leader.Head()
	// Kill the sequencer: no lease release.
	for i, n := range nodes {
		if n == leader {
			n.CrashForTest()
			nodes[i] = nil
		}
	}
	t0 := time.Now()
	next := waitLeader(t, nodes...)
	t.Logf("new leader after %v", time.Since(t0))
	if next.Head().Height < acked.Height {
		t.Fatalf("new leader at %d lost acknowledged blocks up to %d", next.Head().Height, acked.Height)
	}
	if got := balance(t, next, "bob", "COOP"); got < 30 {
		t.Fatalf("bob has %d on the new leader, 30 were acknowledged", got)
	}
	submitN(t, next, "after", 10)
	converge(t, next.Head(), nodes...)
	for _, n := range nodes {
		if n != nil {
			mustVerify(t, n)
		}
	}
}

func TestReplicatedNATSServerLoss(t *testing.T) {
	c := startNATS(t, 3)
	nodes := make([]*coopera.Engine, 2)
	for i := range nodes {
		nodes[i] = openNode(t, c, t.TempDir(), fmt.Sprintf("node%d", i), 3)
		defer nodes[i].Close()
	}
	leader := waitLeader(t, nodes...)
	submitN(t, leader, "a", 10)
	// Kill one NATS server that the stream lives on: writes go on (2 of 3).
	// Leadership may move while the lease's bucket loses a replica (seen
	// on a loaded machine); writes then go on at the new leader.
	c.StopServer(2)
	leader = submitToLeader(t, nodes, "b", 10)
	// It comes back and catches up.
	if err := c.StartServer(2); err != nil {
		t.Fatal(err)
	}
	leader = submitToLeader(t, nodes, "c", 5)
	want := leader.LogLastHeightForTest()
	checkFor(t, 20*time.Second, func() error {
		nc, err := nats.Connect(c.URL(2))
		if err != nil {
			return err
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s, err := js.Stream(ctx, "COOPERA_TEST")
		if err != nil {
			return err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		for _, r := range info.Cluster.Replicas {
			if r.Name == "n2" && (!r.Current || r.Offline) {
				return fmt.Errorf("n2 not current yet (lag %d)", r.Lag)
			}
		}
		if info.Cluster.Leader == "" || info.State.LastSeq != want+1 {
			return fmt.Errorf("stream at %d, want %d", info.State.LastSeq, want+1)
		}
		return nil
	})
	converge(t, leader.Head(), nodes...)
}

func TestReplicatedTwoLeadersAreFenced(t *testing.T) {
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1)
	defer a.Close()
	leader := waitLeader(t, a)
	submitN(t, leader, "x", 3)
	b := openNode(t, c, t.TempDir(), "b", 1)
	defer b.Close()
	converge(t, a.Head(), a, b)
	// b wrongly believes it leads too.
	b.ForceLeaderForTest()
	var wg sync.WaitGroup
	var okA, okB, fenced int
	var mu sync.Mutex
	for i := range 20 {
		for _, n := range []*coopera.Engine{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := transfer("alice", "carol", "COOP", 1)
				c.Key = fmt.Sprintf("%p-%d", n, i)
				_, err := n.Submit(context.Background(), c)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && n == a:
					okA++
				case err == nil:
					okB++
				case errors.Is(err, coopera.ErrNotLeader):
					fenced++
				default:
					t.Errorf("unexpected: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	t.Logf("acknowledged on a: %d, on b: %d, fenced: %d", okA, okB, fenced)
	if fenced == 0 {
		t.Fatal("two leaders and nobody was fenced")
	}
	// The stream holds exactly one block per height, chained.
	leader = waitLeader(t, a, b)
	converge(t, leader.Head(), a, b)
	if got := balance(t, leader, "carol", "COOP"); got != uint64(okA+okB) {
		t.Fatalf("carol has %d, but %d transfers were acknowledged", got, okA+okB)
	}
	for _, n := range []*coopera.Engine{a, b} {
		mustVerify(t, n)
	}
}

func TestReplicatedRestartAndSnapshotJoin(t *testing.T) {
	c := startNATS(t, 1)
	snapEvery := func(o *coopera.Options) {
		o.Replication.SnapshotEvery = 5
		o.Replication.MaxBlocks = 8 // retention: the stream forgets early blocks
	}
	a := openNode(t, c, t.TempDir(), "a", 1, snapEvery)
	defer a.Close()
	leader := waitLeader(t, a)
	fdir := t.TempDir()
	f := openNode(t, c, fdir, "f", 1, snapEvery)
	submitN(t, leader, "one", 6)
	converge(t, leader.Head(), a, f)
	// The follower stops mid-stream, blocks go on, it comes back.
	f.Close()
	submitN(t, leader, "two", 4)
	f = openNode(t, c, fdir, "f", 1, snapEvery)
	defer f.Close()
	converge(t, leader.Head(), a, f)
	// More blocks than the stream keeps: a new node cannot replay from
	// genesis and starts from the newest snapshot.
	submitN(t, leader, "three", 12)
	if err := leader.PublishSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	submitN(t, leader, "four", 3)
	n := openNode(t, c, t.TempDir(), "new", 1, snapEvery)
	defer n.Close()
	converge(t, leader.Head(), a, f, n)
	if got := balance(t, n, "bob", "COOP"); got != 25 {
		t.Fatalf("bob has %d on the new node, want 25", got)
	}
	// The new node's account-event index: the snapshot's, then its own.
	sameAccountEvents(t, "bob", a, f, n)
	mustVerify(t, n)
}

// sameAccountEvents checks that every node lists the same events of a
// (the index each node writes after applying its blocks).
func sameAccountEvents(t *testing.T, a ledger.AccountID, nodes ...*coopera.Engine) {
	t.Helper()
	var first []string
	for i, n := range nodes {
		got := refs(t, n, a)
		if len(got) < 2 {
			t.Fatalf("node %d lists %d events of %s", i, len(got), a)
		}
		if i == 0 {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("node %d lists %d events of %s, node 0 lists %d", i, len(got), a, len(first))
		}
	}
}

func TestReplicatedCorruptMessageIsRefused(t *testing.T) {
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1)
	defer a.Close()
	leader := waitLeader(t, a)
	b := openNode(t, c, t.TempDir(), "b", 1)
	defer b.Close()
	submitN(t, leader, "x", 3)
	converge(t, leader.Head(), a, b)
	good := b.Head()
	// Someone writes a damaged block into the stream at the next height.
	nc, err := nats.Connect(c.urls())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	blk, _ := leader.Block(context.Background(), good.Height)
	raw := append([]byte(nil), blk.Raw()...)
	raw[len(raw)-2] ^= 0xff
	if _, err := js.Publish(context.Background(), "coopera.COOPERA_TEST.blocks", raw, jetstream.WithExpectLastSequence(good.Height+1)); err != nil {
		t.Fatal(err)
	}
	stoppedAt(t, b, good)
	if _, err := b.Balance(context.Background(), "bob", "COOP"); err != nil {
		t.Fatalf("a stopped follower still serves reads: %v", err)
	}
	// The leader's next publish is fenced: the height is taken.
	if _, err := leader.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); !errors.Is(err, coopera.ErrNotLeader) {
		t.Fatalf("leader after the stream moved under it: %v", err)
	}
}

// A genesis whose block 0 is larger than a NATS message may be (1 MiB by
// default): the stream holds block 0's header, which names the block
// (its body hash), and nodes compare that; the block itself never
// travels, since every node builds it from the same genesis.
func TestReplicatedLargeGenesis(t *testing.T) {
	g := testGenesis(t)
	for i := range 20000 {
		id := ledger.AccountID(fmt.Sprintf("holder%05d", i))
		g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: id})
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: id, Asset: "COOP", Amount: ledger.NewAmount(uint64(1 + i))})
	}
	big := func(o *coopera.Options) { o.Genesis = g }
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1, big)
	defer a.Close()
	leader := waitLeader(t, a)
	raw, err := leader.RawBlockForTest(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) <= 1<<20 {
		t.Fatalf("block 0 is %d bytes; the test needs more than a NATS message's 1 MiB", len(raw))
	}
	submitN(t, leader, "t", 3)
	b := openNode(t, c, t.TempDir(), "b", 1, big)
	defer b.Close()
	converge(t, leader.Head(), a, b)
	if got := balance(t, b, "bob", "COOP"); got != 3 {
		t.Fatalf("bob has %d on the follower, want 3", got)
	}
	// A node with another genesis is refused.
	other := testGenesis(t)
	other.Accounts = append(other.Accounts, ledger.GenesisAccount{ID: "stranger"})
	o := &coopera.Options{Genesis: other, Clock: stepClock(), MaxClockSkew: -1,
		Replication: &replication.Options{URLs: c.urls(), NodeID: "x", Replicas: 1, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: -1}}
	if x, err := coopera.Open(t.TempDir(), o); !errors.Is(err, ledger.ErrInvalidGenesis) {
		if err == nil {
			x.Close()
		}
		t.Fatalf("a node with another genesis: %v, want ErrInvalidGenesis", err)
	}
}

// A stream that an earlier version started holds the whole of block 0,
// not its header: a node still recognises its genesis there, and still
// refuses another chain's.
func TestReplicatedStreamWithWholeGenesisBlock(t *testing.T) {
	seed := openTest(t, t.TempDir())
	raw, err := seed.RawBlockForTest(0)
	if err != nil {
		t.Fatal(err)
	}
	seed.Close()
	c := startNATS(t, 1)
	ctx := context.Background()
	log, err := replication.Connect(ctx, "test", replication.Options{URLs: c.urls(), NodeID: "old", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	hdr, _, err := ledger.DecodeHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Publish(ctx, 0, hdr.Hash(), raw, replication.Signature{}); err != nil {
		t.Fatal(err)
	}
	log.Close()

	other := testGenesis(t)
	other.Accounts = append(other.Accounts, ledger.GenesisAccount{ID: "stranger"})
	if x, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: other, Clock: stepClock(), MaxClockSkew: -1,
		Replication: &replication.Options{URLs: c.urls(), NodeID: "x", Replicas: 1, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: -1}}); !errors.Is(err, ledger.ErrInvalidGenesis) {
		if err == nil {
			x.Close()
		}
		t.Fatalf("a node with another genesis: %v, want ErrInvalidGenesis", err)
	}
	n := openNode(t, c, t.TempDir(), "n", 1)
	defer n.Close()
	submitN(t, waitLeader(t, n), "t", 2)
	if got := balance(t, n, "bob", "COOP"); got != 2 {
		t.Fatalf("bob has %d, want 2", got)
	}
}

// A client's close_epoch is refused before sequencing (the sequencer
// starts each block with the closes due). One in a block nonetheless is
// an ordinary command to the followers: they used to take every leading
// close_epoch for an injected one, execute the block without it and stop
// on the difference, on every restart too.
func TestClientCloseEpochDoesNotStopFollowers(t *testing.T) {
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1)
	defer a.Close()
	b := openNode(t, c, t.TempDir(), "b", 1)
	defer b.Close()
	leader := waitLeader(t, a, b)
	submitN(t, leader, "warm", 2)
	closeEpoch := &ledger.Command{Actor: "alice", Payload: &ledger.CloseEpoch{Epoch: 0}}
	if _, err := leader.Submit(context.Background(), closeEpoch); !errors.Is(err, ledger.ErrUnauthorized) {
		t.Fatalf("a client's close_epoch: %v; want ErrUnauthorized", err)
	}
	if err := leader.SubmitUncheckedForTest(closeEpoch); err != nil {
		t.Fatal(err)
	}
	submitN(t, leader, "after", 1)
	converge(t, leader.Head(), a, b)
	for _, n := range []*coopera.Engine{a, b} {
		if err := n.Err(); err != nil {
			t.Fatalf("a node stopped: %v", err)
		}
	}
}

// TestReplicatedLargeBlock: a block larger than one NATS message (here the
// servers allow 16 KiB) travels as a stored body that its message names.
// Before, the leader retried the publish until its deadline, stepped down,
// and the next leader met the same wall: a large enough batch, slash or
// first contribution close stopped the cluster. Followers, a node joining
// later and the stream's retention all handle such blocks.
func TestReplicatedLargeBlock(t *testing.T) {
	nc, err := natsembed.Start(1, t.TempDir(), func(i int, o *server.Options) { o.MaxPayload = 16 << 10 })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Shutdown)
	c := &natsCluster{Cluster: nc, t: t}
	retain := func(o *coopera.Options) { o.Replication.MaxBlocks = 4 }
	a := openNode(t, c, t.TempDir(), "a", 1, retain)
	defer a.Close()
	b := openNode(t, c, t.TempDir(), "b", 1, retain)
	defer b.Close()
	leader := waitLeader(t, a, b)
	batch := func(prefix string, n int) *coopera.Receipt {
		t.Helper()
		var cmds []*ledger.Command
		for i := range n {
			cmd := transfer("alice", "bob", "COOP", 1)
			cmd.Key = fmt.Sprintf("%s-%d", prefix, i)
			cmds = append(cmds, cmd)
		}
		rcs, err := leader.SubmitBatch(context.Background(), cmds)
		if err != nil {
			t.Fatalf("a batch of %d: %v", n, err)
		}
		return rcs[0]
	}
	first := batch("big", 300)
	raw, err := leader.RawBlockForTest(first.Height)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) <= 16<<10 {
		t.Fatalf("the block is %d bytes; the test needs more than a message's 16 KiB", len(raw))
	}
	// Its message names the stored body and carries none.
	conn, err := nats.Connect(c.urls())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(context.Background(), "COOPERA_TEST")
	if err != nil {
		t.Fatal(err)
	}
	m, err := stream.GetMsg(context.Background(), first.Height+1)
	if err != nil {
		t.Fatal(err)
	}
	name := m.Header.Get("Coopera-Body")
	if name == "" || len(m.Data) != 0 {
		t.Fatalf("the message of a %d-byte block: body %q, %d bytes of data", len(raw), name, len(m.Data))
	}
	converge(t, leader.Head(), a, b)
	// A node that joins later reads it from the stream too.
	late := openNode(t, c, t.TempDir(), "late", 1, retain)
	defer late.Close()
	converge(t, leader.Head(), a, b, late)
	if got := balance(t, late, "bob", "COOP"); got != 300 {
		t.Fatalf("bob has %d on the late node, want 300", got)
	}
	// Once the stream no longer keeps the block, the next large block
	// prunes its body.
	submitN(t, leader, "small", 5)
	batch("big2", 300)
	objs, err := js.ObjectStore(context.Background(), "COOPERA_TEST_SNAPSHOTS")
	if err != nil {
		t.Fatal(err)
	}
	checkFor(t, 10*time.Second, func() error {
		if _, err := objs.GetInfo(context.Background(), name); !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("the body of block %d, which the stream dropped: %v", first.Height, err)
		}
		return nil
	})
	converge(t, leader.Head(), a, b, late)

	// A message naming a stored body that is missing stops a follower
	// (ErrDivergence) before it applies anything, rather than leaving it
	// to retry for ever.
	good := b.Head()
	forged := nats.NewMsg("coopera.COOPERA_TEST.blocks")
	forged.Header.Set("Coopera-Body", fmt.Sprintf("block/%020d/%s", good.Height+1, good.Hash))
	forged.Header.Set("Coopera-Size", strconv.Itoa(len(raw)))
	if _, err := js.PublishMsg(context.Background(), forged, jetstream.WithExpectLastSequence(good.Height+1)); err != nil {
		t.Fatal(err)
	}
	stoppedAt(t, b, good)
}

// stoppedAt waits until follower b stops with ErrDivergence, and checks it
// stayed at head good.
func stoppedAt(t *testing.T, b *coopera.Engine, good coopera.Head) {
	t.Helper()
	checkFor(t, 10*time.Second, func() error {
		if !errors.Is(b.Err(), ledger.ErrDivergence) {
			return fmt.Errorf("follower error %v", b.Err())
		}
		return nil
	})
	if b.Head() != good {
		t.Fatalf("the follower moved to block %d past a block it should refuse", b.Head().Height)
	}
}

// TestReplicatedRulesFrom: a cluster that moved to this build's rules at a
// height (Options.RulesFrom, the same on every node) has blocks below it
// decided by the rules before (a rejected command used no nonce). A node
// joining later with the same height re-executes them all and follows; one
// without it decides those blocks differently and stops with
// ErrDivergence rather than follow another chain.
func TestReplicatedRulesFrom(t *testing.T) {
	c := startNATS(t, 1)
	const from = 4
	rules := func(o *coopera.Options) { o.RulesFrom = from }
	a := openNode(t, c, t.TempDir(), "a", 1, rules)
	defer a.Close()
	leader := waitLeader(t, a)
	overdraft := func(nonce uint64) *coopera.Receipt {
		cmd := transfer("carol", "bob", "COOP", 5) // carol holds no COOP
		cmd.Nonce = nonce
		rc, err := leader.Submit(context.Background(), cmd)
		if !errors.Is(err, ledger.ErrInsufficientFunds) {
			t.Fatalf("carol's overdraft: %v", err)
		}
		return rc
	}
	if rc := overdraft(1); rc.Height >= from || len(rc.Events) != 0 {
		t.Fatalf("an overdraft at height %d with %d events; want one below %d with none", rc.Height, len(rc.Events), from)
	}
	submitN(t, leader, "x", 3)
	if rc := overdraft(2); rc.Height < from || len(rc.Events) != 1 {
		t.Fatalf("an overdraft at height %d with %d events; want one from %d with its nonce's use", rc.Height, len(rc.Events), from)
	}
	b := openNode(t, c, t.TempDir(), "b", 1, rules)
	defer b.Close()
	converge(t, leader.Head(), a, b)
	x := openNode(t, c, t.TempDir(), "x", 1)
	defer x.Close()
	checkFor(t, 10*time.Second, func() error {
		if !errors.Is(x.Err(), ledger.ErrDivergence) {
			return fmt.Errorf("a node without RulesFrom: error %v, head %d", x.Err(), x.Head().Height)
		}
		return nil
	})
}
