package agents

import (
	"math"
	"slices"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/scenario"
	"github.com/coopera/coopera/tokenomics"
)

// The consumer behaviour: agents with USD demand for AI services. Each
// epoch each consumer wants to spend
//
//	d = base x (1 + trend)^t x (1 + amplitude sin(2 pi (t + phase) / period))
//	      x shocks(t) x events(t) x max(0, 1 + noise Z)
//
// USD (Z a standard normal drawn per consumer and epoch), buys the credits
// it lacks from the exchange (which burns the tokens at the oracle's credit
// price) and spends them: model serving on a provider drawn from the
// serving population, and agent services on an agent drawn from those
// created, in the shares of services.
//
//	consumers:
//	  behaviour: consumer
//	  count: 1000
//	  demand: {base: 10, trend: 0.001, noise: 0.2,
//	           seasonality: {amplitude: 0.1, period: 365},
//	           shocks: [{from: 200, until: 260, factor: 0.3}]}
//	  services: {models: 0.8, agents: 0.2}   # shares of demand; sum to 1
//	  providers: providers                   # the serving population
//	  aggregate: false
//
// With aggregate: true the population acts as one account (its first): the
// consumers' demands are drawn one by one, but the sum is bought in one
// buy_credits and spent in one record_usage per provider and agent used.
// The reducers see one consumer, so the commands per epoch no longer grow
// with the population; concentration metrics see one holder.
type consumer struct {
	cfg       consumerConfig
	base      int64 // micro-USD
	growth    Dec
	providers string
	demand    int64 // wanted this epoch, micro-USD
	served    int64 // spent this epoch by applied record_usage, micro-USD
	unserved  int64 // demand - served, set by Observe
}

type consumerConfig struct {
	Demand    DemandSpec    `yaml:"demand"`
	Services  *ServiceShare `yaml:"services"`
	Providers string        `yaml:"providers"`
	Aggregate bool          `yaml:"aggregate"`
}

// DemandSpec is a consumer's USD demand per epoch.
type DemandSpec struct {
	Base        Dec         `yaml:"base"`  // USD per consumer per epoch
	Trend       Dec         `yaml:"trend"` // growth per epoch, compounded
	Seasonality *SeasonSpec `yaml:"seasonality"`
	Noise       Dec         `yaml:"noise"` // relative standard deviation per consumer and epoch
	Shocks      []ShockSpec `yaml:"shocks"`
}

// SeasonSpec is a sinusoidal seasonality.
type SeasonSpec struct {
	Amplitude Dec `yaml:"amplitude"` // 0 to 1
	Period    int `yaml:"period"`    // epochs
	Phase     int `yaml:"phase"`     // epochs
}

// ShockSpec multiplies demand by Factor from epoch From until Until
// (exclusive; 0: to the end).
type ShockSpec struct {
	From   int `yaml:"from"`
	Until  int `yaml:"until"`
	Factor Dec `yaml:"factor"`
}

// ServiceShare splits demand between model serving and agent services.
type ServiceShare struct {
	Models Dec `yaml:"models"`
	Agents Dec `yaml:"agents"`
}

func init() { Register("consumer", newConsumer) }

