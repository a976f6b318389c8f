package tokenomics

import (
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// Exact integer helpers. Every rounding site in the package names its
// direction here or at the call: fees round up (the protocol gets the
// remainder), payouts round down (the remainder stays with the protocol and
// goes to the treasury).

var (
	bigBPS = big.NewInt(BPS)
	bigOne = big.NewInt(1)
)

func overflow(what string) error {
	return ledger.Errorf(ledger.ErrAmountOverflow, "%s does not fit 128 bits", what)
}

func add(a, b ledger.Amount, what string) (ledger.Amount, error) {
	s, ok := a.Add(b)
	if !ok {
		return ledger.Amount{}, overflow(what)
	}
	return s, nil
}

// sub returns a-b; callers guarantee b <= a (a bug otherwise, reported as
// an invariant error rather than a silent wrap).
func sub(a, b ledger.Amount, what string) (ledger.Amount, error) {
	d, ok := a.Sub(b)
	if !ok {
		return ledger.Amount{}, ledger.Errorf(ledger.ErrInvariant, "%s: %s - %s is negative", what, a, b)
	}
	return d, nil
}

// mustSub is sub for differences proven non-negative by construction.
func mustSub(a, b ledger.Amount) ledger.Amount {
	d, ok := a.Sub(b)
	if !ok {
		panic("tokenomics: negative difference " + a.String() + " - " + b.String())
	}
	return d
}

func minAmount(a, b ledger.Amount) ledger.Amount {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// mulDiv returns floor(a*b/c) (or the ceiling if up) over big integers.
func mulDiv(a, b, c *big.Int, up bool) *big.Int {
	n := new(big.Int).Mul(a, b)
	q, r := new(big.Int).QuoRem(n, c, new(big.Int))
	if up && r.Sign() != 0 {
		q.Add(q, bigOne)
	}
	return q
}

func toAmount(x *big.Int, what string) (ledger.Amount, error) {
	a, ok := ledger.AmountFromBig(x)
	if !ok {
		return ledger.Amount{}, overflow(what)
	}
	return a, nil
}

// amountMulDiv returns floor(a*b/c) (ceiling if up) for Amounts
// (ledger.MulDiv), with typed errors.
func amountMulDiv(a, b, c ledger.Amount, up bool, what string) (ledger.Amount, error) {
	if c.IsZero() {
		return ledger.Amount{}, ledger.Errorf(ledger.ErrInvariant, "%s: division by zero", what)
	}
	q, ok := ledger.MulDiv(a, b, c, up)
	if !ok {
		return ledger.Amount{}, overflow(what)
	}
	return q, nil
}

// Nat is a non-negative big integer (the F1 accumulator and its kin),
// written in JSON as a decimal string so that it survives readers that
// parse numbers as floats.
type Nat struct{ *big.Int }

// MarshalJSON writes n as a JSON string of decimal digits.
func (n Nat) MarshalJSON() ([]byte, error) {
	if n.Int == nil {
		return []byte(`"0"`), nil
	}
	return []byte(`"` + n.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string of decimal digits.
func (n *Nat) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ledger.Errorf(ledger.ErrMalformed, "big integers are JSON strings of digits")
	}
	x, ok := new(big.Int).SetString(string(b[1:len(b)-1]), 10)
	if !ok || x.Sign() < 0 {
		return ledger.Errorf(ledger.ErrMalformed, "%s is not a non-negative integer", b)
	}
	n.Int = x
	return nil
}

func natOf(x *big.Int) Nat { return Nat{x} }

func encBig(e *ledger.Encoder, x *big.Int) {
	if x == nil {
		e.Blob(nil)
		return
	}
	e.Blob(x.Bytes())
}

func decBig(d *ledger.Decoder) *big.Int {
	return new(big.Int).SetBytes(checkBig(d)) // SetBytes copies
}

// checkBig reads a big integer's canonical bytes (no leading zero, at most
// 64) without making the integer; the bytes are the decoder's buffer's.
func checkBig(d *ledger.Decoder) []byte {
	b := d.BlobRef()
	if len(b) > 0 && b[0] == 0 {
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "%s: big integer with a leading zero byte", d.What))
	}
	if len(b) > 64 {
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "%s: big integer of %d bytes", d.What, len(b)))
	}
	return b
}
