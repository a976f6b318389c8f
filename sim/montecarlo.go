package sim

import (
	"context"
	"fmt"
	"github.com/coopera/coopera/sim/scenario"
	"runtime"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera/ledger"
)

// Options configures how runs are executed. The zero value runs the
// scenario as written on every core.
type Options struct {
	// Workers is the number of runs executed in parallel. Default
	// GOMAXPROCS. Results are delivered in run order whatever the
	// scheduling, and at most 2 x Workers runs are in flight or waiting,
	// so memory does not grow with the number of runs.
	Workers int
	// Runs, when positive, overrides the scenario's runs.
	Runs int
	// Epochs, when positive, overrides the scenario's epochs.
	Epochs int
	// CheckInvariants checks conservation over every block's changes
	// (ledger.CheckChanges) and over the whole state (ledger.CheckState)
	// after genesis and after every epoch's close. Default false: the
	// whole-state check costs a scan of every balance each epoch.
	CheckInvariants bool
	// StateRoots keeps each run's state root (an LtHash updated with every
	// block's changes), reported in RunResult.Root and BlockRecord.Root.
	// Default false: it costs two element hashes per changed key.
	StateRoots bool
	// OnEpoch, if not nil, is called each time a run finishes an epoch,
	// from the run's goroutine (runs execute in parallel), so that a
	// caller can show progress from the first epoch; it must be safe for
	// concurrent use and cheap. TotalEpochs says how many calls a
	// Simulate makes. Default none.
	OnEpoch func()
	// OnBlock, if not nil, is called after every block of every run, from
	// the run's goroutine (runs execute in parallel).
	OnBlock func(id RunID, b *BlockRecord)

	// refuse, for tests, makes the reducers refuse a population's command:
	// where it returns true the command's actor is replaced, before the
	// block runs, by an account that holds nothing and may do nothing.
	refuse func(epoch int, cmd *ledger.Command) bool
	// noBatch, for tests, submits usage as the behaviours' record_usage
	// commands instead of settlements (batch.go).
	noBatch bool
	// checkFresh, for tests, decides every block a second time on a fresh
	// block step, which keeps nothing from earlier blocks, and fails the
	// run unless it decides the same (see run.execute).
	checkFresh bool
}

// TotalEpochs returns the number of epochs Simulate plays for points:
// runs times epochs, over every point (the calls of Options.OnEpoch).
func TotalEpochs(points []*Point, opts *Options) int64 {
	if opts == nil {
		opts = &Options{}
	}
	var n int64
	for _, pt := range points {
		runs, epochs := pt.Scenario.Runs, pt.Scenario.Epochs
		if opts.Runs > 0 {
			runs = opts.Runs
		}
		if opts.Epochs > 0 {
			epochs = opts.Epochs
		}
		n += int64(runs) * int64(epochs)
	}
	return n
}

// RunID names a run: its sweep point and its index within the point.
type RunID struct{ Point, Run int }

// Point is one point of a sweep: the values its swept paths take and the
// scenario with them set. A scenario without a sweep has one point, itself.
type Point struct {
	Index    int
	Values   []PointValue
	Scenario *Scenario
}

// PointValue is one swept path's value at a point, as JSON.
type PointValue struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// Points expands the scenario's sweep into its points, each validated (a
// value that makes the scenario invalid is an error naming the point). A
// scenario without a sweep has the single point 0.
func (s *Scenario) Points() ([]*Point, error) {
	if s.Sweep == nil || len(s.Sweep.Grid) == 0 && len(s.Sweep.Zip) == 0 {
		return []*Point{{Index: 0, Scenario: s}}, nil
	}
	type assign struct {
		path string
		val  *yaml.Node
	}
	combos := [][]assign{nil}
	for _, sp := range s.Sweep.Grid {
		var next [][]assign
		for _, c := range combos {
			for _, v := range sp.Values {
				next = append(next, append(append([]assign(nil), c...), assign{sp.Path, v}))
			}
		}
		combos = next
	}
	if len(s.Sweep.Zip) > 0 {
		var next [][]assign
		for _, c := range combos {
			for i := range s.Sweep.Zip[0].Values {
				z := append([]assign(nil), c...)
				for _, sp := range s.Sweep.Zip {
					z = append(z, assign{sp.Path, sp.Values[i]})
				}
				next = append(next, z)
			}
		}
		combos = next
	}
	points := make([]*Point, len(combos))
	var bad []*FieldError // every point's problems, reported together
	for i, combo := range combos {
		root := scenario.CloneNode(s.Root())
		pt := &Point{Index: i}
		for _, a := range combo {
			val := a.val
			if val == nil {
				val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
			}
			if err := scenario.SetPath(root, a.path, val); err != nil {
				return nil, &ScenarioError{Problems: []*FieldError{{File: s.File(), Line: s.Line("sweep"), Path: "sweep", Msg: fmt.Sprintf("point %d: %s: %v", i, a.path, err)}}}
			}
			var p scenario.Problems
			var b strings.Builder
			scenario.NodeJSON(&p, val, a.path, &b)
			pt.Values = append(pt.Values, PointValue{Path: a.path, Value: b.String()})
		}
		p := &scenario.Problems{File: s.File()}
		sc := decodeScenario(p, root, s.File())
		if len(p.List) > 0 {
			for _, fe := range p.List {
				fe.Msg = fmt.Sprintf("at sweep point %d (%s): %s", i, describeValues(pt.Values), fe.Msg)
			}
			bad = append(bad, p.List...)
			continue
		}
		sc.ShareSource(s.Scenario)
		pt.Scenario = sc
		points[i] = pt
	}
	if len(bad) > 0 {
		return nil, &ScenarioError{Problems: bad}
	}
	return points, nil
}

