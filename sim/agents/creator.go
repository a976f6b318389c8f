package agents

import (
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// The creator behaviour: agent creators who create agents (locking the
// agent deposit) and launch their tokens on bonding curves.
//
//	creators:
//	  behaviour: creator
//	  count: 20
//	  balance: 1000     # whole tokens each: the deposit (100 by default) and its fee
//	  create: 0.05      # chance per epoch that a creator creates an agent
//	  max_agents: 2     # agents per creator
//	  launch: 0.5       # chance that a new agent's token is launched the next epoch
//	  price_in: 10      # the agents' prices, credits per input token
//	  price_out: 30     #   and per output token
//
// Consumers with an agents share of demand spend it on these agents;
// their usage pays the creators and feeds the mining and creator pools.
type creator struct {
	cfg     creatorConfig
	made    []int
	launch  []string // agents to launch this epoch
	created int64
}

type creatorConfig struct {
	Create    *Dec   `yaml:"create"`
	MaxAgents int    `yaml:"max_agents"`
	Launch    *Dec   `yaml:"launch"`
	PriceIn   uint64 `yaml:"price_in"`
	PriceOut  uint64 `yaml:"price_out"`
}

func init() { Register("creator", newCreator) }

func newCreator(spec *Spec) (Behaviour, error) {
	c := &creator{}
	if err := spec.Decode(&c.cfg); err != nil {
		return nil, err
	}
	cfg := &c.cfg
	if cfg.Create == nil {
		d := One / 20
		cfg.Create = &d
	}
	if cfg.Launch == nil {
		d := One / 2
		cfg.Launch = &d
	}
	for _, f := range []struct {
		name string
		v    Dec
	}{{"create", *cfg.Create}, {"launch", *cfg.Launch}} {
		if f.v < 0 || f.v > One {
			spec.Invalid(f.name, "%s; give a chance from 0 to 1", f.v)
		}
	}
	if cfg.MaxAgents == 0 {
		cfg.MaxAgents = 1
	}
	if cfg.MaxAgents < 0 || cfg.MaxAgents > 999 {
		spec.Invalid("max_agents", "%d; give 1 to 999", cfg.MaxAgents)
	}
	if cfg.PriceIn == 0 && cfg.PriceOut == 0 {
		cfg.PriceIn, cfg.PriceOut = 1, 2
	}
	return c, nil
}

func (c *creator) Setup(env *Env) error {
	c.made = make([]int, len(env.Accounts))
	return nil
}

func (c *creator) Step(env *Env) ([]*ledger.Command, error) {
	var out []*ledger.Command
	for _, agent := range c.launch {
		for _, a := range env.Agents() {
			if a.ID == agent && a.Token == "" {
				out = append(out, &ledger.Command{Actor: a.Creator, Payload: &tokenomics.LaunchToken{Agent: agent, Symbol: env.NewSymbol()}})
			}
		}
	}
	c.launch = c.launch[:0]
	for i, acct := range env.Accounts {
		if c.made[i] >= c.cfg.MaxAgents || !env.Rand.Chance(*c.cfg.Create) {
			continue
		}
		c.made[i]++
		id := string(acct) + "-" + itoa(c.made[i])
		out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.CreateAgent{Agent: id, PriceIn: c.cfg.PriceIn, PriceOut: c.cfg.PriceOut}})
	}
	return out, nil
}

// Observe schedules launches for the agents created.
func (c *creator) Observe(env *Env, outcomes []Outcome) error {
	for _, o := range outcomes {
		for _, ev := range o.Events {
			if e, ok := ev.(*tokenomics.AgentCreated); ok {
				c.created++
				if env.Rand.Chance(*c.cfg.Launch) {
					c.launch = append(c.launch, e.Agent)
				}
			}
		}
	}
	return nil
}
