package sim

import (
	"math/big"
	"strconv"
	"strings"
)

// Human units for charts and the report: exact decimal text from the
// tables' integers.

func unitLabel(u Unit) string {
	switch u {
	case UnitTokens:
		return "tokens"
	case UnitUSD:
		return "USD"
	case UnitPrice:
		return "USD per token"
	case UnitBps:
		return "%"
	case UnitOther:
		return "base units"
	}
	return "count"
}

// humanValue formats a metric value in human units, exactly, with at most
// three significant decimals and a k/M/B suffix.
func humanValue(v int64, u Unit, decimals uint8) string {
	var num, den *big.Int
	switch u {
	case UnitTokens:
		num, den = big.NewInt(v), pow10(decimals)
	case UnitUSD, UnitPrice:
		num, den = big.NewInt(v), big.NewInt(1_000_000)
	case UnitBps:
		num, den = big.NewInt(v), big.NewInt(100)
	default:
		num, den = big.NewInt(v), big.NewInt(1)
	}
	suffix := ""
	abs := new(big.Int).Abs(num)
	for _, s := range []struct {
		name string
		f    int64
	}{{"B", 1_000_000_000}, {"M", 1_000_000}, {"k", 1_000}} {
		if abs.Cmp(new(big.Int).Mul(den, big.NewInt(s.f))) >= 0 {
			den = new(big.Int).Mul(den, big.NewInt(s.f))
			suffix = s.name
			break
		}
	}
	// Three decimals, rounded toward zero.
	q := new(big.Int).Mul(num, big.NewInt(1000))
	q.Quo(q, den)
	out := formatMilli(q) + suffix
	if u == UnitBps {
		out += "%"
	}
	return out
}

func formatMilli(q *big.Int) string {
	neg := q.Sign() < 0
	a := new(big.Int).Abs(q)
	ip, fp := new(big.Int).QuoRem(a, big.NewInt(1000), new(big.Int))
	s := ip.String()
	if fp.Sign() != 0 {
		f := strconv.FormatInt(fp.Int64()+1000, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}