func describeValues(vs []PointValue) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Path + "=" + v.Value
	}
	return strings.Join(parts, ", ")
}

// RunOne runs one run of a validated scenario and returns its table.
func (s *Scenario) RunOne(index int, opts *Options) (*RunResult, error) {
	if opts == nil {
		opts = &Options{}
	}
	return runJob(context.Background(), s, opts, 0, index)
}

// Run plays run index of the point (seeded from the scenario's seed and
// index, as in every point) and returns its table: the very result
// Simulate delivers for it, wherever it is computed.
func (pt *Point) Run(ctx context.Context, index int, opts *Options) (*RunResult, error) {
	if opts == nil {
		opts = &Options{}
	}
	return runJob(ctx, pt.Scenario, opts, pt.Index, index)
}

// Runner computes a set of points' runs and delivers each result to sink
// in order (point by point, run by run), as Simulate does; a distributed
// runner computes them elsewhere.
type Runner func(ctx context.Context, points []*Point, opts *Options, sink func(*RunResult) error) (*Totals, error)

func runJob(ctx context.Context, s *Scenario, opts *Options, point, index int) (*RunResult, error) {
	c, err := s.compiled()
	if err != nil {
		return nil, err
	}
	r, err := newRun(c, opts, point, index)
	if err != nil {
		return nil, err
	}
	if err := r.play(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("sim: point %d run %d: %w", point, index, err)
	}
	return r.result(), nil
}

// Totals sums what every run did.
type Totals struct {
	Runs int
	RunStats
}

// Simulate runs every point's runs, in parallel on opts.Workers
// goroutines, and calls sink with each result in order (point by point,
// run by run), from the calling goroutine. It stops at the first error, a
// run's or sink's, or when ctx is done.
func Simulate(ctx context.Context, points []*Point, opts *Options, sink func(*RunResult) error) (*Totals, error) {
	if opts == nil {
		opts = &Options{}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct{ point, run int }
	var jobs []job
	for _, pt := range points {
		runs := pt.Scenario.Runs
		if opts.Runs > 0 {
			runs = opts.Runs
		}
		for r := range runs {
			jobs = append(jobs, job{pt.Index, r})
		}
	}
	byIndex := map[int]*Point{}
	for _, pt := range points {
		byIndex[pt.Index] = pt
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := 2 * workers
	type outcome struct {
		res *RunResult
		err error
	}
	ring := make([]chan outcome, window)
	for i := range ring {
		ring[i] = make(chan outcome, 1)
	}
	sem := make(chan struct{}, window)
	next := make(chan int)
	go func() {
		defer close(next)
		for j := range jobs {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				jb := jobs[j]
				var o outcome
				if ctx.Err() != nil {
					o.err = ctx.Err()
				} else {
					o.res, o.err = runJob(ctx, byIndex[jb.point].Scenario, opts, jb.point, jb.run)
				}
				ring[j%window] <- o
			}
		}()
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	totals := &Totals{}
	for j := range jobs {
		var o outcome
		select {
		case o = <-ring[j%window]:
		case <-ctx.Done():
			return totals, ctx.Err()
		}
		if o.err != nil {
			return totals, o.err
		}
		if err := sink(o.res); err != nil {
			return totals, err
		}
		totals.Runs++
		totals.Blocks += o.res.Stats.Blocks
		totals.Commands += o.res.Stats.Commands
		totals.Rejected += o.res.Stats.Rejected
		totals.AgentSteps += o.res.Stats.AgentSteps
		<-sem
	}
	return totals, nil
}
