package metering

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

// Kind is the contribution kind the meter records.
const Kind = "gpu_seconds"

// activityPerGPUSecond is one GPU-second in the accumulator's unit,
// microseconds x parts per million.
const activityPerGPUSecond = 1_000_000 * 1_000_000

// Options configure a Meter.
type Options struct {
	// Source names the meter in records (their Source field) and keys,
	// such as "dcgm:node-a". Required; at most 128 bytes.
	Source string
	// Provider is the account credited with the units' work. Required
	// unless HostProviders covers every host the source reports.
	Provider ledger.AccountID
	// HostProviders credits the units of a host (Unit.Host) to an account,
	// for an exporter scraped across a cluster of several providers.
	HostProviders map[string]ledger.AccountID
	// Window is the window length: at least a second, at most 24h, a whole
	// number of seconds that divides 24h (default 1 minute).
	Window time.Duration
	// MaxGap is the longest interval between two readings of a unit that
	// still counts (default 1 minute); longer ones are gaps.
	MaxGap time.Duration
	// Classes maps a DefaultClass to the class the contribution price
	// table prices ("gpu_seconds:<class>"); classes not listed are used as
	// they are.
	Classes map[string]string
	// RequirePod counts GPU time only in intervals whose reading names a
	// pod (work for a scheduled workload); energy is counted regardless.
	RequirePod bool
}

func (o *Options) ensureDefaults() {
	if o.Window == 0 {
		o.Window = time.Minute
	}
	if o.MaxGap == 0 {
		o.MaxGap = time.Minute
	}
}

func (o *Options) validate() error {
	if o.Source == "" || len(o.Source) > 128 {
		return fmt.Errorf("%w: Source must be 1..128 bytes, got %q", ErrOptions, o.Source)
	}
	if o.Provider == "" && len(o.HostProviders) == 0 {
		return fmt.Errorf("%w: give Provider or HostProviders", ErrOptions)
	}
	if o.Provider != "" {
		if err := o.Provider.Validate(); err != nil {
			return fmt.Errorf("%w: Provider: %w", ErrOptions, err)
		}
	}
	for _, h := range sortedKeys(o.HostProviders) {
		if err := o.HostProviders[h].Validate(); err != nil {
			return fmt.Errorf("%w: HostProviders[%q]: %w", ErrOptions, h, err)
		}
	}
	if o.Window < time.Second || o.Window > 24*time.Hour || o.Window%time.Second != 0 || (24*time.Hour)%o.Window != 0 {
		return fmt.Errorf("%w: Window %s must be whole seconds dividing 24h", ErrOptions, o.Window)
	}
	if o.MaxGap <= 0 {
		return fmt.Errorf("%w: MaxGap %s must be positive", ErrOptions, o.MaxGap)
	}
	for _, k := range sortedKeys(o.Classes) {
		if c := o.Classes[k]; c == "" || len(c) > 64 {
			return fmt.Errorf("%w: Classes[%q] = %q must be 1..64 bytes", ErrOptions, k, o.Classes[k])
		}
	}
	return nil
}

