package agents

import (
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
)

func drawAmount(t *rapid.T, label string) ledger.Amount {
	bits := rapid.IntRange(1, 128).Draw(t, label+"-bits")
	x := new(big.Int).Lsh(new(big.Int).SetUint64(rapid.Uint64().Draw(t, label+"-hi")), 64)
	x.Or(x, new(big.Int).SetUint64(rapid.Uint64().Draw(t, label+"-lo")))
	x.Rsh(x, uint(128-bits))
	a, _ := ledger.AmountFromBig(x)
	return a
}

// TestValuesFastPathsAreExact: tokensFor and ValueOf, which compute in
// fixed width where they can, give the big.Int formulas' results for any
// inputs, saturation included.
func TestValuesFastPathsAreExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		dec := uint8(rapid.IntRange(0, 24).Draw(t, "decimals"))
		price := rapid.Int64Range(-1, 1<<62).Draw(t, "price")
		if rapid.Bool().Draw(t, "small-price") {
			price = rapid.Int64Range(1, 1000).Draw(t, "price-small")
		}
		usd := rapid.Int64Range(-1, 1<<62).Draw(t, "usd")
		want := ledger.Amount{}
		if usd > 0 && price > 0 {
			want = tokensForBig(usd, price, dec)
		}
		if got := tokensFor(usd, price, dec); got != want {
			t.Fatalf("tokensFor(%d, %d, %d) = %s; want %s", usd, price, dec, got, want)
		}
		tokens := drawAmount(t, "tokens")
		wantV := int64(0)
		if !tokens.IsZero() && price > 0 {
			wantV = valueOfBig(tokens, price, dec)
		}
		if got := ValueOf(tokens, price, dec); got != wantV {
			t.Fatalf("ValueOf(%s, %d, %d) = %d; want %d", tokens, price, dec, got, wantV)
		}
	})
}

// Normal's mean is 0 to the draw's precision: its 16-bit uniforms are the
// middles of their steps (the low ends biased it by -6/65536, about
// -9.2e-5; a read-only audit of the simulator found it). A sample mean
// could not show a bias that small, so the symmetry that makes the mean 0
// is checked exactly: the lowest and the highest sums give opposite
// values, and so does every pair of sums equally far from the middle.
func TestNormalIsCentred(t *testing.T) {
	const top = 12 * 0xffff
	for _, s := range []int64{0, 1, 1000, 393210, top / 2} {
		if lo, hi := normalOfSum(s), normalOfSum(top-s); lo != -hi {
			t.Fatalf("sums %d and %d give %s and %s; want opposites", s, top-s, lo, hi)
		}
	}
}
