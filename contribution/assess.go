package contribution

import (
	"math/big"
	"math/bits"
)

// Assessors score the marginal value of each contributor to a shared
// result (models to an ensemble, datasets to a model), after the
// proof-of-contribution designs the white paper cites (leave-one-out and
// Shapley-value assessors). They are pure functions of a utility: the
// value of each coalition of contributors, which the caller measures
// (for example validation accuracy in parts per million) and supplies.
// The same utility and seed give the same scores on every machine.

// Utility returns the value of the coalition whose members are the set
// bits of mask (contributor i is bit i; at most 64 contributors).
type Utility func(mask uint64) int64

// Table is a utility given as a table of coalition values; a missing
// coalition is worth 0.
type Table map[uint64]int64

// Utility returns the table as a Utility.
func (t Table) Utility() Utility { return func(mask uint64) int64 { return t[mask] } }

// Assessor scores n contributors under a utility.
type Assessor interface {
	Assess(n int, u Utility) []*big.Rat
}

// LeaveOneOut scores each contributor by v(N) - v(N \ {i}).
type LeaveOneOut struct{}

// Assess implements Assessor.
func (LeaveOneOut) Assess(n int, u Utility) []*big.Rat {
	all := fullMask(n)
	vAll := u(all)
	out := make([]*big.Rat, n)
	for i := range n {
		out[i] = new(big.Rat).SetInt64(vAll - u(all&^(1<<i)))
	}
	return out
}

// ExactShapley computes Shapley values by enumerating all 2^n coalitions:
// phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n! (v(S+i) - v(S)).
// It is exact and meant for n up to about 20.
type ExactShapley struct{}

// Assess implements Assessor.
func (ExactShapley) Assess(n int, u Utility) []*big.Rat {
	fact := make([]*big.Int, n+1)
	fact[0] = big.NewInt(1)
	for k := 1; k <= n; k++ {
		fact[k] = new(big.Int).Mul(fact[k-1], big.NewInt(int64(k)))
	}
	vals := make([]int64, 1<<n)
	for m := range vals {
		vals[m] = u(uint64(m))
	}
	sums := make([]*big.Int, n)
	for i := range sums {
		sums[i] = new(big.Int)
	}
	for m := range vals {
		s := bits.OnesCount64(uint64(m))
		for i := range n {
			if m&(1<<i) != 0 {
				continue
			}
			w := new(big.Int).Mul(fact[s], fact[n-s-1])
			w.Mul(w, big.NewInt(vals[m|1<<i]-vals[m]))
			sums[i].Add(sums[i], w)
		}
	}
	out := make([]*big.Rat, n)
	for i := range n {
		out[i] = new(big.Rat).SetFrac(sums[i], fact[n])
	}
	return out
}

// SampledShapley estimates Shapley values from Samples random orderings of
// the contributors (Monte Carlo over permutations), drawn from a
// deterministic generator seeded with Seed. Each ordering's marginal
// contributions sum to v(N) - v(empty), so the estimates do too, exactly.
type SampledShapley struct {
	Samples int
	Seed    uint64
}

// Assess implements Assessor.
func (s SampledShapley) Assess(n int, u Utility) []*big.Rat {
	rng := splitmix64{state: s.Seed}
	sums := make([]int64, n)
	perm := make([]int, n)
	samples := max(1, s.Samples)
	for range samples {
		for i := range perm {
			perm[i] = i
		}
		for i := n - 1; i > 0; i-- { // Fisher–Yates
			j := int(rng.below(uint64(i + 1)))
			perm[i], perm[j] = perm[j], perm[i]
		}
		var mask uint64
		prev := u(0)
		for _, i := range perm {
			mask |= 1 << i
			v := u(mask)
			sums[i] += v - prev
			prev = v
		}
	}
	out := make([]*big.Rat, n)
	for i := range n {
		out[i] = big.NewRat(sums[i], int64(samples))
	}
	return out
}

func fullMask(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<n - 1
}

// splitmix64 is a small deterministic generator (Steele, Lea and Flood),
// written out here so that reducers never depend on math/rand's stream.
type splitmix64 struct{ state uint64 }

func (r *splitmix64) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// below returns a uniform value in [0, n) (Lemire's method, unbiased).
func (r *splitmix64) below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.next(), n)
	if lo < n {
		t := -n % n
		for lo < t {
			hi, lo = bits.Mul64(r.next(), n)
		}
	}
	return hi
}
