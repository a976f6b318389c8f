package contribution_test

import (
	"testing"
)

// Hand-worked multi-epoch cases. Each runs through the module with the
// chain's allocation and is checked epoch by epoch against the exact
// reference (reference_test.go): incentive and dividends within 1e-6,
// the stored u16 bonds equal. The comments work the first steps by hand;
// where a hand figure is asserted, the tolerance allows for the chain's
// u16 bonds (one part in 65535 of a column's largest bond).

const u16Tol = 30_000 // ppb: a u16 step of the stored bonds, and a little

// TestCaseBondsTenEpochs: stakes 5 : 3 : 2, all weighting p1:p2:p3 =
// 1:3:1 for four epochs; then v3 weights p3 alone and, from epoch 6, v2
// moves to 2:2:1.
//
// Epoch 0 by hand: no bonds yet, so each column's EMA is alpha times the
// normalised increments A_i min(W_ij, c_j) = the stake shares 0.5, 0.3,
// 0.2; normalised again that is 0.5 / 0.3 / 0.2, stored max-upscaled:
// 65535, 0.6 x 65535 = 39321 and 0.4 x 65535 = 26214 exactly, but 0.3 and
// 0.2 are not exact in 32.32: the ratios land a hair below 0.6 and 0.4,
// so the chain stores 39320 and 26213. The dividends are the stake
// shares. With unchanged weights the bonds stay
// there. From epoch 4 v3's weight on p1 and p2 is gone: its bonds there
// decay by 0.9 an epoch relative to the others (0.2 -> 0.18 -> 0.162 ...).
func TestCaseBondsTenEpochs(t *testing.T) {
	c := chainCase{
		validators: []string{"v1", "v2", "v3"}, stakes: []int64{5, 3, 2}, providers: []string{"p1", "p2", "p3"}, cutoff: 100, epochs: 10,
		votes: func(e int) map[string]string {
			switch {
			case e == 0:
				return map[string]string{"v1": "p1:1 p2:3 p3:1", "v2": "p1:1 p2:3 p3:1", "v3": "p1:1 p2:3 p3:1"}
			case e == 4:
				return map[string]string{"v3": "p3:1"}
			case e == 6:
				return map[string]string{"v2": "p1:2 p2:2 p3:1"}
			}
			return nil
		},
	}
	res := runChainCase(t, c)
	ev := res[0].ev
	for i, want := range []uint64{65535, 39320, 26213} {
		v := c.validators[i]
		if b := res[0].bond(v, "p2"); b != want {
			t.Errorf("epoch 0: %s's bond %d, by hand %d", v, b, want)
		}
		if d := validatorOf(ev, v).Dividend; abs(int64(d)-[]int64{5e8, 3e8, 2e8}[i]) > 10 {
			t.Errorf("epoch 0: %s's dividend %d ppb, by hand its stake share", v, d)
		}
	}
	// From epoch 4 v3 no longer weights p1: its normalised bond there
	// decays by 0.9 an epoch (the column's sum stays one), while v1 and v2
	// share the increments. v3 / (v1 + v2 + v3) at the end of epoch 3 is
	// 0.2; at the end of epochs 4 and 5, 0.18 and 0.162.
	for e, want := range []int64{3: 200_000_000, 4: 180_000_000, 5: 162_000_000} {
		if e < 3 {
			continue
		}
		b1, b2, b3 := res[e].bond("v1", "p1"), res[e].bond("v2", "p1"), res[e].bond("v3", "p1")
		got := int64(b3 * 1_000_000_000 / (b1 + b2 + b3))
		if abs(got-want) > u16Tol {
			t.Errorf("epoch %d: v3's share of p1's bonds %d ppb, by hand %d", e, got, want)
		}
	}
}

// TestCaseInactiveReturns: two validators of equal stake weight s1 and s2
// equally; v2 falls silent for five epochs (activity cutoff 0: inactive at
// once) and returns. The chain keeps v2's last weights and bonds: its
// stake leaves the consensus and its increments stop, so its normalised
// bond (and with equal columns its dividend share) goes 0.5, 0.45 (the
// chain's [0.55, 0.45]), then by 0.9 an epoch: 0.405, 0.3645, 0.32805,
// 0.295245; back in epoch 6 it gains alpha x 0.5 again:
// 0.9 x 0.295245 + 0.05 = 0.3157205.
func TestCaseInactiveReturns(t *testing.T) {
	both := map[string]string{"v1": "s1:1 s2:1", "v2": "s1:1 s2:1"}
	c := chainCase{
		validators: []string{"v1", "v2"}, stakes: []int64{1, 1}, providers: []string{"s1", "s2"}, cutoff: 0, epochs: 8,
		votes: func(e int) map[string]string {
			if e >= 1 && e <= 5 {
				return map[string]string{"v1": "s1:1 s2:1"}
			}
			return both
		},
	}
	res := runChainCase(t, c)
	for e, want := range []int64{500_000_000, 450_000_000, 405_000_000, 364_500_000, 328_050_000, 295_245_000, 315_720_500} {
		s := validatorOf(res[e].ev, "v2")
		if got := int64(s.Dividend); abs(got-want) > u16Tol {
			t.Errorf("epoch %d: v2's dividend %d ppb, by hand %d", e, got, want)
		}
		if s.Active != (e == 0 || e == 6) {
			t.Errorf("epoch %d: v2 active %v", e, s.Active)
		}
	}
}

