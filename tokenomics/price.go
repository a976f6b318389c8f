package tokenomics

import (
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// Prices.
//
// An oracle price is an exact integer: units of 10^-18 USD per whole
// native token (PriceDecimals), held in a ledger.Amount. Eighteen places
// price a token worth far less than a millionth of a dollar, or one quoted
// in another token, without rounding; MaxPriceLimit ($1.27 x 10^12 per
// token) bounds the products the oracle and the burn-and-mint code form,
// so none of them can overflow. Credits stay micro-USD.

// PriceDecimals is the number of decimal places of an oracle price.
const PriceDecimals = 18

// creditPriceScale is 10^(PriceDecimals-6): price units per micro-USD.
const creditPriceScale = 1_000_000_000_000

// MaxPriceLimit is the largest max_price a chain may set: 2^100 units of
// 10^-18 USD, about $1.27 x 10^12 per whole token.
var MaxPriceLimit = func() ledger.Amount {
	a, _ := ledger.AmountFromBig(new(big.Int).Lsh(big.NewInt(1), 100))
	return a
}()

// USD returns the price of whole dollars per token: USD(1) is $1.00. It
// panics if the price does not fit (beyond 3.4 x 10^20 dollars).
func USD(dollars uint64) ledger.Amount {
	p, _, ok := ledger.NewAmount(dollars).MulDiv(1_000_000_000_000_000_000, 1)
	if !ok {
		panic("tokenomics: USD price overflow")
	}
	return p
}

// ParsePrice parses a decimal number of US dollars per whole token, such
// as "0.000000042" or "1250.5", exactly; more than 18 decimal places is
// an error (nothing is rounded).
func ParsePrice(usd string) (ledger.Amount, error) {
	return ledger.ParseUnits(usd, PriceDecimals)
}

// FormatPrice formats a price as a decimal number of US dollars.
func FormatPrice(p ledger.Amount) string { return p.Format(PriceDecimals) }

// Cumulative is a running integral of the median price over time, in price
// units x nanoseconds: a 256-bit unsigned integer. Prices are at most
// 2^100 and a ledger's whole history is under 2^64 ns, so it never
// overflows.
type Cumulative struct{ hi, lo ledger.Amount } // hi x 2^128 + lo

// CumulativeFromBig converts b; ok is false if b is negative or does not
// fit 256 bits.
func CumulativeFromBig(b *big.Int) (c Cumulative, ok bool) {
	if b.Sign() < 0 || b.BitLen() > 256 {
		return Cumulative{}, false
	}
	return cumulativeOf(b), true
}

func cumulativeOf(b *big.Int) Cumulative {
	var lo, hi big.Int
	lo.And(b, mask128)
	hi.Rsh(b, 128)
	c := Cumulative{}
	var ok1, ok2 bool
	c.lo, ok1 = ledger.AmountFromBig(&lo)
	c.hi, ok2 = ledger.AmountFromBig(&hi)
	if !ok1 || !ok2 || b.Sign() < 0 {
		panic("tokenomics: cumulative price out of range")
	}
	return c
}

var mask128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// Big returns c as a big.Int.
func (c Cumulative) Big() *big.Int {
	b := c.hi.Big()
	b.Lsh(b, 128)
	return b.Or(b, c.lo.Big())
}

// IsZero reports whether c is zero.
func (c Cumulative) IsZero() bool { return c.hi.IsZero() && c.lo.IsZero() }

// String formats c in decimal.
func (c Cumulative) String() string { return c.Big().String() }

// MarshalJSON encodes c as a JSON string, like amounts.
func (c Cumulative) MarshalJSON() ([]byte, error) { return []byte(`"` + c.String() + `"`), nil }

// UnmarshalJSON accepts a JSON string of a non-negative integer below
// 2^256.
func (c *Cumulative) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ledger.Errorf(ledger.ErrMalformed, "cumulative price: want a JSON string of digits")
	}
	v, ok := new(big.Int).SetString(string(b[1:len(b)-1]), 10)
	if ok {
		*c, ok = CumulativeFromBig(v)
	}
	if !ok {
		return ledger.Errorf(ledger.ErrMalformed, "cumulative price %s: want an integer 0..2^256-1", b)
	}
	return nil
}

func (c *Cumulative) enc(e *ledger.Encoder) { e.Amount(c.hi); e.Amount(c.lo) }
func (c *Cumulative) dec(d *ledger.Decoder) { c.hi, c.lo = d.Amount(), d.Amount() }

