package coopera_test

// Fault injection with Pebble's own tools: power loss on a crashable
// in-memory file system (vfs.NewCrashableMem and CrashClone: unsynced
// writes lost or torn), failing fsyncs and a full disk (vfs/errorfs), and
// crashes or errors in the middle of Open's WAL recovery.
//
// The default run is a few seconds. For a soak, set
// COOPERA_FAULT_TRIALS to the number of trials of each test (for example
// COOPERA_FAULT_TRIALS=500 go test -run 'PowerLoss|Fault|DuringOpen' .).

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

const faultDir = "ledger"

// faultTrials returns def, or the count in COOPERA_FAULT_TRIALS.
func faultTrials(t *testing.T, def int) int {
	t.Helper()
	s := os.Getenv("COOPERA_FAULT_TRIALS")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("COOPERA_FAULT_TRIALS=%q: want a positive count", s)
	}
	return n
}

// faultRand returns a seeded generator and logs its seed.
func faultRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("COOPERA_FAULT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("COOPERA_FAULT_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (COOPERA_FAULT_SEED reruns it)", seed)
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

func openOnFS(fs vfs.FS, genesis *ledger.Genesis) (*coopera.Engine, error) {
	return coopera.Open(faultDir, &coopera.Options{Genesis: genesis, FS: fs, Clock: stepClock(), CheckInvariants: true})
}

// keyLog records the idempotency keys submitted and acknowledged.
type keyLog struct {
	mu        sync.Mutex
	attempted []string
	acked     map[string]bool
	// lateAcks counts acknowledgements that arrived after the submitter
	// had been told of the engine's fault.
	lateAcks atomic.Int64
}

func newKeyLog() *keyLog { return &keyLog{acked: map[string]bool{}} }

func (l *keyLog) attempt(k string) {
	l.mu.Lock()
	l.attempted = append(l.attempted, k)
	l.mu.Unlock()
}

func (l *keyLog) ack(k string) {
	l.mu.Lock()
	l.acked[k] = true
	l.mu.Unlock()
}

// snapshot returns the keys acknowledged so far.
func (l *keyLog) snapshot() map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]bool, len(l.acked))
	for k := range l.acked {
		out[k] = true
	}
	return out
}

// load runs n submitters of transfers of 1 COOP from alice to bob, each
// with its own idempotency key, until stop is called or the engine fails
// them. After a submitter sees an error, it submits once more and counts
// an acknowledgement then as late: a stopped engine must refuse it.
func load(e *coopera.Engine, prefix string, n int, l *keyLog) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-quit:
					return
				default:
				}
				k := fmt.Sprintf("%s-g%d-%d", prefix, g, i)
				l.attempt(k)
				if _, err := e.Submit(context.Background(), crashCommand(k)); err != nil {
					k := k + "-after"
					l.attempt(k)
					if _, err := e.Submit(context.Background(), crashCommand(k)); err == nil {
						l.ack(k)
						l.lateAcks.Add(1)
					}
					return
				}
				l.ack(k)
			}
		}()
	}
	return func() {
		close(quit)
		wg.Wait()
	}
}

// chainKeys counts, over the whole chain, how many times each idempotency
// key of a transfer to bob appears as an applied command.
func chainKeys(t *testing.T, e *coopera.Engine) map[string]int {
	t.Helper()
	out := map[string]int{}
	for h := uint64(1); h <= e.Head().Height; h++ {
		b, err := e.Block(context.Background(), h)
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		for i, c := range b.Commands {
			if c.Key == "" {
				continue
			}
			if err := b.Results[i].Err(); err != nil {
				t.Fatalf("block %d: command %s was rejected: %v", h, c.Key, err)
			}
			out[c.Key]++
		}
	}
	return out
}

// checkAccountIndex checks that AccountEvents lists exactly the events of
// blocks 1 to the head that concern a (the index is written after its
// blocks: a crash between the two must lose nothing).
func checkAccountIndex(t *testing.T, e *coopera.Engine, a ledger.AccountID) {
	t.Helper()
	var want []string
	for h := uint64(1); h <= e.Head().Height; h++ {
		b, err := e.Block(context.Background(), h)
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		for i, ev := range b.Events {
			if ae, ok := ev.(ledger.AccountEvent); ok && slices.Contains(ae.Accounts(), a) {
				want = append(want, fmt.Sprintf("%d/%d", h, i))
			}
		}
	}
	evs, err := e.AccountEvents(context.Background(), a, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(evs))
	for i, ev := range evs {
		got[i] = fmt.Sprintf("%d/%d", ev.Height, ev.Index)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after the crash AccountEvents(%s) lists %d events, the blocks hold %d:\n%v\n%v", a, len(got), len(want), got, want)
	}
}

