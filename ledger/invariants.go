package ledger

import (
	"bytes"
	"math/big"
	"slices"
)

// Invariants of the accounts module, as cheap functions:
//
//   - conservation: for every asset, the sum of all balances (user and
//     module accounts alike) equals Genesis + Minted - Burned;
//   - canonical balances: every stored balance decodes and is non-zero
//     (a zero balance is an absent key), so no balance is ever negative.
//
// CheckChanges checks a block's net changes in time proportional to the
// keys the block touched; CheckState scans a whole state. Hosts run the
// first at every block boundary when invariant checking is on (Options of
// the engine, or the `invariants` build tag), tests run both.

// CheckChanges verifies that, per asset, the block's balance deltas sum to
// its supply delta.
func CheckChanges(changes []Change) error {
	balance := map[AssetID]*big.Int{}
	supply := map[AssetID]*big.Int{}
	add := func(m map[AssetID]*big.Int, asset AssetID, v *big.Int, sign int) {
		acc, ok := m[asset]
		if !ok {
			acc = new(big.Int)
			m[asset] = acc
		}
		if sign > 0 {
			acc.Add(acc, v)
		} else {
			acc.Sub(acc, v)
		}
	}
	for _, c := range changes {
		switch {
		case bytes.HasPrefix(c.Key, []byte("b/")):
			i := bytes.IndexByte(c.Key, 0)
			if i < 0 {
				return Errorf(ErrInvariant, "balance key %q has no asset", c.Key)
			}
			asset := AssetID(c.Key[i+1:])
			for _, side := range []struct {
				v    []byte
				ok   bool
				sign int
			}{{c.Old, c.OldOK, -1}, {c.New, c.NewOK, 1}} {
				if !side.ok {
					continue
				}
				a, err := DecodeAmount(side.v)
				if err != nil || a.IsZero() {
					return Errorf(ErrInvariant, "balance %q is not a canonical non-zero amount", c.Key)
				}
				add(balance, asset, a.Big(), side.sign)
			}
		case bytes.HasPrefix(c.Key, []byte("t/")):
			asset := AssetID(c.Key[2:])
			for _, side := range []struct {
				v    []byte
				ok   bool
				sign int
			}{{c.Old, c.OldOK, -1}, {c.New, c.NewOK, 1}} {
				if !side.ok {
					continue
				}
				rec, _, err := GetAsset(single{c.Key, side.v}, asset)
				if err != nil {
					return Errorf(ErrInvariant, "asset record %s: %v", asset, err)
				}
				s, ok := supplyOf(&rec)
				if !ok {
					return Errorf(ErrInvariant, "asset %s has burned more than it ever had", asset)
				}
				add(supply, asset, s, side.sign)
			}
		}
	}
	for _, asset := range sortedAssets(balance, supply) {
		b, s := balance[asset], supply[asset]
		if b == nil {
			b = new(big.Int)
		}
		if s == nil {
			s = new(big.Int)
		}
		if b.Cmp(s) != 0 {
			return Errorf(ErrInvariant, "asset %s: balances changed by %s but supply by %s", asset, b, s)
		}
	}
	return nil
}

func supplyOf(a *Asset) (*big.Int, bool) {
	s := new(big.Int).Add(a.Genesis.Big(), a.Minted.Big())
	s.Sub(s, a.Burned.Big())
	return s, s.Sign() >= 0
}

type single struct{ k, v []byte }

func (s single) Get(key []byte) ([]byte, bool) {
	if bytes.Equal(key, s.k) {
		return s.v, true
	}
	return nil, false
}

func sortedAssets(ms ...map[AssetID]*big.Int) []AssetID {
	seen := map[AssetID]bool{}
	var out []AssetID
	for _, m := range ms {
		for a := range m { // order-free: the keys are sorted below
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}

// CheckState scans a whole state and verifies conservation and canonical
// balances for every asset. Its cost grows with the state.
func CheckState(r Reader) error {
	sums := map[AssetID]*big.Int{}
	var bad error
	err := r.Scan([]byte("b/"), func(k, v []byte) bool {
		i := bytes.IndexByte(k, 0)
		a, err := DecodeAmount(v)
		if i < 0 || err != nil || a.IsZero() {
			bad = Errorf(ErrInvariant, "balance %q is not a canonical non-zero amount", k)
			return false
		}
		asset := AssetID(k[i+1:])
		if sums[asset] == nil {
			sums[asset] = new(big.Int)
		}
		sums[asset].Add(sums[asset], a.Big())
		return true
	})
	if err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	err = r.Scan([]byte("t/"), func(k, v []byte) bool {
		asset := AssetID(k[2:])
		rec, _, err := GetAsset(single{k, v}, asset)
		if err != nil {
			bad = Errorf(ErrInvariant, "asset record %s: %v", asset, err)
			return false
		}
		s, ok := supplyOf(&rec)
		sum := sums[asset]
		if sum == nil {
			sum = new(big.Int)
		}
		if !ok || s.Cmp(sum) != 0 {
			bad = Errorf(ErrInvariant, "asset %s: balances sum to %s but supply is %s (genesis %s + minted %s - burned %s)", asset, sum, s, rec.Genesis, rec.Minted, rec.Burned)
			return false
		}
		delete(sums, asset)
		return true
	})
	if err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	for _, asset := range sortedAssets(sums) {
		return Errorf(ErrInvariant, "balances exist in %s, which has no asset record", asset)
	}
	return nil
}
