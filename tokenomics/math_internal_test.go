package tokenomics

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
)

func drawAmount(t *rapid.T, label string, maxBits int) ledger.Amount {
	bits := rapid.IntRange(1, maxBits).Draw(t, label+"-bits")
	hi := rapid.Uint64().Draw(t, label+"-hi")
	lo := rapid.Uint64().Draw(t, label+"-lo")
	x := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	x.Or(x, new(big.Int).SetUint64(lo))
	x.Rsh(x, uint(128-bits))
	if x.Sign() == 0 {
		x.SetInt64(1)
	}
	a, _ := ledger.AmountFromBig(x)
	return a
}

// TestCurveNeverPaysBack: on any curve, buying with dx and selling the
// tokens straight back returns at most dx, and k = x * y never decreases
// through either trade (before fees, which only make it worse for the
// trader).
func TestCurveNeverPaysBack(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := Curve{X: drawAmount(t, "x", 60), Y: drawAmount(t, "y", 60)}
		dx := drawAmount(t, "dx", 62)
		k0 := new(big.Int).Mul(c.X.Big(), c.Y.Big())
		x1, y1, out, ok := c.buyOut(dx)
		if !ok {
			t.Fatalf("buy of %s on %+v overflowed", dx, c)
		}
		k1 := new(big.Int).Mul(x1.Big(), y1.Big())
		if k1.Cmp(k0) < 0 {
			t.Fatalf("buy: k fell from %s to %s", k0, k1)
		}
		if out.Cmp(c.Y) >= 0 {
			t.Fatalf("buy took %s of %s virtual tokens", out, c.Y)
		}
		after := Curve{X: x1, Y: y1}
		x2, y2, back, ok := after.sellOut(out)
		if !ok {
			t.Fatalf("sell of %s overflowed", out)
		}
		if back.Cmp(dx) > 0 {
			t.Fatalf("bought %s tokens with %s, sold them for %s", out, dx, back)
		}
		if k2 := new(big.Int).Mul(x2.Big(), y2.Big()); k2.Cmp(k1) < 0 {
			t.Fatalf("sell: k fell from %s to %s", k1, k2)
		}
		if QuoteBuy(c, dx) != out || QuoteSell(after, out) != back {
			t.Fatal("quotes disagree with the trades")
		}
	})
}

// TestFeeIsTheRate: the fee is exactly ceil(base * bps / 10000): never
// below the rate, and above it by less than one base unit.
func TestFeeIsTheRate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := drawAmount(t, "base", 114)
		bps := uint32(rapid.IntRange(0, 10000).Draw(t, "bps"))
		fee := FeeOf(base, bps)
		exact := new(big.Rat).SetFrac(new(big.Int).Mul(base.Big(), big.NewInt(int64(bps))), big.NewInt(BPS))
		f := new(big.Rat).SetInt(fee.Big())
		if f.Cmp(exact) < 0 {
			t.Fatalf("fee %s on %s at %d bps is below the rate %s", fee, base, bps, exact.FloatString(4))
		}
		if new(big.Rat).Sub(f, exact).Cmp(big.NewRat(1, 1)) >= 0 {
			t.Fatalf("fee %s on %s at %d bps exceeds the rate %s by a unit or more", fee, base, bps, exact.FloatString(4))
		}
		// The split: shares floored, the treasury's the rest.
		b, s, c := ledger.BpsFloor(fee, 3000), ledger.BpsFloor(fee, 3000), ledger.BpsFloor(fee, 2000)
		sum := new(big.Int).Add(b.Big(), s.Big())
		sum.Add(sum, c.Big())
		if sum.Cmp(fee.Big()) > 0 {
			t.Fatalf("shares %s exceed the fee %s", sum, fee)
		}
	})
}