// checkOutcome is the crash checker. On a reopened ledger it checks that
// every key in must (acknowledged before the crash) was applied exactly
// once, that no attempted key was applied twice, that the log holds only
// attempted keys and that bob's balance counts exactly the applied
// transfers. Then it resubmits every attempted key: an applied one must
// come back as a duplicate, a lost one is applied now, so that afterwards
// each is applied exactly once. It returns how many keys were applied
// without having been acknowledged, and how many were lost unacknowledged.
func checkOutcome(t *testing.T, e *coopera.Engine, l *keyLog, must map[string]bool, bob0 uint64) (unacked, lost int) {
	t.Helper()
	checkAccountIndex(t, e, "bob")
	counts := chainKeys(t, e)
	attempted := map[string]bool{}
	for _, k := range l.attempted {
		attempted[k] = true
	}
	applied := 0
	for k, n := range counts {
		if n > 1 {
			t.Fatalf("command %s was applied %d times", k, n)
		}
		if attempted[k] {
			applied++
		}
	}
	for k := range must {
		if counts[k] != 1 {
			t.Fatalf("acknowledged command %s is not in the log after the crash", k)
		}
	}
	for _, k := range l.attempted {
		if counts[k] == 1 && !must[k] {
			unacked++
		}
	}
	bob := balance(t, e, "bob", "COOP")
	if bob-bob0 != uint64(applied) {
		t.Fatalf("bob received %d, but the log holds %d transfers of 1 from this trial", bob-bob0, applied)
	}
	if len(l.attempted) > 0 {
		cmds := make([]*ledger.Command, len(l.attempted))
		for i, k := range l.attempted {
			cmds[i] = crashCommand(k)
		}
		rs, err := e.SubmitBatch(context.Background(), cmds)
		if err != nil {
			t.Fatalf("resubmitting: %v", err)
		}
		for i, r := range rs {
			k := l.attempted[i]
			if want := counts[k] == 1; r.Duplicate != want {
				t.Fatalf("resubmitting %s: duplicate %v, but the log holds it %d times", k, r.Duplicate, counts[k])
			}
			if !r.Duplicate {
				lost++
			}
		}
		if got := balance(t, e, "bob", "COOP") - bob0; got != uint64(len(l.attempted)) {
			t.Fatalf("after resubmitting, bob received %d for %d distinct commands", got, len(l.attempted))
		}
	}
	mustVerify(t, e)
	return unacked, lost
}

// TestPowerLossKeepsAcknowledged cuts the power at random moments under
// concurrent load: CrashClone keeps what was synced and a random share of
// what was not (whole 4 KiB blocks and directory entries, so files are
// torn), the ledger is reopened from the clone, and the crash checker
// runs. Each trial goes on from the previous trial's crashed copy, so
// recovery is itself crashed into. Eight trials by default.
func TestPowerLossKeepsAcknowledged(t *testing.T) {
	trials := faultTrials(t, 8)
	rng := faultRand(t)
	fs := vfs.NewCrashableMem()
	genesis := testGenesis(t)
	var totalAcked, totalUnacked, totalLost, totalAttempted int
	for trial := range trials {
		e, err := openOnFS(fs, genesis)
		if err != nil {
			t.Fatalf("trial %d: opening: %v", trial, err)
		}
		bob0 := balance(t, e, "bob", "COOP")
		l := newKeyLog()
		stop := load(e, "p"+strconv.Itoa(trial), 8, l)
		time.Sleep(time.Duration(2+rng.IntN(40)) * time.Millisecond)
		must := l.snapshot() // acknowledged, hence synced, before the cut
		pct := 0             // a third of the trials keep nothing unsynced
		if trial%3 != 0 {
			pct = 1 + rng.IntN(99)
		}
		crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(rng.Uint64(), 0))})
		stop()
		if err := e.Close(); err != nil {
			t.Fatalf("trial %d: closing the original: %v", trial, err)
		}
		fs = crashed
		e, err = openOnFS(fs, nil)
		if err != nil {
			t.Fatalf("trial %d: reopening after power loss (%d%% of unsynced data kept): %v", trial, pct, err)
		}
		unacked, lost := checkOutcome(t, e, l, must, bob0)
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("trial %d: %d%% unsynced kept; %d acknowledged before the cut, all there once; %d applied unacknowledged, once; %d lost unacknowledged",
			trial, pct, len(must), unacked, lost)
		totalAcked += len(must)
		totalUnacked += unacked
		totalLost += lost
		totalAttempted += len(l.attempted)
	}
	if totalAcked == 0 {
		t.Fatal("no command was acknowledged before any cut: the load never got going")
	}
	t.Logf("%d power-loss trials: %d commands acknowledged before the cut, 0 lost, 0 applied twice; %d applied unacknowledged (once each); %d unacknowledged lost, of %d submitted",
		trials, totalAcked, totalUnacked, totalLost, totalAttempted)
}

