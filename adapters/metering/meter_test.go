package metering_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
)

func reading(at time.Duration, energy uint64, act uint32) metering.Reading {
	return metering.Reading{Unit: metering.Unit{UUID: "GPU-1", Model: "NVIDIA H100 80GB HBM3"}, Time: t0.Add(at),
		Energy: energy, HasEnergy: true, Activity: act, HasActivity: true}
}

// TestGapsAreNotInterpolated: a reading two minutes after the last counts
// neither time nor energy for the interval; a unit that goes quiet has its
// window closed MaxGap after the window's end.
func TestGapsAreNotInterpolated(t *testing.T) {
	m, err := metering.New(metering.Options{Source: "test", Provider: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var us []metering.Usage
	for _, r := range []metering.Reading{
		reading(0, 1000, 1_000_000),
		reading(30*time.Second, 2000, 1_000_000),   // 30 GPU-s, 1000 mJ
		reading(150*time.Second, 9000, 1_000_000),  // a gap: nothing counted
		reading(165*time.Second, 10000, 1_000_000), // 15 GPU-s, 1000 mJ
	} {
		out, err := m.Observe(r.Time, []metering.Reading{r})
		if err != nil {
			t.Fatal(err)
		}
		us = append(us, out...)
	}
	// The unit goes quiet; at 3m59s its window [2m, 3m) is not yet closed,
	// at 4m (its end + MaxGap) it is.
	if out, _ := m.Observe(t0.Add(239*time.Second), nil); len(out) != 0 {
		t.Fatalf("closed early: %+v", out)
	}
	out, _ := m.Observe(t0.Add(240*time.Second), nil)
	us = append(us, out...)
	if len(us) != 2 {
		t.Fatalf("usages %+v", us)
	}
	if u := us[0]; u.GPUSeconds != 30 || u.EnergyMJ != 1000 || u.Gaps != 0 || u.Covered != 30*time.Second {
		t.Fatalf("first window %+v", u)
	}
	if u := us[1]; u.GPUSeconds != 15 || u.EnergyMJ != 1000 || u.Gaps != 1 || u.Covered != 15*time.Second || !u.Start.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("second window %+v", u)
	}
	// Out-of-order and repeated readings are ignored.
	if out, _ := m.Observe(t0.Add(241*time.Second), []metering.Reading{reading(100*time.Second, 1, 1)}); len(out) != 0 {
		t.Fatalf("an old reading closed a window: %+v", out)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []metering.Options{
		{Provider: "p"},
		{Source: "s"},
		{Source: "s", Provider: "p", Window: 7 * time.Minute},
		{Source: "s", Provider: "p", Window: 1500 * time.Millisecond},
		{Source: "s", Provider: "bad id!"},
	} {
		if _, err := metering.New(o); !errors.Is(err, metering.ErrOptions) {
			t.Errorf("%+v: err = %v, want ErrOptions", o, err)
		}
	}
}

func TestDefaultClass(t *testing.T) {
	for _, c := range []struct{ model, profile, want string }{
		{"NVIDIA H100 80GB HBM3", "", "h100-80gb-hbm3"},
		{"NVIDIA A100-SXM4-80GB", "1g.10gb", "a100-sxm4-80gb/1g.10gb"},
		{"Tesla T4", "", "tesla-t4"},
		{"", "", "unknown"},
	} {
		if got := metering.DefaultClass(c.model, c.profile); got != c.want {
			t.Errorf("DefaultClass(%q, %q) = %q, want %q", c.model, c.profile, got, c.want)
		}
	}
	long := strings.Repeat("Very Long Accelerator Name ", 4)
	m, _ := metering.New(metering.Options{Source: "s", Provider: "p"})
	us, _ := m.Observe(t0, []metering.Reading{{Unit: metering.Unit{UUID: "GPU-1", Model: long}, Time: t0}})
	us2, _ := m.Observe(t0.Add(time.Hour), nil)
	if len(us) != 0 || len(us2) != 1 || len(us2[0].Class) != 64 || !strings.HasPrefix(us2[0].Class, "very-long-accelerator-name-very-long") {
		t.Errorf("a long class: %+v %+v", us, us2)
	}
	if got := metering.MIGProfile(1, 9984); got != "1g.10gb" {
		t.Errorf("MIGProfile(1, 9984) = %q", got)
	}
	if got := metering.MIGProfile(3, 40192); got != "3g.40gb" {
		t.Errorf("MIGProfile(3, 40192) = %q", got)
	}
}

// sourceFunc is a Source from a function.
type sourceFunc func(ctx context.Context, now time.Time) ([]metering.Reading, error)

func (f sourceFunc) Read(ctx context.Context, now time.Time) ([]metering.Reading, error) {
	return f(ctx, now)
}

// TestRunnerRun: Run reads on its period, reports read errors and carries
// on, and stops with the context.
func TestRunnerRun(t *testing.T) {
	m, _ := metering.New(metering.Options{Source: "s", Provider: "p", Window: time.Second})
	var reads atomic.Int32
	src := sourceFunc(func(ctx context.Context, now time.Time) ([]metering.Reading, error) {
		if reads.Add(1) == 2 {
			return nil, fmt.Errorf("%w: exporter restarting", metering.ErrScrape)
		}
		return []metering.Reading{{Unit: metering.Unit{UUID: "GPU-1", Model: "m"}, Time: now, Activity: 1_000_000, HasActivity: true}}, nil
	})
	var scrapeErrs atomic.Int32
	reg := prometheus.NewRegistry()
	r := &metering.Runner{Meter: m, Source: src, Signer: &submit.Signer{Actor: "meter"}, Queue: submit.NewQueue(&flakySubmitter{fail: 1 << 30}, 0),
		Interval: 5 * time.Millisecond, Metrics: metering.NewMetrics(reg),
		OnError: func(err error) {
			if errors.Is(err, metering.ErrScrape) {
				scrapeErrs.Add(1)
			}
		}}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := r.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run returned %v", err)
	}
	if reads.Load() < 3 || scrapeErrs.Load() != 1 {
		t.Fatalf("%d reads, %d scrape errors", reads.Load(), scrapeErrs.Load())
	}
	var got dto.Metric
	if err := r.Metrics.Scrapes.WithLabelValues("error").Write(&got); err != nil || got.GetCounter().GetValue() != 1 {
		t.Fatalf("error scrapes metric %v %v", got.GetCounter().GetValue(), err)
	}
}

// A reading dated far ahead of now (a device clock gone wrong) is
// ignored: it used to become the unit's last reading, and every true one
// after it looked old, so the unit's work went uncounted (from a
// read-only audit of the adapters).
func TestReadingFromTheFutureIsIgnored(t *testing.T) {
	m, err := metering.New(metering.Options{Source: "test", Provider: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var gpuSeconds uint64
	observe := func(now time.Time, rs ...metering.Reading) {
		out, err := m.Observe(now, rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out {
			gpuSeconds += u.GPUSeconds
		}
	}
	observe(t0, reading(0, 1000, 1_000_000), reading(365*24*time.Hour, 2000, 1_000_000))
	for s := 15 * time.Second; s <= 10*time.Minute; s += 15 * time.Second {
		observe(t0.Add(s), reading(s, 1000+uint64(s/time.Second), 1_000_000))
	}
	observe(t0.Add(20 * time.Minute)) // every window closed
	if gpuSeconds != 600 {
		t.Fatalf("10 busy minutes counted %d GPU-seconds; want 600", gpuSeconds)
	}
}
