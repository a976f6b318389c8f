package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coopera/coopera/ledger/replication/natsembed"
)

const simScenario = `name: cli
seed: 3
epochs: 6
market: {inventory: 100000}
populations:
  consumers: {count: 4, demand: {base: 10, noise: 0.1}}
  providers: {count: 2, sell: 0.5}
  stakers: {count: 2, balance: 1000}
`

func writeScenario(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSimValidateExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		runCLI(t, "sim", "validate", f).want(t, exitOK).contains(t, "valid", "metrics:")
	}
	r := runCLI(t, "sim", "validate", "-json", "../../examples/sweep-fee.yaml").want(t, exitOK)
	var doc simValidateJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || !doc.Valid || doc.Points != 8 {
		t.Fatalf("validate -json: %v %+v", err, doc)
	}
}

func TestSimBadInput(t *testing.T) {
	bad := writeScenario(t, "name: bad\nepochs: ten\npopulations:\n  whales: {count: 1}\n")
	r := runCLI(t, "sim", "validate", bad).want(t, exitUsage)
	// Both mistakes in one pass.
	r.stderrContains(t, "scenario.yaml:2: epochs: want an integer, got \"ten\"", "scenario.yaml:4: populations.whales: unknown behaviour", "invalid scenario: 2 problem(s)")
	r = runCLI(t, "sim", "validate", "-json", bad).want(t, exitUsage)
	r.contains(t, `"valid": false`, `"path": "epochs"`, `"line": 2`, `"file": "`, `"msg": "want an integer`)
	runCLI(t, "sim", "run", bad, "-o", t.TempDir()).want(t, exitUsage).stderrContains(t, "epochs: want an integer")
	runCLI(t, "sim", "run", "missing.yaml", "-o", t.TempDir()).want(t, exitUsage).stderrContains(t, "no such file")
	ok := writeScenario(t, simScenario)
	runCLI(t, "sim", "run", ok).want(t, exitUsage).stderrContains(t, "-o DIR is required")
	runCLI(t, "sim", "run", ok, "-o", t.TempDir(), "-formats", "xls").want(t, exitUsage).stderrContains(t, `unknown format "xls"`)
	runCLI(t, "sim", "sweep", ok, "-o", t.TempDir()).want(t, exitUsage).stderrContains(t, "has no sweep section")
	runCLI(t, "sim").want(t, exitUsage).stderrContains(t, "Usage:\n  coopera sim")
	runCLI(t, "sim", "frob").want(t, exitUsage).stderrContains(t, `unknown sim subcommand "frob"`)
	runCLI(t, "sim", "run", "-h").want(t, exitOK).contains(t, "-runs", "-epochs", "-workers", "-formats", "-json")
}

