package pricefeed

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/shopspring/decimal"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// AttoDecimals is the precision of prices inside the adapter: integers of
// 10^-18 USD per whole token.
const AttoDecimals = 18

// Quote is one price from a source.
type Quote struct {
	// Source names the source, such as "chainlink:eth-usd".
	Source string `json:"source"`
	// Round identifies the observation at the source: a Chainlink round ID,
	// a Pyth publish time, a CEX ticker sequence, a Uniswap block time.
	// The idempotency key of the observation is derived from it.
	Round string `json:"round"`
	// Price is atto-USD (10^-18 USD) per whole token, truncated.
	Price ledger.Amount `json:"price"`
	// Conf is the source's confidence half-width in atto-USD (Pyth), or 0.
	Conf ledger.Amount `json:"conf"`
	// Time is when the source says the price was set.
	Time time.Time `json:"time"`
}

// Source gives the latest price of the native token in USD.
type Source interface {
	// Name names the source in events, keys and metrics.
	Name() string
	// Latest returns the source's latest quote, or an error wrapping one of
	// the package's sentinels.
	Latest(ctx context.Context) (Quote, error)
}

var (
	attoScale = decimal.New(1, AttoDecimals)
	maxAmount = decimal.NewFromBigInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)), 0)
)

// Atto converts an exact decimal price (USD per whole token) to atto-USD,
// truncating digits beyond the 18th decimal place. It refuses a price that
// is not positive, or below 10^-18 USD (it would truncate to zero, which
// the oracle refuses), or does not fit 128 bits (ErrInvalidAnswer).
func Atto(d decimal.Decimal) (ledger.Amount, error) {
	if d.Sign() <= 0 {
		return ledger.Amount{}, fmt.Errorf("%w: price %s is not positive", ErrInvalidAnswer, d)
	}
	a := d.Mul(attoScale).Truncate(0)
	if a.Sign() == 0 {
		return ledger.Amount{}, fmt.Errorf("%w: price %s is below 10^-18 USD", ErrInvalidAnswer, d)
	}
	if a.GreaterThan(maxAmount) {
		return ledger.Amount{}, fmt.Errorf("%w: price %s is too large", ErrInvalidAnswer, d)
	}
	v, _ := ledger.AmountFromBig(a.BigInt())
	return v, nil
}

// Decimal returns an atto-USD price as an exact decimal in USD.
func Decimal(atto ledger.Amount) decimal.Decimal {
	return decimal.NewFromBigInt(atto.Big(), -AttoDecimals)
}

// checkObservable refuses a price the oracle cannot take: above
// tokenomics.MaxPriceLimit (the chain's max_price, at most that, is
// checked by the engine). Prices are observed as they are, in atto-USD:
// the oracle's unit.
func checkObservable(atto ledger.Amount) error {
	if atto.Cmp(tokenomics.MaxPriceLimit) > 0 {
		return fmt.Errorf("%w: %s USD is above the oracle's limit %s", ErrInvalidAnswer, Decimal(atto), Decimal(tokenomics.MaxPriceLimit))
	}
	return nil
}

// median returns the median of prices, the lower middle one for an even
// count (the oracle's rule).
func median(ps []ledger.Amount) ledger.Amount {
	s := append([]ledger.Amount(nil), ps...)
	for i := 1; i < len(s); i++ { // insertion sort: a handful of feeds
		for j := i; j > 0 && s[j].Cmp(s[j-1]) < 0; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[(len(s)-1)/2]
}
