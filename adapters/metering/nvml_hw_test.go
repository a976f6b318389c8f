package metering_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/adapters/metering"
)

// TestRealGPU meters the machine's GPUs through the system's NVML for a
// few seconds. It is the one test that needs hardware: it is skipped,
// saying why, where there is no NVML library (no GPU driver, or a build
// without cgo).
func TestRealGPU(t *testing.T) {
	src, shutdown, err := metering.OpenNVML(metering.NVMLOptions{Host: "this-host"})
	if errors.Is(err, metering.ErrNoNVML) {
		t.Skipf("no NVML here, so no GPU to meter (%v); this test runs on a machine with an NVIDIA driver", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown()
	m, err := metering.New(metering.Options{Source: "nvml:this-host", Provider: "gpu-host", Window: time.Second, MaxGap: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var closed []metering.Usage
	for i := 0; i < 4 && len(closed) == 0; i++ {
		now := time.Now()
		rs, err := src.Read(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			t.Fatal("NVML loaded but reports no device")
		}
		for _, r := range rs {
			if !strings.HasPrefix(r.Unit.UUID, "GPU-") || r.Unit.Model == "" {
				t.Fatalf("reading without a UUID or model: %+v", r)
			}
			t.Logf("%s %s %s activity=%dppm energy=%dmJ power=%dmW", r.Unit.ID(), r.Unit.Model, r.Unit.Profile, r.Activity, r.Energy, r.PowerMW)
		}
		us, err := m.Observe(now, rs)
		if err != nil {
			t.Fatal(err)
		}
		closed = append(closed, us...)
		time.Sleep(1100 * time.Millisecond)
	}
	if len(closed) == 0 {
		t.Fatal("no window closed in four reads a second apart")
	}
	for _, u := range closed {
		t.Logf("window %s %s: %d GPU-s, %d mJ over %s", u.Start.Format(time.TimeOnly), u.Unit.ID(), u.GPUSeconds, u.EnergyMJ, u.Covered)
	}
}
