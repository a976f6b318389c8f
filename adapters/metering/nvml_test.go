//go:build cgo && linux

package metering_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/contribution"
)

// mockHost is go-nvml's mock of a host with an H100 (accounting on) and an
// A100 in MIG mode with two GPU instances, one running a process. Only the
// functions the adapter calls are set: the mock panics on any other, so
// the test also pins down what the adapter asks NVML. Each Read advances
// the energy counters by 15 s of power.
func mockHost(reads *int) *mock.Interface {
	ok := nvml.SUCCESS
	h100 := &mock.Device{
		GetUUIDFunc:                   func() (string, nvml.Return) { return "GPU-11111111-2222-3333-4444-555555555555", ok },
		GetNameFunc:                   func() (string, nvml.Return) { return "NVIDIA H100 80GB HBM3", ok },
		GetTotalEnergyConsumptionFunc: func() (uint64, nvml.Return) { return 5_000_000_000 + uint64(*reads)*6_000_000, ok },
		GetPowerUsageFunc:             func() (uint32, nvml.Return) { return 400_000, ok },
		GetMigModeFunc:                func() (int, int, nvml.Return) { return nvml.DEVICE_MIG_DISABLE, nvml.DEVICE_MIG_DISABLE, ok },
		GetUtilizationRatesFunc:       func() (nvml.Utilization, nvml.Return) { return nvml.Utilization{Gpu: 60, Memory: 35}, ok },
		GetAccountingModeFunc:         func() (nvml.EnableState, nvml.Return) { return nvml.FEATURE_ENABLED, ok },
		GetAccountingPidsFunc:         func() ([]int, nvml.Return) { return []int{4242}, ok },
		GetAccountingStatsFunc: func(pid uint32) (nvml.AccountingStats, nvml.Return) {
			return nvml.AccountingStats{GpuUtilization: 61, Time: 15_000 * uint64(*reads), IsRunning: 1}, ok
		},
	}
	instance := func(gi int, slices uint32, memMB uint64, procs int) *mock.Device {
		return &mock.Device{
			GetGpuInstanceIdFunc: func() (int, nvml.Return) { return gi, ok },
			GetAttributesFunc: func() (nvml.DeviceAttributes, nvml.Return) {
				return nvml.DeviceAttributes{GpuInstanceSliceCount: slices, MemorySizeMB: memMB}, ok
			},
			GetComputeRunningProcessesFunc: func() ([]nvml.ProcessInfo, nvml.Return) {
				return make([]nvml.ProcessInfo, procs), ok
			},
		}
	}
	migs := []*mock.Device{instance(1, 3, 40192, 2), instance(13, 1, 9984, 0)}
	a100 := &mock.Device{
		GetUUIDFunc:                   func() (string, nvml.Return) { return "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", ok },
		GetNameFunc:                   func() (string, nvml.Return) { return "NVIDIA A100-SXM4-80GB", ok },
		GetTotalEnergyConsumptionFunc: func() (uint64, nvml.Return) { return 7_000_000 + uint64(*reads)*3_000_000, ok },
		GetPowerUsageFunc:             func() (uint32, nvml.Return) { return 200_000, ok },
		GetMigModeFunc:                func() (int, int, nvml.Return) { return nvml.DEVICE_MIG_ENABLE, nvml.DEVICE_MIG_ENABLE, ok },
		GetAccountingModeFunc:         func() (nvml.EnableState, nvml.Return) { return nvml.FEATURE_DISABLED, ok },
		GetMaxMigDeviceCountFunc:      func() (int, nvml.Return) { return 7, ok },
		GetMigDeviceHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if i < len(migs) {
				return migs[i], ok
			}
			return nil, nvml.ERROR_NOT_FOUND
		},
	}
	devs := []nvml.Device{h100, a100}
	return &mock.Interface{
		DeviceGetCountFunc: func() (int, nvml.Return) { *reads++; return len(devs), ok },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			return devs[i], ok
		},
	}
}

func TestNVMLMockToContributionRecords(t *testing.T) {
	ctx := context.Background()
	reads := -1
	src := metering.NewNVML(mockHost(&reads), metering.NVMLOptions{Host: "gpu-node-b"})
	rs, err := src.Read(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%s %q %q act=%d/%v energy=%d power=%d procs=%d", r.Unit.ID(), r.Unit.Model, r.Unit.Profile, r.Activity, r.HasActivity, r.Energy, r.PowerMW, len(r.Processes)))
	}
	want := []string{
		`GPU-11111111-2222-3333-4444-555555555555 "NVIDIA H100 80GB HBM3" "" act=600000/true energy=5000000000 power=400000 procs=1`,
		`GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee "NVIDIA A100-SXM4-80GB" "" act=0/false energy=7000000 power=200000 procs=0`,
		`GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/gi1 "NVIDIA A100-SXM4-80GB" "3g.40gb" act=1000000/true energy=0 power=0 procs=0`,
		`GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/gi13 "NVIDIA A100-SXM4-80GB" "1g.10gb" act=0/true energy=0 power=0 procs=0`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("readings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	eng, signer := economy(t)
	m, err := metering.New(metering.Options{Source: "nvml:gpu-node-b", Provider: "gpu-host-a", Classes: classes})
	if err != nil {
		t.Fatal(err)
	}
	r := &metering.Runner{Meter: m, Source: src, Signer: signer, Queue: submit.NewQueue(eng, 0)}
	if _, err := m.Observe(t0, rs); err != nil {
		t.Fatal(err)
	}
	var lines []string
	applied := 0
	for i := 1; i <= 4; i++ {
		us, res, err := r.Step(ctx, t0.Add(time.Duration(i)*scrap))
		if err != nil || len(res.Rejected) > 0 {
			t.Fatalf("step %d: %v %v", i, err, res.Rejected)
		}
		applied += res.Applied
		for _, u := range us {
			lines = append(lines, usageLine(u))
		}
	}
	// Intervals ending at 15, 30, 45 s: the H100 at 60% -> 27 GPU-s and
	// 3 x 6 MJ; the busy 3g.40gb instance 45 GPU-s; the idle 1g.10gb none
	// (no record); the A100 itself 3 x 3 MJ and no GPU time.
	wantLines := []string{
		`00:10:00 GPU-11111111-2222-3333-4444-555555555555 h100 gpu_s=27 covered=45s energy_mj=18000000 resets=0 gaps=0 mig_parent=false pod=""`,
		`00:10:00 GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee a100-80gb gpu_s=0 covered=45s energy_mj=9000000 resets=0 gaps=0 mig_parent=true pod=""`,
		`00:10:00 GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/gi1 a100-80gb/3g.40gb gpu_s=45 covered=45s energy_mj=0 resets=0 gaps=0 mig_parent=false pod=""`,
		`00:10:00 GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/gi13 a100-80gb/1g.10gb gpu_s=0 covered=45s energy_mj=0 resets=0 gaps=0 mig_parent=false pod=""`,
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Fatalf("usages:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
	chain, _ := eng.Chain(ctx)
	p, err := contribution.PendingContribution(eng.View(), "gpu-host-a", chain.Epoch)
	if err != nil || applied != 2 || p.Records != 2 || p.Contribution.String() != fmt.Sprint(10*27+4*45) {
		t.Fatalf("applied %d; pending %+v %v", applied, p, err)
	}
}
