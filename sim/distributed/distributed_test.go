package distributed

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/coopera/coopera/ledger/replication/natsembed"
	"github.com/coopera/coopera/sim"
	"github.com/coopera/coopera/sim/report"
)

const sweepScenario = `name: dist
seed: 9
runs: 3
epochs: 6
price: {model: gbm, initial: 1, volatility: 0.5}
market: {inventory: 1000000}
populations:
  consumers: {count: 4, demand: {base: 10, noise: 0.3}}
  providers: {count: 2, sell: 0.5}
  team: {behaviour: vesting, count: 2, allocation: 5000, cliff: 2, duration: 4, sell: 0.5}
sweep:
  grid:
    - {path: genesis.params.tokenomics.fee_bps, values: [50, 200]}
`

func startNATS(t *testing.T) jetstream.JetStream {
	t.Helper()
	c, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Shutdown)
	nc, err := nats.Connect(c.URLs())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func points(t *testing.T) []*sim.Point {
	t.Helper()
	s, err := sim.Parse([]byte(sweepScenario), "dist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// startWorkers runs n workers until the test ends; kill, if not nil,
// makes a worker drop a job midway as a killed process would.
func startWorkers(t *testing.T, js jetstream.JetStream, o *Options, n int, kill func(job) bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(ctx, js, o, kill)
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// sameFiles requires two output directories to hold the same files with
// the same bytes.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, path)
		x, _ := os.ReadFile(path)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
		} else if !bytes.Equal(x, y) {
			t.Errorf("%s differs between the local and the distributed run", rel)
		}
		n++
		return nil
	})
	if n < 10 {
		t.Fatalf("only %d files compared", n)
	}
}

// A sweep run by workers through JetStream writes the same bytes as a
// local run: tables, summaries, charts and report.
func TestDistributedSweepSameBytes(t *testing.T) {
	js := startNATS(t)
	o := &Options{AckWait: 5 * time.Second, Poll: 20 * time.Millisecond}
	startWorkers(t, js, o, 2, nil)
	ctx := context.Background()
	local, remote := filepath.Join(t.TempDir(), "local"), filepath.Join(t.TempDir(), "remote")
	if _, err := sim.WriteDir(ctx, local, points(t), &sim.Options{Workers: 2}, &sim.OutputOptions{Reporter: report.New(report.Options{})}); err != nil {
		t.Fatal(err)
	}
	var epochs atomic.Int64
	out, err := sim.WriteDir(ctx, remote, points(t), &sim.Options{OnEpoch: func() { epochs.Add(1) }}, &sim.OutputOptions{Runner: Runner(js, o), Reporter: report.New(report.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	if out.Totals.Runs != 6 || epochs.Load() != 36 {
		t.Fatalf("totals %+v, %d epochs reported", out.Totals, epochs.Load())
	}
	sameFiles(t, local, remote)
	// A second coordinator on the same sweep finds every result stored.
	again := filepath.Join(t.TempDir(), "again")
	if _, err := sim.WriteDir(ctx, again, points(t), nil, &sim.OutputOptions{Runner: Runner(js, o), Reporter: report.New(report.Options{})}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, local, again)
}

// A worker killed in the middle of runs loses nothing: its jobs, never
// acknowledged, are redelivered to the others after AckWait.
func TestKilledWorkerLosesNothing(t *testing.T) {
	js := startNATS(t)
	o := &Options{AckWait: time.Second, Poll: 20 * time.Millisecond}
	var killed atomic.Int64
	// The first worker dies on every job it takes (each take is a kill:
	// the job is dropped without a result or an acknowledgement).
	startWorkers(t, js, o, 1, func(job) bool { killed.Add(1); return true })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	remote := filepath.Join(t.TempDir(), "remote")
	go func() {
		_, err := sim.WriteDir(ctx, remote, points(t), nil, &sim.OutputOptions{Runner: Runner(js, o), Reporter: report.New(report.Options{})})
		done <- err
	}()
	// Let the doomed worker take jobs, then bring a healthy one.
	deadline := time.Now().Add(10 * time.Second)
	for killed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if killed.Load() == 0 {
		t.Fatal("the doomed worker took no job")
	}
	startWorkers(t, js, o, 1, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "local")
	if _, err := sim.WriteDir(context.Background(), local, points(t), nil, &sim.OutputOptions{Reporter: report.New(report.Options{})}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, local, remote)
	t.Logf("%d jobs dropped by the killed worker, all redelivered", killed.Load())
}
