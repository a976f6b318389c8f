package agents

import (
	"slices"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// The staker behaviour: holders who stake in the protocol pool while it
// yields more than they ask, and unstake when it yields less.
//
//	stakers:
//	  behaviour: staker
//	  count: 200
//	  balance: 10000       # whole tokens each
//	  initial: 0.5         # share of the balance staked in the first epoch
//	  target_apr: 0.08     # the yield each asks, a year
//	  target_spread: 0.5   # each staker's target is drawn once in target x [1-s, 1+s]
//	  step: 0.1            # share of the liquid (or staked) balance moved per epoch
//	  compound: true       # restake rewards (false: claim them)
//	  claim_every: 7       # epochs between restakes or claims
//
// The yield is the pool's reward over the last epoch, annualised, per unit
// staked (Env.StakingAPR). Rewards are claimed (or restaked) every
// claim_every epochs, unless the staker staked or unstaked that epoch,
// which settles them anyway. Unstaked tokens wait out the unbonding period,
// then the staker withdraws them.
type staker struct {
	cfg    stakerConfig
	target []Dec
	unbond [][]unbondingEntry
	idx    map[ledger.AccountID]int
}

type unbondingEntry struct {
	id      uint64
	release uint64
}

type stakerConfig struct {
	Initial      *Dec `yaml:"initial"`
	TargetAPR    Dec  `yaml:"target_apr"`
	TargetSpread Dec  `yaml:"target_spread"`
	Band         *Dec `yaml:"band"`
	Step         *Dec `yaml:"step"`
	Compound     bool `yaml:"compound"`
	ClaimEvery   int  `yaml:"claim_every"`
}

func init() { Register("staker", newStaker) }

func newStaker(spec *Spec) (Behaviour, error) {
	s := &staker{}
	if err := spec.Decode(&s.cfg); err != nil {
		return nil, err
	}
	c := &s.cfg
	if c.Initial == nil {
		half := One / 2
		c.Initial = &half
	}
	if c.Band == nil {
		tenth := One / 10
		c.Band = &tenth
	}
	if c.Step == nil {
		tenth := One / 10
		c.Step = &tenth
	}
	for _, f := range []struct {
		name string
		v    Dec
	}{{"initial", *c.Initial}, {"step", *c.Step}, {"band", *c.Band}, {"target_spread", c.TargetSpread}} {
		if f.v < 0 || f.v > One {
			spec.Invalid(f.name, "%s; give 0 to 1", f.v)
		}
	}
	if c.TargetAPR < 0 {
		spec.Invalid("target_apr", "%s; a yield target cannot be negative", c.TargetAPR)
	}
	if c.ClaimEvery == 0 {
		c.ClaimEvery = 7
	}
	if c.ClaimEvery < 0 {
		spec.Invalid("claim_every", "%d; give epochs, at least 1", c.ClaimEvery)
	}
	if spec.Balance.IsZero() && spec.Count > 0 {
		spec.Invalid("balance", "stakers need tokens to stake; give each one's balance in whole tokens")
	}
	return s, nil
}

func (s *staker) Setup(env *Env) error {
	n := len(env.Accounts)
	s.target, s.unbond = make([]Dec, n), make([][]unbondingEntry, n)
	s.idx = make(map[ledger.AccountID]int, n)
	for i, a := range env.Accounts {
		s.idx[a] = i
	}
	for i := range n {
		f := One
		if s.cfg.TargetSpread > 0 {
			f += s.cfg.TargetSpread.MulDec(2*env.Rand.Unit() - One)
		}
		s.target[i] = s.cfg.TargetAPR.MulDec(f)
	}
	return nil
}

func (s *staker) Step(env *Env) ([]*ledger.Command, error) {
	var out []*ledger.Command
	chainEpoch := uint64(env.Epoch)
	for i, acct := range env.Accounts {
		// Withdraw what has unbonded. An entry is forgotten only when
		// its withdrawal was applied (Observe); a refused one is retried.
		for _, u := range s.unbond[i] {
			if u.release <= chainEpoch {
				out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.WithdrawUnbonded{ID: u.id}})
			}
		}

		liquid := env.NativeBalance(acct)
		before := len(out)
		switch {
		case env.Epoch == 0:
			out = appendStake(out, env, acct, liquid, *s.cfg.Initial)
		case env.StakingAPR > (One + *s.cfg.Band).MulDec(s.target[i]):
			out = appendStake(out, env, acct, liquid, *s.cfg.Step)
		case env.StakingAPR < (One - *s.cfg.Band).MulDec(s.target[i]):
			st, err := tokenomics.StakeOf(env, tokenomics.ProtocolPool, acct)
			if err != nil {
				return nil, err
			}
			for _, pos := range st.Positions {
				if pos.Asset != env.Native {
					continue
				}
				if amount, _, _ := pos.Value.MulDiv(uint64(*s.cfg.Step), uint64(One)); !amount.IsZero() {
					out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.Unstake{Pool: tokenomics.ProtocolPool, Asset: env.Native, Amount: amount}})
				}
			}
		}
		// A stake or unstake settles pending rewards itself; claim or
		// restake only in an epoch without one.
		if env.Epoch > 0 && env.Epoch%s.cfg.ClaimEvery == 0 && len(out) == before {
			st, err := tokenomics.StakeOf(env, tokenomics.ProtocolPool, acct)
			if err != nil {
				return nil, err
			}
			if !st.Pending.IsZero() {
				if s.cfg.Compound {
					out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.Restake{Pool: tokenomics.ProtocolPool}})
				} else {
					out = append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.ClaimRewards{Pool: tokenomics.ProtocolPool}})
				}
			}
		}
	}
	return out, nil
}

func appendStake(out []*ledger.Command, env *Env, acct ledger.AccountID, liquid ledger.Amount, share Dec) []*ledger.Command {
	amount, _, _ := liquid.MulDiv(uint64(share), uint64(One))
	if amount.IsZero() {
		return out
	}
	return append(out, &ledger.Command{Actor: acct, Payload: &tokenomics.Stake{Pool: tokenomics.ProtocolPool, Asset: env.Native, Amount: amount}})
}

// Observe records the unbonding entries the stakers' applied unstakes
// opened (stake_removed events) and forgets those whose withdrawal was
// applied.
func (s *staker) Observe(env *Env, outcomes []Outcome) error {
	for _, o := range outcomes {
		if o.Result.Code != "" {
			continue
		}
		if w, ok := o.Command.Payload.(*tokenomics.WithdrawUnbonded); ok {
			if i, ok := s.idx[o.Command.Actor]; ok {
				s.unbond[i] = slices.DeleteFunc(s.unbond[i], func(u unbondingEntry) bool { return u.id == w.ID })
			}
		}
		for _, ev := range o.Events {
			if e, ok := ev.(*tokenomics.StakeRemoved); ok && e.ID != 0 {
				if i, ok := s.idx[e.Account]; ok {
					s.unbond[i] = append(s.unbond[i], unbondingEntry{id: e.ID, release: e.Release})
				}
			}
		}
	}
	return nil
}

func (s *staker) Metrics() []MetricInfo {
	return []MetricInfo{{"unbonding", UnitCount, "unbonding entries waiting: opened by applied unstakes, not yet withdrawn by an applied withdrawal"}}
}

func (s *staker) Measure(env *Env, dst []int64) {
	n := 0
	for _, u := range s.unbond {
		n += len(u)
	}
	dst[0] = int64(n)
}
