package contribution

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
)

func chainConfig() yumaConfig {
	return yumaConfig{kappa: fxFromU16(32767), alpha: fxOne - ratio(900_000, 1_000_000), penalty: fxFromU16(65535), bondMax: 65535}
}

// fxClose reports whether x is within tol of the decimal want.
func fxNear(x fx, want, tolPpb uint64) bool {
	got := fxPpb(x)
	if got > want {
		return got-want <= tolPpb
	}
	return want-got <= tolPpb
}

func row(idx []int32, val []uint64) sparseRow { return sparseRow{idx: idx, val: val} }

// TestChainBonds transcribes subtensor's test_bonds
// (pallets/subtensor/src/tests/epoch.rs): four validators staking 1, 2, 3
// and 4 weight four servers 0.1 : 0.2 : 0.3 : 0.4 (u16 weights 16383,
// 32767, 49149, 65535); then validators 1, 2 and 3 in turn set only a
// self-weight (masked: an empty row), and validator 3 moves all its weight
// to server 4. The stored u16 bonds after each epoch are the test's
// assertions.
func TestChainBonds(t *testing.T) {
	full := row([]int32{0, 1, 2, 3}, []uint64{16383, 32767, 49149, 65535})
	empty := row(nil, nil)
	last := row([]int32{3}, []uint64{65535})
	epochs := []struct {
		w    []sparseRow
		col  int32
		want []uint64
		div  []uint64 // ppb, from the test's trace (D), 0 to skip
	}{
		{[]sparseRow{full, full, full, full}, 0, []uint64{16383, 32767, 49151, 65535}, []uint64{99999997, 199999998, 300000001, 400000002}},
		{[]sparseRow{empty, full, full, full}, 0, []uint64{14582, 32767, 49151, 65535}, []uint64{89996703, 202221123, 303334432, 404447741}},
		{[]sparseRow{empty, empty, full, full}, 0, []uint64{12603, 28321, 49151, 65535}, nil},
		{[]sparseRow{empty, empty, empty, full}, 3, []uint64{12602, 28320, 49150, 65535}, []uint64{0, 0, 0, 0}},
		{[]sparseRow{empty, empty, last, full}, 3, []uint64{10951, 24609, 49150, 65535}, []uint64{72887466, 163797258, 327130986, 436184288}},
		{[]sparseRow{empty, empty, last, full}, 3, []uint64{9559, 21482, 49150, 65535}, []uint64{65598854, 147413224, 337276258, 449711661}},
		{[]sparseRow{empty, empty, last, full}, 3, []uint64{8376, 18824, 49150, 65535}, []uint64{59036136, 132672275, 346406269, 461885318}},
	}
	bonds := make([]sparseRow, 4)
	for e, ep := range epochs {
		in := &epochIn{np: 4, stake: []ledger.Amount{ledger.NewAmount(1), ledger.NewAmount(2), ledger.NewAmount(3), ledger.NewAmount(4)},
			active: []bool{true, true, true, true}, weights: cloneRows(ep.w), bonds: bonds, recent: make([]bool, 4), cfg: chainConfig()}
		out := yuma(in)
		for i := range 4 {
			var got uint64
			for k, j := range out.bonds[i].idx {
				if j == ep.col {
					got = out.bonds[i].val[k]
				}
			}
			if got != ep.want[i] {
				t.Errorf("epoch %d: bonds[%d][%d] = %d, the chain stores %d", e+1, i, ep.col, got, ep.want[i])
			}
			if ep.div != nil && !fxNear(out.dividend[i], ep.div[i], 2) {
				t.Errorf("epoch %d: dividend[%d] = %d ppb, the chain's trace %d", e+1, i, fxPpb(out.dividend[i]), ep.div[i])
			}
		}
		bonds = out.bonds
	}
}

// cloneRows copies rows: yuma consumes its weights in place.
func cloneRows(rs []sparseRow) []sparseRow {
	out := make([]sparseRow, len(rs))
	for i, r := range rs {
		out[i] = sparseRow{idx: slices.Clone(r.idx), val: slices.Clone(r.val)}
	}
	return out
}

// chainWeightedMedian is math.rs weighted_median transcribed step by step
// (mid-point pivot, lower and upper partitions), on 32.32 values.
func chainWeightedMedian(stake, score []fx, minority int64) fx {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	var lo int64
	var hi int64
	for _, s := range stake {
		hi += int64(s)
	}
	for iter := 0; iter <= len(score); iter++ {
		n := len(idx)
		if n == 0 {
			return 0
		}
		if n == 1 {
			return score[idx[0]]
		}
		pivot := score[idx[n/2]]
		var loStake, hiStake int64
		var lower, upper []int
		for _, i := range idx {
			switch {
			case score[i] == pivot:
			case score[i] < pivot:
				loStake += int64(stake[i])
				lower = append(lower, i)
			default:
				hiStake += int64(stake[i])
				upper = append(upper, i)
			}
		}
		if minority < lo+loStake && len(lower) > 0 {
			idx, hi = lower, lo+loStake
		} else if hi-hiStake <= minority && len(upper) > 0 {
			idx, lo = upper, hi-hiStake
		} else {
			return pivot
		}
	}
	return 0
}