func TestSimRunAndSweep(t *testing.T) {
	path := writeScenario(t, simScenario)
	dir := filepath.Join(t.TempDir(), "out")
	r := runCLI(t, "sim", "run", path, "-o", dir, "-runs", "2", "-json").want(t, exitOK)
	var doc simResultJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Runs != 2 || doc.Epochs != 6 || doc.Points != 1 || doc.AgentSteps != 2*6*8 || doc.Commands == 0 {
		t.Fatalf("run -json: %+v", doc)
	}
	for _, f := range []string{"runs.csv", "runs.jsonl", "runs.parquet", "summary.csv", "summary.jsonl", "points.csv", "meta.json", "columns.json", "manifest.json", "report.html", "charts/supply.png"} {
		if !slices.Contains(doc.Files, f) {
			t.Errorf("files lack %s: %v", f, doc.Files)
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// An existing output directory is refused unless -overwrite.
	runCLI(t, "sim", "run", path, "-o", dir, "-formats", "csv").want(t, exitUsage).stderrContains(t, "exists and is not empty", "-overwrite replaces it")
	runCLI(t, "sim", "run", path, "-o", dir, "-formats", "csv", "-no-charts", "-no-report", "-check", "-overwrite").want(t, exitOK).
		contains(t, "cli: 1 point(s) x 1 run(s) x 6 epochs", "agent-steps/s")
	if _, err := os.Stat(filepath.Join(dir, "runs.parquet")); !os.IsNotExist(err) {
		t.Error("-overwrite left the earlier run's runs.parquet")
	}
	var m struct {
		Command []string `json:"command"`
		Hash    string   `json:"scenario_sha256"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(b, &m); err != nil || len(m.Command) < 4 || m.Command[2] != "run" || len(m.Hash) != 64 {
		t.Errorf("manifest.json: %v %s", err, b)
	}

	sweep := writeScenario(t, simScenario+"sweep:\n  zip:\n    - {path: populations.consumers.demand.base, values: [5, 50]}\n    - {path: seed, values: [1, 2]}\n")
	r = runCLI(t, "sim", "sweep", sweep, "-o", filepath.Join(t.TempDir(), "s"), "-json").want(t, exitOK)
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Points != 2 {
		t.Fatalf("sweep -json: %v %+v", err, doc)
	}
	// run ignores the sweep, with a note.
	runCLI(t, "sim", "run", sweep, "-o", t.TempDir()).want(t, exitOK).stderrContains(t, "has a sweep of 2 points; run ignores it")
}

// The progress bar counts epochs from the first one and clears its line
// when done.
func TestSimProgressBar(t *testing.T) {
	var buf strings.Builder
	bar := newSimBar(&buf, 4)
	for range 4 {
		bar.Add(1)
	}
	bar.Clear()
	out := buf.String()
	if !strings.Contains(out, "0/4") || !strings.Contains(out, "simulating") {
		t.Errorf("the bar did not show the start: %q", out)
	}
	if last := out[strings.LastIndex(out, "\r")+1:]; strings.TrimSpace(last) != "" {
		t.Errorf("the bar left %q on its line", last)
	}
}

// sim sweep -nats publishes the runs; sim worker executes them; the
// outputs are the bytes of a local sweep.
func TestSimDistributedSweep(t *testing.T) {
	cl, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var werr bytes.Buffer
	go func() {
		defer wg.Done()
		c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &werr}
		c.run(ctx, []string{"sim", "worker", "-nats", cl.URLs(), "-workers", "2"})
	}()
	defer func() { cancel(); wg.Wait() }()
	sweep := writeScenario(t, simScenario+"sweep:\n  grid:\n    - {path: populations.consumers.demand.base, values: [5, 50]}\n")
	local, remote := filepath.Join(t.TempDir(), "l"), filepath.Join(t.TempDir(), "r")
	runCLI(t, "sim", "sweep", sweep, "-o", local, "-runs", "2", "-no-charts", "-no-report").want(t, exitOK)
	runCLI(t, "sim", "sweep", sweep, "-o", remote, "-runs", "2", "-no-charts", "-no-report", "-nats", cl.URLs()).want(t, exitOK)
	for _, f := range []string{"runs.csv", "runs.jsonl", "runs.parquet", "summary.csv", "meta.json", "columns.json"} {
		a, _ := os.ReadFile(filepath.Join(local, f))
		b, err := os.ReadFile(filepath.Join(remote, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the local and the distributed sweep (%v)", f, err)
		}
	}
	runCLI(t, "sim", "worker").want(t, exitUsage).stderrContains(t, "-nats URL is required")
}

// Simulations collect garbage less often (simGCPercent) unless GOGC says
// otherwise.
func TestSimGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	t.Setenv("GOGC", "")
	simGC()
	if got := debug.SetGCPercent(100); got != simGCPercent {
		t.Errorf("GOGC unset: the collector's target is %d%%, want %d%%", got, simGCPercent)
	}
	t.Setenv("GOGC", "150")
	simGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=150: simGC changed the collector's target to %d%%", got)
	}
}