// TestEmissionClosedForm: the sum of the schedule over n epochs matches
// its closed form. Halving, with the initial amount a multiple of 2^q (no
// flooring): sum = H * I * (2 - 2^(1-q)) + r * I / 2^q for n = q H + r.
// Halving with a floor: per period, H * max(floor, I >> k). Decay without
// a floor: the geometric sum G = I (1 - rho^n) / (1 - rho), rho = 1 -
// d/10000, and flooring each epoch loses under one unit each: G - n < sum
// <= G.
func TestEmissionClosedForm(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.Uint64Range(1, 300).Draw(t, "epochs")
		p := DefaultParams()
		sum := new(big.Int)
		total := func() {
			sum.SetInt64(0)
			for e := range n {
				sum.Add(sum, Emission(&p, e).Big())
			}
		}
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			h := rapid.Uint64Range(1, 40).Draw(t, "H")
			q, r := n/h, n%h
			m := rapid.Uint64Range(1, 1<<40).Draw(t, "m")
			if q > 60 {
				return
			}
			i := new(big.Int).Lsh(new(big.Int).SetUint64(m), uint(q))
			p.EmissionKind, p.EmissionHalvingEpochs, p.EmissionInitial, p.EmissionFloor = EmissionHalving, h, mustAmount(i), ledger.Amount{}
			total()
			// H * (2I - I / 2^(q-1)) + r * I / 2^q, all exact.
			want := new(big.Int).Lsh(i, 1)
			if q > 0 {
				want.Sub(want, new(big.Int).Rsh(i, uint(q-1)))
			} else {
				want.SetInt64(0)
			}
			want.Mul(want, new(big.Int).SetUint64(h))
			want.Add(want, new(big.Int).Mul(new(big.Int).SetUint64(r), new(big.Int).Rsh(i, uint(q))))
			if sum.Cmp(want) != 0 {
				t.Fatalf("halving I=%s H=%d n=%d: sum %s, closed form %s", i, h, n, sum, want)
			}
		case 1:
			h := rapid.Uint64Range(1, 40).Draw(t, "H")
			i := drawAmount(t, "I", 100)
			fl, _, _ := i.MulDiv(rapid.Uint64Range(0, 1000).Draw(t, "floor‰"), 1000)
			p.EmissionKind, p.EmissionHalvingEpochs, p.EmissionInitial, p.EmissionFloor = EmissionHalving, h, i, fl
			total()
			want := new(big.Int)
			for k := uint64(0); k*h < n; k++ {
				per := new(big.Int).Rsh(i.Big(), uint(min(k, 200)))
				if per.Cmp(fl.Big()) < 0 {
					per = fl.Big()
				}
				want.Add(want, new(big.Int).Mul(per, new(big.Int).SetUint64(min(h, n-k*h))))
			}
			if sum.Cmp(want) != 0 {
				t.Fatalf("halving with floor: sum %s, per-period form %s", sum, want)
			}
		case 2:
			d := uint32(rapid.IntRange(1, 9999).Draw(t, "decay"))
			i := drawAmount(t, "I", 100)
			p.EmissionKind, p.EmissionDecayBps, p.EmissionInitial, p.EmissionFloor = EmissionDecay, d, i, ledger.Amount{}
			total()
			// G = I * (10000^n - (10000-d)^n) / (d * 10000^(n-1))
			nn := new(big.Int).SetUint64(n)
			top := new(big.Int).Sub(new(big.Int).Exp(big.NewInt(BPS), nn, nil), new(big.Int).Exp(big.NewInt(int64(BPS-d)), nn, nil))
			top.Mul(top, i.Big())
			den := new(big.Int).Mul(big.NewInt(int64(d)), new(big.Int).Exp(big.NewInt(BPS), new(big.Int).SetUint64(n-1), nil))
			g := new(big.Rat).SetFrac(top, den)
			s := new(big.Rat).SetInt(sum)
			if s.Cmp(g) > 0 || new(big.Rat).Sub(g, s).Cmp(new(big.Rat).SetInt(nn)) >= 0 {
				t.Fatalf("decay I=%s d=%d n=%d: sum %s, closed form %s", i, d, n, sum, g.FloatString(3))
			}
		}
	})
}

func mustAmount(x *big.Int) ledger.Amount {
	a, ok := ledger.AmountFromBig(x)
	if !ok {
		panic("amount overflow")
	}
	return a
}

// TestParamsRoundTrip: parameters survive their canonical encoding, JSON
// and a governance change that sets a value to itself.
func TestParamsRoundTrip(t *testing.T) {
	p := DefaultParams()
	p.OracleFeeds = []ledger.AccountID{"f1", "f2"}
	p.StakeAssets = []StakeAsset{{Asset: "USDC", WeightBps: 5000}}
	p.Slashers = []ledger.AccountID{"g"}
	p.UsageReporters = []ledger.AccountID{"meter"}
	p.EmissionKind, p.EmissionDecayBps = EmissionDecay, 25
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	enc := p.encode()
	back, err := DecodeParams(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, back) {
		t.Fatalf("params changed in a round trip:\n%+v\n%+v", p, back)
	}
	same, err := Module{}.SetParam(enc, "fee_bps", json.RawMessage(`100`))
	if err != nil || !bytes.Equal(same, enc) {
		t.Fatalf("setting fee_bps to its value changed the encoding: %v", err)
	}
	if _, err := DecodeParams(append(enc, 0)); err == nil {
		t.Fatal("trailing bytes accepted")
	}
}

// TestTokensForCreditsFastIsExact: the fixed-width path of the reward cap
// gives the big.Int formula's quotient, floor(credits x 10^(12+decimals)
// x num / (price x den)), for any inputs, and reports no fit exactly when
// the quotient needs more than 128 bits.
func TestTokensForCreditsFastIsExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		credits := drawAmount(t, "credits", 128)
		price := drawAmount(t, "price", 128)
		dec := uint8(rapid.IntRange(0, 30).Draw(t, "decimals"))
		num := rapid.Uint64Range(0, 1<<40).Draw(t, "num")
		den := rapid.Uint64Range(1, 1<<40).Draw(t, "den")
		want := tokensForCreditsBig(credits, dec, num, den, price)
		got, ok := tokensForCreditsAmount(credits, dec, num, den, price)
		wantA, wantOK := ledger.AmountFromBig(want)
		if ok != wantOK || (ok && got != wantA) {
			t.Fatalf("tokensForCreditsAmount(%s, %d, %d, %d, %s) = %s %v; want %s", credits, dec, num, den, price, got, ok, want)
		}
		if b := tokensForCredits(credits, dec, num, den, price); b.Cmp(want) != 0 {
			t.Fatalf("tokensForCredits = %s; want %s", b, want)
		}
		if fast, ok := tokensForCreditsFast(credits, dec, num, den, price); ok && fast != wantA {
			t.Fatalf("fast path %s; want %s", fast, want)
		}
	})
}
