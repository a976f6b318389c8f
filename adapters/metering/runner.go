package metering

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/coopera/coopera/adapters/submit"
)

// Metrics are the meter's own Prometheus metrics.
type Metrics struct {
	Scrapes    *prometheus.CounterVec // result = ok | error
	Windows    prometheus.Counter
	GPUSeconds *prometheus.CounterVec // class
	EnergyMJ   prometheus.Counter
	Resets     prometheus.Counter
	Gaps       prometheus.Counter
	Records    *prometheus.CounterVec // result = applied | duplicate | rejected
	Pending    prometheus.Gauge
	Units      prometheus.Gauge
}

// NewMetrics registers the metrics (coopera_meter_*) with reg; a nil reg
// leaves them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Scrapes:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coopera_meter_scrapes_total", Help: "Source reads, by result."}, []string{"result"}),
		Windows:    prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_meter_windows_total", Help: "Unit windows closed."}),
		GPUSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coopera_meter_gpu_seconds_total", Help: "Activity-weighted GPU-seconds metered, by device class."}, []string{"class"}),
		EnergyMJ:   prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_meter_energy_millijoules_total", Help: "Energy metered, millijoules."}),
		Resets:     prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_meter_counter_resets_total", Help: "Energy counter resets seen."}),
		Gaps:       prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_meter_gaps_total", Help: "Intervals longer than MaxGap, not counted."}),
		Records:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coopera_meter_records_total", Help: "Contribution records submitted, by outcome."}, []string{"result"}),
		Pending:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "coopera_meter_pending_records", Help: "Records waiting for the ledger to answer."}),
		Units:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "coopera_meter_units", Help: "Units (GPUs and MIG instances) in the last read."}),
	}
	if reg != nil {
		reg.MustRegister(m.Scrapes, m.Windows, m.GPUSeconds, m.EnergyMJ, m.Resets, m.Gaps, m.Records, m.Pending, m.Units)
	}
	return m
}

// Runner reads a source on a period, meters it, and submits the closed
// windows' records.
type Runner struct {
	Meter  *Meter
	Source Source
	Signer *submit.Signer
	Queue  *submit.Queue
	// Interval is the read period (default 15 s); it should be well under
	// the meter's MaxGap.
	Interval time.Duration
	// Metrics may be nil.
	Metrics *Metrics
	// OnUsage, if set, sees every closed window's usage, recorded or not.
	OnUsage func(Usage)
	// OnError, if set, sees read, submit and rejection errors; the runner
	// carries on after each.
	OnError func(error)
	// Clock defaults to time.Now.
	Clock func() time.Time
	// Logger, if set, logs what Run sees: read, submit and rejection
	// errors at Warn, each step's outcome at Debug.
	Logger *slog.Logger
}

// Step reads the source once at now, meters the readings, queues the
// records of the windows that closed and flushes the queue. A read error
// is returned (and nothing else happens); a transport error leaves the
// records queued for the next Step.
func (r *Runner) Step(ctx context.Context, now time.Time) ([]Usage, submit.Result, error) {
	rs, err := r.Source.Read(ctx, now)
	if err != nil {
		r.count(func(m *Metrics) { m.Scrapes.WithLabelValues("error").Inc() })
		return nil, submit.Result{}, err
	}
	r.count(func(m *Metrics) { m.Scrapes.WithLabelValues("ok").Inc(); m.Units.Set(float64(len(rs))) })
	us, err := r.Meter.Observe(now, rs)
	if err != nil {
		return nil, submit.Result{}, err
	}
	for i := range us {
		u := &us[i]
		r.count(func(m *Metrics) {
			m.Windows.Inc()
			m.GPUSeconds.WithLabelValues(u.Class).Add(float64(u.GPUSeconds))
			m.EnergyMJ.Add(float64(u.EnergyMJ))
			m.Resets.Add(float64(u.Resets))
			m.Gaps.Add(float64(u.Gaps))
		})
		if r.OnUsage != nil {
			r.OnUsage(*u)
		}
	}
	r.Queue.Add(Commands(us, r.Signer)...)
	res, err := r.Queue.Flush(ctx)
	r.count(func(m *Metrics) {
		m.Records.WithLabelValues("applied").Add(float64(res.Applied))
		m.Records.WithLabelValues("duplicate").Add(float64(res.Duplicates))
		m.Records.WithLabelValues("rejected").Add(float64(len(res.Rejected)))
		m.Pending.Set(float64(r.Queue.Len()))
	})
	return us, res, err
}

// Run calls Step every Interval until ctx ends, then returns ctx.Err().
func (r *Runner) Run(ctx context.Context) error {
	iv := r.Interval
	if iv <= 0 {
		iv = 15 * time.Second
	}
	clock := r.Clock
	if clock == nil {
		clock = time.Now
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		us, res, err := r.Step(ctx, clock())
		if l := r.Logger; l != nil {
			if err != nil && !errors.Is(err, context.Canceled) {
				l.Warn("metering: step failed", "err", err, "pending", res.Pending)
			}
			for _, rej := range res.Rejected {
				l.Warn("metering: record rejected", "err", rej)
			}
			l.Debug("metering: step", "windows", len(us), "applied", res.Applied, "duplicates", res.Duplicates, "pending", res.Pending)
		}
		if r.OnError != nil {
			if err != nil && !errors.Is(err, context.Canceled) {
				r.OnError(err)
			}
			for _, rej := range res.Rejected {
				r.OnError(rej)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (r *Runner) count(f func(*Metrics)) {
	if r.Metrics != nil {
		f(r.Metrics)
	}
}
