package ledger_test

import (
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
)

func drawAmount(t *rapid.T, label string) ledger.Amount {
	hi := rapid.OneOf(rapid.Just(uint64(0)), rapid.Uint64Range(0, 1<<20), rapid.Uint64()).Draw(t, label+"_hi")
	lo := rapid.Uint64().Draw(t, label+"_lo")
	b := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	a, _ := ledger.AmountFromBig(b.Or(b, new(big.Int).SetUint64(lo)))
	return a
}

// TestMulDivMatchesBigIntegers: MulDiv's fast paths and its fallback give
// big-integer floor and ceiling, and refuse exactly what does not fit.
func TestMulDivMatchesBigIntegers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := drawAmount(t, "a"), drawAmount(t, "b"), drawAmount(t, "c")
		up := rapid.Bool().Draw(t, "up")
		got, ok := ledger.MulDiv(a, b, c, up)
		if c.IsZero() {
			if ok {
				t.Fatal("division by zero accepted")
			}
			return
		}
		n := new(big.Int).Mul(a.Big(), b.Big())
		q, r := new(big.Int).QuoRem(n, c.Big(), new(big.Int))
		if up && r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
		want, wok := ledger.AmountFromBig(q)
		if ok != wok || (ok && got != want) {
			t.Fatalf("MulDiv(%s, %s, %s, %v) = %s %v, want %s %v", a, b, c, up, got, ok, want, wok)
		}
	})
}

// TestBpsHelpersMatchBigIntegers: BpsFloor, BpsCeil, DeviationBps and
// CmpBps against big-integer arithmetic.
func TestBpsHelpersMatchBigIntegers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := drawAmount(t, "a"), drawAmount(t, "b")
		bps := rapid.Uint32Range(0, ledger.BPS).Draw(t, "bps")
		n := new(big.Int).Mul(a.Big(), big.NewInt(int64(bps)))
		fl, rem := new(big.Int).QuoRem(n, big.NewInt(ledger.BPS), new(big.Int))
		if got := ledger.BpsFloor(a, bps); got.Big().Cmp(fl) != 0 {
			t.Fatalf("BpsFloor(%s, %d) = %s, want %s", a, bps, got, fl)
		}
		if rem.Sign() != 0 {
			fl.Add(fl, big.NewInt(1))
		}
		if got := ledger.BpsCeil(a, bps); got.Big().Cmp(fl) != 0 {
			t.Fatalf("BpsCeil(%s, %d) = %s, want %s", a, bps, got, fl)
		}
		l := new(big.Int).Mul(a.Big(), big.NewInt(ledger.BPS))
		if got, want := ledger.CmpBps(a, b, bps), l.Cmp(new(big.Int).Mul(b.Big(), big.NewInt(int64(bps)))); got != want {
			t.Fatalf("CmpBps(%s, %s, %d) = %d, want %d", a, b, bps, got, want)
		}
		if b.IsZero() {
			return
		}
		d := new(big.Int).Sub(a.Big(), b.Big())
		d.Abs(d).Mul(d, big.NewInt(ledger.BPS)).Quo(d, b.Big())
		want := uint64(1 << 63)
		if d.IsUint64() && d.Uint64() < 1<<63 {
			want = d.Uint64()
		}
		if got := ledger.DeviationBps(a, b); got != want {
			t.Fatalf("DeviationBps(%s, %s) = %d, want %d", a, b, got, want)
		}
	})
}