// walSyncFault fails every sync of a WAL file.
func walSyncFault(op errorfs.Op) error {
	switch op.Kind {
	case errorfs.OpFileSync, errorfs.OpFileSyncData, errorfs.OpFileSyncTo:
		if strings.HasSuffix(op.Path, ".log") {
			return errorfs.ErrInjected
		}
	}
	return nil
}

// diskFull fails every write as a full disk does.
func diskFull(op errorfs.Op) error {
	switch op.Kind {
	case errorfs.OpFileWrite, errorfs.OpFileWriteAt, errorfs.OpFilePreallocate:
		return &os.PathError{Op: "write", Path: op.Path, Err: syscall.ENOSPC}
	}
	return nil
}

// TestFsyncErrorStopsEngine fails the WAL's fsync under load: the engine
// must stop and report the fault (store.ErrStorage), acknowledge nothing more, and lose
// nothing it acknowledged, even when the power is then cut (only synced
// data kept). Three trials by default.
func TestFsyncErrorStopsEngine(t *testing.T) {
	faultStops(t, walSyncFault, errorfs.ErrInjected)
}

// TestDiskFullStopsEngine fills the disk under load (every write fails
// with ENOSPC), with the checks of TestFsyncErrorStopsEngine; the fault
// reported names the full disk.
func TestDiskFullStopsEngine(t *testing.T) {
	faultStops(t, diskFull, syscall.ENOSPC)
}

func faultStops(t *testing.T, inject func(errorfs.Op) error, cause error) {
	trials := faultTrials(t, 3)
	rng := faultRand(t)
	genesis := testGenesis(t)
	var totalAcked, totalUnacked int
	for trial := range trials {
		base := vfs.NewCrashableMem()
		var on atomic.Bool
		var injected atomic.Int64
		fs := errorfs.Wrap(base, errorfs.InjectorFunc(func(op errorfs.Op) error {
			if !on.Load() {
				return nil
			}
			err := inject(op)
			if err != nil {
				injected.Add(1)
			}
			return err
		}))
		e, err := openOnFS(fs, genesis)
		if err != nil {
			t.Fatal(err)
		}
		l := newKeyLog()
		stop := load(e, "f"+strconv.Itoa(trial), 8, l)
		time.Sleep(time.Duration(2+rng.IntN(30)) * time.Millisecond)
		on.Store(true)
		checkFor(t, 10*time.Second, func() error {
			if e.Err() == nil {
				return errors.New("the engine has not reported the fault")
			}
			return nil
		})
		stop()
		fault := e.Err()
		t.Logf("trial %d: %d faults injected; Err: %v", trial, injected.Load(), fault)
		if !errors.Is(fault, store.ErrStorage) || !errors.Is(fault, cause) {
			t.Fatalf("trial %d: Err() = %v; want a storage fault (store.ErrStorage) wrapping the injected %v", trial, fault, cause)
		}
		if n := l.lateAcks.Load(); n > 0 {
			t.Fatalf("trial %d: %d commands acknowledged after the fault was reported", trial, n)
		}
		if _, err := e.Submit(context.Background(), crashCommand("after-the-fault")); err == nil {
			t.Fatalf("trial %d: a command was acknowledged after the fault", trial)
		}
		closeErr := e.Close()
		t.Logf("trial %d: Close: %v", trial, closeErr)
		must := l.snapshot()

		// Cut the power: only what was synced survives; reopen healthy.
		on.Store(false)
		crashed := base.CrashClone(vfs.CrashCloneCfg{})
		e, err = openOnFS(crashed, nil)
		if err != nil {
			t.Fatalf("trial %d: reopening after the fault: %v", trial, err)
		}
		unacked, lost := checkOutcome(t, e, l, must, 0)
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("trial %d: %d acknowledged, all there once; %d applied unacknowledged; %d lost unacknowledged", trial, len(must), unacked, lost)
		totalAcked += len(must)
		totalUnacked += unacked
	}
	if totalAcked == 0 {
		t.Fatal("no command was acknowledged before any fault")
	}
	t.Logf("%d fault trials: %d commands acknowledged, 0 lost, 0 applied twice, 0 acknowledged after the fault; %d applied unacknowledged (once each)",
		trials, totalAcked, totalUnacked)
}