func newConsumer(spec *Spec) (Behaviour, error) {
	c := &consumer{growth: One}
	if err := spec.Decode(&c.cfg); err != nil {
		return nil, err
	}
	d := &c.cfg.Demand
	if d.Base < 0 {
		spec.Invalid("demand.base", "%s; demand cannot be negative (USD per consumer per epoch)", d.Base)
	}
	if d.Base == 0 {
		spec.Invalid("demand.base", "is missing; give each consumer's demand in USD per epoch")
	}
	if d.Trend <= -One || d.Trend > One {
		spec.Invalid("demand.trend", "%s; give the growth per epoch, above -1 and at most 1", d.Trend)
	} else if d.Trend > 0 {
		// The growth factor is a Dec: compounded past its largest value
		// (about 9.2 billion) it stayed there, and demand went flat.
		g := One
		for e := 1; e < spec.Epochs; e++ {
			if g = g.MulDec(One + d.Trend); g == math.MaxInt64 {
				spec.Invalid("demand.trend", "%s an epoch compounds past 9.2 billion times the base demand by epoch %d of %d; give a smaller trend or fewer epochs", d.Trend, e, spec.Epochs)
				break
			}
		}
	}
	if d.Noise < 0 || d.Noise > One {
		spec.Invalid("demand.noise", "%s; give a relative standard deviation from 0 to 1", d.Noise)
	}
	if s := d.Seasonality; s != nil {
		if s.Amplitude < 0 || s.Amplitude > One {
			spec.Invalid("demand.seasonality.amplitude", "%s; give 0 to 1", s.Amplitude)
		}
		if s.Period < 1 {
			spec.Invalid("demand.seasonality.period", "%d; give the period in epochs, at least 1", s.Period)
		}
	}
	for i, sh := range d.Shocks {
		if sh.Factor < 0 {
			spec.Invalid(sprintf("demand.shocks[%d].factor", i), "%s; demand cannot be negative", sh.Factor)
		}
		if sh.Until != 0 && sh.Until <= sh.From {
			spec.Invalid(sprintf("demand.shocks[%d].until", i), "%d is not after from %d", sh.Until, sh.From)
		}
	}
	if c.cfg.Services == nil {
		c.cfg.Services = &ServiceShare{Models: One}
	}
	sv := c.cfg.Services
	if sv.Models < 0 || sv.Agents < 0 || sv.Models+sv.Agents != One {
		spec.Invalid("services", "models %s + agents %s = %s; the shares must sum to 1", sv.Models, sv.Agents, sv.Models+sv.Agents)
	}
	c.providers = c.cfg.Providers
	if c.providers == "" {
		for _, name := range spec.Populations {
			if spec.PopulationBehaviour(name) == "provider" {
				c.providers = name
				break
			}
		}
	}
	switch {
	case c.providers == "" && sv.Models > 0:
		spec.Invalid("providers", "no population serves models; add one with behaviour provider, or set services: {models: 0, agents: 1}")
	case c.providers != "" && !spec.HasPopulation(c.providers):
		spec.Invalid("providers", "no population %q", c.providers)
	case c.providers != "" && slices.Contains(servesNone, spec.PopulationBehaviour(c.providers)):
		// Their accounts would collect the provider pool's rewards.
		spec.Invalid("providers", "population %s has behaviour %s, which serves no models; name a population of behaviour provider", c.providers, spec.PopulationBehaviour(c.providers))
	}
	c.base = int64(d.Base) / 1000 // Dec USD -> micro-USD
	return c, nil
}

// servesNone are the built-in behaviours that serve no models (a
// behaviour of one's own may serve: Server, or its accounts).
var servesNone = []string{"consumer", "creator", "staker", "trader", "vesting"}

func (c *consumer) Setup(env *Env) error { return nil }

// level returns the demand factor of epoch t before noise.
func (c *consumer) level(env *Env) Dec {
	d := &c.cfg.Demand
	f := c.growth
	if s := d.Seasonality; s != nil && s.Amplitude != 0 {
		f = f.MulDec(One + s.Amplitude.MulDec(scenario.Sin(int64(env.Epoch+s.Phase), int64(s.Period))))
	}
	for _, sh := range d.Shocks {
		if env.Epoch >= sh.From && (sh.Until == 0 || env.Epoch < sh.Until) {
			f = f.MulDec(sh.Factor)
		}
	}
	return f.MulDec(env.DemandFactor())
}

func (c *consumer) Step(env *Env) ([]*ledger.Command, error) {
	level := c.level(env).Mul(c.base)
	c.growth = c.growth.MulDec(One + c.cfg.Demand.Trend)
	c.demand, c.served, c.unserved = 0, 0, 0
	var servers []ledger.AccountID
	if c.providers != "" {
		servers = env.Servers(c.providers)
	}
	var agents []AgentInfo
	if c.cfg.Services.Agents > 0 {
		for _, a := range env.Agents() {
			if a.PriceIn > 0 {
				agents = append(agents, a)
			}
		}
	}
	draw := func() int64 {
		d := level
		if c.cfg.Demand.Noise > 0 {
			d = max(0, One+c.cfg.Demand.Noise.MulDec(env.Rand.Normal())).Mul(d)
		}
		return d
	}
	var out []*ledger.Command
	if c.cfg.Aggregate {
		var total int64
		for range env.Accounts {
			total = satAdd(total, draw())
		}
		if len(env.Accounts) > 0 {
			out = c.spend(env, env.Accounts[0], total, servers, agents, true, out)
		}
		return out, nil
	}
	for _, acct := range env.Accounts {
		out = c.spend(env, acct, draw(), servers, agents, false, out)
	}
	return out, nil
}

