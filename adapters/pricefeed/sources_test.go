package pricefeed_test

import (
	"bufio"
	"context"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"github.com/coopera/coopera/adapters/pricefeed"
)

// now is the feeders' clock in these tests: an hour after genesis.
var now = time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)

const ethUSD = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace"

// fakeAggregator is a Chainlink aggregator built from function fields.
type fakeAggregator struct {
	decimals func(context.Context) (uint8, error)
	latest   func(context.Context) (pricefeed.RoundData, error)
}

func (f *fakeAggregator) Decimals(ctx context.Context) (uint8, error) { return f.decimals(ctx) }
func (f *fakeAggregator) LatestRoundData(ctx context.Context) (pricefeed.RoundData, error) {
	return f.latest(ctx)
}

func round(id int64, answer int64, updated time.Time, answeredIn int64) pricefeed.RoundData {
	return pricefeed.RoundData{RoundID: big.NewInt(id), Answer: big.NewInt(answer), StartedAt: big.NewInt(updated.Unix()),
		UpdatedAt: big.NewInt(updated.Unix()), AnsweredInRound: big.NewInt(answeredIn)}
}

func chainlink(rd *pricefeed.RoundData, decimalsCalls *int) *pricefeed.Chainlink {
	return &pricefeed.Chainlink{
		Feed: "eth-usd",
		Aggregator: &fakeAggregator{
			decimals: func(context.Context) (uint8, error) { *decimalsCalls++; return 8, nil },
			latest:   func(context.Context) (pricefeed.RoundData, error) { return *rd, nil },
		},
		Heartbeat: time.Hour,
		Clock:     func() time.Time { return now },
	}
}

