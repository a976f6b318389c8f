package scenario

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"sync"
)

// Dec is a fixed-point decimal with 9 fractional digits: One (1.0) is
// 1,000,000,000. Every rate, share, factor and model input of a scenario is
// a Dec. Scenario files write them as decimal literals ("0.05", "-0.2",
// "3", "5%"), which are parsed exactly, never through a float, so a
// scenario means the same numbers on every machine.
type Dec int64

// One is 1.0 as a Dec.
const One Dec = 1_000_000_000

const decDigits = 9

// ParseDec parses a decimal literal with at most 9 fractional digits,
// optionally followed by "%" (percent: "5%" is 0.05).
func ParseDec(s string) (Dec, error) {
	orig := s
	s = strings.TrimSpace(s)
	scale := 0
	if strings.HasSuffix(s, "%") {
		s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
		scale = 2
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" || strings.Trim(intPart, "0123456789_") != "" || strings.Trim(frac, "0123456789") != "" || hasDot && frac == "" {
		return 0, fmt.Errorf("%q is not a decimal number (write it as 0.05, -2, 1.5 or 5%%)", orig)
	}
	intPart = strings.ReplaceAll(intPart, "_", "")
	digits := intPart + frac
	fracDigits := len(frac) + scale
	if fracDigits > decDigits {
		extra := digits[len(digits)-(fracDigits-decDigits):]
		if strings.Trim(extra, "0") != "" {
			return 0, fmt.Errorf("%q has more than %d decimal places", orig, decDigits-scale)
		}
		digits = digits[:len(digits)-(fracDigits-decDigits)]
		fracDigits = decDigits
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		digits = "0"
	}
	digits += strings.Repeat("0", decDigits-fracDigits)
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || v > math.MaxInt64 {
		return 0, fmt.Errorf("%q is out of range (at most about 9.2e9)", orig)
	}
	if neg {
		return Dec(-int64(v)), nil
	}
	return Dec(v), nil
}

// MustDec is ParseDec for constants; it panics on a bad literal.
func MustDec(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the shortest exact decimal form.
func (d Dec) String() string {
	neg := d < 0
	u := uint64(d)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/uint64(One), 10)
	if f := u % uint64(One); f != 0 {
		fs := strconv.FormatUint(f, 10)
		fs = strings.Repeat("0", decDigits-len(fs)) + fs
		s += "." + strings.TrimRight(fs, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// mulDiv returns floor(a * b / c) for c > 0, computed with a 128-bit
// product, and false if the result does not fit in an int64.
func mulDiv(a, b, c int64) (int64, bool) {
	if c <= 0 {
		return 0, false
	}
	neg := (a < 0) != (b < 0)
	ua, ub := absU(a), absU(b)
	hi, lo := bits.Mul64(ua, ub)
	if hi >= uint64(c) {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if neg {
		if r != 0 {
			q++ // floor of a negative quotient
		}
		if q > 1<<63 {
			return 0, false
		}
		return -int64(q), true
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// MulDivSat is mulDiv saturated at the int64 range.
func MulDivSat(a, b, c int64) int64 {
	v, ok := mulDiv(a, b, c)
	if ok {
		return v
	}
	if (a < 0) != (b < 0) {
		return math.MinInt64 + 1
	}
	return math.MaxInt64
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

// Mul returns floor(a * d) for an integer quantity a, saturated.
func (d Dec) Mul(a int64) int64 { return MulDivSat(a, int64(d), int64(One)) }

// MulDec returns d * e, saturated.
func (d Dec) MulDec(e Dec) Dec { return Dec(MulDivSat(int64(d), int64(e), int64(One))) }

// isqrt returns floor(sqrt(n)).
func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := uint64(math.MaxUint32)
	if n < x*x {
		// Newton's method from an upper bound, in integers.
		x = 1 << ((bits.Len64(n) + 1) / 2)
	}
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// Sqrt returns sqrt(d) for d >= 0 (floored in the last digit).
func (d Dec) Sqrt() Dec {
	if d <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(d), uint64(One))
	// sqrt(d/1e9) * 1e9 = sqrt(d * 1e9); the product fits 128 bits, its
	// root fits 64.
	return Dec(isqrt128(hi, lo))
}

// isqrt128 returns floor(sqrt(hi*2^64 + lo)).
func isqrt128(hi, lo uint64) uint64 {
	if hi == 0 {
		return isqrt(lo)
	}
	n := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	n.Or(n, new(big.Int).SetUint64(lo))
	return n.Sqrt(n).Uint64()
}

// sineSteps is the resolution of the sine table: one turn.
const sineSteps = 4096

var (
	sineOnce  sync.Once
	sineTable [sineSteps]Dec
)

// Sin returns sin(2*pi*num/den) as a Dec from an integer table of 4096
// steps per turn, computed once by an exact big-number Taylor series (no
// floating point, so every machine has the same table).
func Sin(num, den int64) Dec {
	if den <= 0 {
		return 0
	}
	sineOnce.Do(buildSine)
	n := num % den
	if n < 0 {
		n += den
	}
	i, _ := mulDiv(n, sineSteps, den)
	return sineTable[i%sineSteps]
}

func buildSine() {
	// pi to 40 digits, as a fraction with a 10^40 denominator.
	pi, _ := new(big.Int).SetString("31415926535897932384626433832795028841971", 10)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(40), nil)
	one := new(big.Int).Set(scale)
	out := new(big.Int).Exp(big.NewInt(10), big.NewInt(decDigits), nil)
	for i := range sineTable {
		// x = 2*pi*i/steps, scaled by 10^40.
		x := new(big.Int).Mul(pi, big.NewInt(int64(2*i)))
		x.Quo(x, big.NewInt(sineSteps))
		sum := new(big.Int)
		term := new(big.Int).Set(x) // x^1/1!
		x2 := new(big.Int).Mul(x, x)
		x2.Quo(x2, one)
		for k := int64(1); term.Sign() != 0; k += 2 {
			sum.Add(sum, term)
			term.Mul(term, x2)
			term.Quo(term, one)
			term.Quo(term, big.NewInt((k+1)*(k+2)))
			term.Neg(term)
		}
		// Round to 9 digits.
		v := new(big.Int).Mul(sum, out)
		half := new(big.Int).Rsh(scale, 1)
		if v.Sign() < 0 {
			v.Sub(v, half)
		} else {
			v.Add(v, half)
		}
		v.Quo(v, scale)
		sineTable[i] = Dec(v.Int64())
	}
}
