package main

// coopera sim: the economic simulator from the command line. It runs a
// scenario file's Monte Carlo runs (or its parameter sweep) through the
// same reducers as a ledger, on in-memory state, and writes tables,
// summaries, charts and an HTML report.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/coopera/coopera/sim"
	"github.com/coopera/coopera/sim/distributed"
	"github.com/coopera/coopera/sim/report"
)

var cmdSim = &command{
	name:     "sim",
	synopsis: "run|sweep|validate SCENARIO [flags] | worker -nats URL",
	summary:  "simulate the economy: Monte Carlo runs and parameter sweeps of a scenario file",
	help: `Sim runs the economic simulator on a scenario file (YAML): the same reducers
as a ledger, on in-memory state, many runs in parallel. Subcommands:

  run SCENARIO -o DIR        the scenario's runs (its sweep, if any, is ignored)
  sweep SCENARIO -o DIR      every point of the scenario's sweep, each with its runs
  validate SCENARIO          check the scenario; print what it would run
  worker -nats URL           execute runs published by run|sweep -nats URL

With -nats URL, run and sweep publish the runs to a NATS JetStream work
queue instead of executing them; any number of "coopera sim worker"
processes, on any machine, execute them and store the results in a
JetStream object store, and the coordinator writes the same bytes as a
local run. A worker killed mid-run loses nothing: the run is redelivered.

DIR receives runs.csv, runs.jsonl and runs.parquet (one row per run per
epoch), summary.csv and summary.jsonl (p5, p50, p95, mean, min, max per
epoch and metric), points.csv, meta.json, columns.json (units and
meanings), manifest.json (scenario hash, seed, version, command line),
charts/*.png and report.html. DIR is written whole or not at all; one that
exists and is not empty is refused unless -overwrite. The same scenario and
seed write the same bytes on any machine (manifest.json's command line
aside). Every subcommand accepts -json for one JSON document on standard
output; run "coopera sim <subcommand> -h" for its flags.`,
}

func init() {
	cmdSim.subcommands = []*command{
		{name: "sim run", synopsis: "SCENARIO -o DIR [flags]", summary: "run a scenario's Monte Carlo runs",
			help: "Run a scenario's Monte Carlo runs and write the outputs to DIR.",
			run: func(c *cli, ctx context.Context, cmd *command, args []string) int {
				return c.simRun(ctx, cmd, args, false)
			}},
		{name: "sim sweep", synopsis: "SCENARIO -o DIR [flags]", summary: "run every point of a scenario's sweep",
			help: "Run every point of a scenario's sweep, each with its runs, and write the outputs to DIR.",
			run: func(c *cli, ctx context.Context, cmd *command, args []string) int {
				return c.simRun(ctx, cmd, args, true)
			}},
		{name: "sim validate", synopsis: "SCENARIO", summary: "check a scenario file and print what it would run",
			help: "Check a scenario file and print what it would run.",
			run:  func(c *cli, ctx context.Context, cmd *command, args []string) int { return c.simValidate(cmd, args) }},
		{name: "sim worker", synopsis: "-nats URL [flags]", summary: "execute runs published to NATS JetStream",
			help: "Execute the runs that coordinators (coopera sim run|sweep -nats URL) publish to NATS JetStream, until interrupted.",
			run:  func(c *cli, ctx context.Context, cmd *command, args []string) int { return c.simWorker(ctx, cmd, args) }},
	}
}

// simResultJSON is the -json document of run and sweep.
type simResultJSON struct {
	Scenario    string   `json:"scenario"`
	Dir         string   `json:"dir"`
	Files       []string `json:"files"`
	Points      int      `json:"points"`
	Runs        int      `json:"runs"`
	Epochs      int      `json:"epochs"`
	Blocks      uint64   `json:"blocks"`
	Commands    uint64   `json:"commands"`
	Rejected    uint64   `json:"rejected"`
	AgentSteps  uint64   `json:"agent_steps"`
	Seconds     float64  `json:"seconds"`
	StepsPerSec float64  `json:"agent_steps_per_second"`
	// PeakRSS is the process's peak resident set size (VmHWM), in bytes;
	// 0 where /proc/self/status is not available.
	PeakRSS uint64 `json:"peak_rss_bytes"`
}

// peakRSS reads the process's peak resident set size from
// /proc/self/status (Linux), or returns 0.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				var kb uint64
				fmt.Sscan(f[0], &kb)
				return kb << 10
			}
		}
	}
	return 0
}

