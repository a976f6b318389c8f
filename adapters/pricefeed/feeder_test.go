package pricefeed_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/pricefeed"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// oracleEconomy opens the standard economy with three oracle feed
// accounts, each signing with its own key.
func oracleEconomy(t *testing.T) *coopera.Engine {
	t.Helper()
	eng, _, err := adaptertest.Open(t.TempDir(), fmt.Sprintf(`{"chain_id": "feed-test", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	  "require_signatures": true,
	  "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "feed-chainlink", "public_key": %q}, {"id": "feed-pyth", "public_key": %q}, {"id": "feed-uniswap", "public_key": %q}],
	  "params": {"tokenomics": {"oracle_feeds": ["feed-chainlink", "feed-pyth", "feed-uniswap"], "oracle_min_feeds": 2}}}`,
		adaptertest.PublicHex("feed-chainlink"), adaptertest.PublicHex("feed-pyth"), adaptertest.PublicHex("feed-uniswap")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func signer(eng *coopera.Engine, id ledger.AccountID) *submit.Signer {
	return &submit.Signer{Actor: id, PrivateKey: adaptertest.Key(string(id)), ChainID: eng.ChainID()}
}

func eventLines(es []pricefeed.Event) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s", e.Feed, e.Kind)
		if e.Source != "" {
			fmt.Fprintf(&b, " %s", e.Source)
		}
		if !e.Price.IsZero() {
			fmt.Fprintf(&b, " %s", pricefeed.Decimal(e.Price))
		}
		if e.Err != nil {
			msg := e.Err.Error()
			if i := strings.Index(msg, ":"); i > 0 {
				msg = msg[:strings.Index(msg[i+1:], ":")+i+1] // the sentinel's text
			}
			fmt.Fprintf(&b, " (%s)", msg)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestFeederEndToEnd drives three sources, each its own feed account,
// into an embedded engine through three steps: all accepted; then a
// manipulated pool refused for deviation with its last good price held;
// then the hold expired (silent) and Chainlink's primary aggregator
// refused with its fallback used.
func TestFeederEndToEnd(t *testing.T) {
	ctx := context.Background()
	eng := oracleEconomy(t)
	srv, _ := hermes(t)

	clock := now
	primary := round(1, 300012345678, now.Add(-20*time.Minute), 1)
	calls := 0
	cl := chainlink(&primary, &calls)
	cl.Clock = func() time.Time { return clock }
	backup := round(7, 300100000000, now.Add(6*time.Minute), 7)
	fallback := &pricefeed.Chainlink{Feed: "eth-usd-backup", Heartbeat: time.Hour, Clock: func() time.Time { return clock },
		Aggregator: &fakeAggregator{
			decimals: func(context.Context) (uint8, error) { return 8, nil },
			latest:   func(context.Context) (pricefeed.RoundData, error) { return backup, nil },
		}}
	tick, poolTime := int64(196256), now.Add(-12*time.Second)
	pool := &fakePool{observe: func(ctx context.Context, s []uint32) ([]*big.Int, time.Time, error) {
		return poolAt(tick, poolTime).observe(ctx, s)
	}}
	f, err := pricefeed.NewFeeder(eng,
		pricefeed.Feed{Account: "feed-chainlink", Signer: signer(eng, "feed-chainlink"), Source: cl, Fallbacks: []pricefeed.Source{fallback}, MaxDeviationBps: 100},
		pricefeed.Feed{Account: "feed-pyth", Signer: signer(eng, "feed-pyth"), Source: &pricefeed.Pyth{Feed: "eth-usd", URL: srv.URL, ID: ethUSD}, MaxDeviationBps: 100, MaxAge: time.Minute},
		pricefeed.Feed{Account: "feed-uniswap", Signer: signer(eng, "feed-uniswap"), MaxDeviationBps: 100, HoldLastGood: 5 * time.Minute,
			Source: &pricefeed.UniswapV3{PoolName: "usdc-weth-500", Pool: pool, Window: 30 * time.Minute, Token0Decimals: 6, Token1Decimals: 18, NativeIsToken1: true}},
	)
	if err != nil {
		t.Fatal(err)
	}
	step := func(at time.Time, want string) {
		t.Helper()
		clock = at
		es, err := f.Step(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if got := eventLines(es); got != want {
			t.Fatalf("events at %s:\n%s\nwant:\n%s", at.Format(time.TimeOnly), got, want)
		}
	}
	price := func() tokenomics.PriceView {
		t.Helper()
		h := eng.Head()
		pv, err := tokenomics.Price(eng.View(), h.Height, h.Time)
		if err != nil {
			t.Fatal(err)
		}
		return pv
	}

	step(now, `feed-chainlink accepted chainlink:eth-usd 3000.12345678
feed-pyth accepted pyth:eth-usd 3000.12345678
feed-uniswap accepted uniswap-v3:usdc-weth-500 3000.104290406328548377
feed-chainlink submitted
feed-pyth submitted
feed-uniswap submitted
`)
	// Observed exactly, in atto-USD: 3000.104290406328548377,
	// 3000.12345678 twice; the median of three is the middle one.
	if pv := price(); pv.Median.String() != "3000123456780000000000" || pv.Fresh != 3 {
		t.Fatalf("oracle after step 1: %+v", pv)
	}

	// A minute later: the same Chainlink round and Pyth publish time are
	// not observed again; the pool's TWAP doubles (the tick falls by 6932,
	// and WETH is token1), 10000 bps from the others' median: refused, and
	// the last good price is held.
	tick, poolTime = 196256-6932, now.Add(48*time.Second)
	step(now.Add(time.Minute), `feed-chainlink unchanged chainlink:eth-usd 3000.12345678
feed-pyth refused pyth:eth-usd 3000.12345678 (pricefeed: stale)
feed-pyth silent (pricefeed: stale)
feed-uniswap refused uniswap-v3:usdc-weth-500 6000.317556093726151911 (pricefeed: deviation from the other feeds)
feed-uniswap held_last last-good 3000.104290406328548377 (pricefeed: deviation from the other feeds)
feed-uniswap submitted
`)

	// Seven minutes after the last good price the hold has lapsed: the
	// pool goes silent. Chainlink's primary answers 0: refused. Two
	// witnesses are left, Chainlink's last good price and the pool's
	// doubled one, with no majority between them: the pool's own quote is
	// not taken, but Chainlink's backup round agrees with Chainlink's last
	// price, two of three, and is.
	primary = round(2, 0, now.Add(7*time.Minute), 2)
	step(now.Add(7*time.Minute), `feed-chainlink refused chainlink:eth-usd (pricefeed: invalid answer)
feed-chainlink fallback chainlink:eth-usd-backup 3001
feed-pyth refused pyth:eth-usd 3000.12345678 (pricefeed: stale)
feed-pyth silent (pricefeed: stale)
feed-uniswap refused uniswap-v3:usdc-weth-500 6000.317556093726151911 (pricefeed: deviation from the other feeds)
feed-uniswap silent (pricefeed: deviation from the other feeds)
feed-chainlink submitted
`)
	// Feeds now: Chainlink 3001000000 (the backup's round), Pyth 3000123456,
	// the pool's held 3000104290: the median is Pyth's.
	if pv := price(); pv.Median.String() != "3000123456780000000000" || pv.Fresh != 3 {
		t.Fatalf("oracle after step 3: %+v", pv)
	}
	// Every observation is on the ledger once, signed, and replays.
	if _, err := eng.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

type flaky struct {
	to   submit.Submitter
	fail bool
}

func (f *flaky) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*coopera.Receipt, error) {
	if f.fail {
		return nil, fmt.Errorf("dial tcp: connection refused")
	}
	return f.to.SubmitBatch(ctx, cmds)
}

// TestFeederTransportAndRejection: an observation the ledger could not be
// asked about is kept and sent with the next step; one the ledger refuses
// (a price above max_price) is recorded as rejected.
func TestFeederTransportAndRejection(t *testing.T) {
	ctx := context.Background()
	eng := oracleEconomy(t)
	rd := round(1, 300012345678, now.Add(-time.Minute), 1)
	calls := 0
	to := &flaky{to: eng, fail: true}
	f, err := pricefeed.NewFeeder(to, pricefeed.Feed{Account: "feed-chainlink", Signer: signer(eng, "feed-chainlink"), Source: chainlink(&rd, &calls)})
	if err != nil {
		t.Fatal(err)
	}
	es, err := f.Step(ctx, now)
	if !errors.Is(err, submit.ErrTransport) || eventLines(es) != "feed-chainlink accepted chainlink:eth-usd 3000.12345678\nfeed-chainlink unanswered (submit: transport)\n" {
		t.Fatalf("%v\n%s", err, eventLines(es))
	}
	to.fail = false
	es, err = f.Step(ctx, now.Add(time.Minute))
	if err != nil || eventLines(es) != "feed-chainlink unchanged chainlink:eth-usd 3000.12345678\nfeed-chainlink submitted\n" {
		t.Fatalf("%v\n%s", err, eventLines(es))
	}
	// $2e9 per token is above the default max_price ($1e9).
	rd = round(2, 200000000000000000, now, 2)
	es, err = f.Step(ctx, now.Add(2*time.Minute))
	if err != nil || eventLines(es) != "feed-chainlink accepted chainlink:eth-usd 2000000000\nfeed-chainlink rejected (coopera: price_out_of_range)\n" {
		t.Fatalf("%v\n%s", err, eventLines(es))
	}
}

// TestFeederRun: Run steps on its period until the context ends; a round
// is observed once however often it is read.
func TestFeederRun(t *testing.T) {
	eng := oracleEconomy(t)
	rd := round(1, 300012345678, now.Add(-time.Minute), 1)
	calls := 0
	f, err := pricefeed.NewFeeder(eng, pricefeed.Feed{Account: "feed-chainlink", Signer: signer(eng, "feed-chainlink"), Source: chainlink(&rd, &calls)})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[pricefeed.EventKind]int{}
	f.OnEvent = func(e pricefeed.Event) { kinds[e.Kind]++ }
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := f.Run(ctx, 5*time.Millisecond, func() time.Time { return now }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run returned %v", err)
	}
	if kinds[pricefeed.Accepted] != 1 || kinds[pricefeed.Submitted] != 1 || kinds[pricefeed.Unchanged] < 2 {
		t.Fatalf("events %v", kinds)
	}
}
