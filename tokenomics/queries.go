package tokenomics

import (
	"bytes"
	"encoding/binary"
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// Queries: pure functions over committed state. Those that only read keys
// take a ledger.Getter; those that scan take a View, for example
// ledger.NewState(reader) over a host's store.

// SupplyBreakdown is where the native supply sits, and the credits.
type SupplyBreakdown struct {
	Asset   ledger.AssetID `json:"asset"`
	Supply  ledger.Amount  `json:"supply"` // genesis + minted - burned
	Genesis ledger.Amount  `json:"genesis"`
	Minted  ledger.Amount  `json:"minted"`
	Burned  ledger.Amount  `json:"burned"`
	// Circulating is held by user accounts: the supply less every module
	// account (of this module and any other).
	Circulating ledger.Amount `json:"circulating"`
	Staked      ledger.Amount `json:"staked"`
	Unbonding   ledger.Amount `json:"unbonding"`
	Locked      ledger.Amount `json:"locked"`
	Curves      ledger.Amount `json:"curves"` // native raised on live bonding curves
	Treasury    ledger.Amount `json:"treasury"`
	Rewards     ledger.Amount `json:"rewards"`      // staking rewards not yet claimed
	OtherModule ledger.Amount `json:"other_module"` // held by other modules' accounts
	// Credits, in micro-USD.
	CreditsIssued      ledger.Amount `json:"credits_issued"`
	CreditsSpent       ledger.Amount `json:"credits_spent"`
	CreditsOutstanding ledger.Amount `json:"credits_outstanding"`
}

// Supply returns the native supply breakdown.
func Supply(v View, height uint64) (SupplyBreakdown, error) {
	p, err := ParamsAt(v, height)
	if err != nil {
		return SupplyBreakdown{}, err
	}
	rec, _, err := ledger.GetAsset(v, p.NativeAsset)
	if err != nil {
		return SupplyBreakdown{}, err
	}
	s := SupplyBreakdown{Asset: p.NativeAsset, Supply: rec.Supply(), Genesis: rec.Genesis, Minted: rec.Minted, Burned: rec.Burned}
	mine := map[ledger.AccountID]*ledger.Amount{
		StakeAccount: &s.Staked, UnbondingAccount: &s.Unbonding, LockedAccount: &s.Locked,
		CurveAccount: &s.Curves, Treasury: &s.Treasury, RewardsAccount: &s.Rewards,
	}
	for _, a := range ModuleAccounts {
		if *mine[a], err = ledger.BalanceOf(v, a, p.NativeAsset); err != nil {
			return s, err
		}
	}
	modules := new(big.Int)
	v.Scan([]byte("b/"+ledger.ModulePrefix), func(k, val []byte) bool {
		i := bytes.IndexByte(k, 0)
		if i < 0 || ledger.AssetID(k[i+1:]) != p.NativeAsset {
			return true
		}
		var a ledger.Amount
		if a, err = ledger.DecodeAmount(val); err != nil {
			return false
		}
		modules.Add(modules, a.Big())
		if _, ok := mine[ledger.AccountID(k[2:i])]; !ok {
			s.OtherModule, _ = s.OtherModule.Add(a)
		}
		return true
	})
	if err != nil {
		return s, err
	}
	if s.Circulating, err = toAmount(new(big.Int).Sub(s.Supply.Big(), modules), "circulating"); err != nil {
		return s, err
	}
	es, err := getEpochState(v)
	if err != nil {
		return s, err
	}
	s.CreditsIssued, s.CreditsSpent = es.CreditsIssued, es.CreditsSpent
	s.CreditsOutstanding = mustSub(es.CreditsIssued, es.CreditsSpent)
	return s, nil
}

// AccountStake is an account's stake in one pool.
type AccountStake struct {
	Pool      string           `json:"pool"`
	Account   ledger.AccountID `json:"account"`
	Positions []StakePosition  `json:"positions"`
	Pending   ledger.Amount    `json:"pending"` // native rewards claimable now
}

// StakePosition is a position with what it is worth now.
type StakePosition struct {
	Position
	Value ledger.Amount `json:"value"`
}

// StakeOf returns an account's positions and pending rewards in a pool.
func StakeOf(v View, pool string, acct ledger.AccountID) (AccountStake, error) {
	out := AccountStake{Pool: pool, Account: acct, Positions: []StakePosition{}}
	var err error
	prefix := posPrefix(pool, acct)
	v.Scan(prefix, func(k, val []byte) bool {
		pos := Position{Pool: pool, Account: acct, Asset: ledger.AssetID(k[len(prefix):])}
		if err = decodeRecord(val, "position", &pos); err != nil {
			return false
		}
		out.Positions = append(out.Positions, StakePosition{Position: pos})
		return true
	})
	if err != nil {
		return out, err
	}
	for i := range out.Positions {
		pa, err := getPoolAsset(v, pool, out.Positions[i].Asset)
		if err != nil {
			return out, err
		}
		out.Positions[i].Value = StakeValue(&out.Positions[i].Position, &pa)
	}
	out.Pending, err = pending(v, pool, acct)
	return out, err
}

// PoolInfo is a pool with its asset totals.
type PoolInfo struct {
	Pool
	Assets []PoolAsset `json:"assets"`
}

// PoolOf returns a pool's record and totals.
func PoolOf(v View, pool string) (PoolInfo, error) {
	pl, err := getPool(v, pool)
	// The caller's own copies: over a State, the pool shares them with
	// the record the State keeps decoded.
	pl.Acc, pl.Frac = natOf(new(big.Int).Set(pl.Acc.Int)), natOf(new(big.Int).Set(pl.Frac.Int))
	out := PoolInfo{Pool: pl, Assets: []PoolAsset{}}
	if err != nil {
		return out, err
	}
	prefix := poolAssetPrefix(pool)
	v.Scan(prefix, func(k, val []byte) bool {
		pa := PoolAsset{Asset: ledger.AssetID(k[len(prefix):])}
		if err = decodeRecord(val, "pool asset", &pa); err != nil {
			return false
		}
		out.Assets = append(out.Assets, pa)
		return true
	})
	return out, err
}

// UnbondingOf lists an account's unbonding entries by ID.
func UnbondingOf(v View, acct ledger.AccountID) ([]Unbonding, error) {
	out := []Unbonding{}
	var err error
	v.Scan(unbondPrefix(acct), func(k, val []byte) bool {
		u := Unbonding{Account: acct, ID: binary.BigEndian.Uint64(k[len(k)-8:])}
		if err = decodeRecord(val, "unbonding", &u); err != nil {
			return false
		}
		out = append(out, u)
		return true
	})
	return out, err
}

// Locks lists the locks of an account (every lock if acct is empty), by ID.
func Locks(v View, acct ledger.AccountID) ([]Lock, error) {
	out := []Lock{}
	var err error
	v.Scan(lockPrefix, func(k, val []byte) bool {
		l := Lock{ID: binary.BigEndian.Uint64(k[len(k)-8:])}
		if err = decodeRecord(val, "lock", &l); err != nil {
			return false
		}
		if acct == "" || l.Owner == acct {
			out = append(out, l)
		}
		return true
	})
	return out, err
}

// Report returns the report of a closed epoch.
func Report(g ledger.Getter, epoch uint64) (EpochReport, bool, error) {
	var r EpochReport
	ok, err := load(g, reportKey(epoch), "epoch report", &r)
	return r, ok, err
}

// Reports lists every epoch report, oldest first.
func Reports(v View) ([]EpochReport, error) {
	var out []EpochReport
	var err error
	v.Scan(reportPrefix, func(_, val []byte) bool {
		var r EpochReport
		if err = decodeRecord(val, "epoch report", &r); err != nil {
			return false
		}
		out = append(out, r)
		return true
	})
	return out, err
}

// EpochWeights are the credits served so far in the open epoch.
type EpochWeights struct {
	Providers []Weight `json:"providers"`
	Mining    []Weight `json:"mining"`
	Creators  []Weight `json:"creators"`
}

// OpenEpochWeights lists the weights of the open epoch, by recipient.
func OpenEpochWeights(v View) (EpochWeights, error) {
	var out EpochWeights
	var err error
	for _, x := range []struct {
		basis string
		dst   *[]Weight
	}{{weightProviders, &out.Providers}, {weightMining, &out.Mining}, {weightCreators, &out.Creators}} {
		prefix := weightPrefix(x.basis)
		*x.dst = []Weight{}
		v.Scan(prefix, func(k, val []byte) bool {
			var a ledger.Amount
			if a, err = ledger.DecodeAmount(val); err != nil {
				return false
			}
			*x.dst = append(*x.dst, Weight{Recipient: string(k[len(prefix):]), Credits: a})
			return true
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