func (c *cli) simRun(ctx context.Context, cmd *command, args []string, sweep bool) int {
	f := c.newFlags(cmd)
	out := f.fs.String("o", "", "output `DIR` (required)")
	runs := f.fs.Int("runs", 0, "`N` runs per point (default: the scenario's)")
	epochs := f.fs.Int("epochs", 0, "`N` epochs per run (default: the scenario's)")
	workers := f.fs.Int("workers", 0, "`N` runs in parallel (default: GOMAXPROCS)")
	formats := f.fs.String("formats", "csv,jsonl,parquet", "table `FORMATS`, comma-separated: csv, jsonl, parquet")
	noCharts := f.fs.Bool("no-charts", false, "write no PNG charts")
	noReport := f.fs.Bool("no-report", false, "write no HTML report")
	check := f.fs.Bool("check", false, "check conservation every block and the whole state every epoch (slower)")
	quiet := f.fs.Bool("q", false, "no progress bar")
	overwrite := f.fs.Bool("overwrite", false, "replace an output directory that exists and is not empty (default: refuse it)")
	natsURL := f.fs.String("nats", "", "NATS server `URLS`: publish the runs to JetStream for coopera sim worker processes (default: run them here)")
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if *out == "" {
		return c.usageError(cmd, f.fs, "-o DIR is required")
	}
	if *runs < 0 || *epochs < 0 || *workers < 0 {
		c.errorf("%s: -runs, -epochs and -workers must not be negative", cmd.name)
		return exitUsage
	}
	fmts := strings.Split(*formats, ",")
	for _, f := range fmts {
		if f != sim.FormatCSV && f != sim.FormatJSONL && f != sim.FormatParquet {
			c.errorf("%s: -formats: unknown format %q; formats: csv, jsonl, parquet", cmd.name, f)
			return exitUsage
		}
	}
	s, err := sim.Load(pos[0])
	if err != nil {
		return c.simLoadError(err)
	}
	points, err := s.Points()
	if err != nil {
		return c.simLoadError(err)
	}
	switch {
	case sweep && s.Sweep == nil:
		c.errorf("%s: %s has no sweep section; use coopera sim run", cmd.name, pos[0])
		return exitUsage
	case !sweep && len(points) > 1:
		fmt.Fprintf(c.stderr, "coopera: note: %s has a sweep of %d points; run ignores it (coopera sim sweep runs it)\n", pos[0], len(points))
		points = []*sim.Point{{Index: 0, Scenario: s}}
	}
	opts := &sim.Options{Runs: *runs, Epochs: *epochs, Workers: *workers, CheckInvariants: *check}
	simGC()
	var bar *progressbar.ProgressBar
	if !*quiet && !f.json {
		if fd, ok := c.stderr.(*os.File); ok && term.IsTerminal(int(fd.Fd())) {
			bar = newSimBar(c.stderr, sim.TotalEpochs(points, opts))
			opts.OnEpoch = func() { bar.Add(1) }
		}
	}
	var runner sim.Runner
	if *natsURL != "" {
		nc, err := nats.Connect(*natsURL, nats.Name("coopera sim coordinator"))
		if err != nil {
			return c.fail(fmt.Errorf("%s: -nats: %w", cmd.name, err))
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return c.fail(err)
		}
		runner = distributed.Runner(js, nil)
	}
	start := time.Now()
	res, err := sim.WriteDir(ctx, *out, points, opts, &sim.OutputOptions{
		Formats: fmts, Reporter: report.New(report.Options{NoCharts: *noCharts, NoReport: *noReport}), Overwrite: *overwrite,
		Command: append(strings.Fields("coopera "+cmd.name), args...), Runner: runner,
	})
	if bar != nil {
		bar.Clear() // the line is left blank: the summary or error follows
	}
	if err != nil {
		if ctx.Err() != nil {
			c.errorf("%s: interrupted; %s was left as it was", cmd.name, *out)
			return exitIntr
		}
		if errors.Is(err, sim.ErrOutputExists) {
			c.errorf("%s: %v (-overwrite replaces it)", cmd.name, err)
			return exitUsage
		}
		return c.fail(err)
	}
	secs := time.Since(start).Seconds()
	rate := float64(res.Totals.AgentSteps) / max(secs, 1e-9)
	if f.json {
		return c.writeJSON(simResultJSON{
			Scenario: s.Name, Dir: res.Dir, Files: res.Files, Points: res.Points, Runs: res.Runs, Epochs: res.Epochs,
			Blocks: res.Totals.Blocks, Commands: res.Totals.Commands, Rejected: res.Totals.Rejected,
			AgentSteps: res.Totals.AgentSteps, Seconds: secs, StepsPerSec: rate, PeakRSS: peakRSS(),
		})
	}
	fmt.Fprintf(c.stdout, "%s: %d point(s) x %d run(s) x %d epochs on %d worker(s)\n", s.Name, res.Points, res.Runs, res.Epochs, workersOf(*workers))
	fmt.Fprintf(c.stdout, "  %d blocks, %d commands (%d rejected), %d agent-steps in %.1fs (%.0f agent-steps/s)\n",
		res.Totals.Blocks, res.Totals.Commands, res.Totals.Rejected, res.Totals.AgentSteps, secs, rate)
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(c.stdout, "  peak RSS %.0f MiB\n", float64(rss)/(1<<20))
	}
	fmt.Fprintf(c.stdout, "  wrote %d files to %s (report: %s)\n", len(res.Files), res.Dir, reportPath(res))
	return exitOK
}