// spend buys what acct lacks for demand d and spends it.
func (c *consumer) spend(env *Env, acct ledger.AccountID, d int64, servers []ledger.AccountID, agents []AgentInfo, spread bool, out []*ledger.Command) []*ledger.Command {
	if d <= 0 {
		return out
	}
	c.demand = satAdd(c.demand, d)
	dAgents := int64(0)
	if len(agents) > 0 {
		dAgents = c.cfg.Services.Agents.Mul(d)
	}
	dModels := d - dAgents
	if len(servers) == 0 {
		dModels = 0
	}
	want := dModels + dAgents
	have := amt(env.Credits(acct))
	if want > have {
		if cmd := env.BuyCredits(acct, want-have); cmd != nil {
			out = append(out, cmd)
		} else {
			// Cannot buy: spend what is there, models first.
			dModels = min(dModels, have)
			dAgents = min(dAgents, have-dModels)
		}
	}
	if dModels > 0 {
		if spread {
			each := dModels / int64(len(servers))
			for i, s := range servers {
				part := each
				if i == 0 {
					part += dModels - each*int64(len(servers))
				}
				out = appendModelUsage(out, acct, s, part)
			}
		} else {
			out = appendModelUsage(out, acct, servers[env.Rand.Intn(len(servers))], dModels)
		}
	}
	if dAgents > 0 {
		if spread {
			// An aggregate stands for many consumers: its agent demand
			// goes to every agent, as its model demand to every server.
			// What an agent's price leaves of its part goes on to the
			// next, so that at most one price's worth goes unspent.
			each, carry := dAgents/int64(len(agents)), dAgents%int64(len(agents))
			for _, a := range agents {
				part := each + carry
				used := int64(0)
				if a.PriceIn > 0 {
					used = part - part%int64(a.PriceIn)
				}
				out = appendAgentUsage(out, env, acct, a, servers, used)
				carry = part - used
			}
		} else {
			out = appendAgentUsage(out, env, acct, agents[env.Rand.Intn(len(agents))], servers, dAgents)
		}
	}
	return out
}

// appendAgentUsage appends acct's use of agent a for credits, on a server
// drawn at random (acct itself without servers).
func appendAgentUsage(out []*ledger.Command, env *Env, acct ledger.AccountID, a AgentInfo, servers []ledger.AccountID, credits int64) []*ledger.Command {
	if a.PriceIn == 0 || credits <= 0 {
		return out // an agent that prices only output tokens takes no input
	}
	tokens := uint64(credits) / a.PriceIn
	if tokens == 0 {
		return out
	}
	platform := acct
	if len(servers) > 0 {
		platform = servers[env.Rand.Intn(len(servers))]
	}
	return append(out, newUsage(acct, tokenomics.RecordUsage{Agent: a.ID, Platform: platform, Input: tokens}))
}

func appendModelUsage(out []*ledger.Command, consumer, server ledger.AccountID, credits int64) []*ledger.Command {
	if credits <= 0 {
		return out
	}
	return append(out, newUsage(consumer, tokenomics.RecordUsage{
		Platform: server, GPU: server, Input: uint64(credits), PriceIn: 1,
	}))
}

// Observe counts the demand served: the credits spent by the population's
// record_usage commands the reducers applied (their usage_recorded
// events), never what Step intended to spend. A purchase or a usage the
// reducers refused leaves its demand unserved.
func (c *consumer) Observe(env *Env, outcomes []Outcome) error {
	for _, o := range outcomes {
		if o.Result.Code != "" {
			continue
		}
		for _, ev := range o.Events {
			if e, ok := ev.(*tokenomics.UsageRecorded); ok {
				c.served = satAdd(c.served, amt(e.Credits))
			}
		}
	}
	c.unserved = max(0, c.demand-c.served)
	return nil
}

// Demand implements Demander: what the population wanted this epoch.
func (c *consumer) Demand() int64 { return c.demand }

func (c *consumer) Metrics() []MetricInfo {
	return []MetricInfo{{"unserved", UnitUSD, "demand not served: the population's demand less the credits its applied record_usage commands spent (usage_recorded events)"}}
}

func (c *consumer) Measure(env *Env, dst []int64) { dst[0] = c.unserved }
