package coopera_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
)

// The crash tests run a child process (this test binary again, running
// TestCrashChild) that submits under load: the standard economy with the
// example policies' admitter in force, 8 goroutines each submitting
// batches (SubmitBatch) of three keyed transfers of 1 COOP from alice to
// bob, every fourth batch with an unkeyed proposal that the policy admits
// and the block records its decision for, while another goroutine takes
// snapshots without pause (a checkpoint on a single node, a published
// snapshot on a replicated one). The parent kills it with SIGKILL at a
// random moment, reopens the ledger and runs the crash checker
// (checkOutcome): every acknowledged command is in the log exactly once,
// an unacknowledged one at most once (and each is counted), bob's balance
// is exactly the transfers applied, a resubmission of every attempted key
// is a duplicate exactly when the log holds it, and Verify reproduces the
// state root.

// crashTrials reads a trial count from the environment.
func crashTrials(t *testing.T, env string, def int) int {
	t.Helper()
	s := os.Getenv(env)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number of trials", env, s)
	}
	return n
}

// crashGenesisJSON is the crash tests' economy, starting a minute before
// start so that no epoch closes during a run.
func crashGenesisJSON(t testing.TB, start time.Time) string {
	t.Helper()
	set, err := policy.Load(context.Background(), "policies")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"chain_id": "crash", "genesis_time": %q, "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "bob"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000"}],
	 "params": {"governance": {"policy_hash": %q, "min_deposit": "1", "max_live_proposals": 1000000}}}`,
		start.Add(-time.Minute).UTC().Truncate(time.Second).Format(time.RFC3339), hex.EncodeToString(set.Hash()))
}

// crashOptions opens the economy with the policy admitter; urls, if not
// empty, makes it a replicated node of one stream replica.
func crashOptions(t testing.TB, genesisJSON, urls string) *coopera.Options {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(genesisJSON))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := policy.LoadLibrary(context.Background(), "policies")
	if err != nil {
		t.Fatal(err)
	}
	o := &coopera.Options{Genesis: g, Modules: economy.Modules()}
	adm, err := policy.NewAdmitter(lib, o.Modules...)
	if err != nil {
		t.Fatal(err)
	}
	o.Admitters = []coopera.Admitter{adm}
	if urls != "" {
		o.Replication = &replication.Options{URLs: urls, NodeID: "n", Replicas: 1, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: 16}
	}
	return o
}

// crashChildRun starts the child on dir, lets it run for a random while
// after it is ready, kills it with SIGKILL, and returns what it
// attempted and saw acknowledged, and how many snapshots it finished.
func crashChildRun(t *testing.T, rng *rand.Rand, trial int, dir, genesisJSON, urls string, maxDelay time.Duration) (*keyLog, int) {
	t.Helper()
	child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
	child.Env = append(os.Environ(), "COOPERA_CRASH_CHILD="+dir, fmt.Sprintf("COOPERA_CRASH_TRIAL=%d", trial),
		"COOPERA_CRASH_GENESIS="+genesisJSON, "COOPERA_CRASH_NATS="+urls)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	l := newKeyLog()
	snaps := 0
	ready := make(chan struct{})
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(out)
		once := sync.Once{}
		for sc.Scan() {
			verb, key, _ := strings.Cut(sc.Text(), " ")
			switch verb {
			case "ready":
				once.Do(func() { close(ready) })
			case "try":
				l.attempt(key)
			case "ack":
				l.ack(key)
			case "snap":
				snaps++
			}
		}
		once.Do(func() { close(ready) })
	}()
	<-ready
	time.Sleep(time.Duration(5+rng.Int64N(int64(maxDelay/time.Millisecond))) * time.Millisecond)
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	<-readDone
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("trial %d: the child was not killed by the SIGKILL but ended on its own: %v", trial, child.ProcessState)
	}
	return l, snaps
}

// TestCrashKeepsAcknowledged kills a child process running a single node
// under load with SIGKILL at random moments, reopens the ledger and runs
// the crash checker. 20 trials by default; set COOPERA_CRASH_TRIALS for
// more.
func TestCrashKeepsAcknowledged(t *testing.T) {
	crashTrialLoop(t, crashTrials(t, "COOPERA_CRASH_TRIALS", 20), "", 150*time.Millisecond, "finished", nil)
}

// TestSigkillReplicatedNode is TestCrashKeepsAcknowledged for a replicated
// node: the child leads a stream on in-process NATS servers (this
// process's), publishing snapshots as it goes; after the SIGKILL the
// parent reopens the node on the same directory, waits until it leads
// again (it catches up to the stream's last block first), and runs the
// crash checker. Blocks the stream acknowledged but the store had not
// synced come back from the stream. 5 trials by default; set
// COOPERA_SIGKILL_TRIALS for more.
func TestSigkillReplicatedNode(t *testing.T) {
	c := startNATS(t, 1)
	crashTrialLoop(t, crashTrials(t, "COOPERA_SIGKILL_TRIALS", 5), c.urls(), 400*time.Millisecond, "published", func(trial int, e *coopera.Engine) {
		waitLeader(t, e)
		if last := e.LogLastHeightForTest(); e.Head().Height != last {
			t.Fatalf("trial %d: leading at height %d, the stream's last block is %d", trial, e.Head().Height, last)
		}
	})
}

// crashTrialLoop runs trials of a child SIGKILLed after up to maxDelay
// (replicated over the NATS servers urls, if not empty): each reopens the
// ledger, calls reopened (if not nil) and runs the crash checker, then
// logs the totals; snapVerb says what became of the snapshots.
func crashTrialLoop(t *testing.T, trials int, urls string, maxDelay time.Duration, snapVerb string, reopened func(trial int, e *coopera.Engine)) {
	dir := filepath.Join(t.TempDir(), "ledger") // snapshots go to ledger-snap beside it
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	genesis := crashGenesisJSON(t, time.Now())
	var bob0 uint64
	acked, unacked, snaps, proposals := 0, 0, 0, 0
	for trial := range trials {
		l, n := crashChildRun(t, rng, trial, dir, genesis, urls, maxDelay)
		snaps += n
		e, err := coopera.Open(dir, crashOptions(t, genesis, urls))
		if err != nil {
			t.Fatalf("trial %d: reopening after SIGKILL: %v", trial, err)
		}
		if reopened != nil {
			reopened(trial, e)
		}
		must := l.snapshot()
		u, lost := checkOutcome(t, e, l, must, bob0)
		acked += len(must)
		unacked += u
		bob0 = balance(t, e, "bob", "COOP")
		if trial == trials-1 {
			proposals = admittedProposals(t, e)
		}
		e.Close()
		t.Logf("trial %d: %d attempted, %d acknowledged, %d applied unacknowledged, %d lost unacknowledged, %d snapshots", trial, len(l.attempted), len(must), u, lost, n)
	}
	t.Logf("%d trials: %d acknowledged commands, 0 lost, 0 doubled; %d applied unacknowledged, each once; %d snapshots %s; %d proposals admitted", trials, acked, unacked, snaps, snapVerb, proposals)
	if acked == 0 {
		t.Fatal("no command was ever acknowledged: the child never got going")
	}
}

// TestCrashChild is the child process of the crash tests; it does nothing
// unless COOPERA_CRASH_CHILD names a directory. It prints "ready" once it
// submits (leads, if replicated), "try KEY" before a batch, "ack KEY" once
// it is acknowledged, and "snap" after each snapshot.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("COOPERA_CRASH_CHILD")
	if dir == "" {
		return // only run as a child
	}
	trial := os.Getenv("COOPERA_CRASH_TRIAL")
	urls := os.Getenv("COOPERA_CRASH_NATS")
	die := func(code int, err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(code)
	}
	e, err := coopera.Open(dir, crashOptions(t, os.Getenv("COOPERA_CRASH_GENESIS"), urls))
	if err != nil {
		die(3, err)
	}
	for deadline := time.Now().Add(30 * time.Second); !e.IsLeader(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			die(3, fmt.Errorf("not leading after 30s"))
		}
	}
	// A snapshot always under way.
	go func() {
		snapDir := dir + "-snap"
		for i := 0; ; i++ {
			var err error
			if urls != "" {
				err = e.PublishSnapshot(context.Background())
			} else {
				d := filepath.Join(snapDir, trial+"-"+strconv.Itoa(i))
				os.RemoveAll(d)
				err = e.Snapshot(context.Background(), d)
				os.RemoveAll(d)
			}
			if err != nil {
				die(5, err)
			}
			os.Stdout.WriteString("snap\n")
		}
	}()
	os.Stdout.WriteString("ready\n")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				var cmds []*ledger.Command
				var try, ack strings.Builder
				for j := range 3 {
					key := "t" + trial + "-g" + strconv.Itoa(g) + "-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
					cmds = append(cmds, crashCommand(key))
					try.WriteString("try " + key + "\n")
					ack.WriteString("ack " + key + "\n")
				}
				if i%4 == 3 {
					p, err := e.ParseCommand([]byte(`{"type": "gov_propose", "actor": "alice", "payload": {"title": "crash", "description": "a text proposal", "deposit": "1"}}`))
					if err != nil {
						die(4, err)
					}
					cmds = append(cmds, p)
				}
				os.Stdout.WriteString(try.String()) // one write each: atomic on a pipe
				rs, err := e.SubmitBatch(context.Background(), cmds)
				if err != nil {
					die(4, err)
				}
				for _, r := range rs {
					if r.Err != nil {
						die(4, r.Err)
					}
				}
				os.Stdout.WriteString(ack.String())
			}
		}()
	}
	wg.Wait()
}

// admittedProposals counts the proposals in the chain, each of which must
// carry the policy's decision, and fails if there is none.
func admittedProposals(t *testing.T, e *coopera.Engine) int {
	t.Helper()
	n := 0
	for h := uint64(1); h <= e.Head().Height; h++ {
		b, err := e.Block(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range b.Commands {
			if p, ok := c.Payload.(*governance.Propose); ok {
				if p.Decision == nil || !p.Decision.Allowed {
					t.Fatalf("block %d holds a proposal without the admitter's decision", h)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no proposal was admitted: the policy admitter was never exercised")
	}
	return n
}

func crashCommand(key string) *ledger.Command {
	c := transfer("alice", "bob", "COOP", 1)
	c.Key = key
	return c
}
