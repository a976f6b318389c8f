package metering_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/coopera/coopera/adapters/metering"
)

// BenchmarkParseDCGM parses one scrape of the fixture exporter (4 GPUs,
// 2 MIG instances, 5 fields).
func BenchmarkParseDCGM(b *testing.B) {
	data, err := os.ReadFile("testdata/dcgm/scrape-05.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := metering.ParseDCGM(bytes.NewReader(data), t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkObserve folds one read of 1024 units into the meter (a window
// closes every fourth read).
func BenchmarkObserve(b *testing.B) {
	m, err := metering.New(metering.Options{Source: "bench", Provider: "p"})
	if err != nil {
		b.Fatal(err)
	}
	rs := make([]metering.Reading, 1024)
	for i := range rs {
		rs[i] = metering.Reading{Unit: metering.Unit{UUID: fmt.Sprintf("GPU-%04d", i), Model: "NVIDIA H100 80GB HBM3"}, HasEnergy: true, HasActivity: true, Activity: 750_000}
	}
	at := t0
	for b.Loop() {
		at = at.Add(15 * time.Second)
		for i := range rs {
			rs[i].Time = at
			rs[i].Energy += 6_000_000
		}
		if _, err := m.Observe(at, rs); err != nil {
			b.Fatal(err)
		}
	}
}
