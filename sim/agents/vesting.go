package agents

import (
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/scenario"
)

// The vesting behaviour: an allocation bucket (team, investors, ecosystem,
// community...) whose tokens are locked at genesis in an escrow of their
// own and unlock to the bucket's holders on a schedule; the holders sell
// part of what unlocks.
//
//	team:
//	  behaviour: vesting
//	  count: 10                # holders; the allocation is split evenly
//	  allocation: 150000000    # whole tokens, locked at genesis
//	  tge: 0.1                 # share unlocked at epoch 0 (default 0)
//	  cliff: 12                # epochs before the first unlock after tge
//	  duration: 48             # epochs over which the rest vests linearly,
//	                           # counted from epoch 0: at the cliff the
//	                           # share accrued so far unlocks at once
//	  schedule:                # or a custom schedule instead of cliff and
//	    - {at: 6, share: 0.25} # duration: the cumulative share unlocked
//	    - {at: 18, share: 1}   # from epoch at (steps; the last reaches 1)
//	  sell: 0.3                # share of each unlock its holder sells to
//	                           # the market in the next epoch (default 0)
//
// The unlocked share at epoch t is tge + (1 - tge) min(t, duration) /
// duration once t >= cliff (tge before), or the schedule's last step at
// or before t. Each epoch the operator releases (sim_release, a control
// module command) to each holder what the schedule has unlocked less what
// earlier releases the reducers applied paid; a holder sells sell of what
// the releases applied last epoch paid it. The escrow is a module account,
// so locked tokens are never circulating supply.
type vesting struct {
	cfg      vestingConfig
	per      []ledger.Amount // each holder's allocation
	released []ledger.Amount // paid to each holder by applied releases
	toSell   []ledger.Amount // to sell this epoch: sell x last epoch's releases
	idx      map[ledger.AccountID]int
	unlocked ledger.Amount // the epoch's applied releases, for the metric
	sold     ledger.Amount // the epoch's applied sales, for the metric
	escrow   ledger.AccountID
}

type vestingConfig struct {
	Allocation Tokens        `yaml:"allocation"`
	TGE        Dec           `yaml:"tge"`
	Cliff      int           `yaml:"cliff"`
	Duration   int           `yaml:"duration"`
	Schedule   []VestingStep `yaml:"schedule"`
	Sell       Dec           `yaml:"sell"`
}

// VestingStep is a step of a custom vesting schedule: from epoch At,
// Share of the allocation (cumulative) is unlocked.
type VestingStep struct {
	At    int `yaml:"at"`
	Share Dec `yaml:"share"`
}

func init() { Register("vesting", newVesting) }

func newVesting(spec *Spec) (Behaviour, error) {
	v := &vesting{}
	if err := spec.Decode(&v.cfg); err != nil {
		return nil, err
	}
	c := &v.cfg
	total := spec.Units(c.Allocation, "allocation")
	if total.IsZero() {
		spec.Invalid("allocation", "is missing; give the bucket's tokens in whole tokens")
	}
	if spec.Count < 1 {
		spec.Invalid("count", "%d; a bucket needs at least one holder", spec.Count)
	}
	if c.TGE < 0 || c.TGE > One {
		spec.Invalid("tge", "%s; give the share unlocked at epoch 0, 0 to 1", c.TGE)
	}
	if c.Sell < 0 || c.Sell > One {
		spec.Invalid("sell", "%s; give the share of each unlock sold, 0 to 1", c.Sell)
	}
	if len(c.Schedule) > 0 {
		if c.Cliff != 0 || c.Duration != 0 || c.TGE != 0 {
			spec.Invalid("schedule", "give either a schedule or tge, cliff and duration")
		}
		prevAt, prevShare := -1, Dec(0)
		for i, st := range c.Schedule {
			if st.At <= prevAt {
				spec.Invalid(sprintf("schedule[%d].at", i), "%d; steps must be in increasing epochs", st.At)
			}
			if st.Share < prevShare || st.Share > One {
				spec.Invalid(sprintf("schedule[%d].share", i), "%s; the cumulative share must not fall and is at most 1", st.Share)
			}
			prevAt, prevShare = st.At, st.Share
		}
	} else {
		if c.Cliff < 0 {
			spec.Invalid("cliff", "%d; give epochs, 0 for none", c.Cliff)
		}
		if c.Duration < 0 || c.Duration > 0 && c.Duration < c.Cliff {
			spec.Invalid("duration", "%d; give the vesting epochs, at least the cliff %d (0: all at the cliff)", c.Duration, c.Cliff)
		}
	}
	v.escrow = spec.Escrow(total)
	return v, nil
}

