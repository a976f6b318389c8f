// Package distributed runs a simulation's runs on many machines through
// NATS JetStream, so that a sweep of thousands of runs is not bound to one
// machine; the simulator core (package sim) links no NATS.
//
// The coordinator (Runner, used as sim.OutputOptions.Runner) stores the
// scenario file in a JetStream object store and publishes one job per run
// to a work-queue stream; any number of workers (Work), on any machine,
// pull jobs, execute the run with the simulator, put the result in the
// object store and only then acknowledge the job. A worker killed mid-run
// never acknowledges it: JetStream redelivers it after AckWait to another
// worker, and nothing is lost (a long run tells the server it is still in
// progress). The coordinator gathers the results in run order and hands
// them to sim.WriteDir's pipeline, which therefore writes the same bytes
// as a local run.
//
// A sweep is named by a hash of the scenario file and the run options, so
// a coordinator restarted on the same sweep finds the results already
// stored, and a result computed twice (a redelivery after a slow ack) is
// the same bytes.
//
//	coordinator: coopera sim sweep examples/sweep-fee.yaml -o out -nats nats://host:4222
//	workers:     coopera sim worker -nats nats://host:4222
package distributed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/coopera/coopera/sim"
)

// Options configures the coordinator and the workers; both sides must
// agree on Stream, Subject and Bucket.
type Options struct {
	// Stream is the work-queue stream of jobs. Default "COOPERA_SIM".
	Stream string
	// Subject is the jobs' subject. Default "coopera.sim.jobs".
	Subject string
	// Bucket is the object store of scenarios and results. Default
	// "coopera-sim".
	Bucket string
	// AckWait is how long a job may go unacknowledged before JetStream
	// redelivers it; a worker reports progress every AckWait/3 while it
	// runs. Default 30s.
	AckWait time.Duration
	// Poll is how often the coordinator looks for a result not yet
	// stored. Default 100ms.
	Poll time.Duration
	// Workers is the number of runs a worker executes at once. Default 1.
	Workers int
}

func (o *Options) defaults() Options {
	d := Options{Stream: "COOPERA_SIM", Subject: "coopera.sim.jobs", Bucket: "coopera-sim", AckWait: 30 * time.Second, Poll: 100 * time.Millisecond, Workers: 1}
	if o == nil {
		return d
	}
	if o.Stream != "" {
		d.Stream = o.Stream
	}
	if o.Subject != "" {
		d.Subject = o.Subject
	}
	if o.Bucket != "" {
		d.Bucket = o.Bucket
	}
	if o.AckWait > 0 {
		d.AckWait = o.AckWait
	}
	if o.Poll > 0 {
		d.Poll = o.Poll
	}
	if o.Workers > 0 {
		d.Workers = o.Workers
	}
	return d
}

// job is one run to execute.
type job struct {
	Sweep  string `json:"sweep"`  // the sweep's name (scenario and options hash)
	File   string `json:"file"`   // the scenario file's name, for errors
	Point  int    `json:"point"`  // sweep point
	Run    int    `json:"run"`    // run within the point
	Runs   int    `json:"runs"`   // sim.Options.Runs
	Epochs int    `json:"epochs"` // sim.Options.Epochs
	Check  bool   `json:"check"`  // sim.Options.CheckInvariants
}

func scenarioKey(sweep string) string         { return sweep + "/scenario" }
func resultKey(sweep string, p, r int) string { return fmt.Sprintf("%s/result/%d/%d", sweep, p, r) }
func failureKey(sweep string, p, r int) string {
	return fmt.Sprintf("%s/failure/%d/%d", sweep, p, r)
}

// setup creates (or finds) the stream and the object store.
func setup(ctx context.Context, js jetstream.JetStream, o Options) (jetstream.Stream, jetstream.ObjectStore, error) {
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: o.Stream, Subjects: []string{o.Subject}, Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("distributed: stream %s: %w", o.Stream, err)
	}
	obs, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: o.Bucket, Storage: jetstream.FileStorage})
	if err != nil {
		return nil, nil, fmt.Errorf("distributed: object store %s: %w", o.Bucket, err)
	}
	return st, obs, nil
}