// opCounter is an errorfs injector that numbers file-system operations and
// calls at on each; at may return an error to inject.
type opCounter struct {
	n  atomic.Int64
	at func(i int64, op errorfs.Op) error
}

func (c *opCounter) String() string { return "opCounter" }

func (c *opCounter) MaybeError(op errorfs.Op) error {
	i := c.n.Add(1) - 1
	if c.at == nil {
		return nil
	}
	return c.at(i, op)
}

// crashedLedger builds a ledger under load on a crashable FS and cuts the
// power, leaving a WAL to recover. It returns the crashed FS, the keys
// submitted and those acknowledged before the cut, and how many
// file-system operations opening the crashed ledger takes.
func crashedLedger(t *testing.T, rng *rand.Rand) (*vfs.MemFS, *keyLog, map[string]bool, int64) {
	t.Helper()
	base := vfs.NewCrashableMem()
	e, err := openOnFS(base, testGenesis(t))
	if err != nil {
		t.Fatal(err)
	}
	l := newKeyLog()
	stop := load(e, "o", 4, l)
	time.Sleep(time.Duration(10+rng.IntN(20)) * time.Millisecond)
	must := l.snapshot()
	crashed := base.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 50, RNG: rand.New(rand.NewPCG(rng.Uint64(), 0))})
	stop()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if len(must) == 0 {
		t.Fatal("nothing was acknowledged before the cut")
	}
	var c opCounter
	e, err = openOnFS(errorfs.Wrap(copyFS(crashed), &c), nil)
	if err != nil {
		t.Fatalf("opening the crashed ledger: %v", err)
	}
	ops := c.n.Load()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return crashed, l, must, ops
}

// copyFS returns an identical copy of a crashable FS.
func copyFS(fs *vfs.MemFS) *vfs.MemFS {
	return fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 100, RNG: rand.New(rand.NewPCG(0, 0))})
}

// TestCrashDuringOpen cuts the power at a random file-system operation of
// Open while it recovers a crashed ledger's WAL (and writes its new WAL
// and manifest), then opens what the disk held at that moment: it must
// open, verify, and hold every command acknowledged before the first cut
// exactly once. Twelve trials by default.
func TestCrashDuringOpen(t *testing.T) {
	trials := faultTrials(t, 12)
	rng := faultRand(t)
	crashed, l, must, ops := crashedLedger(t, rng)
	t.Logf("opening the crashed ledger takes %d file-system operations; %d commands acknowledged before the cut", ops, len(must))
	for trial := range trials {
		src := copyFS(crashed)
		at := rng.Int64N(ops)
		// All or nothing of the unsynced data: with a share of it, CrashClone
		// can keep the MANIFEST's new marker without the MANIFEST it names
		// (Pebble creates both, then syncs the directory once), which no
		// journaling file system produces and Pebble cannot open.
		pct := 100 * rng.IntN(2)
		var mid *vfs.MemFS
		c := &opCounter{at: func(i int64, _ errorfs.Op) error {
			if i == at {
				mid = src.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(uint64(at), 1))})
			}
			return nil
		}}
		e, err := openOnFS(errorfs.Wrap(src, c), nil)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if mid == nil {
			t.Fatalf("trial %d: open took fewer than %d operations this time", trial, at+1)
		}
		e, err = openOnFS(mid, nil)
		if err != nil {
			t.Fatalf("trial %d: reopening after a power cut at operation %d of Open (%d%% of unsynced data kept): %v", trial, at, pct, err)
		}
		unacked, lost := checkOutcome(t, e, l, must, 0)
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("trial %d: cut at operation %d of %d, %d%% unsynced kept: %d acknowledged there once, %d unacknowledged applied once, %d lost", trial, at, ops, pct, len(must), unacked, lost)
	}
	t.Logf("%d power cuts during Open: the ledger opened and verified every time; %d acknowledged commands, none lost or doubled", trials, len(must))
}

