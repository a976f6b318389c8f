package contribution_test

import (
	"math/big"
	"slices"
)

// refNet is an independent model of the chain's epoch for the tests: the
// formulas of run_epoch.rs in exact rational arithmetic on dense
// matrices, with the chain's one deliberate rounding kept (bonds stored
// as u16, each column max-upscaled to 65535 and floored). Intermediate
// values are exact, so it differs from the chain's 32.32 only by the
// chain's own rounding (far below 1e-6).
type refNet struct {
	kappa, alpha *big.Rat
	bonds        [][]uint64 // stored, [validator][provider]
}

type refOut struct {
	consensus, incentive []*big.Rat
	dividend             []*big.Rat
}

func rat(a, b int64) *big.Rat { return big.NewRat(a, b) }

func newRefNet(nv, np int) *refNet {
	r := &refNet{kappa: rat(32767, 65535), alpha: rat(1, 10), bonds: make([][]uint64, nv)}
	for i := range r.bonds {
		r.bonds[i] = make([]uint64, np)
	}
	return r
}

// epoch runs one epoch: stakes, activity, raw weights [validator][provider].
func (r *refNet) epoch(stake []int64, active []bool, w [][]int64) refOut {
	nv, np := len(stake), len(w[0])
	zero := func() *big.Rat { return new(big.Rat) }
	A := make([]*big.Rat, nv)
	sumA := zero()
	for i := range nv {
		A[i] = zero()
		if active[i] {
			A[i].SetInt64(stake[i])
		}
		sumA.Add(sumA, A[i])
	}
	for i := range nv {
		if sumA.Sign() > 0 {
			A[i].Quo(A[i], sumA)
		}
	}
	W := make([][]*big.Rat, nv)
	for i := range nv {
		var s int64
		for _, x := range w[i] {
			s += x
		}
		W[i] = make([]*big.Rat, np)
		for j := range np {
			W[i][j] = zero()
			if s > 0 {
				W[i][j].SetFrac64(w[i][j], s)
			}
		}
	}
	out := refOut{consensus: make([]*big.Rat, np), incentive: make([]*big.Rat, np), dividend: make([]*big.Rat, nv)}
	minority := new(big.Rat).Sub(rat(1, 1), r.kappa)
	for j := range np {
		type cell struct{ w, s *big.Rat }
		var col []cell
		for i := range nv {
			if A[i].Sign() > 0 {
				col = append(col, cell{W[i][j], A[i]})
			}
		}
		slices.SortFunc(col, func(a, b cell) int { return a.w.Cmp(b.w) })
		out.consensus[j] = zero()
		acc := zero()
		for k, c := range col {
			acc.Add(acc, c.s)
			if (k+1 == len(col) || col[k+1].w.Cmp(c.w) != 0) && acc.Cmp(minority) > 0 {
				out.consensus[j] = c.w
				break
			}
			if k+1 == len(col) {
				out.consensus[j] = c.w
			}
		}
	}
	rank := make([]*big.Rat, np)
	sumR := zero()
	for j := range np {
		rank[j] = zero()
		for i := range nv {
			c := W[i][j]
			if c.Cmp(out.consensus[j]) > 0 {
				c = out.consensus[j]
			}
			rank[j].Add(rank[j], new(big.Rat).Mul(A[i], c))
		}
		sumR.Add(sumR, rank[j])
	}
	for j := range np {
		out.incentive[j] = zero()
		if sumR.Sign() > 0 {
			out.incentive[j].Quo(rank[j], sumR)
		}
	}
	// Bonds: stored, column-normalised; increments A_i min(W, c),
	// column-normalised; EMA; column-normalised.
	ema := make([][]*big.Rat, nv)
	for i := range ema {
		ema[i] = make([]*big.Rat, np)
	}
	for j := range np {
		bsum, dsum := zero(), zero()
		delta := make([]*big.Rat, nv)
		for i := range nv {
			bsum.Add(bsum, new(big.Rat).SetInt64(int64(r.bonds[i][j])))
			c := W[i][j]
			if c.Cmp(out.consensus[j]) > 0 {
				c = out.consensus[j]
			}
			delta[i] = new(big.Rat).Mul(A[i], c)
			dsum.Add(dsum, delta[i])
		}
		esum := zero()
		keep := new(big.Rat).Sub(rat(1, 1), r.alpha)
		for i := range nv {
			e := zero()
			if dsum.Sign() > 0 {
				e.Add(e, new(big.Rat).Mul(r.alpha, new(big.Rat).Quo(delta[i], dsum)))
			}
			if bsum.Sign() > 0 {
				e.Add(e, new(big.Rat).Mul(keep, new(big.Rat).Quo(new(big.Rat).SetInt64(int64(r.bonds[i][j])), bsum)))
			}
			ema[i][j] = e
			esum.Add(esum, e)
		}
		max := zero()
		for i := range nv {
			if esum.Sign() > 0 {
				ema[i][j].Quo(ema[i][j], esum)
			}
			if ema[i][j].Cmp(max) > 0 {
				max = ema[i][j]
			}
		}
		for i := range nv {
			r.bonds[i][j] = 0
			if max.Sign() > 0 {
				q := new(big.Rat).Quo(ema[i][j], max)
				q.Mul(q, rat(65535, 1))
				r.bonds[i][j] = new(big.Int).Quo(q.Num(), q.Denom()).Uint64()
			}
		}
	}
	sumD := zero()
	for i := range nv {
		out.dividend[i] = zero()
		for j := range np {
			out.dividend[i].Add(out.dividend[i], new(big.Rat).Mul(ema[i][j], out.incentive[j]))
		}
		sumD.Add(sumD, out.dividend[i])
	}
	for i := range nv {
		if sumD.Sign() > 0 {
			out.dividend[i].Quo(out.dividend[i], sumD)
		}
	}
	return out
}

// ppbOf returns x in parts per billion, rounded down.
func ppbOf(x *big.Rat) int64 {
	q := new(big.Rat).Mul(x, rat(1_000_000_000, 1))
	return new(big.Int).Quo(q.Num(), q.Denom()).Int64()
}
