package contribution

import (
	"math/bits"
	"slices"

	"github.com/coopera/coopera/ledger"
)

// The epoch: stake-weighted consensus over validators' weights, as
// subtensor's epoch computes it (pallets/subtensor/src/epoch/run_epoch.rs,
// the original Yuma path with bonds normalised per column), in 32.32
// fixed point (see fixed.go). Validators are rows i, providers columns j.
//
//	S_i    = stake_i / sum stake                   (validators at the minimum stake)
//	A_i    = S_i if i is active, else 0; normalised  active stake
//	W_ij   = w_ij / sum_k w_ik                      row-normalised weights
//	c_j    = stake-weighted median of column j at kappa: the smallest
//	         value c such that the active stake of validators weighting
//	         j at most c exceeds 1 - kappa (validators with no weight on
//	         j count as weight 0)
//	W'_ij  = min(W_ij, c_j)                          clipped weights
//	V_i    = sum_j W'_ij                             validator trust
//	R_j    = sum_i A_i W'_ij                         rank
//	I_j    = R_j / sum_k R_k                         incentive
//	T_j    = R_j / sum_i A_i W_ij                    trust
//	Wb_ij  = W_ij + penalty (W'_ij - W_ij)           weights for bonds
//	dB_ij  = A_i Wb_ij, normalised per column
//	B_ij   = stored bonds, normalised per column (columns of providers
//	         registered since the previous epoch masked)
//	E_ij   = alpha dB_ij + (1 - alpha) B_ij, normalised per column
//	D_i    = sum_j E_ij I_j, normalised              dividends
//	stored = E_ij / max_k E_kj, floored to bondMax   (65535: the chain's u16)
//
// Every product and quotient floors; sums are exact.

// sparseRow is a row of a sparse matrix: ascending column indexes and
// their values.
type sparseRow struct {
	idx []int32
	val []uint64
}

// yumaConfig holds the epoch's fractions.
type yumaConfig struct {
	kappa   fx     // consensus majority
	alpha   fx     // bond EMA rate
	penalty fx     // bonds penalty: 1 bonds to clipped weights, 0 to weights
	bondMax uint64 // the stored bonds' scale: 65535 (u16) or 2^32 - 1
}

// epochIn is the epoch's input, already masked: weights without
// self-weights and without weights to providers registered after the
// validator's weights were set. yuma consumes the weights (it normalises
// them and writes the increments and bonds over them, in place); it only
// reads the bonds.
type epochIn struct {
	np      int
	stake   []ledger.Amount // per validator
	active  []bool          // per validator
	weights []sparseRow     // per validator: raw integer weights
	bonds   []sparseRow     // per validator: stored bonds
	recent  []bool          // per provider: registered since the previous epoch
	cfg     yumaConfig
}

type epochOut struct {
	stake, active []fx        // S, A per validator
	consensus     []fx        // per provider
	incentive     []fx        // per provider
	trust         []fx        // per provider
	vtrust        []fx        // per validator
	dividend      []fx        // per validator
	bondSum       []fx        // per provider: its normalised EMA bonds' sum (one, or zero)
	bonds         []sparseRow // per validator, for storage (scale bondMax)
}

// scoreEpoch is the scoring function EndEpoch calls. It is a variable
// only so that a test can replace it and prove that replay never calls
// it; nothing else assigns it.
var scoreEpoch = yuma