// simGCPercent is the garbage collector's target for simulations, unless
// the environment sets GOGC: a run's live heap is small and its garbage
// plentiful (every block's commands, events and changes), so letting the
// heap grow by 4 times the live heap between collections instead of once
// runs the collector about a quarter as often, for a larger peak heap.
const simGCPercent = 400

// simGC sets the collector's target for simulations (simGCPercent) unless
// GOGC is set.
func simGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(simGCPercent)
	}
}

// simWorker executes published runs until interrupted.
func (c *cli) simWorker(ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	natsURL := f.fs.String("nats", "", "NATS server `URLS` (required)")
	workers := f.fs.Int("workers", 0, "`N` runs executed at once (default: GOMAXPROCS)")
	if _, code, done := c.parse(cmd, f, args, 0, 0); done {
		return code
	}
	simGC()
	if *natsURL == "" {
		return c.usageError(cmd, f.fs, "-nats URL is required")
	}
	nc, err := nats.Connect(*natsURL, nats.Name("coopera sim worker"), nats.MaxReconnects(-1))
	if err != nil {
		return c.fail(fmt.Errorf("%s: -nats: %w", cmd.name, err))
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stderr, "coopera: %s: executing runs from %s with %d worker(s); interrupt to stop\n", cmd.name, *natsURL, workersOf(*workers))
	if err := distributed.Work(ctx, js, &distributed.Options{Workers: workersOf(*workers)}); err != nil && ctx.Err() == nil {
		return c.fail(err)
	}
	return exitOK
}

// newSimBar returns the progress bar of a run or sweep: epochs played over
// all runs, from the first epoch, redrawn at most ten times a second.
func newSimBar(w io.Writer, epochs int64) *progressbar.ProgressBar {
	return progressbar.NewOptions64(epochs,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("simulating"),
		progressbar.OptionSetItsString("epochs"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func workersOf(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

func reportPath(res *sim.Output) string {
	for _, f := range res.Files {
		if f == "report.html" {
			return res.Dir + string(os.PathSeparator) + f
		}
	}
	return "none"
}

// simLoadError reports a scenario that does not load: invalid (exit 2,
// every problem on its line) or unreadable (exit 1).
func (c *cli) simLoadError(err error) int {
	var se *sim.ScenarioError
	if errors.As(err, &se) {
		for _, p := range se.Problems {
			fmt.Fprintf(c.stderr, "%s\n", p)
		}
		c.errorf("invalid scenario: %d problem(s)", len(se.Problems))
		return exitUsage
	}
	if errors.Is(err, os.ErrNotExist) {
		return c.failInput(err)
	}
	return c.fail(err)
}

// simValidateJSON is the -json document of validate.
type simValidateJSON struct {
	Scenario    string            `json:"scenario"`
	Valid       bool              `json:"valid"`
	Problems    []*sim.FieldError `json:"problems,omitempty"`
	Points      int               `json:"points,omitempty"`
	Runs        int               `json:"runs,omitempty"`
	Epochs      int               `json:"epochs,omitempty"`
	Agents      int               `json:"agents,omitempty"`
	Populations []string          `json:"populations,omitempty"`
	Columns     []string          `json:"columns,omitempty"`
}

func (c *cli) simValidate(cmd *command, args []string) int {
	f := c.newFlags(cmd)
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	s, err := sim.Load(pos[0])
	var points []*sim.Point
	if err == nil {
		points, err = s.Points()
	}
	if err != nil {
		var se *sim.ScenarioError
		if f.json && errors.As(err, &se) {
			c.writeJSON(simValidateJSON{Scenario: pos[0], Problems: se.Problems})
			return exitUsage
		}
		return c.simLoadError(err)
	}
	agents := 0
	var pops []string
	for _, p := range s.Populations {
		agents += p.Count
		pops = append(pops, fmt.Sprintf("%s (%d)", p.Name, p.Count))
	}
	var cols []string
	for _, m := range s.Columns() {
		cols = append(cols, m.Name)
	}
	if f.json {
		return c.writeJSON(simValidateJSON{Scenario: s.Name, Valid: true, Points: len(points), Runs: s.Runs, Epochs: s.Epochs,
			Agents: agents, Populations: pops, Columns: cols})
	}
	fmt.Fprintf(c.stdout, "%s: valid\n", pos[0])
	fmt.Fprintf(c.stdout, "  scenario %s: %d point(s) x %d run(s) x %d epochs of %s\n", s.Name, len(points), s.Runs, s.Epochs, s.EpochLength)
	fmt.Fprintf(c.stdout, "  %d agents: %s\n", agents, strings.Join(pops, ", "))
	fmt.Fprintf(c.stdout, "  %d metrics: %s\n", len(cols), strings.Join(cols, ", "))
	return exitOK
}
