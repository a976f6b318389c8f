package sim

import (
	"math/big"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
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
