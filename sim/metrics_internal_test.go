package sim

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/scenario"
)

// concentrationOf's fixed-width path gives the big-integer formulas'
// HHI and Gini for any balances; balances past 63 bits take the big path.
func TestConcentrationFastPathIsExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		bitsMax := rapid.SampledFrom([]int{1, 20, 40, 63, 64, 100, 128}).Draw(t, "bits")
		n := rapid.IntRange(0, 60).Draw(t, "n")
		var balances []ledger.Amount
		for range n {
			x := new(big.Int).Lsh(new(big.Int).SetUint64(rapid.Uint64().Draw(t, "hi")), 64)
			x.Or(x, new(big.Int).SetUint64(rapid.Uint64().Draw(t, "lo")))
			x.Rsh(x, uint(128-rapid.IntRange(0, bitsMax).Draw(t, "b")))
			if rapid.IntRange(0, 5).Draw(t, "zero") == 0 {
				x.SetInt64(0)
			}
			a, _ := ledger.AmountFromBig(x)
			balances = append(balances, a)
		}
		want := slices.Clone(balances)
		slices.SortFunc(want, func(a, b ledger.Amount) int { return a.Cmp(b) })
		w := concentrationBig(want)
		if got := concentrationOf(balances); *got != *w {
			t.Fatalf("concentrationOf = %+v; the big-integer formulas give %+v", *got, *w)
		}
	})
}

// A per-epoch ratio is annualised exactly: weekly epochs are 365/7 a
// year, not the 52 whole ones that understated staking_apr (by 1.4% for
// 720h epochs, 8.7% for 1000h; from a read-only audit of the simulator).
func TestAnnualisedIsExact(t *testing.T) {
	for _, c := range []struct {
		epoch time.Duration
		a, b  uint64
		want  int64
	}{
		{168 * time.Hour, 7, 365, 10000},  // 7/365 a week: 100% a year
		{720 * time.Hour, 30, 365, 10000}, // 30/365 a month: 100% a year
		{24 * time.Hour, 1, 3650, 1000},   // 0.0274% a day: 10% a year
	} {
		cp := &compiled{sc: &Scenario{Scenario: &scenario.Scenario{EpochLength: c.epoch}}}
		if got := cp.annualised(ledger.NewAmount(c.a), ledger.NewAmount(c.b), 10000).Int64(); got != c.want {
			t.Errorf("%d/%d per %s epoch: %d bps a year, want %d", c.a, c.b, c.epoch, got, c.want)
		}
	}
}