// fatalToPebble reports an operation whose failure Pebble treats as fatal
// to the process (Logger.Fatalf or a panic, from a background flush): a
// write or sync of the MANIFEST, of its marker or of a directory. Such a
// failure is a crash at that operation, which TestCrashDuringOpen covers.
func fatalToPebble(op errorfs.Op) bool {
	if op.Kind.ReadOrWrite() != errorfs.OpIsWrite {
		return false
	}
	return !strings.HasSuffix(op.Path, ".log") && !strings.HasSuffix(op.Path, ".sst")
}

// TestErrorDuringOpen fails one random file-system operation of Open (a
// read, or a write of a WAL or table file: see fatalToPebble) while it recovers a crashed
// ledger's WAL: Open either fails with an error or succeeds, never panics,
// and the ledger then opens on the healthy disk
// (after another power cut), verifies, and holds every acknowledged
// command exactly once. Twelve trials by default.
func TestErrorDuringOpen(t *testing.T) {
	trials := faultTrials(t, 12)
	rng := faultRand(t)
	crashed, l, must, ops := crashedLedger(t, rng)
	failed := 0
	for trial := range trials {
		src := copyFS(crashed)
		at := rng.Int64N(ops)
		var hit atomic.Value
		c := &opCounter{at: func(i int64, op errorfs.Op) error {
			if i == at && !fatalToPebble(op) {
				hit.Store(op)
				return errorfs.ErrInjected
			}
			return nil
		}}
		e, err := openOnFS(errorfs.Wrap(src, c), nil)
		if err != nil {
			failed++
			t.Logf("trial %d: error at operation %d (%v): Open: %v", trial, at, hit.Load(), err)
		} else if err := e.Close(); err != nil {
			t.Logf("trial %d: error at operation %d (%v): Close: %v", trial, at, hit.Load(), err)
		}
		pct := rng.IntN(101)
		after := src.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(uint64(at), 2))})
		e, err = openOnFS(after, nil)
		if err != nil {
			t.Fatalf("trial %d: reopening on a healthy disk after an error at operation %d (%v) of Open: %v", trial, at, hit.Load(), err)
		}
		checkOutcome(t, e, l, must, 0)
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d errors injected into Open (%d made it fail): the ledger reopened and verified every time; %d acknowledged commands, none lost or doubled", trials, failed, len(must))
}

// A replicated leader whose fsync fails after the stream accepted its
// block: the caller is told the outcome is unknown (the block commits on
// the other nodes; a plain failure invited a retry without the key, which
// would pay twice), and the stopped leader gives up its lease at once, so
// a follower leads on.
func TestLeaderFaultAfterPublish(t *testing.T) {
	c := startNATS(t, 1)
	var on atomic.Bool
	fs := errorfs.Wrap(vfs.NewMem(), errorfs.InjectorFunc(func(op errorfs.Op) error {
		if on.Load() {
			return walSyncFault(op)
		}
		return nil
	}))
	a := openNode(t, c, "a", "a", 1, func(o *coopera.Options) { o.FS = fs })
	defer a.Close()
	waitLeader(t, a)
	b := openNode(t, c, t.TempDir(), "b", 1)
	defer b.Close()
	submitN(t, a, "warm", 1)
	converge(t, a.Head(), a, b)
	on.Store(true)
	_, err := a.Submit(context.Background(), transfer("alice", "bob", "COOP", 7))
	if !errors.Is(err, coopera.ErrOutcomeUnknown) {
		t.Fatalf("the leader failed after publishing: %v; want ErrOutcomeUnknown", err)
	}
	checkFor(t, 10*time.Second, func() error {
		if !b.IsLeader() || a.IsLeader() {
			return fmt.Errorf("a leads %v, b leads %v; want b", a.IsLeader(), b.IsLeader())
		}
		if got := balance(t, b, "bob", "COOP"); got != 8 {
			return fmt.Errorf("bob holds %d on b; want 8 (the published block)", got)
		}
		return nil
	})
}