// TestWeightedMedianAsChain: the quickselect agrees with the chain's
// algorithm on random columns, ties and zero weights included.
func TestWeightedMedianAsChain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 300).Draw(t, "n")
		stake := make([]fx, n)
		for i := range stake {
			stake[i] = fx(rapid.Uint64Range(1, 1000).Draw(t, "s"))
		}
		normalise(stake)
		score := make([]fx, n)
		levels := rapid.Uint64Range(1, 6).Draw(t, "levels") // few levels: many ties
		for i := range score {
			score[i] = fxOne / levels * fx(rapid.Uint64Range(0, levels).Draw(t, "w"))
		}
		var sum fx
		for _, s := range stake {
			sum += s
		}
		kappa := fxFromU16(uint16(rapid.IntRange(1, 65535).Draw(t, "kappa")))
		minority := int64(sum) - int64(kappa)
		var col []uint64
		var zero fx
		for i, s := range score {
			if s == 0 {
				zero += stake[i]
			} else {
				col = append(col, s<<medianShift|uint64(i))
			}
		}
		got := weightedMedian(col, stake, zero, minority)
		if want := chainWeightedMedian(stake, score, minority); got != want {
			t.Fatalf("median %d, the chain's %d", got, want)
		}
	})
}

// TestDivisorExact: the reciprocal division floors exactly as ratio.
func TestDivisorExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.OneOf(rapid.Uint64Range(1, 1<<20), rapid.Uint64Range(1, 1<<40), rapid.Uint64()).Draw(t, "d")
		a := rapid.OneOf(rapid.Uint64Range(0, d), rapid.Uint64Range(0, 1<<33), rapid.Uint64()).Draw(t, "a")
		if got, want := newDivisor(d).ratio(a), ratio(a, d); got != want {
			t.Fatalf("%d/%d: %d, want %d", a, d, got, want)
		}
	})
}

// genEpoch draws a random epoch: up to 8 validators and 8 providers,
// sparse weights, some validators inactive, earlier bonds.
func genEpoch(t *rapid.T, bondMax uint64) *epochIn {
	nv := rapid.IntRange(1, 8).Draw(t, "nv")
	np := rapid.IntRange(1, 8).Draw(t, "np")
	in := &epochIn{np: np, stake: make([]ledger.Amount, nv), active: make([]bool, nv),
		weights: make([]sparseRow, nv), bonds: make([]sparseRow, nv), recent: make([]bool, np), cfg: chainConfig()}
	in.cfg.bondMax = bondMax
	for i := range nv {
		in.stake[i] = ledger.NewAmount(rapid.Uint64Range(1, 1e6).Draw(t, "stake"))
		in.active[i] = rapid.IntRange(0, 4).Draw(t, "active") > 0
		for j := range np {
			if w := rapid.Uint64Range(0, 65535).Draw(t, "w"); w > 0 && rapid.Bool().Draw(t, "has") {
				in.weights[i].idx = append(in.weights[i].idx, int32(j))
				in.weights[i].val = append(in.weights[i].val, w)
			}
			if b := rapid.Uint64Range(0, bondMax).Draw(t, "b"); b > 0 && rapid.Bool().Draw(t, "bonded") {
				in.bonds[i].idx = append(in.bonds[i].idx, int32(j))
				in.bonds[i].val = append(in.bonds[i].val, b)
			}
		}
	}
	for j := range np {
		in.recent[j] = rapid.IntRange(0, 5).Draw(t, "recent") == 0
	}
	return in
}

func cloneIn(in *epochIn) *epochIn {
	c := *in
	c.weights, c.bonds = cloneRows(in.weights), cloneRows(in.bonds)
	return &c
}

// TestPropBondColumnsSumToOne: after the EMA, each provider column's
// normalised bonds sum to one (to the floors of its entries), or to zero
// when nobody holds a bond on it.
func TestPropBondColumnsSumToOne(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genEpoch(t, 65535)
		nv := uint64(len(in.stake))
		out := yuma(in)
		for j, s := range out.bondSum {
			if s != 0 && (s > fxOne || s < fxOne-nv) {
				t.Fatalf("column %d: normalised bonds sum to %d/2^32", j, s)
			}
		}
	})
}

