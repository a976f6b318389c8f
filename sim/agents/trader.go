package agents

import (
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// The trader behaviour: noise traders on the agents' bonding curves. Each
// epoch each trader trades with chance trade: on a launched agent token
// still on its curve, drawn at random, it sells half its holding with
// chance sell (if it holds any), else buys with a share size of its native
// balance. Every trade pays the platform fee, shared with the agent's
// creator, the stakers, the treasury and the burn.
//
//	traders:
//	  behaviour: trader
//	  count: 100
//	  balance: 500
//	  trade: 0.2
//	  size: 0.1
//	  sell: 0.4
type trader struct {
	cfg traderConfig
}

type traderConfig struct {
	Trade *Dec `yaml:"trade"`
	Size  *Dec `yaml:"size"`
	Sell  *Dec `yaml:"sell"`
}

func init() { Register("trader", newTrader) }

func newTrader(spec *Spec) (Behaviour, error) {
	t := &trader{}
	if err := spec.Decode(&t.cfg); err != nil {
		return nil, err
	}
	c := &t.cfg
	def := func(p **Dec, v Dec) {
		if *p == nil {
			*p = &v
		}
	}
	def(&c.Trade, One/5)
	def(&c.Size, One/10)
	def(&c.Sell, One*2/5)
	for _, f := range []struct {
		name string
		v    Dec
	}{{"trade", *c.Trade}, {"sell", *c.Sell}} {
		if f.v < 0 || f.v > One {
			spec.Invalid(f.name, "%s; give a chance from 0 to 1", f.v)
		}
	}
	if *c.Size <= 0 || *c.Size > One*9/10 {
		spec.Invalid("size", "%s; give the share of the balance a buy spends, above 0 and at most 0.9", *c.Size)
	}
	if spec.Balance.IsZero() && spec.Count > 0 {
		spec.Invalid("balance", "traders need tokens to trade; give each one's balance in whole tokens")
	}
	return t, nil
}

func (t *trader) Setup(env *Env) error { return nil }

func (t *trader) Step(env *Env) ([]*ledger.Command, error) {
	var live []AgentInfo
	for _, a := range env.Agents() {
		if a.Token != "" && !a.Graduated {
			live = append(live, a)
		}
	}
	if len(live) == 0 {
		return nil, nil
	}
	var out []*ledger.Command
	for _, acct := range env.Accounts {
		if !env.Rand.Chance(*t.cfg.Trade) {
			continue
		}
		a := live[env.Rand.Intn(len(live))]
		if env.Rand.Chance(*t.cfg.Sell) {
			if held := env.Balance(acct, a.Token); !held.IsZero() {
				half, _, _ := held.MulDiv(1, 2)
				if half.IsZero() {
					half = held
				}
				out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.Sell{Agent: a.ID, Amount: half}})
				continue
			}
		}
		spend, _, _ := env.NativeBalance(acct).MulDiv(uint64(*t.cfg.Size), uint64(One))
		if !spend.IsZero() {
			out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.Buy{Agent: a.ID, Amount: spend}})
		}
	}
	return out, nil
}
