//go:build cgo && linux

package metering

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// NVML reads GPUs through NVIDIA's management library. It is a Source.
// Build with cgo on Linux; elsewhere OpenNVML returns ErrNoNVML.
//
// Per device: UUID, model name, the total energy counter (millijoules
// since the driver loaded), utilisation (percent of the last sample
// period) and power. A device in MIG mode is also read per MIG instance:
// its GPU instance ID and profile (from the instance's slice count and
// memory: "1g.10gb"); NVML has no per-instance utilisation, so an
// instance's activity is 100% while it runs compute processes and 0
// otherwise (meter MIG work from DCGM's GR_ENGINE_ACTIVE for finer
// figures). With accounting mode on, per-process accounting is attached
// to the device's reading.
type NVML struct {
	lib  nvml.Interface
	opts NVMLOptions
}

// NVMLOptions configure an NVML source.
type NVMLOptions struct {
	// Host is put in every reading's Unit.Host.
	Host string
}

// NewNVML returns a source over an initialised library (nvml.New() after
// Init, or go-nvml's mock in tests).
func NewNVML(lib nvml.Interface, opts NVMLOptions) *NVML { return &NVML{lib: lib, opts: opts} }

// OpenNVML loads and initialises the system's NVML and returns a source
// and a function that shuts the library down. Without an NVML library the
// error wraps ErrNoNVML.
func OpenNVML(opts NVMLOptions) (Source, func() error, error) {
	lib := nvml.New()
	if ret := lib.Init(); ret != nvml.SUCCESS {
		if ret == nvml.ERROR_LIBRARY_NOT_FOUND || ret == nvml.ERROR_DRIVER_NOT_LOADED {
			return nil, nil, fmt.Errorf("%w: %s", ErrNoNVML, nvml.ErrorString(ret))
		}
		return nil, nil, fmt.Errorf("%w: init: %s", ErrNVML, nvml.ErrorString(ret))
	}
	return NewNVML(lib, opts), func() error {
		if ret := lib.Shutdown(); ret != nvml.SUCCESS {
			return fmt.Errorf("%w: shutdown: %s", ErrNVML, nvml.ErrorString(ret))
		}
		return nil
	}, nil
}

func nvmlErr(what string, ret nvml.Return) error {
	return fmt.Errorf("%w: %s: %s", ErrNVML, what, ret.Error())
}

// Read reads every device (and MIG instance) at now.
func (n *NVML) Read(ctx context.Context, now time.Time) ([]Reading, error) {
	count, ret := n.lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return nil, nvmlErr("device count", ret)
	}
	var out []Reading
	for i := range count {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dev, ret := n.lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			return nil, nvmlErr(fmt.Sprintf("device %d", i), ret)
		}
		rs, err := n.readDevice(dev, now)
		if err != nil {
			return nil, fmt.Errorf("device %d: %w", i, err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

func (n *NVML) readDevice(dev nvml.Device, now time.Time) ([]Reading, error) {
	uuid, ret := dev.GetUUID()
	if ret != nvml.SUCCESS {
		return nil, nvmlErr("uuid", ret)
	}
	name, ret := dev.GetName()
	if ret != nvml.SUCCESS {
		return nil, nvmlErr("name", ret)
	}
	rd := Reading{Unit: Unit{UUID: uuid, Model: name, Host: n.opts.Host}, Time: now}
	if e, ret := dev.GetTotalEnergyConsumption(); ret == nvml.SUCCESS {
		rd.Energy, rd.HasEnergy = e, true
	} else if ret != nvml.ERROR_NOT_SUPPORTED {
		return nil, nvmlErr("energy", ret)
	}
	if p, ret := dev.GetPowerUsage(); ret == nvml.SUCCESS {
		rd.PowerMW = uint64(p)
	}
	mig := false
	if cur, _, ret := dev.GetMigMode(); ret == nvml.SUCCESS && cur == nvml.DEVICE_MIG_ENABLE {
		mig = true
	}
	if !mig {
		// Utilisation is not supported on a GPU in MIG mode.
		if u, ret := dev.GetUtilizationRates(); ret == nvml.SUCCESS {
			rd.Activity, rd.HasActivity = min(u.Gpu, 100)*10_000, true
		} else if ret != nvml.ERROR_NOT_SUPPORTED {
			return nil, nvmlErr("utilization", ret)
		}
	}
	if mode, ret := dev.GetAccountingMode(); ret == nvml.SUCCESS && mode == nvml.FEATURE_ENABLED {
		pids, ret := dev.GetAccountingPids()
		if ret == nvml.SUCCESS {
			for _, pid := range pids {
				st, ret := dev.GetAccountingStats(uint32(pid))
				if ret != nvml.SUCCESS {
					continue // the process's record went out of the buffer
				}
				rd.Processes = append(rd.Processes, Process{PID: uint32(pid), GPUUtilization: st.GpuUtilization, TimeMs: st.Time, Running: st.IsRunning != 0})
			}
		}
	}
	out := []Reading{rd}
	if !mig {
		return out, nil
	}
	slots, ret := dev.GetMaxMigDeviceCount()
	if ret != nvml.SUCCESS {
		return nil, nvmlErr("MIG device count", ret)
	}
	byGI := map[int]int{} // GPU instance -> index in out
	for j := range slots {
		md, ret := dev.GetMigDeviceHandleByIndex(j)
		if ret == nvml.ERROR_NOT_FOUND || ret == nvml.ERROR_INVALID_ARGUMENT {
			continue // no instance in this slot
		}
		if ret != nvml.SUCCESS {
			return nil, nvmlErr(fmt.Sprintf("MIG device %d", j), ret)
		}
		gi, ret := md.GetGpuInstanceId()
		if ret != nvml.SUCCESS {
			return nil, nvmlErr("MIG GPU instance ID", ret)
		}
		attr, ret := md.GetAttributes()
		if ret != nvml.SUCCESS {
			return nil, nvmlErr("MIG attributes", ret)
		}
		mr := Reading{Unit: Unit{UUID: uuid, Instance: strconv.Itoa(gi), Model: name, Profile: MIGProfile(attr.GpuInstanceSliceCount, attr.MemorySizeMB), Host: n.opts.Host}, Time: now}
		procs, ret := md.GetComputeRunningProcesses()
		switch {
		case ret == nvml.SUCCESS:
			mr.HasActivity = true
			if len(procs) > 0 {
				mr.Activity = 1_000_000
			}
		case ret == nvml.ERROR_NOT_SUPPORTED:
		default:
			return nil, nvmlErr("MIG processes", ret)
		}
		// Compute instances of one GPU instance are one unit: busy if any is.
		if k, seen := byGI[gi]; seen {
			out[k].HasActivity = out[k].HasActivity || mr.HasActivity
			out[k].Activity = max(out[k].Activity, mr.Activity)
			continue
		}
		byGI[gi] = len(out)
		out = append(out, mr)
	}
	return out, nil
}
