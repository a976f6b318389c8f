package main

// coopera meter: a daemon that meters GPUs (NVML or a DCGM exporter) and
// submits contribution records per closed window.

import (
	"github.com/spf13/pflag"

	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/ledger"
)

var cmdMeter = &command{
	name:     "meter",
	synopsis: "(-dcgm URL | -nvml) -actor ID -provider ID [-key FILE] [-window D] [-interval D] [-class NAME=CLASS]... [-metrics ADDR] [-steps N] (DIR | -node URL -chain-id ID)",
	summary:  "meter GPUs (NVML or a DCGM exporter) into signed contribution records",
	help: `Meter reads GPU usage every -interval, from the system's NVML (-nvml; a
build with cgo on Linux) or a DCGM exporter's /metrics (-dcgm URL), and for
each GPU or MIG instance and closed, aligned -window submits one
contribution_record: kind gpu_seconds, the device class (model name plus
MIG profile, mapped with -class to the price table's classes), the
activity-weighted GPU-seconds, signed by -actor's key (-key: a file with
the hex ed25519 seed or private key), with an idempotency key derived from
the meter, the device and the window. -actor must be a contribution
reporter and -provider a registered compute provider.

Records go to the ledger in DIR (opened for the meter alone) or to a
node's HTTP API (-node URL, with -chain-id for the signatures). Records
the ledger could not be asked about are kept and sent again, unchanged.

Each closed window is printed (energy in millijoules included: the
contribution record has no energy field yet). With -metrics the meter
serves its own Prometheus metrics (coopera_meter_*) at /metrics. It runs
until interrupted, or for -steps reads; with -json it writes one JSON
document at the end: the totals and every closed window.`,
	run: runMeter,
}

// classFlags collects repeated -class NAME=CLASS flags.
type classFlags map[string]string

func (c classFlags) Type() string { return "NAME=CLASS" }

func (c classFlags) String() string { return fmt.Sprint(map[string]string(c)) }
func (c classFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return fmt.Errorf("want NAME=CLASS, such as h100-80gb-hbm3=h100")
	}
	c[k] = v
	return nil
}

type meterJSON struct {
	Source     string           `json:"source"`
	Reads      int              `json:"reads"`
	Windows    []metering.Usage `json:"windows"`
	Applied    int              `json:"applied"`
	Duplicates int              `json:"duplicates"`
	Rejected   []string         `json:"rejected"`
	Pending    int              `json:"pending"`
}

