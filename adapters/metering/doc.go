// Package metering turns GPU usage into contribution records, one per
// device (or MIG instance) and closed, aligned window.
//
// Two sources read cumulative counters and activity; both give Readings:
//
//   - NVML through NVIDIA's go-nvml (NewNVML, OpenNVML; cgo on Linux only,
//     the rest of the package builds without cgo): per-device energy
//     counter, utilisation, per-process accounting where it is enabled,
//     MIG instances, device UUID and model name;
//   - a DCGM exporter's Prometheus text (DCGM, ParseDCGM), with
//     DCGM_FI_PROF_GR_ENGINE_ACTIVE, DCGM_FI_PROF_SM_ACTIVE (work under
//     MIG), DCGM_FI_DEV_GPU_UTIL, DCGM_FI_DEV_POWER_USAGE and
//     DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION and their labels.
//
// A Meter folds Readings into Usage. The contract:
//
//   - Windows are aligned: [k*Window, (k+1)*Window) in Unix time. A
//     unit's window closes when a reading at or after its end arrives, or
//     when MaxGap has passed since its end with no reading (the unit went
//     away). Only closed windows are reported, each once.
//   - An interval is the time between two consecutive readings of a unit,
//     (previous, current]. It belongs, whole, to the window that holds the
//     current reading: nothing is split, lost or counted twice, and a
//     window may start with an interval that began in the window before.
//   - Activity is the current reading's (DCGM's and NVML's figures are
//     averages over the time before the reading), in parts per million:
//     GR_ENGINE_ACTIVE, else SM_ACTIVE, else GPU_UTIL; with none, the
//     interval counts no GPU time. GPU-seconds = sum of interval
//     microseconds x activity ppm / 10^12, floored per window; the
//     remainder (under one GPU-second) carries to the unit's next window,
//     so a long run loses nothing but what is open when the meter stops.
//   - Energy is the delta of the cumulative energy counter (millijoules).
//     A counter that drops was reset: the interval's energy is the new
//     reading (the counter restarted from zero within the interval, as
//     Prometheus' increase() assumes), and the reset is counted.
//   - Gaps are never interpolated: an interval longer than MaxGap counts
//     neither GPU time nor energy; it is counted as a gap.
//   - Under MIG, GPU time is the instances' (each its own device class,
//     the model name plus the MIG profile); energy is the physical GPU's
//     and is reported on the whole-GPU unit, whose own GPU time is not
//     counted while it has instances, so no work is paid twice.
//
// Each Usage with GPU-seconds becomes a contribution_record (kind
// gpu_seconds, Class mapped to the contribution price table) whose
// idempotency key is submit.Key("meter", source, unit, window start, end),
// signed by the meter's key (submit.Signer) and submitted in batches
// (submit.Queue) to the library or a node. The record carries the window's
// energy (EnergyMJ), which the contribution module sums per provider and
// epoch (ProviderResult.EnergyMJ). Under MIG the physical GPU's energy
// is shared among its instances' records in proportion to their
// GPU-seconds (see Commands).
//
// Values from the sources are floats in the Prometheus text; they are
// converted once, at the edge, with shopspring/decimal (activity rounded
// half away from zero to the nearest ppm, energy floored to the
// millijoule); everything after that is integer.
package metering