// addPriceTime returns c + price x dt.
func (c Cumulative) addPriceTime(price ledger.Amount, dt uint64) Cumulative {
	if dt == 0 || price.IsZero() {
		return c
	}
	if p, _, ok := price.MulDiv(dt, 1); ok { // the common case: in 128 bits
		if lo, ok := c.lo.Add(p); ok {
			return Cumulative{hi: c.hi, lo: lo}
		}
	}
	b := price.Big()
	b.Mul(b, new(big.Int).SetUint64(dt))
	return cumulativeOf(b.Add(b, c.Big()))
}

// averageSince returns (c - c0) / dt, floored: the mean price over dt.
func (c Cumulative) averageSince(c0 Cumulative, dt uint64) (ledger.Amount, error) {
	if c.hi == c0.hi {
		if d, ok := c.lo.Sub(c0.lo); ok {
			q, _, _ := d.MulDiv(1, dt)
			return q, nil
		}
	}
	d := c.Big()
	d.Sub(d, c0.Big())
	if d.Sign() < 0 {
		return ledger.Amount{}, ledger.Errorf(ledger.ErrCorrupt, "cumulative price decreased")
	}
	q, ok := ledger.AmountFromBig(d.Quo(d, new(big.Int).SetUint64(dt)))
	if !ok {
		return ledger.Amount{}, ledger.Errorf(ledger.ErrCorrupt, "TWAP does not fit 128 bits")
	}
	return q, nil
}

// creditsFor returns floor(amount x price / 10^(decimals+12)): the credits
// (micro-USD) that amount base units buy at price.
func creditsFor(amount, price ledger.Amount, decimals uint8) (ledger.Amount, error) {
	if int(decimals)+12 < len(pow10Amounts) {
		q, ok := ledger.MulDiv(amount, price, pow10Amounts[decimals+12], false)
		if !ok {
			return ledger.Amount{}, overflow("credits")
		}
		return q, nil
	}
	return toAmount(mulDiv(amount.Big(), price.Big(), ledger.Pow10(decimals+12), false), "credits")
}

// pow10Amounts[n] is 10^n, for every n whose power fits 128 bits.
var pow10Amounts = func() []ledger.Amount {
	var out []ledger.Amount
	for n := uint8(0); ; n++ {
		a, ok := ledger.AmountFromBig(ledger.Pow10(n))
		if !ok {
			return out
		}
		out = append(out, a)
	}
}()

// tokensForCredits returns floor(credits x 10^(12+decimals) x num / (price
// x den)): the native base units that credits (micro-USD) are worth at
// price, scaled by num/den.
func tokensForCredits(credits ledger.Amount, decimals uint8, num, den uint64, price ledger.Amount) *big.Int {
	if a, ok := tokensForCreditsFast(credits, decimals, num, den, price); ok {
		return a.Big()
	}
	return tokensForCreditsBig(credits, decimals, num, den, price)
}

// tokensForCreditsAmount is tokensForCredits as an Amount, ok=false when
// the result does not fit 128 bits. It computes in 128 and 256 bits
// without allocating where it can: floor(floor(x / price) / den) equals
// floor(x / (price x den)) for positive integers, so the quotient is the
// same, exactly, as tokensForCreditsBig's.
func tokensForCreditsAmount(credits ledger.Amount, decimals uint8, num, den uint64, price ledger.Amount) (ledger.Amount, bool) {
	if a, ok := tokensForCreditsFast(credits, decimals, num, den, price); ok {
		return a, true
	}
	return ledger.AmountFromBig(tokensForCreditsBig(credits, decimals, num, den, price))
}

// tokensForCreditsFast is the fixed-width path of tokensForCredits; ok is
// false where it cannot answer (the caller then computes in big.Int).
func tokensForCreditsFast(credits ledger.Amount, decimals uint8, num, den uint64, price ledger.Amount) (ledger.Amount, bool) {
	if int(decimals)+12 >= len(pow10Amounts) || price.IsZero() || den == 0 {
		return ledger.Amount{}, false
	}
	scale, _, ok := pow10Amounts[decimals+12].MulDiv(num, 1)
	if !ok {
		return ledger.Amount{}, false
	}
	q, ok := ledger.MulDiv(credits, scale, price, false)
	if !ok {
		return ledger.Amount{}, false
	}
	q, _, ok = q.MulDiv(1, den)
	return q, ok
}

func tokensForCreditsBig(credits ledger.Amount, decimals uint8, num, den uint64, price ledger.Amount) *big.Int {
	n := credits.Big()
	n.Mul(n, ledger.Pow10(decimals+12))
	n.Mul(n, new(big.Int).SetUint64(num))
	d := price.Big()
	d.Mul(d, new(big.Int).SetUint64(den))
	return n.Quo(n, d)
}
