package pricefeed

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// RoundData is AggregatorV3Interface.latestRoundData's answer, as the
// chain client decodes it (uint80, int256, uint256, uint256, uint80).
type RoundData struct {
	RoundID         *big.Int
	Answer          *big.Int
	StartedAt       *big.Int
	UpdatedAt       *big.Int
	AnsweredInRound *big.Int
}

// Aggregator is what this package needs from the chain adapter's client
// for one Chainlink price feed (an AggregatorV3Interface proxy). The chain
// adapter satisfies it with its bindings; tests, with a function-field
// fake.
type Aggregator interface {
	Decimals(ctx context.Context) (uint8, error)
	LatestRoundData(ctx context.Context) (RoundData, error)
}

// Chainlink reads a Chainlink price feed. It is a Source.
//
// A round is accepted when its answer is positive, it was answered in its
// own round (answeredInRound >= roundId), its updatedAt is set, not in the
// future by more than a minute, and no older than Heartbeat (the feed's
// own heartbeat: a healthy feed updates at least that often). The price is
// answer / 10^decimals, exactly; decimals() is read once.
type Chainlink struct {
	// Feed names the source: "chainlink:" + Feed.
	Feed string
	// Aggregator is the chain client's view of the feed.
	Aggregator Aggregator
	// Heartbeat is the feed's heartbeat (for ETH/USD on Ethereum, 1h).
	Heartbeat time.Duration
	// Clock defaults to time.Now.
	Clock func() time.Time

	mu       sync.Mutex
	decimals uint8
	haveDec  bool
}

// Name returns "chainlink:" + Feed.
func (c *Chainlink) Name() string { return "chainlink:" + c.Feed }

// Latest reads latestRoundData and checks it.
func (c *Chainlink) Latest(ctx context.Context) (Quote, error) {
	if c.Heartbeat <= 0 {
		return Quote{}, fmt.Errorf("%w: %s: Heartbeat must be positive", ErrOptions, c.Name())
	}
	c.mu.Lock()
	if !c.haveDec {
		d, err := c.Aggregator.Decimals(ctx)
		if err != nil {
			c.mu.Unlock()
			return Quote{}, fmt.Errorf("%w: %s decimals(): %w", ErrFetch, c.Name(), err)
		}
		c.decimals, c.haveDec = d, true
	}
	dec := c.decimals
	c.mu.Unlock()
	rd, err := c.Aggregator.LatestRoundData(ctx)
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %s latestRoundData(): %w", ErrFetch, c.Name(), err)
	}
	if rd.Answer == nil || rd.RoundID == nil || rd.UpdatedAt == nil || rd.AnsweredInRound == nil {
		return Quote{}, fmt.Errorf("%w: %s: incomplete round data", ErrInvalidAnswer, c.Name())
	}
	if rd.Answer.Sign() <= 0 {
		return Quote{}, fmt.Errorf("%w: %s round %s answered %s", ErrInvalidAnswer, c.Name(), rd.RoundID, rd.Answer)
	}
	if rd.AnsweredInRound.Cmp(rd.RoundID) < 0 {
		return Quote{}, fmt.Errorf("%w: %s round %s was answered in round %s", ErrStale, c.Name(), rd.RoundID, rd.AnsweredInRound)
	}
	if rd.UpdatedAt.Sign() <= 0 || !rd.UpdatedAt.IsInt64() {
		return Quote{}, fmt.Errorf("%w: %s round %s has updatedAt %s", ErrStale, c.Name(), rd.RoundID, rd.UpdatedAt)
	}
	now := time.Now
	if c.Clock != nil {
		now = c.Clock
	}
	updated := time.Unix(rd.UpdatedAt.Int64(), 0).UTC()
	if age := now().Sub(updated); age > c.Heartbeat {
		return Quote{}, fmt.Errorf("%w: %s round %s updated %s ago; heartbeat %s", ErrStale, c.Name(), rd.RoundID, age.Round(time.Second), c.Heartbeat)
	} else if age < -time.Minute {
		return Quote{}, fmt.Errorf("%w: %s round %s updated %s in the future", ErrInvalidAnswer, c.Name(), rd.RoundID, (-age).Round(time.Second))
	}
	p, err := Atto(decimal.NewFromBigInt(rd.Answer, -int32(dec)))
	if err != nil {
		return Quote{}, fmt.Errorf("%s: %w", c.Name(), err)
	}
	return Quote{Source: c.Name(), Round: rd.RoundID.String(), Price: p, Time: updated}, nil
}