// TestPropPermutationInvariant: permuting validators and providers
// permutes the results and changes nothing else, bit for bit.
func TestPropPermutationInvariant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genEpoch(t, 65535)
		nv, np := len(in.stake), in.np
		vp := rapid.Permutation(seq(nv)).Draw(t, "vp") // new row i is old row vp[i]
		pp := rapid.Permutation(seq(np)).Draw(t, "pp") // new column j is old column pp[j]
		inv := make([]int32, np)
		for j, o := range pp {
			inv[o] = int32(j)
		}
		perm := &epochIn{np: np, cfg: in.cfg, stake: make([]ledger.Amount, nv), active: make([]bool, nv),
			weights: make([]sparseRow, nv), bonds: make([]sparseRow, nv), recent: make([]bool, np)}
		permRow := func(r sparseRow) sparseRow {
			m := map[int32]uint64{}
			for k, j := range r.idx {
				m[inv[j]] = r.val[k]
			}
			var out sparseRow
			for j := range int32(np) {
				if v, ok := m[j]; ok {
					out.idx = append(out.idx, j)
					out.val = append(out.val, v)
				}
			}
			return out
		}
		for i, o := range vp {
			perm.stake[i], perm.active[i] = in.stake[o], in.active[o]
			perm.weights[i], perm.bonds[i] = permRow(in.weights[o]), permRow(in.bonds[o])
		}
		for j, o := range pp {
			perm.recent[j] = in.recent[o]
		}
		a, b := yuma(cloneIn(in)), yuma(perm)
		for j, o := range pp {
			if a.consensus[o] != b.consensus[j] || a.incentive[o] != b.incentive[j] || a.trust[o] != b.trust[j] {
				t.Fatalf("provider %d: consensus, incentive or trust changed under permutation", o)
			}
		}
		for i, o := range vp {
			if a.dividend[o] != b.dividend[i] || a.vtrust[o] != b.vtrust[i] {
				t.Fatalf("validator %d: dividend or validator trust changed under permutation", o)
			}
			if got, want := b.bonds[i], permRow(a.bonds[o]); !slices.Equal(got.idx, want.idx) || !slices.Equal(got.val, want.val) {
				t.Fatalf("validator %d: bonds %v, want %v", o, got, want)
			}
		}
	})
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestPropInactiveDecays: a validator that goes inactive, the others'
// weights unchanged, earns dividends that fall by exactly 1 - alpha an
// epoch (from its second inactive epoch, once its stake has left the
// consensus), to the 32.32 rounding: its bonds decay, nobody else's
// change, and dividends sum to one.
func TestPropInactiveDecays(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genEpoch(t, 1<<32-1)
		clear(in.recent)
		for i := range in.active {
			in.active[i] = true
		}
		in.active[0] = true
		weights := cloneRows(in.weights)
		bonds := in.bonds
		var prev fx
		for e := range 6 {
			in.weights = cloneRows(weights)
			in.bonds = bonds
			if e >= 2 {
				in.active[0] = false
			}
			out := yuma(in)
			bonds = out.bonds
			d := out.dividend[0]
			if e >= 4 && prev > fxOne/1000 {
				want := fxMul(prev, fxOne-in.cfg.alpha)
				diff := int64(d) - int64(want)
				if diff < -64 || diff > 64 { // 64 x 2^-32: 1.5e-8
					t.Fatalf("epoch %d: inactive dividend %d/2^32 after %d, want 0.9 x: %d", e, d, prev, want)
				}
			}
			prev = d
		}
	})
}

// TestPropDenseSparseAgree: a weight matrix given densely (every column
// present, zeros included), as the chain's epoch_dense sees it, scores
// exactly as the same matrix given sparsely, as its epoch does.
func TestPropDenseSparseAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genEpoch(t, 65535)
		dense := cloneIn(in)
		for i, r := range in.weights {
			var d sparseRow
			k := 0
			for j := range int32(in.np) {
				d.idx = append(d.idx, j)
				if k < len(r.idx) && r.idx[k] == j {
					d.val = append(d.val, r.val[k])
					k++
				} else {
					d.val = append(d.val, 0)
				}
			}
			dense.weights[i] = d
		}
		a, b := yuma(cloneIn(in)), yuma(dense)
		if !slices.Equal(a.consensus, b.consensus) || !slices.Equal(a.incentive, b.incentive) || !slices.Equal(a.trust, b.trust) ||
			!slices.Equal(a.dividend, b.dividend) || !slices.Equal(a.vtrust, b.vtrust) {
			t.Fatalf("dense and sparse weights score differently")
		}
		for i := range a.bonds {
			if !slices.Equal(a.bonds[i].idx, b.bonds[i].idx) || !slices.Equal(a.bonds[i].val, b.bonds[i].val) {
				t.Fatalf("validator %d: bonds %v dense, %v sparse", i, b.bonds[i], a.bonds[i])
			}
		}
	})
}
