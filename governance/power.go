package governance

import (
	"github.com/coopera/coopera/ledger"
)

// StakeSource tells governance how much each account had staked. It is
// declared here, by its consumer, so that governance does not import the
// staking module: the staking module (or a test module) implements it and
// is given to New. Both methods read the state after block height, which
// is always a committed block before the one deciding, so their answers
// never change.
type StakeSource interface {
	// StakeAt returns acct's stake after block height and the block time
	// (Unix ns) since which it has been staked without interruption.
	StakeAt(g Scanner, acct ledger.AccountID, height uint64) (stake ledger.Amount, stakedSince int64, err error)
	// TotalStakeAt returns all stake after block height.
	TotalStakeAt(g Scanner, height uint64) (ledger.Amount, error)
}

// Voting power is stake scaled by two bounded bonuses, in integer basis
// points:
//
//	power = floor(stake * (10000 + duration_bps + participation_bps) / 10000)
//
//	duration_bps      = floor(duration_bonus_max_bps * min(age, duration_bonus_full) / duration_bonus_full)
//	age               = proposal creation time - stakedSince (0 if negative)
//	participation_bps = floor(participation_bonus_max_bps * voted / participation_window)
//	voted             = how many of the participation_window proposals before
//	                    this one the account voted on itself, by the snapshot
//
// With the defaults a stake held for a year or more earns +100% and voting
// on each of the last 10 proposals +50%: power is at most 2.5 x stake.
// Every input is read at the proposal's snapshot (stake, stakedSince, past
// votes) or fixed on it (creation time, parameters), so an account's power
// on a proposal is the same whenever it is computed, and tokens staked
// after the snapshot never count. Rounding is down (the voter never gains
// from it).

// PowerInputs are the parameters of the power formula, copied from the
// module parameters onto each proposal when it is created.
type PowerInputs struct {
	DurationBonusMaxBps      uint32          `json:"duration_bonus_max_bps"`
	DurationBonusFull        ledger.Duration `json:"duration_bonus_full"`
	ParticipationBonusMaxBps uint32          `json:"participation_bonus_max_bps"`
	ParticipationWindow      uint32          `json:"participation_window"`
}

func (in *PowerInputs) encode(e *ledger.Encoder) {
	e.Uint(uint64(in.DurationBonusMaxBps))
	e.Int(int64(in.DurationBonusFull))
	e.Uint(uint64(in.ParticipationBonusMaxBps))
	e.Uint(uint64(in.ParticipationWindow))
}

func (in *PowerInputs) decode(d *ledger.Decoder) {
	in.DurationBonusMaxBps = decodeU32(d)
	in.DurationBonusFull = ledger.Duration(d.Int())
	in.ParticipationBonusMaxBps = decodeU32(d)
	in.ParticipationWindow = decodeU32(d)
}

func powerInputs(p *Params) PowerInputs {
	return PowerInputs{p.DurationBonusMaxBps, p.DurationBonusFull, p.ParticipationBonusMaxBps, p.ParticipationWindow}
}

// MultiplierBps returns 10000 plus both bonuses.
func (in PowerInputs) MultiplierBps(age int64, voted uint32) uint64 {
	m := uint64(BpsDenominator)
	if age > 0 && in.DurationBonusFull > 0 {
		full := int64(in.DurationBonusFull)
		a := min(age, full)
		q, _, _ := ledger.NewAmount(uint64(in.DurationBonusMaxBps)).MulDiv(uint64(a), uint64(full))
		d, _ := q.Uint64()
		m += d
	}
	if in.ParticipationWindow > 0 {
		m += uint64(in.ParticipationBonusMaxBps) * uint64(min(voted, in.ParticipationWindow)) / uint64(in.ParticipationWindow)
	}
	return m
}

// Power applies the multiplier to stake, rounding down.
func Power(stake ledger.Amount, multiplierBps uint64) ledger.Amount {
	p, _, ok := stake.MulDiv(multiplierBps, BpsDenominator)
	if !ok {
		return ledger.MaxAmount
	}
	return p
}

// powerCalc computes voting power on one proposal.
type powerCalc struct {
	g      Scanner
	stakes StakeSource
	p      *Proposal
}

// of returns acct's own stake and power on the proposal.
func (c *powerCalc) of(acct ledger.AccountID) (stake, power ledger.Amount, err error) {
	stake, since, err := c.stakes.StakeAt(c.g, acct, c.p.SnapshotHeight)
	if err != nil || stake.IsZero() {
		return ledger.Amount{}, ledger.Amount{}, err
	}
	voted, err := c.participation(acct)
	if err != nil {
		return ledger.Amount{}, ledger.Amount{}, err
	}
	return stake, Power(stake, c.p.PowerInputs.MultiplierBps(c.p.Created-since, voted)), nil
}

// participation counts the proposals among the window before this one on
// which acct voted itself at or before the snapshot.
func (c *powerCalc) participation(acct ledger.AccountID) (uint32, error) {
	var n uint32
	lo := uint64(1)
	if c.p.ID > uint64(c.p.PowerInputs.ParticipationWindow) {
		lo = c.p.ID - uint64(c.p.PowerInputs.ParticipationWindow)
	}
	for id := lo; id < c.p.ID; id++ {
		v, ok, err := GetVote(c.g, id, acct)
		if err != nil {
			return 0, err
		}
		if ok && v.Height <= c.p.SnapshotHeight {
			n++
		}
	}
	return n, nil
}