// SweepID names the runs of a scenario file with run options: the same
// file and options give the same name.
func SweepID(src []byte, opts *sim.Options) string {
	if opts == nil {
		opts = &sim.Options{}
	}
	h := sha256.New()
	h.Write(src)
	fmt.Fprintf(h, "\x00runs=%d epochs=%d check=%t", opts.Runs, opts.Epochs, opts.CheckInvariants)
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// ErrRunFailed is matched by the error of a run that a worker could not
// execute (the scenario is invalid on the worker, or the run failed).
var ErrRunFailed = errors.New("distributed: a run failed on a worker")

// Runner returns a sim.Runner that executes the runs on workers through
// js. The points must come from one scenario file (sim.Scenario.Source).
func Runner(js jetstream.JetStream, o *Options) sim.Runner {
	opt := o.defaults()
	return func(ctx context.Context, points []*sim.Point, opts *sim.Options, sink func(*sim.RunResult) error) (*sim.Totals, error) {
		if len(points) == 0 {
			return &sim.Totals{}, nil
		}
		if opts == nil {
			opts = &sim.Options{}
		}
		sc := points[0].Scenario
		src := sc.Source()
		if len(src) == 0 {
			return nil, errors.New("distributed: the scenario has no source file (parse it with sim.Parse or sim.Load)")
		}
		_, obs, err := setup(ctx, js, opt)
		if err != nil {
			return nil, err
		}
		sweep := SweepID(src, opts)
		if _, err := obs.PutBytes(ctx, scenarioKey(sweep), src); err != nil {
			return nil, fmt.Errorf("distributed: storing the scenario: %w", err)
		}
		type ref struct{ point, run int }
		var jobs []ref
		for _, pt := range points {
			runs := pt.Scenario.Runs
			if opts.Runs > 0 {
				runs = opts.Runs
			}
			for r := range runs {
				jobs = append(jobs, ref{pt.Index, r})
			}
		}
		// Publish the runs not stored yet (a restarted coordinator
		// publishes only what is missing; a duplicate is deduplicated by
		// its message ID within the stream's window).
		for _, j := range jobs {
			if _, err := obs.GetInfo(ctx, resultKey(sweep, j.point, j.run)); err == nil {
				continue
			}
			b, _ := json.Marshal(job{Sweep: sweep, File: sc.File(), Point: j.point, Run: j.run, Runs: opts.Runs, Epochs: opts.Epochs, Check: opts.CheckInvariants})
			if _, err := js.Publish(ctx, opt.Subject, b, jetstream.WithMsgID(fmt.Sprintf("%s/%d/%d", sweep, j.point, j.run))); err != nil {
				return nil, fmt.Errorf("distributed: publishing point %d run %d: %w", j.point, j.run, err)
			}
		}
		totals := &sim.Totals{}
		for _, j := range jobs {
			res, err := waitResult(ctx, obs, opt, sweep, j.point, j.run)
			if err != nil {
				return totals, err
			}
			if err := sink(res); err != nil {
				return totals, err
			}
			totals.Runs++
			totals.Blocks += res.Stats.Blocks
			totals.Commands += res.Stats.Commands
			totals.Rejected += res.Stats.Rejected
			totals.AgentSteps += res.Stats.AgentSteps
			if opts.OnEpoch != nil {
				for range res.Rows {
					opts.OnEpoch()
				}
			}
		}
		return totals, nil
	}
}

// waitResult polls for a run's result (or its failure) in the store.
func waitResult(ctx context.Context, obs jetstream.ObjectStore, o Options, sweep string, point, run int) (*sim.RunResult, error) {
	for {
		b, err := obs.GetBytes(ctx, resultKey(sweep, point, run))
		if err == nil {
			var res sim.RunResult
			if err := json.Unmarshal(b, &res); err != nil {
				return nil, fmt.Errorf("distributed: point %d run %d: a stored result does not decode: %w", point, run, err)
			}
			return &res, nil
		}
		if !errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil, fmt.Errorf("distributed: point %d run %d: %w", point, run, err)
		}
		if msg, err := obs.GetBytes(ctx, failureKey(sweep, point, run)); err == nil {
			return nil, fmt.Errorf("%w: point %d run %d: %s", ErrRunFailed, point, run, msg)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(o.Poll):
		}
	}
}