func (v *vesting) Setup(env *Env) error {
	n := len(env.Accounts)
	v.per, v.released, v.toSell = make([]ledger.Amount, n), make([]ledger.Amount, n), make([]ledger.Amount, n)
	v.idx = make(map[ledger.AccountID]int, n)
	total, _ := v.cfg.Allocation.Units(env.Decimals)
	each, _, _ := total.MulDiv(1, uint64(max(n, 1)))
	for i, a := range env.Accounts {
		v.idx[a] = i
		v.per[i] = each
	}
	if n > 0 {
		// The remainder of the even split goes to the first holder.
		spread, _, _ := each.MulDiv(uint64(n), 1)
		rest, _ := total.Sub(spread)
		v.per[0], _ = v.per[0].Add(rest)
	}
	return nil
}

// share returns the cumulative share unlocked at epoch t.
func (v *vesting) share(t int) Dec {
	c := &v.cfg
	if len(c.Schedule) > 0 {
		s := Dec(0)
		for _, st := range c.Schedule {
			if st.At <= t {
				s = st.Share
			}
		}
		return s
	}
	if t < c.Cliff {
		return c.TGE
	}
	if c.Duration == 0 {
		return One
	}
	rest := One - c.TGE
	return c.TGE + Dec(scenario.MulDivSat(int64(rest), int64(min(t, c.Duration)), int64(c.Duration)))
}

func (v *vesting) Step(env *Env) ([]*ledger.Command, error) {
	v.unlocked, v.sold = ledger.Amount{}, ledger.Amount{}
	var out []*ledger.Command
	share := v.share(env.Epoch)
	for i, acct := range env.Accounts {
		if !v.toSell[i].IsZero() {
			if cmd := env.Sell(acct, v.toSell[i]); cmd != nil {
				out = append(out, cmd)
			}
			v.toSell[i] = ledger.Amount{}
		}
		due, _, _ := v.per[i].MulDiv(uint64(share), uint64(One))
		if due.Cmp(v.released[i]) <= 0 {
			continue
		}
		amt, _ := due.Sub(v.released[i])
		if cmd := env.Release(acct, amt); cmd != nil {
			out = append(out, cmd)
		}
	}
	return out, nil
}

// Observe counts what the reducers did: the releases applied (their
// transferred events out of the escrow) and the sales applied.
func (v *vesting) Observe(env *Env, outcomes []Outcome) error {
	for _, o := range outcomes {
		if o.Result.Code != "" {
			continue
		}
		for _, ev := range o.Events {
			e, ok := ev.(*ledger.Transferred)
			if !ok || e.Asset != env.Native {
				continue
			}
			switch {
			case e.From == v.escrow:
				if i, ok := v.idx[e.To]; ok {
					v.released[i], _ = v.released[i].Add(e.Amount)
					v.unlocked, _ = v.unlocked.Add(e.Amount)
					if v.cfg.Sell > 0 {
						s, _, _ := e.Amount.MulDiv(uint64(v.cfg.Sell), uint64(One))
						v.toSell[i], _ = v.toSell[i].Add(s)
					}
				}
			case e.To == ExchangeAccount:
				if _, ok := v.idx[e.From]; ok {
					v.sold, _ = v.sold.Add(e.Amount)
				}
			}
		}
	}
	return nil
}

func (v *vesting) Metrics() []MetricInfo {
	return []MetricInfo{
		{"locked", UnitTokens, "the bucket's tokens still locked in its escrow at the epoch's end"},
		{"unlocked", UnitTokens, "released to the bucket's holders so far (applied sim_release)"},
		{"released", UnitTokens, "released to the holders in the epoch (applied sim_release)"},
		{"sold", UnitTokens, "sold to the market by the holders in the epoch (applied transfers to the exchange): the unlock's sell pressure"},
	}
}

func (v *vesting) Measure(env *Env, dst []int64) {
	var total ledger.Amount
	for _, r := range v.released {
		total, _ = total.Add(r)
	}
	dst[0] = amt(env.Balance(v.escrow, env.Native))
	dst[1], dst[2], dst[3] = amt(total), amt(v.unlocked), amt(v.sold)
}