// Usage is a unit's metered work in one closed window.
type Usage struct {
	Source   string           `json:"source"`
	Provider ledger.AccountID `json:"provider"` // empty: no provider for the unit's host; not recorded
	Unit     Unit             `json:"unit"`
	Class    string           `json:"class"`
	Start    time.Time        `json:"start"`
	End      time.Time        `json:"end"`
	// GPUSeconds is the activity-weighted GPU time, floored (the remainder
	// carries to the unit's next window).
	GPUSeconds uint64 `json:"gpu_seconds"`
	// Covered is the time the window's intervals span (gaps excluded).
	Covered time.Duration `json:"covered"`
	// EnergyMJ is the energy in millijoules; zero for a MIG instance
	// (energy is the physical GPU's).
	EnergyMJ  uint64 `json:"energy_mj"`
	Intervals int    `json:"intervals"`
	Resets    int    `json:"resets"` // energy counter resets
	Gaps      int    `json:"gaps"`   // intervals longer than MaxGap, not counted
	// MIGParent is true for a whole GPU whose instances are metered: its
	// usage carries the energy, the instances the GPU time.
	MIGParent bool `json:"mig_parent,omitempty"`
	// Pod, Namespace and Container are the last workload seen.
	Pod       string `json:"pod,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Container string `json:"container,omitempty"`
	// Key is the idempotency key of the usage's record.
	Key string `json:"key"`
}

// Record returns the usage's contribution record, with the window's
// energy, or nil if there is nothing to record (no GPU-seconds, or no
// provider). A whole GPU whose MIG instances are metered records no GPU
// time; Commands gives its energy to the instances' records.
func (u *Usage) Record() *contribution.Record {
	if u.GPUSeconds == 0 || u.Provider == "" {
		return nil
	}
	return &contribution.Record{Provider: u.Provider, Kind: Kind, Class: u.Class, Quantity: u.GPUSeconds, Source: u.Source, EnergyMJ: u.EnergyMJ}
}

// Commands returns the signed contribution_record commands of the usages
// that have something to record, in order. Each nonce is at least its
// window's end in Unix microseconds, so the same usages from a fresh
// Signer give the same commands.
//
// Under MIG the physical GPU's energy (on its whole-GPU usage, which has
// no GPU time) is shared among the records of its instances in the same
// window, in proportion to their GPU-seconds, floored; the remainder goes
// to the instance with the most GPU-seconds (the first in unit order on a
// tie). A window in which no instance recorded GPU time records no
// energy: it stays in Usage and the meter's metrics.
func Commands(us []Usage, s *submit.Signer) []*ledger.Command {
	extra := migEnergy(us)
	var out []*ledger.Command
	for i := range us {
		if r := us[i].Record(); r != nil {
			r.EnergyMJ += extra[i]
			out = append(out, s.CommandAt(us[i].Key, r, uint64(max(us[i].End.UnixMicro(), 0))))
		}
	}
	return out
}

// migEnergy returns, per usage, the share of its MIG parent's energy that
// its record carries (see Commands).
func migEnergy(us []Usage) []uint64 {
	type window struct {
		uuid  string
		start int64
	}
	instances := map[window][]int{}
	for i := range us {
		if us[i].Unit.Instance != "" && us[i].Record() != nil {
			w := window{us[i].Unit.UUID, us[i].Start.UnixNano()}
			instances[w] = append(instances[w], i)
		}
	}
	extra := make([]uint64, len(us))
	for i := range us {
		u := &us[i]
		if !u.MIGParent || u.EnergyMJ == 0 {
			continue
		}
		idx := instances[window{u.Unit.UUID, u.Start.UnixNano()}]
		var total uint64
		most := -1
		for _, j := range idx { // in usage order: by unit ID within a window
			total += us[j].GPUSeconds
			if most < 0 || us[j].GPUSeconds > us[most].GPUSeconds {
				most = j
			}
		}
		if total == 0 {
			continue
		}
		var given uint64
		for _, j := range idx {
			hi, lo := bits.Mul64(u.EnergyMJ, us[j].GPUSeconds)
			share, _ := bits.Div64(hi, lo, total) // < EnergyMJ: no overflow
			extra[j] += share
			given += share
		}
		extra[most] += u.EnergyMJ - given
	}
	return extra
}

// WindowKey returns the idempotency key of a unit's window:
// hash(source, unit, window start, window end).
func WindowKey(source string, u Unit, start, end time.Time) string {
	return submit.Key("meter", source, u.ID(), strconv.FormatInt(start.UnixNano(), 10), strconv.FormatInt(end.UnixNano(), 10))
}

// Meter folds readings into closed windows. It is not safe for concurrent
// use: one goroutine drives it (see Runner).
type Meter struct {
	opts  Options
	units map[string]*unitState
}

type unitState struct {
	unit    Unit
	last    Reading
	hasLast bool
	open    bool
	win     int64 // open window's start, Unix ns
	acc     accum
	carry   uint64 // activity units below a GPU-second, from closed windows
}

type accum struct {
	activity  uint64 // microseconds x ppm
	coveredUs int64
	energy    uint64
	intervals int
	resets    int
	gaps      int
	migParent bool
	pod       string
	namespace string
	container string
}

// New returns a meter.
func New(opts Options) (*Meter, error) {
	opts.ensureDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return &Meter{opts: opts, units: map[string]*unitState{}}, nil
}

// Options returns the meter's options with defaults filled in.
func (m *Meter) Options() Options { return m.opts }

func (m *Meter) windowStart(t time.Time) int64 {
	w := int64(m.opts.Window)
	ns := t.UnixNano()
	s := ns - ns%w
	if ns%w < 0 {
		s -= w
	}
	return s
}

// maxAhead is how far ahead of now a reading may be dated.
const maxAhead = time.Minute

// Observe folds readings taken at about now into the meter and returns the
// usage of every window that closed, ordered by window start and unit.
// A reading not after its unit's last one, or dated more than a minute
// ahead of now, is ignored.
func (m *Meter) Observe(now time.Time, rs []Reading) ([]Usage, error) {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b Reading) int {
		if c := cmpString(a.Unit.ID(), b.Unit.ID()); c != 0 {
			return c
		}
		return a.Time.Compare(b.Time)
	})
	migParents := map[string]bool{}
	for _, r := range rs {
		if r.Unit.Instance != "" {
			migParents[r.Unit.UUID] = true
		}
	}
	var out []Usage
	for _, r := range rs {
		id := r.Unit.ID()
		st := m.units[id]
		if st == nil {
			st = &unitState{unit: r.Unit}
			m.units[id] = st
		}
		if st.hasLast && !r.Time.After(st.last.Time) {
			continue
		}
		if r.Time.After(now.Add(maxAhead)) {
			// A reading dated ahead (a device's clock gone wrong) would
			// make every later, true one look old.
			continue
		}
		ws := m.windowStart(r.Time)
		if st.open && ws > st.win {
			u, err := m.close(st)
			if err != nil {
				return nil, err
			}
			out = append(out, u)
		}
		if !st.open {
			st.open, st.win, st.acc = true, ws, accum{}
		}
		st.unit = r.Unit
		parent := r.Unit.Instance == "" && migParents[r.Unit.UUID]
		m.add(st, &r, parent)
		st.last, st.hasLast = r, true
	}
	// Windows of units that went quiet close MaxGap after their end.
	ids := make([]string, 0, len(m.units))
	for id := range m.units { // order-free: sorted below
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		st := m.units[id]
		if st.open && !now.Before(time.Unix(0, st.win).Add(m.opts.Window+m.opts.MaxGap)) {
			u, err := m.close(st)
			if err != nil {
				return nil, err
			}
			out = append(out, u)
		}
	}
	slices.SortStableFunc(out, func(a, b Usage) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmpString(a.Unit.ID(), b.Unit.ID())
	})
	return out, nil
}

// add counts the interval that ends at r.
func (m *Meter) add(st *unitState, r *Reading, migParent bool) {
	a := &st.acc
	a.migParent = a.migParent || migParent
	if r.Pod != "" {
		a.pod, a.namespace, a.container = r.Pod, r.Namespace, r.Container
	}
	if !st.hasLast {
		return
	}
	prev := &st.last
	if r.Time.Sub(prev.Time) > m.opts.MaxGap {
		a.gaps++
		return
	}
	us := r.Time.UnixMicro() - prev.Time.UnixMicro()
	a.coveredUs += us
	a.intervals++
	if r.HasActivity && !migParent && (!m.opts.RequirePod || r.Pod != "") {
		a.activity += uint64(us) * uint64(min(r.Activity, 1_000_000))
	}
	if r.HasEnergy && prev.HasEnergy && r.Unit.Instance == "" {
		if r.Energy >= prev.Energy {
			a.energy += r.Energy - prev.Energy
		} else {
			a.energy += r.Energy
			a.resets++
		}
	}
}

// close reports the open window of st and resets it.
func (m *Meter) close(st *unitState) (Usage, error) {
	a := &st.acc
	total := a.activity + st.carry
	st.carry = total % activityPerGPUSecond
	start := time.Unix(0, st.win).UTC()
	end := start.Add(m.opts.Window)
	class, err := m.class(st.unit)
	if err != nil {
		return Usage{}, err
	}
	prov := m.opts.Provider
	if p, ok := m.opts.HostProviders[st.unit.Host]; ok {
		prov = p
	}
	u := Usage{
		Source: m.opts.Source, Provider: prov, Unit: st.unit, Class: class,
		Start: start, End: end,
		GPUSeconds: total / activityPerGPUSecond,
		Covered:    time.Duration(a.coveredUs) * time.Microsecond,
		EnergyMJ:   a.energy, Intervals: a.intervals, Resets: a.resets, Gaps: a.gaps,
		MIGParent: a.migParent,
		Pod:       a.pod, Namespace: a.namespace, Container: a.container,
		Key: WindowKey(m.opts.Source, st.unit, start, end),
	}
	st.open, st.acc = false, accum{}
	return u, nil
}

// class returns the unit's device class: its DefaultClass mapped by
// Options.Classes. A default class longer than the record's 64 bytes is
// cut to 55 and given a dash and 8 hex digits of its hash, so that it
// stays distinct (map it in Options.Classes to price it).
func (m *Meter) class(u Unit) (string, error) {
	c := DefaultClass(u.Model, u.Profile)
	if mapped, ok := m.opts.Classes[c]; ok {
		return mapped, nil
	}
	if len(c) > 64 {
		h := blake3.Sum256([]byte(c))
		c = c[:55] + "-" + hex.EncodeToString(h[:4])
	}
	return c, nil
}

// sortedKeys returns m's keys in order, so that which error is reported
// never depends on map order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m { // order-free: sorted below
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
