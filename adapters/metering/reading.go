package metering

import (
	"context"
	"strings"
	"time"
)

// Unit is what is metered: a whole GPU or a MIG GPU instance.
type Unit struct {
	// UUID is the physical GPU's UUID (GPU-...), for a MIG instance too.
	UUID string `json:"uuid"`
	// Instance is the MIG GPU instance ID; empty for a whole GPU.
	Instance string `json:"instance,omitempty"`
	// Model is the model name, such as "NVIDIA H100 80GB HBM3".
	Model string `json:"model"`
	// Profile is the MIG profile, such as "1g.10gb"; empty for a whole GPU.
	Profile string `json:"profile,omitempty"`
	// Host is the host the GPU is in, where the source knows it.
	Host string `json:"host,omitempty"`
}

// ID identifies the unit in keys: the UUID, or UUID/gi<instance>.
func (u Unit) ID() string {
	if u.Instance == "" {
		return u.UUID
	}
	return u.UUID + "/gi" + u.Instance
}

// Reading is one observation of a unit.
type Reading struct {
	Unit Unit      `json:"unit"`
	Time time.Time `json:"time"`
	// Energy is the cumulative energy counter in millijoules, if
	// HasEnergy.
	Energy    uint64 `json:"energy_mj"`
	HasEnergy bool   `json:"has_energy"`
	// Activity is the share of time the unit was busy before Time, in
	// parts per million (0..1000000), if HasActivity.
	Activity    uint32 `json:"activity_ppm"`
	HasActivity bool   `json:"has_activity"`
	// PowerMW is the power draw in milliwatts (informational).
	PowerMW uint64 `json:"power_mw,omitempty"`
	// Pod, Namespace and Container name the workload on the unit, where
	// the source attributes one.
	Pod       string `json:"pod,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Container string `json:"container,omitempty"`
	// Processes are the processes NVML accounting saw (informational).
	Processes []Process `json:"processes,omitempty"`
}

// Process is a process NVML's accounting reports on a device.
type Process struct {
	PID            uint32 `json:"pid"`
	GPUUtilization uint32 `json:"gpu_util_pct"`
	TimeMs         uint64 `json:"time_ms"`
	Running        bool   `json:"running"`
}

// Source reads the current state of every unit it sees. now is the time
// to stamp readings with where the source has no time of its own.
type Source interface {
	Read(ctx context.Context, now time.Time) ([]Reading, error)
}

// DefaultClass is the device class of a model and MIG profile: the model
// name in lower case without a leading "nvidia ", runs of characters other
// than letters, digits, '.' and '-' replaced by '-', then "/" and the
// profile for a MIG instance. "NVIDIA H100 80GB HBM3" is
// "h100-80gb-hbm3"; its 1g.10gb instance is "h100-80gb-hbm3/1g.10gb".
func DefaultClass(model, profile string) string {
	s := strings.ToLower(strings.TrimSpace(model))
	s = strings.TrimPrefix(s, "nvidia ")
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-'
		if !ok {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = r == '-'
	}
	c := strings.TrimRight(b.String(), "-")
	if c == "" {
		c = "unknown"
	}
	if profile != "" {
		c += "/" + strings.ToLower(profile)
	}
	return c
}
