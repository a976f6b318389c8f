package tokenomics

import (
	"encoding/binary"

	"github.com/coopera/coopera/ledger"
)

// Governance stake. Voting power comes from stake in the protocol pool
// (white paper: governance power comes from staking). Governance reads it
// at a past height (its snapshot), so every change of an account's
// protocol-pool units is checkpointed with the block height, the time
// since which the account has staked without interruption, and the pool's
// total units:
//
//	tk/gs/<account>\x00<^height>   units, since
//	tk/gt/<^height>                total units
//
// Heights are stored inverted (^height, big-endian), so a scan of the
// prefix meets the newest checkpoint first and stops at the first one at
// or below the height asked for. Units are the pool's reward weights (the
// stake weighted by asset at staking time); slashing scales every
// position alike, so it changes no one's share of the total.

func govStakeKey(acct ledger.AccountID, height uint64) []byte {
	k := append(append([]byte("tk/gs/"), acct...), 0)
	return binary.BigEndian.AppendUint64(k, ^height)
}

func govStakePrefix(acct ledger.AccountID) []byte {
	return append(append([]byte("tk/gs/"), acct...), 0)
}

func govTotalKey(height uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("tk/gt/"), ^height)
}

// StakeCheckpointed records an account's protocol-pool units after a
// change, for governance snapshots.
type StakeCheckpointed struct {
	Account ledger.AccountID `json:"account"`
	Height  uint64           `json:"height"`
	Units   ledger.Amount    `json:"units"`
	Since   int64            `json:"since"` // Unix ns; 0 when Units is zero
	Total   ledger.Amount    `json:"total"`
}

func (*StakeCheckpointed) EventType() string              { return "stake_checkpointed" }
func (*StakeCheckpointed) EventVersion() uint16           { return 1 }
func (e *StakeCheckpointed) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Account} }
func (e *StakeCheckpointed) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Account))
	enc.Uint(e.Height)
	enc.Amount(e.Units)
	enc.Int(e.Since)
	enc.Amount(e.Total)
}
func (e *StakeCheckpointed) Decode(d *ledger.Decoder) {
	e.Account, e.Height, e.Units, e.Since, e.Total = ledger.AccountID(d.String()), d.Uint(), d.Amount(), d.Int(), d.Amount()
}

func evolveStakeCheckpointed(st *ledger.State, e *StakeCheckpointed) error {
	enc := ledger.NewEncoder(nil)
	enc.Amount(e.Units)
	enc.Int(e.Since)
	st.Set(govStakeKey(e.Account, e.Height), enc.Bytes())
	st.Set(govTotalKey(e.Height), ledger.EncodeAmount(e.Total))
	return nil
}

// checkpointStake records acct's protocol-pool units after a change in the
// block being decided.
func checkpointStake(ctx *ledger.Context, acct ledger.AccountID) error {
	var units ledger.Amount
	var err error
	prefix := posPrefix(ProtocolPool, acct)
	ctx.Scan(prefix, func(k, v []byte) bool {
		var u ledger.Amount
		if u, err = positionUnits(v); err != nil {
			return false
		}
		units, _ = units.Add(u)
		return true
	})
	if err != nil {
		return err
	}
	pl, err := getPool(ctx, ProtocolPool)
	if err != nil {
		return err
	}
	prev, since, err := ProtocolStakeAt(ctxView{ctx}, acct, ctx.Height)
	if err != nil {
		return err
	}
	switch {
	case units.IsZero():
		since = 0
	case prev.IsZero():
		since = ctx.Time
	case units.Cmp(prev) > 0 && ctx.Time > since:
		// Units added now are new: the stake's age is the units'
		// average, so topping up an old dust stake does not age the
		// new units (the staker keeps the rounding, under 1 ns).
		added, _ := units.Sub(prev)
		moved, ok := ledger.MulDiv(ledger.NewAmount(uint64(ctx.Time-since)), added, units, false)
		if !ok {
			return ledger.Errorf(ledger.ErrInvariant, "stake age of %s: %d ns x %s / %s", acct, ctx.Time-since, added, units)
		}
		m, _ := moved.Uint64() // at most ctx.Time - since
		since += int64(m)
	}
	return ctx.Emit(&StakeCheckpointed{Account: acct, Height: ctx.Height, Units: units, Since: since, Total: pl.Units})
}

type ctxView struct{ ctx *ledger.Context }

func (c ctxView) Get(k []byte) ([]byte, bool)              { return c.ctx.Get(k) }
func (c ctxView) Scan(p []byte, fn func(k, v []byte) bool) { c.ctx.Scan(p, fn) }

// ProtocolStakeAt returns acct's protocol-pool units as of the end of
// block height, and the block time since which it has staked without
// interruption (0 if it has no stake). Governance uses it as its stake
// source.
func ProtocolStakeAt(v View, acct ledger.AccountID, height uint64) (ledger.Amount, int64, error) {
	var units ledger.Amount
	var since int64
	var err error
	prefix := govStakePrefix(acct)
	n := len(prefix)
	scanView(v, prefix, func(k, val []byte) bool {
		if len(k) != n+8 {
			return true // another account whose ID extends this one
		}
		if h := ^binary.BigEndian.Uint64(k[n:]); h > height {
			return true
		}
		d := ledger.NewDecoder(val, "stake checkpoint")
		units, since = d.Amount(), d.Int()
		err = d.Finish()
		return false
	})
	return units, since, err
}

// ProtocolTotalAt returns the protocol pool's total units as of the end of
// block height.
func ProtocolTotalAt(v View, height uint64) (ledger.Amount, error) {
	var total ledger.Amount
	var err error
	v.Scan([]byte("tk/gt/"), func(k, val []byte) bool {
		if h := ^binary.BigEndian.Uint64(k[len("tk/gt/"):]); h > height {
			return true
		}
		total, err = ledger.DecodeAmount(val)
		return false
	})
	return total, err
}
