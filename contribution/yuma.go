package contribution

import (
	"math/big"
	"math/bits"
	"slices"

	"github.com/coopera/coopera/ledger"
)

// Stake-weighted consensus over validators' weights (after Bittensor's
// Yuma consensus), in integer fixed point:
//
//	S_i   validator stake share, parts per billion (sum 1e9, floored)
//	W_ij  validator i's weight on provider j, parts per million of its row
//	c_j   consensus: the largest w such that validators with W_ij >= w hold
//	      at least kappa of the stake
//	W'_ij = min(W_ij, c_j)                        clipped weight
//	R_j   = sum_i S_i W'_ij                       rank
//	I_j   = R_j / sum_k R_k                       incentive, ppb
//	T_j   = R_j / sum_i S_i W_ij                  trust, ppm
//	dB_ij = S_i W'_ij / R_j                       bond increment, ppb
//	B_ij  = (1 - alpha) B_ij + alpha dB_ij        bonds (EMA), ppb
//	D_i   = sum_j B_ij I_j, normalised            dividends, ppb
//	V_i   = sum_j W'_ij / sum_j W_ij              validator trust, ppm
//
// Every division floors. Validators holding less than kappa of the stake
// cannot lift c_j above what the rest give: clipping caps their excess.

const (
	ppm = 1_000_000
	ppb = 1_000_000_000
)

var bigPpb = big.NewInt(ppb)

type valIn struct {
	id    ledger.AccountID
	stake ledger.Amount
	// The validator's weights, already resolved to provider indexes and
	// filtered (providers registered before the commitment, no
	// self-weight): raw integer weights.
	idx   []int
	raw   []uint64
	bonds []bond // sorted by provider
}

type provIn struct {
	id         ledger.AccountID
	role       string
	value      ledger.Amount
	cred       uint64
	registered uint64
}

type yumaOut struct {
	consensus []uint64 // per provider, ppm
	incentive []uint64 // ppb
	trust     []uint64 // ppm
	dividend  []uint64 // per validator, ppb
	vtrust    []uint64 // ppm
	bonds     [][]bond // per validator, new bonds, sorted by provider
}

// mulDiv returns a*b/c, floored; c must be non-zero and the quotient must
// fit 64 bits (callers keep their operands in range).
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// normaliseStake returns each stake's share in ppb.
func normaliseStake(vals []valIn) []uint64 {
	var total ledger.Amount
	for _, v := range vals {
		total, _ = total.Add(v.stake)
	}
	out := make([]uint64, len(vals))
	if total.IsZero() {
		return out
	}
	tb := total.Big()
	for i, v := range vals {
		q := v.stake.Big()
		q.Mul(q, bigPpb)
		q.Quo(q, tb)
		out[i] = q.Uint64()
	}
	return out
}

// normaliseRow returns raw weights in ppm of their sum.
func normaliseRow(raw []uint64) []uint64 {
	var sum uint64
	for _, w := range raw {
		sum += w
	}
	if sum == 0 {
		return nil
	}
	out := make([]uint64, len(raw))
	for k, w := range raw {
		out[k] = mulDiv(w, ppm, sum)
	}
	return out
}

func yuma(vals []valIn, provs []provIn, kappaBps, alphaBps uint32) yumaOut {
	nv, np := len(vals), len(provs)
	out := yumaOut{
		consensus: make([]uint64, np), incentive: make([]uint64, np), trust: make([]uint64, np),
		dividend: make([]uint64, nv), vtrust: make([]uint64, nv), bonds: make([][]bond, nv),
	}
	index := make(map[ledger.AccountID]int, np)
	for j, p := range provs {
		index[p.id] = j
	}
	S := normaliseStake(vals)
	rowIdx := make([][]int, nv)
	rowW := make([][]uint64, nv)
	type cell struct {
		w, s uint64
		i    int // validator, to break ties deterministically
	}
	cols := make([][]cell, np)
	for i, v := range vals {
		rowIdx[i], rowW[i] = v.idx, normaliseRow(v.raw)
		if rowW[i] == nil {
			rowIdx[i] = nil
		}
		for k, j := range rowIdx[i] {
			cols[j] = append(cols[j], cell{rowW[i][k], S[i], i})
		}
	}
	// Consensus per provider.
	threshold := uint64(kappaBps) * (ppb / BPS)
	for j, col := range cols {
		slices.SortFunc(col, func(a, b cell) int {
			switch {
			case a.w > b.w:
				return -1
			case a.w < b.w:
				return 1
			}
			return a.i - b.i
		})
		var acc uint64
		for _, c := range col {
			acc += c.s
			if acc >= threshold {
				out.consensus[j] = c.w
				break
			}
		}
	}
	// Ranks, trust.
	rank := make([]uint64, np)
	full := make([]uint64, np)
	for i := range vals {
		for k, j := range rowIdx[i] {
			w := rowW[i][k]
			rank[j] += S[i] * min(w, out.consensus[j])
			full[j] += S[i] * w
		}
	}
	var totalRank uint64
	for j := range provs {
		totalRank += rank[j]
		if full[j] > 0 {
			out.trust[j] = mulDiv(rank[j], ppm, full[j])
		}
	}
	if totalRank > 0 {
		for j := range provs {
			out.incentive[j] = mulDiv(rank[j], ppb, totalRank)
		}
	}
	// Bonds and dividends.
	var totalDiv uint64
	div := make([]uint64, nv)
	delta := make([]uint64, np) // this validator's increments, by provider; reset after use
	seen := make([]bool, np)
	for i, v := range vals {
		var kept, total uint64
		for k, j := range rowIdx[i] {
			w := rowW[i][k]
			c := min(w, out.consensus[j])
			kept += c
			total += w
			if rank[j] > 0 {
				delta[j] = mulDiv(S[i]*c, ppb, rank[j])
			}
		}
		if total > 0 {
			out.vtrust[i] = mulDiv(kept, ppm, total)
		}
		// EMA over the union of old bonds and this epoch's increments.
		nb := make([]bond, 0, len(v.bonds)+len(rowIdx[i]))
		for _, b := range v.bonds {
			j, ok := index[b.Provider]
			if !ok {
				continue // provider gone: its bond lapses
			}
			seen[j] = true
			x := (b.Ppb*uint64(BPS-alphaBps) + delta[j]*uint64(alphaBps)) / BPS
			if x > 0 {
				nb = append(nb, bond{b.Provider, x})
			}
		}
		for _, j := range rowIdx[i] {
			if seen[j] {
				continue
			}
			if x := delta[j] * uint64(alphaBps) / BPS; x > 0 {
				nb = append(nb, bond{provs[j].id, x})
			}
		}
		for _, j := range rowIdx[i] {
			delta[j] = 0
		}
		for _, b := range v.bonds {
			if j, ok := index[b.Provider]; ok {
				seen[j] = false
			}
		}
		slices.SortFunc(nb, func(a, b bond) int { return compareIDs(a.Provider, b.Provider) })
		out.bonds[i] = nb
		for _, b := range nb {
			div[i] += mulDiv(b.Ppb, out.incentive[index[b.Provider]], ppb)
		}
		totalDiv += div[i]
	}
	if totalDiv > 0 {
		for i := range vals {
			out.dividend[i] = mulDiv(div[i], ppb, totalDiv)
		}
	}
	return out
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
