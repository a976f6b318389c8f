package agents

import (
	"slices"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

// The provider behaviour: GPU providers and platforms that serve the
// consumers' model usage, are paid from the provider pool by the credits
// they served, bear a cost in USD, sell part of their rewards, and enter
// and leave by profitability.
//
//	providers:
//	  behaviour: provider
//	  count: 50          # accounts: the most providers there can be
//	  active: 10         # serving at the start (default: all)
//	  cost: 20           # USD per epoch per active provider
//	  cost_spread: 0.5   # each provider's cost is drawn once in cost x [1-s, 1+s]
//	  sell: 0.5          # share of each epoch's rewards sold to the market
//	  exit_after: 14     # epochs in a row at a loss before leaving (0: never)
//	  entry_margin: 0.2  # enter while the expected revenue beats cost x (1 + margin)
//	  entry_rate: 1      # most entrants per epoch (0: nobody enters)
//	  smoothing: 7       # epochs of the profit moving average
//
// Revenue is the epoch's provider and creator rewards at the market price.
// A provider leaves after exit_after epochs of loss in a row. One enters
// (the lowest-numbered idle account) when what the provider pool paid
// could pay at most last epoch (its share of the mint at the market price,
// capped by the value of the credits served as the self-dealing cap
// does), split among one more provider than are active, beats its cost by
// entry_margin.
//
// With meter (and the contribution module), each active provider registers
// for the compute role, and the operator records its GPU time every epoch
// (devices x the epoch's seconds) with the credits it served in the last
// epoch (for contribution's self-dealing cap): with tokenomics'
// provider_pool set to contribution's pool, the providers' share of the
// mint reaches them by Proof of Intelligence.
type provider struct {
	cfg    providerConfig
	cost   []int64 // micro-USD per epoch
	active []bool
	ema    []int64 // profit moving average, micro-USD
	losing []int
	// entered marks a provider that entered in the last epoch: whether it
	// served then depends on whether consumers stepped before it (the
	// scenario's order), so that epoch's result does not count as a loss.
	entered  []bool
	serving  []ledger.AccountID
	accounts []ledger.AccountID
	joined   []bool // registered with contribution
	dirty    bool
	entries  int64
	exits    int64
}

type providerConfig struct {
	Active      *int       `yaml:"active"`
	Cost        Dec        `yaml:"cost"`
	CostSpread  Dec        `yaml:"cost_spread"`
	Sell        Dec        `yaml:"sell"`
	ExitAfter   int        `yaml:"exit_after"`
	EntryMargin Dec        `yaml:"entry_margin"`
	EntryRate   *int       `yaml:"entry_rate"`
	Smoothing   int        `yaml:"smoothing"`
	Meter       *MeterSpec `yaml:"meter"`
}

// MeterSpec is the GPU fleet a provider's contribution is metered by.
type MeterSpec struct {
	Class   string `yaml:"class"`   // device class
	Devices int    `yaml:"devices"` // devices per provider; default 1
}

func init() { Register("provider", newProvider) }

func newProvider(spec *Spec) (Behaviour, error) {
	p := &provider{}
	if err := spec.Decode(&p.cfg); err != nil {
		return nil, err
	}
	c := &p.cfg
	if c.Active == nil {
		n := spec.Count
		c.Active = &n
	}
	if *c.Active < 0 || *c.Active > spec.Count {
		spec.Invalid("active", "%d; between 0 and count %d", *c.Active, spec.Count)
	}
	if c.Cost < 0 {
		spec.Invalid("cost", "%s; a cost cannot be negative", c.Cost)
	}
	if c.CostSpread < 0 || c.CostSpread > One {
		spec.Invalid("cost_spread", "%s; give 0 to 1", c.CostSpread)
	}
	if c.Sell < 0 || c.Sell > One {
		spec.Invalid("sell", "%s; give the share of rewards sold, 0 to 1", c.Sell)
	}
	if c.ExitAfter < 0 {
		spec.Invalid("exit_after", "%d; give epochs, 0 for never", c.ExitAfter)
	}
	if c.EntryRate == nil {
		one := 1
		c.EntryRate = &one
	}
	if *c.EntryRate < 0 {
		spec.Invalid("entry_rate", "%d; at least 0", *c.EntryRate)
	}
	if c.Smoothing == 0 {
		c.Smoothing = 7
	}
	if c.Smoothing < 1 {
		spec.Invalid("smoothing", "%d; at least 1", c.Smoothing)
	}
	if m := c.Meter; m != nil {
		if !slices.Contains(spec.Modules, "contribution") {
			spec.Invalid("meter", "metering needs the contribution module in modules")
		}
		if m.Devices == 0 {
			m.Devices = 1
		}
		if m.Devices < 0 || m.Devices > 1_000_000 {
			spec.Invalid("meter.devices", "%d; give 1 to 1000000", m.Devices)
		}
	}
	return p, nil
}

func (p *provider) Setup(env *Env) error {
	n := len(env.Accounts)
	p.accounts = env.Accounts
	p.cost, p.active, p.ema, p.losing, p.entered = make([]int64, n), make([]bool, n), make([]int64, n), make([]int, n), make([]bool, n)
	p.joined = make([]bool, n)
	base := int64(p.cfg.Cost) / 1000
	for i := range n {
		f := One
		if p.cfg.CostSpread > 0 {
			f += p.cfg.CostSpread.MulDec(2*env.Rand.Unit() - One)
		}
		p.cost[i] = f.Mul(base)
		p.active[i] = i < *p.cfg.Active
	}
	p.dirty = true
	return nil
}

// Serving implements Server.
func (p *provider) Serving() []ledger.AccountID {
	if p.dirty {
		p.serving = p.serving[:0]
		for i, a := range p.active {
			if a {
				p.serving = append(p.serving, p.accounts[i])
			}
		}
		p.dirty = false
	}
	return p.serving
}

func (p *provider) Step(env *Env) ([]*ledger.Command, error) {
	var out []*ledger.Command
	active := 0
	for i, acct := range env.Accounts {
		if !p.active[i] {
			continue
		}
		rewards := env.Rewards(acct)
		profit := env.ValueUSD(rewards) - p.cost[i]
		p.ema[i] += (profit - p.ema[i]) / int64(p.cfg.Smoothing)
		switch {
		case p.entered[i]:
			p.entered[i] = false
		case profit < 0 && env.Epoch > 0:
			p.losing[i]++
		default:
			p.losing[i] = 0
		}
		if p.cfg.Sell > 0 && !rewards.IsZero() {
			if sell, _, _ := rewards.MulDiv(uint64(p.cfg.Sell), uint64(One)); !sell.IsZero() {
				if cmd := env.Sell(acct, sell); cmd != nil {
					out = append(out, cmd)
				}
			}
		}
		if p.cfg.ExitAfter > 0 && p.losing[i] >= p.cfg.ExitAfter {
			p.active[i], p.dirty = false, true
			p.exits++
			continue
		}
		active++
	}
	// Entry: the provider pool's share of the last mint at the market
	// price, but no more than the self-dealing cap lets it pay (the value
	// of the credits served, scaled by the pool's part of the usage
	// pools), split among one more provider than are active, against the
	// next idle provider's cost.
	if rep, par := env.Report, env.Params; rep != nil && par != nil && *p.cfg.EntryRate > 0 {
		sh := par.EpochShares
		pool, _, _ := rep.Minted.MulDiv(uint64(sh.Providers), 10000)
		poolUSD := env.ValueUSD(pool)
		if usage := uint64(sh.Providers + sh.Mining + sh.Creators); usage > 0 {
			capped, _, _ := rep.CreditsSpent.MulDiv(uint64(sh.Providers), usage)
			poolUSD = min(poolUSD, amt(capped))
		}
		for range *p.cfg.EntryRate {
			i := p.nextIdle()
			if i < 0 {
				break
			}
			expected := poolUSD / int64(active+1)
			if expected <= (One + p.cfg.EntryMargin).Mul(p.cost[i]) {
				break
			}
			p.active[i], p.dirty, p.entered[i] = true, true, true
			p.ema[i], p.losing[i] = 0, 0
			p.entries++
			active++
		}
	}
	if m := p.cfg.Meter; m != nil {
		secs := uint64(env.EpochLength / time.Second)
		for i, acct := range env.Accounts {
			if !p.active[i] {
				continue
			}
			if !p.joined[i] {
				// Marked joined by Observe once the registration applied.
				out = append(out, &ledger.Command{Actor: acct, Payload: &contribution.Register{Role: contribution.RoleCompute}})
			}
			served, _ := env.Served(acct).Uint64()
			out = append(out, &ledger.Command{Actor: OperatorAccount, Payload: &contribution.Record{
				Provider: acct, Kind: "gpu_seconds", Class: m.Class, Quantity: uint64(m.Devices) * secs, Credits: served, Source: "sim-meter",
			}})
		}
	}
	return out, nil
}

// Observe marks the providers whose contribution registration the
// reducers applied; a refused one registers again next epoch.
func (p *provider) Observe(env *Env, outcomes []Outcome) error {
	for _, o := range outcomes {
		if _, ok := o.Command.Payload.(*contribution.Register); !ok || o.Result.Code != "" {
			continue
		}
		if i := slices.Index(p.accounts, o.Command.Actor); i >= 0 {
			p.joined[i] = true
		}
	}
	return nil
}

func (p *provider) nextIdle() int {
	for i, a := range p.active {
		if !a {
			return i
		}
	}
	return -1
}

func (p *provider) Metrics() []MetricInfo {
	return []MetricInfo{
		{"active", UnitCount, "providers serving"},
		{"entries", UnitCount, "providers that entered so far"},
		{"exits", UnitCount, "providers that left so far"},
		{"profit", UnitUSD, "the active providers' total profit in the epoch (revenue at the market price less cost)"},
	}
}

// Measure runs right after the epoch's close, whose rewards it values.
func (p *provider) Measure(env *Env, dst []int64) {
	n := 0
	var profit int64
	for i, a := range p.active {
		if a {
			n++
			profit = satAdd(profit, env.ValueUSD(env.Rewards(p.accounts[i]))-p.cost[i])
		}
	}
	dst[0], dst[1], dst[2], dst[3] = int64(n), p.entries, p.exits, profit
}