func yuma(in *epochIn) *epochOut {
	nv, np := len(in.stake), in.np
	out := &epochOut{
		stake: make([]fx, nv), active: make([]fx, nv),
		consensus: make([]fx, np), incentive: make([]fx, np), trust: make([]fx, np),
		vtrust: make([]fx, nv), dividend: make([]fx, nv), bonds: make([]sparseRow, nv),
	}
	// Stake: floor(s_i 2^32 / total), exact over 128-bit amounts (the
	// chain normalises in I64F64 and truncates to I32F32: the same floor).
	var total ledger.Amount
	for _, s := range in.stake {
		total, _ = total.Add(s)
	}
	if !total.IsZero() {
		tb := total.Big()
		for i, s := range in.stake {
			if t, ok := total.Uint64(); ok {
				u, _ := s.Uint64()
				out.stake[i] = ratio(u, t)
				continue
			}
			q := s.Big()
			q.Lsh(q, fxFrac)
			q.Quo(q, tb)
			out.stake[i] = q.Uint64()
		}
	}
	for i := range nv {
		if in.active[i] {
			out.active[i] = out.stake[i]
		}
	}
	normalise(out.active)
	A := out.active

	// Row-normalised weights, in place: yuma consumes in.weights.
	nnz := 0
	W := in.weights
	for _, r := range W {
		nnz += len(r.idx)
		var sum uint64
		for _, w := range r.val {
			sum += w
		}
		dv := newDivisor(sum)
		for k, w := range r.val {
			r.val[k] = dv.ratio(w)
		}
	}

	// Consensus: the chain's weighted median per column over validators
	// with positive active stake, their stake normalised again.
	var pos []int
	for i, a := range A {
		if a > 0 {
			pos = append(pos, i)
		}
	}
	useStake := make([]fx, len(pos))
	for k, i := range pos {
		useStake[k] = A[i]
	}
	normalise(useStake)
	var stakeSum fx
	for _, s := range useStake {
		stakeSum += s
	}
	minority := int64(stakeSum) - int64(in.cfg.kappa)
	cursor := make([]int, len(pos))
	col := make([]uint64, 0, len(pos))
	for j := range np {
		if len(pos) == 0 {
			break
		}
		col = col[:0]
		var zero fx // stake of validators with no weight on j
		for k, i := range pos {
			r := W[i]
			c := cursor[k]
			if c < len(r.idx) && int(r.idx[c]) == j {
				if v := r.val[c]; v > 0 {
					col = append(col, v<<medianShift|uint64(k))
				} else {
					zero += useStake[k]
				}
				cursor[k] = c + 1
			} else {
				zero += useStake[k]
			}
		}
		out.consensus[j] = weightedMedian(col, useStake, zero, minority)
	}

	// Clipping, validator trust, ranks, trust; bond increments.
	rank := make([]fx, np)
	pre := make([]fx, np)
	dsum := make([]fx, np)
	delta := W // the increments replace the weights, in place
	for i, r := range W {
		drow := r.val
		var vt fx
		for k, jj := range r.idx {
			j := int(jj)
			w := r.val[k]
			c := min(w, out.consensus[j])
			vt = satAdd(vt, c)
			rank[j] = satAdd(rank[j], fxMul(A[i], c))
			pre[j] = satAdd(pre[j], fxMul(A[i], w))
			wb := interpolate(w, c, in.cfg.penalty)
			d := fxMul(wb, A[i])
			drow[k] = d
			dsum[j] = satAdd(dsum[j], d)
		}
		out.vtrust[i] = vt
	}
	copy(out.incentive, rank)
	normalise(out.incentive)
	for j := range np {
		out.trust[j] = fxDiv(rank[j], pre[j])
	}

	// Stored bonds, masked and normalised per column.
	bsum := make([]uint64, np)
	for _, r := range in.bonds {
		for k, j := range r.idx {
			if !in.recent[j] {
				bsum[j] += r.val[k]
			}
		}
	}
	// EMA over the union of each row's increments and bonds.
	alpha, keep := in.cfg.alpha, fxOne-in.cfg.alpha
	ddiv := make([]divisor, np)
	bdiv := make([]divisor, np)
	for j := range np {
		ddiv[j], bdiv[j] = newDivisor(dsum[j]), newDivisor(bsum[j])
	}
	// A row whose bonds all lie on its increments' columns (the steady
	// state) is written over the increments, in place: each step consumes
	// an increment, so the output never overtakes the input. Other rows
	// get room for the union of both.
	union := make([]int, nv)
	nb := 0
	for i := range nv {
		a, b := delta[i].idx, in.bonds[i].idx
		p, q, n := 0, 0, 0
		for p < len(a) && q < len(b) {
			switch {
			case a[p] < b[q]:
				p++
			case a[p] > b[q]:
				q++
			default:
				p++
				q++
			}
			n++
		}
		union[i] = n + len(a) - p + len(b) - q
		if union[i] > len(a) {
			nb += union[i]
		}
	}
	eidx := make([]int32, nb)
	eval := make([]fx, nb)
	esum := make([]fx, np)
	ema := make([]sparseRow, nv)
	for i := range nv {
		d, b := delta[i], in.bonds[i]
		n := 0
		ri, rv := d.idx, d.val
		if union[i] > len(d.idx) {
			ri, rv = eidx[:union[i]], eval[:union[i]]
			eidx, eval = eidx[union[i]:], eval[union[i]:]
		}
		p, q := 0, 0
		for p < len(d.idx) || q < len(b.idx) {
			var j int32
			var x fx
			switch {
			case q >= len(b.idx) || (p < len(d.idx) && d.idx[p] < b.idx[q]):
				j = d.idx[p]
				x = fxMul(alpha, normalised(d.val[p], ddiv[j]))
				p++
			case p >= len(d.idx) || b.idx[q] < d.idx[p]:
				j = b.idx[q]
				if !in.recent[j] {
					x = fxMul(keep, bdiv[j].ratio(b.val[q]))
				}
				q++
			default:
				j = d.idx[p]
				x = fxMul(alpha, normalised(d.val[p], ddiv[j]))
				if !in.recent[j] {
					x = satAdd(x, fxMul(keep, bdiv[j].ratio(b.val[q])))
				}
				p++
				q++
			}
			if x > 0 {
				ri[n], rv[n] = j, x
				n++
				esum[j] = satAdd(esum[j], x)
			}
		}
		ema[i] = sparseRow{idx: ri[:n:n], val: rv[:n:n]}
	}
	// Normalise per column; dividends; column maxima for storage.
	emax := make([]fx, np)
	out.bondSum = esum // reused: the sums are spent once the divisors hold them
	ediv := ddiv       // reused: the increments' divisors are spent
	for j := range np {
		ediv[j] = newDivisor(esum[j])
	}
	clear(out.bondSum)
	for i := range nv {
		r := ema[i]
		var d fx
		for k, j := range r.idx {
			v := ediv[j].ratio(r.val[k])
			out.bondSum[j] += v
			r.val[k] = v
			d = satAdd(d, fxMul(out.incentive[j], v))
			emax[j] = max(emax[j], v)
		}
		out.dividend[i] = d
	}
	normalise(out.dividend)
	mdiv := bdiv
	for j := range np {
		mdiv[j] = newDivisor(emax[j])
	}
	for i := range nv {
		r := ema[i]
		n := 0
		for k, j := range r.idx {
			s := min(fxFloor(mdiv[j].ratio(r.val[k]), in.cfg.bondMax), in.cfg.bondMax)
			if s > 0 {
				r.idx[n], r.val[n] = j, s
				n++
			}
		}
		out.bonds[i] = sparseRow{idx: r.idx[:n:n], val: r.val[:n:n]}
	}
	return out
}

