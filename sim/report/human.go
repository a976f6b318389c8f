package report

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/coopera/coopera/sim"
)

// Human units for charts and the report: exact decimal text from the
// tables' integers.

func unitLabel(u sim.Unit) string {
	switch u {
	case sim.UnitTokens:
		return "tokens"
	case sim.UnitUSD:
		return "USD"
	case sim.UnitPrice:
		return "USD per token"
	case sim.UnitBps:
		return "%"
	case sim.UnitOther:
		return "base units"
	}
	return "count"
}

// humanValue formats a metric value in human units, exactly, with at most
// three significant decimals and a k/M/B suffix.
func humanValue(v int64, u sim.Unit, decimals uint8) string {
	var num, den *big.Int
	switch u {
	case sim.UnitTokens:
		num, den = big.NewInt(v), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	case sim.UnitUSD, sim.UnitPrice:
		num, den = big.NewInt(v), big.NewInt(1_000_000)
	case sim.UnitBps:
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
	if u == sim.UnitBps {
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
