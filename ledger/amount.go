package ledger

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
)

// Amount is an exact, non-negative quantity of an asset in its base units
// (the smallest indivisible unit; an asset with 6 decimals has 10^6 base
// units per whole token). It is a 128-bit unsigned integer, which holds the
// supply of an 18-decimal asset up to about 3.4e20 whole tokens.
//
// Amount is a value type: the zero value is zero and arithmetic never
// wraps. Add and Sub report overflow and underflow instead of wrapping, so
// a balance can never silently go negative or past the maximum.
type Amount struct {
	hi, lo uint64
}

// MaxAmount is the largest representable Amount, 2^128 - 1.
var MaxAmount = Amount{hi: ^uint64(0), lo: ^uint64(0)}

// NewAmount returns the Amount of n base units.
func NewAmount(n uint64) Amount { return Amount{lo: n} }

// IsZero reports whether a is zero.
func (a Amount) IsZero() bool { return a.hi == 0 && a.lo == 0 }

// Cmp compares a and b and returns -1, 0 or +1.
func (a Amount) Cmp(b Amount) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// Uint64 returns a as a uint64 and whether it fits.
func (a Amount) Uint64() (uint64, bool) { return a.lo, a.hi == 0 }

// Add returns a+b, or ok=false if the sum overflows 128 bits.
func (a Amount) Add(b Amount) (sum Amount, ok bool) {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi, carry := bits.Add64(a.hi, b.hi, carry)
	return Amount{hi: hi, lo: lo}, carry == 0
}

// Sub returns a-b, or ok=false if b is larger than a.
func (a Amount) Sub(b Amount) (diff Amount, ok bool) {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, borrow := bits.Sub64(a.hi, b.hi, borrow)
	return Amount{hi: hi, lo: lo}, borrow == 0
}

// MulDiv returns floor(a*num/den) and the remainder (a*num) mod den, exact
// for every input: the intermediate product is computed in 256 bits. It
// reports ok=false if den is zero or the quotient does not fit 128 bits.
// The caller decides who receives the remainder; every rounding site in
// coopera documents that choice.
func (a Amount) MulDiv(num, den uint64) (q Amount, rem uint64, ok bool) {
	if den == 0 {
		return Amount{}, 0, false
	}
	// a*num = (hi*num)<<64 + lo*num, a 192-bit value (p2, p1, p0).
	h1, l1 := bits.Mul64(a.lo, num)
	h2, l2 := bits.Mul64(a.hi, num)
	p0 := l1
	p1, c := bits.Add64(h1, l2, 0)
	p2 := h2 + c
	if p2 >= den {
		return Amount{}, 0, false // quotient needs more than 128 bits
	}
	q1, r := bits.Div64(p2, p1, den)
	q0, r := bits.Div64(r, p0, den)
	return Amount{hi: q1, lo: q0}, r, true
}

// Big returns a as a big.Int.
func (a Amount) Big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// AmountFromBig converts b to an Amount; ok is false if b is negative or
// does not fit 128 bits.
func AmountFromBig(b *big.Int) (Amount, bool) {
	if b.Sign() < 0 || b.BitLen() > 128 {
		return Amount{}, false
	}
	words := b.Bits()
	var a Amount
	if bits.UintSize == 64 {
		if len(words) > 0 {
			a.lo = uint64(words[0])
		}
		if len(words) > 1 {
			a.hi = uint64(words[1])
		}
		return a, true
	}
	var lo, hi big.Int
	lo.And(b, new(big.Int).SetUint64(^uint64(0)))
	hi.Rsh(b, 64)
	return Amount{hi: hi.Uint64(), lo: lo.Uint64()}, true
}

// String formats a in base units, in decimal.
func (a Amount) String() string {
	if a.hi == 0 {
		return strconv.FormatUint(a.lo, 10)
	}
	return a.Big().String()
}