// TestCaseCabalDefects: honest validators (30, 20, 10: 60% of the stake)
// and a cabal (25, 15: 40%) weight p1, p2, p3 equally for four epochs;
// then the cabal puts all its weight on its own p4. Below kappa it cannot
// give p4 any consensus: p4's consensus and incentive stay 0, the cabal's
// weights are clipped to nothing, it grows no bond on p4, and its bonds on
// p1..p3 (0.4 of each column after the warm-up) decay by 0.9 an epoch:
// its dividends 0.36, 0.324, 0.2916, ... 0.4 x 0.9^6 = 0.2125764.
func TestCaseCabalDefects(t *testing.T) {
	honest := "p1:1 p2:1 p3:1"
	c := chainCase{
		validators: []string{"c1", "c2", "h1", "h2", "h3"}, stakes: []int64{25, 15, 30, 20, 10},
		providers: []string{"p1", "p2", "p3", "p4"}, cutoff: 100, epochs: 10,
		votes: func(e int) map[string]string {
			switch e {
			case 0:
				return map[string]string{"c1": honest, "c2": honest, "h1": honest, "h2": honest, "h3": honest}
			case 4:
				return map[string]string{"c1": "p4:1", "c2": "p4:1"}
			}
			return nil
		},
	}
	res := runChainCase(t, c)
	want := int64(400_000_000)
	for e := 4; e < 10; e++ {
		ev := res[e].ev
		if p := providerOf(ev, "p4"); p.Consensus != 0 || p.Incentive != 0 || !p.Reward.IsZero() {
			t.Errorf("epoch %d: p4 consensus %d, incentive %d, reward %s: the cabal lifted it", e, p.Consensus, p.Incentive, p.Reward)
		}
		want = want * 9 / 10
		got := int64(validatorOf(ev, "c1").Dividend + validatorOf(ev, "c2").Dividend)
		if abs(got-want) > u16Tol {
			t.Errorf("epoch %d: the cabal's dividends %d ppb, by hand %d", e, got, want)
		}
		if b := res[e].bond("c1", "p4"); b != 0 {
			t.Errorf("epoch %d: c1 bonded %d on p4", e, b)
		}
	}
}

// TestCaseKappaTie: six validators of equal stake, three weighting only p1
// and three only p2. Each coalition holds exactly half the stake. With the
// chain's kappa 32767/65535, just under one half, half the stake is a
// majority: each provider's consensus is its coalition's weight 1, its
// incentive 0.5, and every validator's dividend 1/6. (In basis points the
// old kappa of 5000 needed the floored shares to reach 50% and nobody
// earned.) Raised to 32768/65535, just over one half, neither coalition is
// a majority: consensus 0, no incentive, and the chain gives the pool to
// the validators by stake.
func TestCaseKappaTie(t *testing.T) {
	votes := map[string]string{"v1": "p1:1", "v2": "p1:1", "v3": "p1:1", "v4": "p2:1", "v5": "p2:1", "v6": "p2:1"}
	c := chainCase{
		validators: []string{"v1", "v2", "v3", "v4", "v5", "v6"}, stakes: []int64{1, 1, 1, 1, 1, 1},
		providers: []string{"p1", "p2"}, cutoff: 100, epochs: 1,
		votes: func(int) map[string]string { return votes },
	}
	ev := runChainCase(t, c)[0].ev
	for _, p := range []string{"p1", "p2"} {
		s := providerOf(ev, p)
		if s.Consensus < 999_999_990 || abs(int64(s.Incentive)-500_000_000) > 10 {
			t.Errorf("%s: consensus %d ppb, incentive %d ppb; want 1 and 0.5", p, s.Consensus, s.Incentive)
		}
	}
	for _, v := range c.validators {
		if d := validatorOf(ev, v).Dividend; abs(int64(d)-166_666_667) > 10 {
			t.Errorf("%s: dividend %d ppb, want 1/6", v, d)
		}
	}
	c.kappa = 32768
	ev = runChainCase(t, c)[0].ev
	for _, p := range []string{"p1", "p2"} {
		if s := providerOf(ev, p); s.Consensus != 0 || s.Incentive != 0 {
			t.Errorf("kappa 32768: %s consensus %d, incentive %d; want none", p, s.Consensus, s.Incentive)
		}
	}
	for _, v := range c.validators {
		if r := validatorOf(ev, v).Reward.String(); r != "166666666" {
			t.Errorf("kappa 32768: %s earns %s, want the pool by stake, 166666666", v, r)
		}
	}
}
