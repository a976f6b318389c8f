package metering_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/coopera/coopera/adapters/metering"
)

// FuzzParseDCGM: any exporter text either parses into readings with
// activity within 0..1000000 ppm and a UUID, ordered by unit, or is
// refused with ErrParse; it never panics.
func FuzzParseDCGM(f *testing.F) {
	files, _ := filepath.Glob("testdata/dcgm/scrape-0[05].txt")
	for _, fn := range files {
		data, err := os.ReadFile(fn)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("DCGM_FI_PROF_GR_ENGINE_ACTIVE{UUID=\"GPU-1\"} NaN\nDCGM_FI_DEV_GPU_UTIL{UUID=\"GPU-1\"} 250\n"))
	f.Add([]byte("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-1\",GPU_I_ID=\"3\"} -5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := metering.ParseDCGM(bytes.NewReader(data), t0)
		if err != nil {
			if !errors.Is(err, metering.ErrParse) {
				t.Fatalf("error not ErrParse: %v", err)
			}
			return
		}
		for i, r := range rs {
			if r.Unit.UUID == "" || r.Activity > 1_000_000 {
				t.Fatalf("reading %+v", r)
			}
			if i > 0 && rs[i-1].Unit.ID() >= r.Unit.ID() {
				t.Fatalf("readings out of order: %s then %s", rs[i-1].Unit.ID(), r.Unit.ID())
			}
		}
	})
}