// Format formats a in whole units of an asset with the given decimals,
// for example NewAmount(1500000).Format(6) == "1.5". It never rounds.
func (a Amount) Format(decimals uint8) string {
	s := a.String()
	if decimals == 0 {
		return s
	}
	d := int(decimals)
	for len(s) <= d {
		s = "0" + s
	}
	whole, frac := s[:len(s)-d], s[len(s)-d:]
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// ParseAmount parses a decimal string of base units ("1500000"). It accepts
// only ASCII digits with no sign, exponent, fraction or leading zeros (other
// than "0" itself), so every Amount has exactly one text form. The error is
// an *AmountError that says what is wrong.
func ParseAmount(s string) (Amount, error) {
	if s == "" {
		return Amount{}, &AmountError{Input: s, Reason: "empty amount"}
	}
	if s[0] == '-' {
		return Amount{}, &AmountError{Input: s, Reason: "negative amounts are not allowed", Err: ErrNegativeAmount}
	}
	if len(s) > 1 && s[0] == '0' {
		return Amount{}, &AmountError{Input: s, Reason: "leading zeros are not allowed"}
	}
	var a Amount
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			return Amount{}, &AmountError{Input: s, Reason: "amounts are integer base units; a fraction is more precise than the asset allows (1.5 tokens of a 6-decimal asset is 1500000)", Err: ErrAmountPrecision}
		}
		if c < '0' || c > '9' {
			return Amount{}, &AmountError{Input: s, Reason: fmt.Sprintf("unexpected character %q: amounts are decimal digits in base units", c)}
		}
		var ok1, ok2 bool
		a, _, ok1 = a.MulDiv(10, 1)
		a, ok2 = a.Add(NewAmount(uint64(c - '0')))
		if !ok1 || !ok2 {
			return Amount{}, &AmountError{Input: s, Reason: "amount does not fit 128 bits", Err: ErrAmountOverflow}
		}
	}
	return a, nil
}

// ParseUnits parses a decimal string in whole units of an asset with the
// given decimals ("1.5" with 6 decimals is 1500000 base units). More
// fractional digits than the asset has is an ErrAmountPrecision error.
func ParseUnits(s string, decimals uint8) (Amount, error) {
	whole, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			break
		}
	}
	if len(frac) > int(decimals) {
		return Amount{}, &AmountError{Input: s, Reason: fmt.Sprintf("%d fractional digits, but the asset has %d decimals", len(frac), decimals), Err: ErrAmountPrecision}
	}
	if whole == "" {
		whole = "0"
	}
	for len(frac) < int(decimals) {
		frac += "0"
	}
	digits := whole + frac
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	a, err := ParseAmount(digits)
	if err != nil {
		return Amount{}, &AmountError{Input: s, Reason: err.(*AmountError).Reason, Err: err.(*AmountError).Err}
	}
	return a, nil
}

// MarshalJSON encodes a as a JSON string of base units, so that values
// beyond 2^53 survive JavaScript and other float-based JSON readers.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(`"` + a.String() + `"`), nil
}

// UnmarshalJSON accepts a JSON string of base units (see ParseAmount).
// Bare JSON numbers are refused: they invite float rounding.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		if len(b) > 0 && b[0] == '-' {
			return &AmountError{Input: string(b), Reason: "negative amounts are not allowed", Err: ErrNegativeAmount}
		}
		return &AmountError{Input: string(b), Reason: `amounts are JSON strings of base units, e.g. "1500000"`}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &AmountError{Input: string(b), Reason: err.Error()}
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// AmountError reports an amount that could not be parsed.
type AmountError struct {
	Input  string
	Reason string
	Err    error // a sentinel such as ErrAmountOverflow, or nil
}

func (e *AmountError) Error() string {
	return fmt.Sprintf("coopera: invalid_amount: %q: %s", e.Input, e.Reason)
}

// Unwrap returns ErrInvalidAmount and the more specific sentinel.
func (e *AmountError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidAmount, e.Err}
	}
	return []error{ErrInvalidAmount}
}