// Work pulls jobs from the stream and executes them until ctx is done,
// o.Workers at a time. A job is acknowledged only after its result (or
// the reason it cannot run) is stored; a worker that dies leaves its job
// to be redelivered.
func Work(ctx context.Context, js jetstream.JetStream, o *Options) error {
	return work(ctx, js, o, nil)
}

func work(ctx context.Context, js jetstream.JetStream, o *Options, kill func(job) bool) error {
	opt := o.defaults()
	st, obs, err := setup(ctx, js, opt)
	if err != nil {
		return err
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: "workers", AckPolicy: jetstream.AckExplicitPolicy, AckWait: opt.AckWait, MaxAckPending: -1,
	})
	if err != nil {
		return fmt.Errorf("distributed: consumer: %w", err)
	}
	w := &worker{obs: obs, opt: opt, points: map[string][]*sim.Point{}, testKill: kill}
	var wg sync.WaitGroup
	errc := make(chan error, opt.Workers)
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				msg, err := cons.Next(jetstream.FetchMaxWait(time.Second))
				if err != nil {
					switch {
					case ctx.Err() != nil:
						return
					case errors.Is(err, nats.ErrTimeout), errors.Is(err, jetstream.ErrNoMessages), errors.Is(err, context.DeadlineExceeded):
					case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, jetstream.ErrConsumerDeleted):
						errc <- err
						return
					default: // transient (a server restarting): try again
						time.Sleep(100 * time.Millisecond)
					}
					continue
				}
				w.handle(ctx, msg)
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return ctx.Err()
}

type worker struct {
	obs    jetstream.ObjectStore
	opt    Options
	mu     sync.Mutex
	points map[string][]*sim.Point // by sweep and options
	// testKill, in tests, stops a job midway as a killed worker would:
	// no result, no acknowledgement.
	testKill func(j job) bool
}

func (w *worker) handle(ctx context.Context, msg jetstream.Msg) {
	var j job
	if err := json.Unmarshal(msg.Data(), &j); err != nil {
		msg.Term() // a malformed job is never runnable
		return
	}
	if w.testKill != nil && w.testKill(j) {
		return
	}
	if _, err := w.obs.GetInfo(ctx, resultKey(j.Sweep, j.Point, j.Run)); err == nil {
		msg.Ack() // already computed (a redelivery)
		return
	}
	// Keep the job ours while it runs.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(w.opt.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				msg.InProgress()
			}
		}
	}()
	res, err := w.run(ctx, j)
	if ctx.Err() != nil {
		return // interrupted: the job will be redelivered
	}
	if err != nil {
		if _, perr := w.obs.PutString(ctx, failureKey(j.Sweep, j.Point, j.Run), err.Error()); perr == nil {
			msg.Ack()
		}
		return
	}
	b, err := json.Marshal(res)
	if err != nil {
		return
	}
	if _, err := w.obs.PutBytes(ctx, resultKey(j.Sweep, j.Point, j.Run), b); err != nil {
		return // not stored: leave the job to be redelivered
	}
	msg.Ack()
}

func (w *worker) run(ctx context.Context, j job) (*sim.RunResult, error) {
	key := fmt.Sprintf("%s/%d/%d/%t", j.Sweep, j.Runs, j.Epochs, j.Check)
	w.mu.Lock()
	points, ok := w.points[key]
	w.mu.Unlock()
	if !ok {
		src, err := w.obs.GetBytes(ctx, scenarioKey(j.Sweep))
		if err != nil {
			return nil, fmt.Errorf("the scenario of sweep %s: %w", j.Sweep, err)
		}
		s, err := sim.Parse(src, j.File)
		if err != nil {
			return nil, err
		}
		if points, err = s.Points(); err != nil {
			return nil, err
		}
		w.mu.Lock()
		w.points[key] = points
		w.mu.Unlock()
	}
	for _, pt := range points {
		if pt.Index == j.Point {
			return pt.Run(ctx, j.Run, &sim.Options{Runs: j.Runs, Epochs: j.Epochs, CheckInvariants: j.Check})
		}
	}
	return nil, fmt.Errorf("the scenario has no sweep point %d", j.Point)
}
