package metering_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/contribution"
)

// A DCGM exporter scraped three times, 30 s apart, over one-minute
// windows. The reading at 00:01:00 closes the first window, which holds
// one interval (30 s at 90% busy: 27 GPU-seconds, 12 kJ); the interval
// ending at 00:01:00 belongs to the next window. The closed window becomes
// one contribution record, its key derived from meter, GPU and window.
func Example() {
	m, err := metering.New(metering.Options{
		Source:   "dcgm:node-a",
		Provider: "gpu-host-a",
		Classes:  map[string]string{"h100-80gb-hbm3": "h100"},
	})
	if err != nil {
		panic(err)
	}
	scrape := func(at string, active string, energyMJ int) []metering.Reading {
		text := fmt.Sprintf(`# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge
DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-5e0b8c4a",modelName="NVIDIA H100 80GB HBM3",Hostname="node-a",pod="vllm-0"} %s
# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter
DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="GPU-5e0b8c4a",modelName="NVIDIA H100 80GB HBM3",Hostname="node-a",pod="vllm-0"} %d
`, active, energyMJ)
		t, _ := time.Parse(time.DateTime, "2026-03-01 "+at)
		rs, err := metering.ParseDCGM(strings.NewReader(text), t)
		if err != nil {
			panic(err)
		}
		return rs
	}
	var usages []metering.Usage
	for _, s := range []struct {
		at, active string
		energy     int
	}{{"00:00:00", "0.95", 1_000_000}, {"00:00:30", "0.9", 13_000_000}, {"00:01:00", "0.6", 25_000_000}} {
		rs := scrape(s.at, s.active, s.energy)
		us, err := m.Observe(rs[0].Time, rs)
		if err != nil {
			panic(err)
		}
		usages = append(usages, us...)
	}
	for _, u := range usages {
		fmt.Printf("%s-%s %s %s: %d GPU-seconds, %d mJ\n", u.Start.Format("15:04"), u.End.Format("15:04"), u.Unit.UUID, u.Class, u.GPUSeconds, u.EnergyMJ)
	}
	signer := &submit.Signer{Actor: "meter-node-a"}
	for _, c := range metering.Commands(usages, signer) {
		fmt.Println(c.Payload.Type(), "by", c.Actor, "key", c.Key)
		r := c.Payload.(*contribution.Record)
		fmt.Printf("provider %s, %d %s of class %s, %d mJ, source %s\n", r.Provider, r.Quantity, r.Kind, r.Class, r.EnergyMJ, r.Source)
	}
	// Output:
	// 00:00-00:01 GPU-5e0b8c4a h100: 27 GPU-seconds, 12000000 mJ
	// contribution_record by meter-node-a key meter:1a00d4c6104d35008ce0e0b0276addd4
	// provider gpu-host-a, 27 gpu_seconds of class h100, 12000000 mJ, source dcgm:node-a
}
