package pricefeed_test

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/coopera/coopera/adapters/pricefeed"
)

// A Chainlink feed read through the chain client's interface (here a
// function-field fake), checked, and converted exactly: 8 decimals to
// atto-USD, the unit observe_price takes.
func Example() {
	at := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	c := &pricefeed.Chainlink{
		Feed:      "coop-usd",
		Heartbeat: time.Hour,
		Clock:     func() time.Time { return at },
		Aggregator: &fakeAggregator{
			decimals: func(context.Context) (uint8, error) { return 8, nil },
			latest: func(context.Context) (pricefeed.RoundData, error) {
				// Round 12345 of the feed's first phase: (1 << 64) | 12345.
				id, _ := new(big.Int).SetString("18446744073709564961", 10)
				updated := big.NewInt(at.Add(-5 * time.Minute).Unix())
				return pricefeed.RoundData{RoundID: id, Answer: big.NewInt(12345678), StartedAt: updated, UpdatedAt: updated, AnsweredInRound: id}, nil
			},
		},
	}
	q, err := c.Latest(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(q.Source, "round", q.Round, "price", pricefeed.Decimal(q.Price), "USD")
	fmt.Println("observe_price", q.Price, "atto-USD")

	// A round older than the heartbeat is refused.
	c.Clock = func() time.Time { return at.Add(2 * time.Hour) }
	_, err = c.Latest(context.Background())
	fmt.Println(err)
	// Output:
	// chainlink:coop-usd round 18446744073709564961 price 0.12345678 USD
	// observe_price 123456780000000000 atto-USD
	// pricefeed: stale: chainlink:coop-usd round 18446744073709564961 updated 2h5m0s ago; heartbeat 1h0m0s
}
