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
// validator's weights were set.
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

	// Row-normalised weights, in one backing array.
	nnz := 0
	for _, r := range in.weights {
		nnz += len(r.idx)
	}
	wbuf := make([]fx, nnz)
	W := make([]sparseRow, nv)
	for i, r := range in.weights {
		var sum uint64
		for _, w := range r.val {
			sum += w
		}
		row := wbuf[:len(r.val):len(r.val)]
		wbuf = wbuf[len(r.val):]
		for k, w := range r.val {
			row[k] = ratio(w, sum)
		}
		W[i] = sparseRow{idx: r.idx, val: row}
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
	col := make([]medianCell, 0, len(pos))
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
				if r.val[c] > 0 {
					col = append(col, medianCell{r.val[c], useStake[k]})
				} else {
					zero += useStake[k]
				}
				cursor[k] = c + 1
			} else {
				zero += useStake[k]
			}
		}
		out.consensus[j] = weightedMedian(col, zero, minority)
	}

	// Clipping, validator trust, ranks, trust; bond increments.
	rank := make([]fx, np)
	pre := make([]fx, np)
	dsum := make([]fx, np)
	dbuf := make([]fx, nnz)
	delta := make([]sparseRow, nv)
	for i, r := range W {
		drow := dbuf[:len(r.val):len(r.val)]
		dbuf = dbuf[len(r.val):]
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
		delta[i] = sparseRow{idx: r.idx, val: drow}
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
	nb := 0
	for i := range nv {
		nb += len(delta[i].idx) + len(in.bonds[i].idx)
	}
	eidx := make([]int32, nb)
	eval := make([]fx, nb)
	esum := make([]fx, np)
	ema := make([]sparseRow, nv)
	for i := range nv {
		d, b := delta[i], in.bonds[i]
		n := 0
		ri, rv := eidx[:cap(eidx)], eval[:cap(eval)]
		p, q := 0, 0
		for p < len(d.idx) || q < len(b.idx) {
			var j int32
			var x fx
			switch {
			case q >= len(b.idx) || (p < len(d.idx) && d.idx[p] < b.idx[q]):
				j = d.idx[p]
				x = fxMul(alpha, normalised(d.val[p], dsum[j]))
				p++
			case p >= len(d.idx) || b.idx[q] < d.idx[p]:
				j = b.idx[q]
				if !in.recent[j] {
					x = fxMul(keep, ratio(b.val[q], bsum[j]))
				}
				q++
			default:
				j = d.idx[p]
				x = fxMul(alpha, normalised(d.val[p], dsum[j]))
				if !in.recent[j] {
					x = satAdd(x, fxMul(keep, ratio(b.val[q], bsum[j])))
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
		eidx, eval = eidx[n:], eval[n:]
	}
	// Normalise per column; dividends; column maxima for storage.
	emax := make([]fx, np)
	for i := range nv {
		r := ema[i]
		var d fx
		for k, j := range r.idx {
			v := fxDiv(r.val[k], esum[j])
			r.val[k] = v
			d = satAdd(d, fxMul(out.incentive[j], v))
			emax[j] = max(emax[j], v)
		}
		out.dividend[i] = d
	}
	normalise(out.dividend)
	for i := range nv {
		r := ema[i]
		n := 0
		for k, j := range r.idx {
			s := min(fxFloor(fxDiv(r.val[k], emax[j]), in.cfg.bondMax), in.cfg.bondMax)
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
func normalised(x, sum fx) fx {
	if sum == 0 {
		return x
	}
	return fxDiv(x, sum)
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

// medianCell is one validator's weight on a column and its stake.
type medianCell struct{ score, stake fx }

// weightedMedian returns the chain's stake-weighted median of a column
// (math.rs weighted_median): the smallest score p whose stake at or below
// p exceeds the minority (the stake sum minus kappa), or the largest score
// when none does. zero is the stake of validators scoring 0; col holds the
// others, and is sorted in place.
func weightedMedian(col []medianCell, zero fx, minority int64) fx {
	if zero > 0 && int64(zero) > minority {
		return 0
	}
	slices.SortFunc(col, func(a, b medianCell) int {
		switch {
		case a.score < b.score:
			return -1
		case a.score > b.score:
			return 1
		}
		return 0
	})
	acc := int64(zero)
	for k := 0; k < len(col); {
		s := col[k].score
		for k < len(col) && col[k].score == s {
			acc += int64(col[k].stake)
			k++
		}
		if acc > minority {
			return s
		}
	}
	if len(col) == 0 {
		return 0
	}
	return col[len(col)-1].score
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