// normalised is x / sum, or x when the sum is zero (the chain's column
// normalisation leaves a zero column as it is).
func normalised(x fx, sum divisor) fx {
	if sum.d == 0 {
		return x
	}
	return sum.ratio(x)
}

// interpolate returns w + penalty (c - w) for c <= w, the chain's
// interpolation of weights and clipped weights (a negative product
// rounds towards minus infinity, as the chain's arithmetic shift does).
func interpolate(w, c, penalty fx) fx {
	switch penalty {
	case fxOne:
		return c
	case 0:
		return w
	}
	d := w - c
	hi, lo := bits.Mul64(penalty, d)
	down := hi<<(64-fxFrac) | lo>>fxFrac
	if lo&(fxOne-1) != 0 {
		down++ // floor of a negative value
	}
	if down >= w {
		return 0
	}
	return w - down
}

// medianShift packs a validator's position below its score in one
// uint64 for the median's sort: scores are at most 2^32 + a little (33
// bits), positions below 2^31.
const medianShift = 31

// weightedMedian returns the chain's stake-weighted median of a column
// (math.rs weighted_median): the smallest score p whose stake at or below
// p exceeds the minority (the stake sum minus kappa), or the largest score
// when none does. zero is the stake of validators scoring 0; col holds the
// others as score<<medianShift | position in stake, and is reordered in
// place. The result depends only on the multiset of (score, stake), so
// any selection order gives the chain's answer: this one is a three-way
// quickselect (median-of-three pivots, a sort when the window is small
// or the pivots keep failing), O(n) expected and O(n log n) at worst.
func weightedMedian(col []uint64, stake []fx, zero fx, minority int64) fx {
	if zero > 0 && int64(zero) > minority {
		return 0
	}
	if len(col) == 0 {
		return 0
	}
	below := int64(zero) // stake of the scores left of the window
	lo, hi := 0, len(col)
	for depth := 0; ; depth++ {
		if hi-lo <= 24 || depth > 48 {
			w := col[lo:hi]
			slices.Sort(w)
			for k := 0; k < len(w); {
				s := w[k] >> medianShift
				for k < len(w) && w[k]>>medianShift == s {
					below += int64(stake[w[k]&(1<<medianShift-1)])
					k++
				}
				if below > minority {
					return s
				}
			}
			return w[len(w)-1] >> medianShift
		}
		a, b, c := col[lo]>>medianShift, col[(lo+hi)/2]>>medianShift, col[hi-1]>>medianShift
		p := max(min(a, b), min(max(a, b), c))
		// [lo, lt) < p, [lt, i) == p, [gt, hi) > p.
		lt, i, gt := lo, lo, hi
		var less, equal int64
		for i < gt {
			x := col[i]
			s := x >> medianShift
			switch {
			case s < p:
				less += int64(stake[x&(1<<medianShift-1)])
				col[lt], col[i] = x, col[lt]
				lt++
				i++
			case s > p:
				gt--
				col[gt], col[i] = x, col[gt]
			default:
				equal += int64(stake[x&(1<<medianShift-1)])
				i++
			}
		}
		switch {
		case below+less > minority:
			hi = lt
		case below+less+equal > minority || gt == hi:
			return p
		default:
			below += less + equal
			lo = gt
		}
	}
}

func compareIDs(a, b ledger.AccountID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
