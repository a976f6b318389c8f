package pricefeed_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/coopera/coopera/adapters/pricefeed"
	"github.com/coopera/coopera/ledger"
)

// Tests from a read-only audit of the feeds: each failed before its fix.

// A price below 10^-18 USD truncated to zero without an error, and the
// zero observation the oracle refuses jammed the feeder's queue.
func TestAttoRefusesWhatTruncatesToZero(t *testing.T) {
	if _, err := pricefeed.Atto(decimal.RequireFromString("0.0000000000000000005")); !errors.Is(err, pricefeed.ErrInvalidAnswer) {
		t.Fatalf("5 x 10^-19 USD: %v; want ErrInvalidAnswer", err)
	}
}

// A Hermes exponent far out of range made the decimal arithmetic panic or
// run for ever; it is refused before any.
func TestPythRefusesHugeExponents(t *testing.T) {
	for _, expo := range []string{"2147483647", "2147483600", "-2147483648", "-1000000", "31"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"parsed":[{"id":"` + ethUSD + `","price":{"price":"300012345678","conf":"0","expo":` + expo + `,"publish_time":1767229195}}]}`))
		}))
		p := &pricefeed.Pyth{Feed: "eth-usd", URL: srv.URL, ID: "0x" + ethUSD}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := p.Latest(ctx)
		cancel()
		srv.Close()
		if !errors.Is(err, pricefeed.ErrInvalidAnswer) {
			t.Errorf("expo %s: %v; want ErrInvalidAnswer", expo, err)
		}
	}
}

// A pool window of exactly 2^32 seconds wrapped to 0 in the observe call.
func TestUniswapWindowBound(t *testing.T) {
	u := &pricefeed.UniswapV3{PoolName: "p", Pool: poolAt(196256, now), Window: time.Duration(math.MaxUint32+1) * time.Second, Token0Decimals: 6, Token1Decimals: 18, NativeIsToken1: true}
	if _, err := u.Latest(context.Background()); !errors.Is(err, pricefeed.ErrOptions) {
		t.Fatalf("a 2^32 s window: %v; want ErrOptions", err)
	}
}

// fixedSource quotes one price at one time.
type fixedSource struct {
	name  string
	price ledger.Amount
	at    time.Time
}

func (f fixedSource) Name() string { return f.name }
func (f fixedSource) Latest(context.Context) (pricefeed.Quote, error) {
	return pricefeed.Quote{Source: f.name, Round: f.at.String(), Price: f.price, Time: f.at}, nil
}

// Two feeds that disagree beyond the bound: the median of two is the
// lower, which was taken as the reference, so a source pushed down won
// and the honest one was refused. With no majority, neither is taken.
// And a quote dated ahead of now, which would never go stale, is refused.
func TestFeederTwoWitnessesAndFutureQuotes(t *testing.T) {
	eng := oracleEconomy(t)
	honest := fixedSource{"honest", usd(t, 100), now}
	pushed := fixedSource{"pushed", usd(t, 50), now}
	f, err := pricefeed.NewFeeder(eng,
		pricefeed.Feed{Account: "feed-chainlink", Signer: signer(eng, "feed-chainlink"), Source: honest, MaxDeviationBps: 500},
		pricefeed.Feed{Account: "feed-uniswap", Signer: signer(eng, "feed-uniswap"), Source: pushed, MaxDeviationBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.Step(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if lines := eventLines(es); strings.Contains(lines, "submitted") || strings.Count(lines, "deviation") < 2 {
		t.Fatalf("two feeds 5000 bps apart:\n%s; want both refused, nothing submitted", lines)
	}
	ahead := fixedSource{"ahead", usd(t, 100), now.Add(365 * 24 * time.Hour)}
	f, err = pricefeed.NewFeeder(eng, pricefeed.Feed{Account: "feed-pyth", Signer: signer(eng, "feed-pyth"), Source: ahead})
	if err != nil {
		t.Fatal(err)
	}
	if es, _ := f.Step(context.Background(), now); !strings.Contains(eventLines(es), "refused ahead") || strings.Contains(eventLines(es), "submitted") {
		t.Fatalf("a quote dated a year ahead:\n%s; want it refused", eventLines(es))
	}
}

func usd(t *testing.T, n int64) ledger.Amount {
	t.Helper()
	a, err := pricefeed.Atto(decimal.NewFromInt(n))
	if err != nil {
		t.Fatal(err)
	}
	return a
}
