// Command pricefeed is a walk-through of the price-feed adapters: four
// sources, each its own oracle feed account, feed an embedded ledger's
// oracle through one Feeder:
//
//   - Chainlink's latestRoundData, through the chain client's interface
//     (here a function-field stand-in for the chain adapter);
//   - a Pyth Hermes server's latest price (an in-process server);
//   - an exchange's websocket ticker (an in-process websocket server),
//     kept connected by a Live;
//   - a Uniswap v3 pool's 30-minute TWAP (a stand-in pool).
//
// The engine's median combines them. A minute later the pool's TWAP is
// pushed 50% up: the Feeder refuses it for deviating from the feeds'
// median and holds the pool feed's last good price instead.
//
// Run it with: go run ./examples/pricefeed
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/pricefeed"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func key(name string) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, name)
	return ed25519.NewKeyFromSeed(seed)
}

func pub(name string) string { return hex.EncodeToString(key(name).Public().(ed25519.PublicKey)) }

// aggregator is the chain client's view of a Chainlink feed, from
// function fields.
type aggregator struct {
	latest func() pricefeed.RoundData
}

func (a aggregator) Decimals(context.Context) (uint8, error) { return 8, nil }
func (a aggregator) LatestRoundData(context.Context) (pricefeed.RoundData, error) {
	return a.latest(), nil
}

// pool is the chain client's view of a Uniswap v3 pool whose mean tick is
// *tick over any window.
type pool struct{ tick *int64 }

func (p pool) Observe(_ context.Context, s []uint32) ([]*big.Int, time.Time, error) {
	c1 := new(big.Int).Mul(big.NewInt(*p.tick), big.NewInt(int64(s[0])))
	return []*big.Int{big.NewInt(0), c1}, clockNow(), nil
}

// The feeder's clock, read by the in-process servers too.
var (
	nowMu sync.Mutex
	now   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func clockNow() time.Time {
	nowMu.Lock()
	defer nowMu.Unlock()
	return now
}

func run(w io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "coopera-pricefeed")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	feeds := []ledger.AccountID{"feed-chainlink", "feed-pyth", "feed-cex", "feed-uniswap"}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "pricefeed-walkthrough", "genesis_time": "2026-03-01T00:00:00Z", "epoch_length": "24h",
	  "require_signatures": true, "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "feed-chainlink", "public_key": %q}, {"id": "feed-pyth", "public_key": %q}, {"id": "feed-cex", "public_key": %q}, {"id": "feed-uniswap", "public_key": %q}],
	  "params": {"tokenomics": {"oracle_feeds": ["feed-chainlink", "feed-pyth", "feed-cex", "feed-uniswap"], "oracle_min_feeds": 3},
	             "governance": {"policy_hash": "0000000000000000000000000000000000000000000000000000000000000001"}}}`,
		pub("feed-chainlink"), pub("feed-pyth"), pub("feed-cex"), pub("feed-uniswap"))))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	blockTime := g.GenesisTime
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		blockTime = blockTime.Add(time.Second)
		return blockTime
	}
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g, Modules: economy.Modules(), Clock: clock})
	if err != nil {
		return err
	}
	defer eng.Close()

	// Hermes: the latest COOP/USD price, 1.23456789 USD +- 0.0005.
	hermes := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"parsed":[{"id":"c00b","price":{"price":"123456789","conf":"50000","expo":-8,"publish_time":%d}}]}`, clockNow().Unix()-3)
	}))
	defer hermes.Close()
	// The exchange: a websocket ticker, one trade after the subscription.
	exchange := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		if _, _, err := c.Read(r.Context()); err != nil { // the subscription
			return
		}
		c.Write(r.Context(), websocket.MessageText, []byte(`{"type":"ticker","sequence":7001,"product_id":"COOP-USD","price":"1.2351","time":"`+clockNow().Add(-2*time.Second).Format(time.RFC3339Nano)+`"}`))
		c.Read(r.Context()) // stay open until the client goes
	}))
	defer exchange.Close()
	cex := &pricefeed.Live{Streamer: &pricefeed.CEXTicker{Exchange: "example", URL: "ws" + strings.TrimPrefix(exchange.URL, "http"), Product: "COOP-USD"}}
	go cex.Run(ctx)
	for {
		if _, err := cex.Latest(ctx); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Chainlink: round 501, 1.2340 USD, updated 10 minutes ago.
	chainlink := &pricefeed.Chainlink{Feed: "coop-usd", Heartbeat: time.Hour, Clock: clockNow,
		Aggregator: aggregator{latest: func() pricefeed.RoundData {
			id, at := big.NewInt(501), big.NewInt(time.Date(2026, 3, 1, 11, 50, 0, 0, time.UTC).Unix())
			return pricefeed.RoundData{RoundID: id, Answer: big.NewInt(123400000), StartedAt: at, UpdatedAt: at, AnsweredInRound: id}
		}}}
	// Uniswap: COOP (18 decimals) is token0 against USDC (6 decimals);
	// mean tick -274200 is 1.0001^-274200 x 10^12 = 1.2366... USD.
	tick := int64(-274200)
	uniswap := &pricefeed.UniswapV3{PoolName: "coop-usdc-3000", Pool: pool{&tick}, Window: 30 * time.Minute, Token0Decimals: 18, Token1Decimals: 6}

	signer := func(id ledger.AccountID) *submit.Signer {
		return &submit.Signer{Actor: id, PrivateKey: key(string(id)), ChainID: eng.ChainID()}
	}
	f, err := pricefeed.NewFeeder(eng,
		pricefeed.Feed{Account: feeds[0], Signer: signer(feeds[0]), Source: chainlink, MaxDeviationBps: 200},
		pricefeed.Feed{Account: feeds[1], Signer: signer(feeds[1]), Source: &pricefeed.Pyth{Feed: "coop-usd", URL: hermes.URL, ID: "c00b"}, MaxDeviationBps: 200},
		pricefeed.Feed{Account: feeds[2], Signer: signer(feeds[2]), Source: cex, MaxDeviationBps: 200},
		pricefeed.Feed{Account: feeds[3], Signer: signer(feeds[3]), Source: uniswap, MaxDeviationBps: 200, HoldLastGood: 10 * time.Minute},
	)
	if err != nil {
		return err
	}
	f.OnEvent = func(e pricefeed.Event) {
		line := fmt.Sprintf("  %-14s %s", e.Feed, e.Kind)
		if e.Source != "" {
			line += " " + e.Source
		}
		if !e.Price.IsZero() {
			line += " " + pricefeed.Decimal(e.Price).String() + " USD"
		}
		if e.Err != nil {
			line += "\n                 (" + e.Err.Error() + ")"
		}
		fmt.Fprintln(w, line)
	}
	oracle := func() error {
		h := eng.Head()
		pv, err := tokenomics.Price(eng.View(), h.Height, h.Time)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "oracle: median $%s from %d of %d feeds, TWAP $%s\n", tokenomics.FormatPrice(pv.Median), pv.Fresh, pv.Feeds, tokenomics.FormatPrice(pv.TWAP))
		return nil
	}

	fmt.Fprintln(w, "step 1:")
	f.Step(ctx, clockNow())
	if err := oracle(); err != nil {
		return err
	}
	fmt.Fprintln(w, "step 2, the pool's TWAP pushed up by half:")
	tick += 4055 // 1.0001^4055 is about 1.5
	nowMu.Lock()
	now = now.Add(time.Minute)
	nowMu.Unlock()
	f.Step(ctx, clockNow())
	return oracle()
}
