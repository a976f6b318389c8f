package agents

import (
	"math"
	"math/big"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/scenario"
)

// The scenario's numbers (package sim/scenario).
type (
	Dec    = scenario.Dec
	Tokens = scenario.Tokens
)

// One is the Dec 1.
const One = scenario.One

// Accounts the simulator adds to every chain.
const (
	ExchangeAccount ledger.AccountID = "sim-exchange" // the market: sells the tokens consumers burn, buys providers' rewards
	OperatorAccount ledger.AccountID = "sim-operator" // submits direct parameter changes
)

// tokensFor returns the tokens, rounded up, that buy usd micro-USD of
// credits at price.
func tokensFor(usd, price int64, dec uint8) ledger.Amount {
	if usd <= 0 || price <= 0 {
		return ledger.Amount{}
	}
	if int(dec) < len(pow10u) {
		// ceil(usd x 10^dec / price) in 192 bits.
		q, rem, ok := ledger.NewAmount(uint64(usd)).MulDiv(pow10u[dec], uint64(price))
		if ok {
			if rem != 0 {
				q, ok = q.Add(ledger.NewAmount(1))
			}
			if ok {
				return q
			}
		}
	}
	return tokensForBig(usd, price, dec)
}

func tokensForBig(usd, price int64, dec uint8) ledger.Amount {
	n := new(big.Int).Mul(big.NewInt(usd), ledger.Pow10(dec))
	n.Add(n, big.NewInt(price-1))
	n.Quo(n, big.NewInt(price))
	a, _ := ledger.AmountFromBig(n)
	return a
}

// ValueOf returns the USD value (micro-USD, floored, saturated) of tokens
// (base units of a token with dec decimals) at price (micro-USD per whole
// token). The simulator's market and metrics value holdings with it.
func ValueOf(tokens ledger.Amount, price int64, dec uint8) int64 {
	if tokens.IsZero() || price <= 0 {
		return 0
	}
	if int(dec) < len(pow10u) {
		// floor(tokens x price / 10^dec) in 192 bits; a quotient beyond
		// 128 bits saturates as one beyond 63 does.
		q, _, ok := tokens.MulDiv(uint64(price), pow10u[dec])
		v, fits := q.Uint64()
		if !ok || !fits || v > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(v)
	}
	return valueOfBig(tokens, price, dec)
}

func valueOfBig(tokens ledger.Amount, price int64, dec uint8) int64 {
	v := new(big.Int).Mul(tokens.Big(), big.NewInt(price))
	v.Quo(v, ledger.Pow10(dec))
	if !v.IsInt64() {
		return math.MaxInt64
	}
	return v.Int64()
}

// pow10u[n] is 10^n for every n whose power fits 64 bits.
var pow10u = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func amt(a ledger.Amount) int64 {
	v, ok := a.Uint64()
	if !ok || v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}

// Unit is the unit of a metric's integer values.
type Unit uint8

// Units of metrics.
const (
	UnitCount  Unit = iota // a count
	UnitTokens             // base units of the native token
	UnitUSD                // micro-USD
	UnitPrice              // micro-USD per whole native token
	UnitBps                // basis points (10000 = 100%)
	UnitOther              // base units of another asset
)

// String names the unit as the tables' documentation does.
func (u Unit) String() string {
	switch u {
	case UnitTokens:
		return "base units"
	case UnitUSD:
		return "micro-USD"
	case UnitPrice:
		return "micro-USD per token"
	case UnitBps:
		return "bps"
	case UnitOther:
		return "base units"
	}
	return "count"
}
