package coopera

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the engine's Prometheus collectors, in a registry of its own
// (Engine.Metrics) so that several engines in one process do not collide.
type metrics struct {
	reg           *prometheus.Registry
	height        prometheus.Gauge
	lag           prometheus.Gauge
	leader        prometheus.Gauge
	blocks        prometheus.Counter
	commands      prometheus.Counter
	commitLatency prometheus.Histogram
	queueLatency  prometheus.Histogram
	execute       prometheus.Histogram
	write         prometheus.Histogram
	blockSize     prometheus.Histogram
	fsyncLatency  prometheus.Histogram
	publish       prometheus.Histogram
	divergence    prometheus.Counter
	leadership    prometheus.Counter
	clockAhead    prometheus.Gauge
	srv           *http.Server
}

func newMetrics() *metrics {
	buckets := prometheus.ExponentialBuckets(50e-6, 2, 16) // 50µs .. 1.6s
	m := &metrics{
		reg:           prometheus.NewRegistry(),
		height:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "coopera_height", Help: "Height of the last durable block."}),
		lag:           prometheus.NewGauge(prometheus.GaugeOpts{Name: "coopera_follower_lag_blocks", Help: "Blocks in the replicated stream not yet applied here."}),
		leader:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "coopera_leader", Help: "1 while this node sequences blocks."}),
		blocks:        prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_blocks_total", Help: "Blocks applied to the store."}),
		commands:      prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_commands_total", Help: "Commands in applied blocks."}),
		commitLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_commit_seconds", Help: "From a block's start to its acknowledgement.", Buckets: buckets}),
		queueLatency:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_queue_seconds", Help: "From a request's submission to the start of its block.", Buckets: buckets}),
		execute:       prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_execute_seconds", Help: "A block's execution: its commands, changes and state root.", Buckets: buckets}),
		write:         prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_write_seconds", Help: "A block's write to the store (log and memtable), before its fsync.", Buckets: buckets}),
		blockSize:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_block_commands", Help: "Commands in a block this node sequenced.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}), // 1 .. 8192
		fsyncLatency:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_fsync_seconds", Help: "Wait for a block's fsync, after its write.", Buckets: buckets}),
		publish:       prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coopera_publish_seconds", Help: "Wait for the stream's acknowledgement of a block.", Buckets: buckets}),
		divergence:    prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_divergence_total", Help: "Blocks refused because their state root or chain did not match."}),
		leadership:    prometheus.NewCounter(prometheus.CounterOpts{Name: "coopera_leadership_changes_total", Help: "Times this node became or stopped being the leader."}),
		clockAhead:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "coopera_clock_ahead_seconds", Help: "How far this node's clock runs ahead of what it may use: of the chain's largest block time step (last block), or of the NATS servers' clock (replicated nodes)."}),
	}
	m.reg.MustRegister(m.height, m.lag, m.leader, m.blocks, m.commands, m.commitLatency, m.queueLatency, m.execute, m.write, m.blockSize, m.fsyncLatency, m.publish, m.divergence, m.leadership, m.clockAhead,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// serve exposes /metrics on addr until close.
func (m *metrics) serve(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener is gone; nothing to report to
		}
	}()
	return ln.Addr().String(), nil
}

func (m *metrics) close() {
	if m.srv != nil {
		m.srv.Close()
	}
}

// Metrics returns the engine's Prometheus registry, to mount on a service's
// own HTTP server (Options.MetricsAddr serves it on a listener of its own).
func (e *Engine) Metrics() *prometheus.Registry { return e.met.reg }

// MetricsAddr returns the address the metrics listener bound, if any.
func (e *Engine) MetricsAddr() string { return e.metricsAddr }