func TestChainlink(t *testing.T) {
	ctx := context.Background()
	calls := 0
	rd := round(1, 300012345678, now.Add(-20*time.Minute), 1)
	rd.RoundID, _ = new(big.Int).SetString("110680464442257320247", 10)
	rd.AnsweredInRound = rd.RoundID
	c := chainlink(&rd, &calls)
	q, err := c.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 300012345678 / 10^8 exactly.
	if got := pricefeed.Decimal(q.Price).String(); got != "3000.12345678" || q.Round != "110680464442257320247" || !q.Time.Equal(now.Add(-20*time.Minute)) {
		t.Fatalf("quote %s round %s at %s", got, q.Round, q.Time)
	}
	if _, err := c.Latest(ctx); err != nil || calls != 1 {
		t.Fatalf("decimals() read %d times, want once (%v)", calls, err)
	}
	for _, tc := range []struct {
		name string
		rd   pricefeed.RoundData
		want error
	}{
		{"zero answer", round(5, 0, now, 5), pricefeed.ErrInvalidAnswer},
		{"negative answer", round(5, -1, now, 5), pricefeed.ErrInvalidAnswer},
		{"beyond the heartbeat", round(5, 300000000000, now.Add(-61*time.Minute), 5), pricefeed.ErrStale},
		{"answered in an earlier round", round(6, 300000000000, now, 5), pricefeed.ErrStale},
		{"never updated", round(5, 300000000000, time.Unix(0, 0), 5), pricefeed.ErrStale},
		{"from the future", round(5, 300000000000, now.Add(time.Hour), 5), pricefeed.ErrInvalidAnswer},
	} {
		rd = tc.rd
		if _, err := c.Latest(ctx); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	broken := &pricefeed.Chainlink{Feed: "x", Heartbeat: time.Hour, Aggregator: &fakeAggregator{
		decimals: func(context.Context) (uint8, error) { return 0, errors.New("execution reverted") },
	}}
	if _, err := broken.Latest(ctx); !errors.Is(err, pricefeed.ErrFetch) {
		t.Errorf("decimals() failing: err = %v, want ErrFetch", err)
	}
}

// hermes serves the recorded Hermes answers: the latest price, and a
// stream that sends stream-N.txt on the N-th connection and then closes,
// as Hermes does after 24 hours.
func hermes(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/updates/price/latest", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ids[]") != ethUSD || r.URL.Query().Get("parsed") != "true" {
			http.Error(w, `{"error":"unknown feed"}`, http.StatusNotFound)
			return
		}
		data, _ := os.ReadFile("testdata/pyth/latest.json")
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	})
	mux.HandleFunc("GET /v2/updates/price/stream", func(w http.ResponseWriter, r *http.Request) {
		n := conns.Add(1)
		data, err := os.ReadFile("testdata/pyth/stream-" + string(rune('0'+n)) + ".txt")
		if err != nil {
			// Later connections get an open stream with nothing new.
			w.Header().Set("Content-Type", "text/event-stream")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(data)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestPythLatest(t *testing.T) {
	srv, _ := hermes(t)
	p := &pricefeed.Pyth{Feed: "eth-usd", URL: srv.URL, ID: "0x" + ethUSD, MaxConfBps: 100}
	q, err := p.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 300012345678 x 10^-8, conf 150000000 x 10^-8 (5 bps of the price).
	if pricefeed.Decimal(q.Price).String() != "3000.12345678" || pricefeed.Decimal(q.Conf).String() != "1.5" || q.Round != "1767229195" || !q.Time.Equal(now.Add(-5*time.Second)) {
		t.Fatalf("quote %+v", q)
	}
	// The same answer under a 4 bps bound is refused.
	p.MaxConfBps = 4
	if _, err := p.Latest(context.Background()); !errors.Is(err, pricefeed.ErrWideConfidence) {
		t.Fatalf("err = %v, want ErrWideConfidence", err)
	}
	bad := &pricefeed.Pyth{Feed: "x", URL: srv.URL, ID: "00"}
	if _, err := bad.Latest(context.Background()); !errors.Is(err, pricefeed.ErrFetch) {
		t.Fatalf("unknown feed: err = %v, want ErrFetch", err)
	}
}

// TestPythStreamReconnects: the first connection delivers a quote and one
// refused for its wide confidence interval (150 bps > 100), then closes;
// Live connects again and takes the second connection's quote.
func TestPythStreamReconnects(t *testing.T) {
	srv, conns := hermes(t)
	var refused atomic.Int32
	l := &pricefeed.Live{
		Streamer: &pricefeed.Pyth{Feed: "eth-usd", URL: srv.URL, ID: ethUSD, MaxConfBps: 100},
		Backoff:  time.Millisecond,
		OnError: func(err error) {
			if errors.Is(err, pricefeed.ErrWideConfidence) {
				refused.Add(1)
			}
		},
	}
	if _, err := l.Latest(context.Background()); !errors.Is(err, pricefeed.ErrNoQuote) {
		t.Fatalf("before any quote: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	checkFor(t, 5*time.Second, func() bool {
		q, err := l.Latest(ctx)
		return err == nil && q.Round == "1767229198"
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	q, _ := l.Latest(context.Background())
	if pricefeed.Decimal(q.Price).String() != "3000.555" || refused.Load() != 1 || conns.Load() < 2 || l.Reconnects() < 1 {
		t.Fatalf("quote %s, %d refused, %d connections, %d reconnects", pricefeed.Decimal(q.Price), refused.Load(), conns.Load(), l.Reconnects())
	}
}

// exchange serves testdata/cex/ticker.jsonl over a websocket after
// checking the subscription, then closes normally; the second connection
// stays open with nothing to say.
func exchange(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		n := conns.Add(1)
		_, sub, err := c.Read(r.Context())
		if err != nil || !strings.Contains(string(sub), `"product_ids":["ETH-USD"]`) || !strings.Contains(string(sub), `"ticker"`) {
			c.Close(websocket.StatusPolicyViolation, "bad subscription")
			return
		}
		if n > 1 {
			c.Read(r.Context()) // wait for the client to go
			return
		}
		f, _ := os.Open("testdata/cex/ticker.jsonl")
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if err := c.Write(r.Context(), websocket.MessageText, sc.Bytes()); err != nil {
				return
			}
		}
		c.Close(websocket.StatusNormalClosure, "maintenance")
	}))
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestCEXTicker(t *testing.T) {
	srv, conns := exchange(t)
	var refused atomic.Int32
	l := &pricefeed.Live{
		Streamer: &pricefeed.CEXTicker{Exchange: "coinbase", URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Product: "ETH-USD"},
		Backoff:  time.Millisecond,
		OnError: func(err error) {
			if errors.Is(err, pricefeed.ErrInvalidAnswer) {
				refused.Add(1)
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	checkFor(t, 5*time.Second, func() bool { return conns.Load() >= 2 })
	cancel()
	<-done
	q, err := l.Latest(context.Background())
	// The BTC ticker is another product's; "not-a-number" is refused; the
	// last ETH ticker wins.
	if err != nil || pricefeed.Decimal(q.Price).String() != "3000.49" || q.Round != "45012347" || q.Source != "cex:coinbase:ETH-USD" || refused.Load() != 1 {
		t.Fatalf("quote %+v %v, %d refused", q, err, refused.Load())
	}
}

// fakePool is a Uniswap v3 pool built from a function field.
type fakePool struct {
	observe func(ctx context.Context, secondsAgos []uint32) ([]*big.Int, time.Time, error)
}

func (p *fakePool) Observe(ctx context.Context, s []uint32) ([]*big.Int, time.Time, error) {
	return p.observe(ctx, s)
}

// poolAt returns a pool whose mean tick over any window is tick.
func poolAt(tick int64, at time.Time) *fakePool {
	base := big.NewInt(9_876_543_210)
	return &fakePool{observe: func(_ context.Context, s []uint32) ([]*big.Int, time.Time, error) {
		c0 := new(big.Int).Add(base, big.NewInt(0))
		c1 := new(big.Int).Add(base, new(big.Int).Mul(big.NewInt(tick), big.NewInt(int64(s[0]))))
		return []*big.Int{c0, c1}, at, nil
	}}
}

func TestUniswapTWAP(t *testing.T) {
	// The USDC/WETH pool: token0 USDC (6 decimals), token1 WETH (18), the
	// native token being WETH. Mean tick 196256 over 30 minutes:
	// 10000^196256 x 10^12 / 10001^196256, truncated at 18 decimals
	// (worked with Python's integers).
	u := &pricefeed.UniswapV3{PoolName: "usdc-weth-500", Pool: poolAt(196256, now.Add(-12*time.Second)), Window: 30 * time.Minute,
		Token0Decimals: 6, Token1Decimals: 18, NativeIsToken1: true}
	q, err := u.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := pricefeed.Decimal(q.Price).String(); got != "3000.104290406328548377" || q.Round != "1767229188" {
		t.Fatalf("TWAP price %s round %s", got, q.Round)
	}
	for _, c := range []struct {
		tick  int64
		shift int32
		want  string
	}{
		{0, 0, "1"},
		{1, 0, "1.0001"},
		{2, 0, "1.00020001"},
		{-1, 0, "0.999900009999000099"}, // 1/1.0001 truncated
		{-2, 2, "99.980002999600049994"},
	} {
		if got := pricefeed.TickPrice(c.tick, c.shift).String(); got != c.want {
			t.Errorf("TickPrice(%d, %d) = %s, want %s", c.tick, c.shift, got, c.want)
		}
	}
	// Mean ticks round toward negative infinity, as Uniswap's OracleLibrary.
	for _, c := range []struct{ c0, c1, secs, want int64 }{{0, 7, 2, 3}, {0, -7, 2, -4}, {10, 4, 3, -2}} {
		got, err := pricefeed.MeanTick(big.NewInt(c.c0), big.NewInt(c.c1), c.secs)
		if err != nil || got != c.want {
			t.Errorf("MeanTick(%d, %d, %d) = %d %v, want %d", c.c0, c.c1, c.secs, got, err, c.want)
		}
	}
	if _, err := pricefeed.MeanTick(big.NewInt(0), big.NewInt(887273), 1); !errors.Is(err, pricefeed.ErrInvalidAnswer) {
		t.Errorf("a tick beyond MaxTick: %v", err)
	}
}

func TestConversions(t *testing.T) {
	a, err := pricefeed.Atto(decimal.RequireFromString("0.0000000123456789012345678"))
	if err != nil || a.String() != "12345678901" {
		t.Fatalf("Atto truncates beyond 18 decimals: %s %v", a, err)
	}
	if d := pricefeed.Decimal(a); d.String() != "0.000000012345678901" {
		t.Fatalf("Decimal(%s) = %s", a, d)
	}
	if _, err := pricefeed.Atto(decimal.Zero); !errors.Is(err, pricefeed.ErrInvalidAnswer) {
		t.Fatal("zero accepted")
	}
}

// checkFor polls cond until it holds or d passes.
func checkFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
