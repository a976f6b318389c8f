package ledger

import (
	"errors"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

func genAmount() *rapid.Generator[Amount] {
	return rapid.Custom(func(t *rapid.T) Amount {
		switch rapid.IntRange(0, 3).Draw(t, "shape") {
		case 0:
			return NewAmount(rapid.Uint64Range(0, 1000).Draw(t, "small"))
		case 1:
			return NewAmount(rapid.Uint64().Draw(t, "lo"))
		default:
			return Amount{hi: rapid.Uint64().Draw(t, "hi"), lo: rapid.Uint64().Draw(t, "lo")}
		}
	})
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

func TestAmountArithmeticMatchesBig(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genAmount().Draw(t, "a"), genAmount().Draw(t, "b")
		ab, bb := a.Big(), b.Big()
		sum, ok := a.Add(b)
		want := new(big.Int).Add(ab, bb)
		if ok != (want.Cmp(two128) < 0) || ok && sum.Big().Cmp(want) != 0 {
			t.Fatalf("%s + %s = %s ok=%v, want %s", a, b, sum, ok, want)
		}
		diff, ok := a.Sub(b)
		want = new(big.Int).Sub(ab, bb)
		if ok != (want.Sign() >= 0) || ok && diff.Big().Cmp(want) != 0 {
			t.Fatalf("%s - %s = %s ok=%v, want %s", a, b, diff, ok, want)
		}
		if a.Cmp(b) != ab.Cmp(bb) {
			t.Fatalf("Cmp(%s, %s) = %d", a, b, a.Cmp(b))
		}
		num := rapid.Uint64().Draw(t, "num")
		den := rapid.Uint64Range(1, ^uint64(0)).Draw(t, "den")
		q, rem, ok := a.MulDiv(num, den)
		p := new(big.Int).Mul(ab, new(big.Int).SetUint64(num))
		wq, wr := new(big.Int).QuoRem(p, new(big.Int).SetUint64(den), new(big.Int))
		if ok != (wq.Cmp(two128) < 0) || ok && (q.Big().Cmp(wq) != 0 || rem != wr.Uint64()) {
			t.Fatalf("%s*%d/%d = %s rem %d ok=%v, want %s rem %s", a, num, den, q, rem, ok, wq, wr)
		}
		// Text round trip.
		back, err := ParseAmount(a.String())
		if err != nil || back != a {
			t.Fatalf("ParseAmount(%q) = %s, %v", a.String(), back, err)
		}
		if fb, ok := AmountFromBig(ab); !ok || fb != a {
			t.Fatalf("AmountFromBig(%s) = %s", ab, fb)
		}
	})
}

func TestParseAmountErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrInvalidAmount},
		{"-5", ErrNegativeAmount},
		{"1.5", ErrAmountPrecision},
		{"1e6", ErrInvalidAmount},
		{"007", ErrInvalidAmount},
		{" 7", ErrInvalidAmount},
		{"340282366920938463463374607431768211456", ErrAmountOverflow}, // 2^128
	} {
		_, err := ParseAmount(tc.in)
		if !errors.Is(err, tc.want) || !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("ParseAmount(%q) = %v, want %v", tc.in, err, tc.want)
		}
	}
	if a, err := ParseAmount("340282366920938463463374607431768211455"); err != nil || a != MaxAmount {
		t.Errorf("max amount: %s, %v", a, err)
	}
}

func TestAmountJSON(t *testing.T) {
	var a Amount
	if err := a.UnmarshalJSON([]byte(`"1500000"`)); err != nil || a != NewAmount(1500000) {
		t.Fatalf("%s %v", a, err)
	}
	for _, bad := range []string{`1500000`, `-1`, `"1.5"`, `null`, `"abc"`} {
		if err := a.UnmarshalJSON([]byte(bad)); !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("UnmarshalJSON(%s) = %v, want ErrInvalidAmount", bad, err)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		dec  uint8
		want uint64
		err  error
	}{
		{"1.5", 6, 1500000, nil},
		{"0.000001", 6, 1, nil},
		{"12", 0, 12, nil},
		{".5", 1, 5, nil},
		{"0.0000001", 6, 0, ErrAmountPrecision},
		{"1.5", 0, 0, ErrAmountPrecision},
	} {
		got, err := ParseUnits(tc.in, tc.dec)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseUnits(%q, %d) error %v, want %v", tc.in, tc.dec, err, tc.err)
			}
			continue
		}
		if err != nil || got != NewAmount(tc.want) {
			t.Errorf("ParseUnits(%q, %d) = %s, %v; want %d", tc.in, tc.dec, got, err, tc.want)
		}
		if back, _ := ParseUnits(got.Format(tc.dec), tc.dec); back != got {
			t.Errorf("Format round trip of %s: %q", got, got.Format(tc.dec))
		}
	}
}
