package metering

import (
	"testing"
	"time"

	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/contribution"
)

// TestCommandsShareMIGEnergy: a MIG parent's energy goes to its instances'
// records in the same window in proportion to GPU-seconds, floored, the
// remainder to the instance with the most; every millijoule is recorded
// once; another window's or another GPU's instances get none; a window
// with no instance GPU time records no energy.
func TestCommandsShareMIGEnergy(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0).UTC()
	t1 := t0.Add(time.Minute)
	u := func(uuid, inst string, start time.Time, gpuS, mj uint64, parent bool) Usage {
		return Usage{Source: "dcgm", Provider: "host", Unit: Unit{UUID: uuid, Instance: inst}, Class: "a100", Start: start, End: start.Add(time.Minute), GPUSeconds: gpuS, EnergyMJ: mj, MIGParent: parent, Key: uuid + inst + start.String()}
	}
	us := []Usage{
		u("GPU-a", "", t0, 0, 1000, true),
		u("GPU-a", "1", t0, 2, 0, false),
		u("GPU-a", "2", t0, 1, 0, false),
		u("GPU-a", "3", t0, 0, 0, false), // no GPU time: no record, no share
		u("GPU-b", "1", t0, 5, 0, false), // another GPU
		u("GPU-a", "", t1, 0, 700, true), // no instance time in this window
		u("GPU-a", "1", t1, 0, 0, false),
		u("GPU-c", "", t1, 4, 40, false), // a whole GPU keeps its own energy
	}
	cmds := Commands(us, &submit.Signer{Actor: "meter"})
	var got []uint64
	for _, c := range cmds {
		got = append(got, c.Payload.(*contribution.Record).EnergyMJ)
	}
	// 1000 x 2/3 = 666, 1000 x 1/3 = 333, remainder 1 to the larger.
	want := []uint64{667, 333, 0, 40}
	if len(got) != len(want) {
		t.Fatalf("energies %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("energies %v, want %v", got, want)
		}
	}
}
