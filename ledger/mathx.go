package ledger

import "math/big"

// Exact integer helpers shared by the modules. Each names its rounding;
// the caller names who receives the remainder.

// BPS is the basis-point denominator: 10000 bps = 100%.
const BPS = 10000

// BpsFloor returns floor(a x bps / 10000). bps above 10000 is allowed
// (the result may then exceed a) and never overflows below 2^114 x a.
func BpsFloor(a Amount, bps uint32) Amount {
	q, _ := bpsDiv(a, bps)
	return q
}

// BpsCeil returns ceil(a x bps / 10000): the fee rounding, so that a fee
// is never below its rate and splitting a payment cannot dodge it.
func BpsCeil(a Amount, bps uint32) Amount {
	q, r := bpsDiv(a, bps)
	if r != 0 {
		q, _ = q.Add(NewAmount(1)) // q <= a x bps / 10000 < 2^128 when bps <= 10000
	}
	return q
}

func bpsDiv(a Amount, bps uint32) (Amount, uint64) {
	q, r, ok := a.MulDiv(uint64(bps), BPS)
	if !ok {
		panic("ledger: bps product overflow") // only with bps > 10000 and a near 2^128
	}
	return q, r
}

// MulDiv returns a x b / c, rounded down, or up if up is true, exactly:
// the product is formed in 256 bits. ok is false if c is zero or the
// result does not fit 128 bits.
func MulDiv(a, b, c Amount, up bool) (q Amount, ok bool) {
	if c.IsZero() {
		return Amount{}, false
	}
	if c.hi == 0 {
		var r uint64
		switch {
		case b.hi == 0:
			q, r, ok = a.MulDiv(b.lo, c.lo)
		case a.hi == 0:
			q, r, ok = b.MulDiv(a.lo, c.lo)
		default:
			return mulDivBig(a, b, c, up)
		}
		if !ok {
			return mulDivBig(a, b, c, up) // the 192-bit product's quotient may still fit
		}
		if up && r != 0 {
			return q.Add(NewAmount(1))
		}
		return q, true
	}
	return mulDivBig(a, b, c, up)
}

func mulDivBig(a, b, c Amount, up bool) (Amount, bool) {
	n := new(big.Int).Mul(a.Big(), b.Big())
	q, r := n.QuoRem(n, c.Big(), new(big.Int))
	if up && r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return AmountFromBig(q)
}

// DeviationBps returns |a - b| x 10000 / b, floored, saturating at 2^63
// (b must not be zero: the result is then 2^63).
func DeviationBps(a, b Amount) uint64 {
	d, ok := a.Sub(b)
	if !ok {
		d, _ = b.Sub(a)
	}
	q, ok := MulDiv(d, NewAmount(BPS), b, false)
	if v, fits := q.Uint64(); ok && fits && v < 1<<63 {
		return v
	}
	return 1 << 63
}

// CmpBps compares part x 10000 with whole x bps: -1, 0 or +1, exactly.
func CmpBps(part, whole Amount, bps uint32) int {
	l, _, lok := part.MulDiv(BPS, 1)
	r, _, rok := whole.MulDiv(uint64(bps), 1)
	if lok && rok {
		return l.Cmp(r)
	}
	lb := new(big.Int).Mul(part.Big(), big.NewInt(BPS))
	return lb.Cmp(new(big.Int).Mul(whole.Big(), new(big.Int).SetUint64(uint64(bps))))
}

// Pow10 returns 10^n. The result is shared: use it as an operand only,
// never as a receiver or an argument that is modified.
func Pow10(n uint8) *big.Int { return pow10Table[n] }

// pow10Table[n] is 10^n for every uint8 n, made once.
var pow10Table = func() (t [256]*big.Int) {
	x := big.NewInt(1)
	for n := range t {
		t[n] = new(big.Int).Set(x)
		x.Mul(x, big.NewInt(10))
	}
	return t
}()
