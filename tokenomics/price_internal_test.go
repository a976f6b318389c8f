package tokenomics

import (
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
)

func drawPrice(t *rapid.T, label string) ledger.Amount {
	b := new(big.Int).SetUint64(rapid.Uint64Range(1, 1<<63).Draw(t, label+"_hi"))
	b.Lsh(b, uint(rapid.IntRange(0, 37).Draw(t, label+"_shift"))) // up to 2^100
	b.Add(b, new(big.Int).SetUint64(rapid.Uint64().Draw(t, label+"_lo")&((1<<37)-1)))
	if b.BitLen() > 100 {
		b.Rsh(b, uint(b.BitLen()-100))
	}
	a, _ := ledger.AmountFromBig(b)
	return a
}

// TestCumulativeMatchesBigIntegers: the oracle's 256-bit cumulative price,
// its TWAP division, its codec and JSON agree with big-integer arithmetic
// for prices up to 2^100 and steps up to 2^44 ns, well past 128 bits.
func TestCumulativeMatchesBigIntegers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var c Cumulative
		want := new(big.Int)
		marks := []struct {
			c Cumulative
			b *big.Int
		}{{c, new(big.Int)}}
		for i := range rapid.IntRange(1, 12).Draw(t, "steps") {
			p := drawPrice(t, "p")
			dt := rapid.Uint64Range(0, 1<<44).Draw(t, "dt")
			c = c.addPriceTime(p, dt)
			want.Add(want, new(big.Int).Mul(p.Big(), new(big.Int).SetUint64(dt)))
			if c.Big().Cmp(want) != 0 {
				t.Fatalf("step %d: cumulative %s, want %s", i, c, want)
			}
			marks = append(marks, struct {
				c Cumulative
				b *big.Int
			}{c, new(big.Int).Set(want)})
		}
		m := marks[rapid.IntRange(0, len(marks)-1).Draw(t, "from")]
		dt := rapid.Uint64Range(1, 1<<44).Draw(t, "window")
		q := new(big.Int).Sub(want, m.b)
		q.Quo(q, new(big.Int).SetUint64(dt))
		if q.BitLen() <= 128 {
			got, err := c.averageSince(m.c, dt)
			if err != nil || got.Big().Cmp(q) != 0 {
				t.Fatalf("average %s (%v), want %s", got, err, q)
			}
		}
		e := ledger.NewEncoder(nil)
		c.enc(e)
		var back Cumulative
		d := ledger.NewDecoder(e.Bytes(), "cumulative")
		back.dec(d)
		if err := d.Finish(); err != nil || back != c {
			t.Fatalf("codec: %s -> %s (%v)", c, back, err)
		}
		js, _ := c.MarshalJSON()
		var fromJSON Cumulative
		if err := fromJSON.UnmarshalJSON(js); err != nil || fromJSON != c {
			t.Fatalf("JSON %s: %s (%v)", js, fromJSON, err)
		}
	})
}

// TestDeviationBpsMatchesBigIntegers: |a-b| x 10000 / b, floored, for
// prices up to 2^100.
func TestDeviationBpsMatchesBigIntegers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := drawPrice(t, "a"), drawPrice(t, "b")
		d := new(big.Int).Sub(a.Big(), b.Big())
		d.Abs(d).Mul(d, big.NewInt(BPS)).Quo(d, b.Big())
		want := uint64(1 << 63)
		if d.IsUint64() && d.Uint64() < 1<<63 {
			want = d.Uint64()
		}
		if got := ledger.DeviationBps(a, b); got != want {
			t.Fatalf("ledger.DeviationBps(%s, %s) = %d, want %d", a, b, got, want)
		}
	})
}

// TestCumulativeRefusesBadJSON: negative, non-integer and over-256-bit
// values are malformed.
func TestCumulativeRefusesBadJSON(t *testing.T) {
	over := new(big.Int).Lsh(big.NewInt(1), 256).String()
	for _, in := range []string{`-1`, `"-1"`, `"1.5"`, `"` + over + `"`, `12`} {
		var c Cumulative
		if err := c.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}