func runMeter(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	dcgm := f.fs.String("dcgm", "", "read the DCGM exporter at `URL`, such as http://127.0.0.1:9400/metrics")
	useNVML := f.fs.Bool("nvml", false, "read the GPUs through the system's NVML")
	actor := f.fs.String("actor", "", "the meter's reporter account `ID` (required)")
	provider := f.fs.String("provider", "", "the provider account `ID` credited with the work (required)")
	keyFile := f.fs.String("key", "", "`FILE` with the actor's hex ed25519 key (seed or private key); none: unsigned")
	name := f.fs.String("name", "", "the meter's `SOURCE` name in records and keys (default dcgm:HOST or nvml:HOSTNAME)")
	window := f.fs.Duration("window", time.Minute, "window length `D`, whole seconds dividing 24h")
	interval := f.fs.Duration("interval", 15*time.Second, "read period `D`")
	maxGap := f.fs.Duration("max-gap", time.Minute, "longest interval `D` between two reads that still counts")
	requirePod := f.fs.Bool("require-pod", false, "count GPU time only while a pod is attributed (DCGM)")
	classes := classFlags{}
	f.fs.Var(classes, "class", "map a device class to the price table's: `NAME=CLASS` (repeatable)")
	node := f.fs.String("node", "", "submit to the node HTTP API at `URL` instead of a ledger directory")
	chainID := f.fs.String("chain-id", "", "the chain `ID` signatures cover (with -node)")
	metricsAddr := f.fs.String("metrics", "", "serve the meter's Prometheus metrics at /metrics on `ADDR`")
	steps := f.fs.Int("steps", 0, "stop after `N` reads (0: run until interrupted)")
	logLevel := f.fs.String("log-level", "info", "log `LEVEL` of the node client (with -node): debug, info, warn or error")
	pos, code, done := c.parse(cmd, f, args, 0, 1)
	if done {
		return code
	}
	switch {
	case (*dcgm == "") == !*useNVML:
		return c.usageError(cmd, f.fs, "give exactly one of -dcgm and -nvml")
	case *actor == "" || *provider == "":
		return c.usageError(cmd, f.fs, "-actor and -provider are required")
	case (len(pos) == 1) == (*node != ""):
		return c.usageError(cmd, f.fs, "give a ledger DIR or -node URL, not both")
	case *node != "" && *keyFile != "" && *chainID == "":
		return c.usageError(cmd, f.fs, "-node with -key needs -chain-id")
	}
	var key ed25519.PrivateKey
	if *keyFile != "" {
		k, err := readKey(*keyFile)
		if err != nil {
			return c.failInput(err)
		}
		key = k
	}
	host, _ := os.Hostname()
	var src metering.Source
	if *dcgm != "" {
		u, err := url.Parse(*dcgm)
		if err != nil || u.Host == "" {
			return c.failInput(fmt.Errorf("-dcgm %q is not a URL", *dcgm))
		}
		src = &metering.DCGM{URL: *dcgm}
		if *name == "" {
			*name = "dcgm:" + u.Hostname()
		}
	} else {
		s, shutdown, err := metering.OpenNVML(metering.NVMLOptions{Host: host})
		if err != nil {
			return c.fail(err)
		}
		defer shutdown()
		src = s
		if *name == "" {
			*name = "nvml:" + host
		}
	}
	m, err := metering.New(metering.Options{Source: *name, Provider: ledger.AccountID(*provider), Window: *window, MaxGap: *maxGap, Classes: classes, RequirePod: *requirePod})
	if err != nil {
		return c.failInput(err)
	}
	signer := &submit.Signer{Actor: ledger.AccountID(*actor), PrivateKey: key, ChainID: *chainID}
	var to submit.Submitter
	if *node != "" {
		log, err := c.newLogger(*logLevel)
		if err != nil {
			return c.usageError(cmd, f.fs, err.Error())
		}
		to = &submit.Node{URL: *node, Logger: log.With("meter", *name)}
	} else {
		eng, err := openLedger(pos[0])
		if err != nil {
			return c.fail(err)
		}
		defer eng.Close()
		signer.ChainID = eng.ChainID()
		last, err := ledger.LastNonce(eng.View(), signer.Actor)
		if err != nil {
			return c.fail(err)
		}
		signer.Resume(last)
		to = eng
	}
	reg := prometheus.NewRegistry()
	met := metering.NewMetrics(reg)
	if *metricsAddr != "" {
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return c.fail(fmt.Errorf("metrics listener: %w", err))
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		if !f.json {
			fmt.Fprintf(c.stdout, "metrics at http://%s/metrics\n", ln.Addr())
		}
	}
	out := meterJSON{Source: *name, Windows: []metering.Usage{}, Rejected: []string{}}
	r := &metering.Runner{Meter: m, Source: src, Signer: signer, Queue: submit.NewQueue(to, 0), Metrics: met,
		OnUsage: func(u metering.Usage) {
			if f.json {
				out.Windows = append(out.Windows, u)
				return
			}
			rec := "recorded"
			if u.Record() == nil {
				rec = "not recorded"
			}
			fmt.Fprintf(c.stdout, "%s %s %s: %d GPU-s, %d mJ, %d resets, %d gaps (%s)\n",
				u.Start.Format(time.RFC3339), u.Unit.ID(), u.Class, u.GPUSeconds, u.EnergyMJ, u.Resets, u.Gaps, rec)
		}}
	tick := time.NewTicker(*interval)
	defer tick.Stop()
loop:
	for i := 1; ; i++ {
		_, res, err := r.Step(ctx, time.Now())
		out.Reads++
		out.Applied += res.Applied
		out.Duplicates += res.Duplicates
		for _, rej := range res.Rejected {
			out.Rejected = append(out.Rejected, errText(rej))
			c.errorf("record rejected: %s", errText(rej))
		}
		if err != nil && ctx.Err() == nil {
			c.errorf("%s", errText(err))
		}
		if *steps != 0 && i >= *steps {
			break
		}
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
	}
	out.Pending = r.Queue.Len()
	if f.json {
		return c.writeJSON(out)
	}
	fmt.Fprintf(c.stdout, "%d reads: %d records applied, %d duplicates, %d rejected, %d pending\n", out.Reads, out.Applied, out.Duplicates, len(out.Rejected), out.Pending)
	return exitOK
}

var _ pflag.Value = classFlags{}
