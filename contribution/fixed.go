package contribution

import "math/bits"

// fx is an unsigned 32.32 fixed-point number: the raw bits of subtensor's
// I32F32 for the non-negative values the epoch works with. One unit of
// the last place is 2^-32 (about 2.3e-10), finer than the 1e-9 the
// results are reported in.
//
// Every operation floors, as the chain's fixed-point arithmetic does for
// non-negative operands (extra fractional bits are discarded); where a
// quotient would not fit it saturates, and a division by zero is zero
// (the chain's safe_div).
type fx = uint64

const (
	fxOne  fx = 1 << 32
	fxFrac    = 32
)

// fxMul returns a x b, floored.
func fxMul(a, b fx) fx {
	hi, lo := bits.Mul64(a, b)
	if hi>>fxFrac != 0 {
		return ^fx(0)
	}
	return hi<<(64-fxFrac) | lo>>fxFrac
}

// fxDiv returns a / b, floored; zero when b is zero.
func fxDiv(a, b fx) fx { return ratio(a, b) }

// ratio returns floor(a x 2^32 / b) for integers a and b: the 32.32
// fraction a/b. Zero when b is zero; saturates above 2^32 x 2^32.
func ratio(a, b uint64) fx {
	if b == 0 {
		return 0
	}
	hi, lo := a>>(64-fxFrac), a<<fxFrac
	if hi >= b {
		return ^fx(0)
	}
	q, _ := bits.Div64(hi, lo, b)
	return q
}

// fxFloor returns floor(x x m): the integer part of a fraction scaled by
// m (the chain's fixed_proportion_to_u16 with m = 65535).
func fxFloor(x fx, m uint64) uint64 {
	hi, lo := bits.Mul64(x, m)
	return hi<<(64-fxFrac) | lo>>fxFrac
}

// fxPpb converts a fraction to parts per billion, floored.
func fxPpb(x fx) uint64 { return fxFloor(x, ppb) }

// fxFromU16 returns the chain's u16 proportion n/65535 as a fraction
// (I32F32::from(n) / I32F32::from(65535)).
func fxFromU16(n uint16) fx { return ratio(uint64(n), 65535) }

// normalise divides every element by their sum in place (the chain's
// inplace_normalize); a zero sum leaves the vector as it is.
func normalise(x []fx) {
	var sum fx
	for _, v := range x {
		sum = satAdd(sum, v)
	}
	if sum == 0 {
		return
	}
	for i, v := range x {
		x[i] = fxDiv(v, sum)
	}
}

func satAdd(a, b fx) fx {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return ^fx(0)
	}
	return s
}

const (
	ppm = 1_000_000
	ppb = 1_000_000_000
)

// divisor divides by one denominator many times: floor(a x 2^32 / d)
// with a multiplication by a reciprocal and at most two corrections,
// exactly as ratio computes it (a column's sum divides every entry of
// the column).
type divisor struct{ d, m uint64 }

func newDivisor(d uint64) divisor {
	if d == 0 {
		return divisor{}
	}
	return divisor{d, ^uint64(0) / d}
}

// ratio returns floor(a x 2^32 / d), zero when d is zero.
func (v divisor) ratio(a uint64) fx {
	if v.d == 0 {
		return 0
	}
	if a >= fxOne {
		return ratio(a, v.d)
	}
	// m >= (2^64 - 1 - d)/d, so q falls short of floor(n/d) by at most 2.
	n := a << fxFrac
	q, _ := bits.Mul64(n, v.m)
	r := n - q*v.d
	for r >= v.d {
		q++
		r -= v.d
	}
	return q
}
