package metering

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/shopspring/decimal"
)

// The DCGM exporter's fields the meter reads.
const (
	FieldGREngineActive = "DCGM_FI_PROF_GR_ENGINE_ACTIVE"        // ratio 0..1, per GPU or MIG instance
	FieldSMActive       = "DCGM_FI_PROF_SM_ACTIVE"               // ratio 0..1, per GPU or MIG instance
	FieldGPUUtil        = "DCGM_FI_DEV_GPU_UTIL"                 // percent, whole GPUs only
	FieldPowerUsage     = "DCGM_FI_DEV_POWER_USAGE"              // watts
	FieldTotalEnergy    = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" // millijoules since boot, a counter
)

// DCGM reads a DCGM exporter's /metrics endpoint. It is a Source.
type DCGM struct {
	// URL is the exporter's metrics URL, such as http://node-a:9400/metrics.
	URL string
	// Client defaults to a client with a 10 s timeout.
	Client *http.Client
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

// Read scrapes the exporter and parses its text with ParseDCGM.
func (d *DCGM) Read(ctx context.Context, now time.Time) ([]Reading, error) {
	hc := d.Client
	if hc == nil {
		hc = defaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrScrape, err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrScrape, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %s", ErrScrape, d.URL, resp.Status)
	}
	return ParseDCGM(io.LimitReader(resp.Body, 64<<20), now)
}

// ParseDCGM parses a DCGM exporter's Prometheus text into one reading per
// GPU and MIG instance, ordered by unit ID. Samples without a UUID label
// are skipped; a sample's own timestamp, if it has one, is its reading's
// time, else now.
//
// Labels: UUID, modelName, Hostname, GPU_I_ID and GPU_I_PROFILE (MIG), pod,
// namespace, container. An energy counter on a MIG instance's row is the
// physical GPU's and goes to the whole-GPU reading.
func ParseDCGM(r io.Reader, now time.Time) ([]Reading, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	byID := map[string]*Reading{}
	get := func(u Unit, m *dto.Metric) *Reading {
		rd := byID[u.ID()]
		if rd == nil {
			rd = &Reading{Unit: u, Time: now}
			byID[u.ID()] = rd
		}
		if m.TimestampMs != nil {
			rd.Time = time.UnixMilli(m.GetTimestampMs()).UTC()
		}
		if rd.Unit.Model == "" {
			rd.Unit.Model = u.Model
		}
		if rd.Unit.Host == "" {
			rd.Unit.Host = u.Host
		}
		return rd
	}
	// Activity fields come in order of preference: the first one a unit
	// has is its activity.
	for _, name := range []string{FieldGREngineActive, FieldSMActive, FieldGPUUtil, FieldPowerUsage, FieldTotalEnergy} {
		fam := fams[name]
		if fam == nil {
			continue
		}
		for _, m := range fam.GetMetric() {
			l := labels(m)
			if l["UUID"] == "" {
				continue
			}
			u := Unit{UUID: l["UUID"], Instance: l["GPU_I_ID"], Model: l["modelName"], Profile: l["GPU_I_PROFILE"], Host: l["Hostname"]}
			v, ok := value(m)
			if !ok {
				continue
			}
			if name == FieldTotalEnergy {
				// The physical GPU's counter, wherever it is reported.
				parent := u
				parent.Instance, parent.Profile = "", ""
				rd := get(parent, m)
				if mj, ok := floorNonNeg(v); ok && !rd.HasEnergy {
					rd.Energy, rd.HasEnergy = mj, true
				}
				continue
			}
			rd := get(u, m)
			if l["pod"] != "" {
				rd.Pod, rd.Namespace, rd.Container = l["pod"], l["namespace"], l["container"]
			}
			switch name {
			case FieldPowerUsage:
				if mw, ok := roundNonNeg(v, 3); ok {
					rd.PowerMW = mw
				}
			case FieldGREngineActive, FieldSMActive, FieldGPUUtil:
				scale := int32(6) // a ratio -> ppm
				if name == FieldGPUUtil {
					scale = 4 // percent -> ppm
				}
				ppm, ok := roundNonNeg(v, scale)
				if !ok {
					continue
				}
				if rd.HasActivity {
					continue // a preferred field came first
				}
				rd.Activity, rd.HasActivity = uint32(min(ppm, 1_000_000)), true
			}
		}
	}
	out := make([]Reading, 0, len(byID))
	for _, rd := range byID { // order-free: sorted below
		out = append(out, *rd)
	}
	slices.SortFunc(out, func(a, b Reading) int { return cmpString(a.Unit.ID(), b.Unit.ID()) })
	return out, nil
}

func labels(m *dto.Metric) map[string]string {
	l := make(map[string]string, len(m.GetLabel()))
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

func value(m *dto.Metric) (float64, bool) {
	var v float64
	switch {
	case m.Gauge != nil:
		v = m.GetGauge().GetValue()
	case m.Counter != nil:
		v = m.GetCounter().GetValue()
	case m.Untyped != nil:
		v = m.GetUntyped().GetValue()
	default:
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// roundNonNeg returns v x 10^scale rounded half away from zero, exactly
// from v's shortest decimal form; negative values are 0.
func roundNonNeg(v float64, scale int32) (uint64, bool) {
	d := decimal.NewFromFloat(v).Shift(scale).Round(0)
	if d.Sign() < 0 {
		return 0, true
	}
	if !d.LessThan(decimal.NewFromUint64(math.MaxUint64)) {
		return 0, false
	}
	return d.BigInt().Uint64(), true
}

// floorNonNeg returns v floored to an integer; negative values are
// refused.
func floorNonNeg(v float64) (uint64, bool) {
	d := decimal.NewFromFloat(v).Floor()
	if d.Sign() < 0 || !d.LessThan(decimal.NewFromUint64(math.MaxUint64)) {
		return 0, false
	}
	return d.BigInt().Uint64(), true
}
