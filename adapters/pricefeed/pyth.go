package pricefeed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/coopera/coopera/ledger"
)

// Pyth reads a Pyth price feed from a Hermes server: the latest price over
// HTTP (Latest) and the server-sent-event stream (Stream; wrap it in a
// Live to keep the last price and reconnect: Hermes closes a stream after
// 24 hours).
//
// A price is price x 10^expo USD (exact), with confidence conf x 10^expo,
// published at publish_time. A quote is refused if the price is not
// positive (ErrInvalidAnswer) or conf x 10000 > price x MaxConfBps
// (ErrWideConfidence). The round is the publish time.
type Pyth struct {
	// Feed names the source: "pyth:" + Feed.
	Feed string
	// URL is the Hermes server's base URL.
	URL string
	// ID is the price feed ID, 64 hex digits with or without 0x.
	ID string
	// MaxConfBps bounds the confidence interval as a share of the price
	// (default 100: 1%).
	MaxConfBps uint32
	// Client defaults to a client with a 10 s timeout for Latest and none
	// for Stream.
	Client *http.Client
}

// Name returns "pyth:" + Feed.
func (p *Pyth) Name() string { return "pyth:" + p.Feed }

// maxPythExpo bounds the exponent of a Hermes price the adapter takes.
const maxPythExpo = 30

// hermesUpdate is the part of Hermes' price update JSON the adapter reads.
type hermesUpdate struct {
	Parsed []struct {
		ID    string `json:"id"`
		Price struct {
			Price       string `json:"price"`
			Conf        string `json:"conf"`
			Expo        int32  `json:"expo"`
			PublishTime int64  `json:"publish_time"`
		} `json:"price"`
	} `json:"parsed"`
}

func (p *Pyth) endpoint(path string) string {
	q := url.Values{"ids[]": {strings.TrimPrefix(p.ID, "0x")}, "parsed": {"true"}}
	return strings.TrimSuffix(p.URL, "/") + path + "?" + q.Encode()
}

func (p *Pyth) client(stream bool) *http.Client {
	if p.Client != nil {
		return p.Client
	}
	if stream {
		return http.DefaultClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// Latest returns the latest price (GET /v2/updates/price/latest).
func (p *Pyth) Latest(ctx context.Context) (Quote, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.endpoint("/v2/updates/price/latest"), nil)
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	resp, err := p.client(false).Do(req)
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %s: %w", ErrFetch, p.Name(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %s: %w", ErrFetch, p.Name(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return Quote{}, fmt.Errorf("%w: %s answered %s: %.200s", ErrFetch, p.Name(), resp.Status, body)
	}
	return p.parse(body)
}

// Stream connects to the SSE stream (GET /v2/updates/price/stream) and
// calls fn with each checked quote until the stream ends (nil), fails or
// ctx ends. A refused quote (stale, invalid, too wide) is passed to bad
// and the stream carries on.
func (p *Pyth) Stream(ctx context.Context, fn func(Quote), bad func(error)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.endpoint("/v2/updates/price/stream"), nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFetch, err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := p.client(true).Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrFetch, p.Name(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s stream answered %s", ErrFetch, p.Name(), resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var data bytes.Buffer
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0: // the end of an event
			if data.Len() > 0 {
				q, err := p.parse(data.Bytes())
				if err != nil {
					bad(err)
				} else {
					fn(q)
				}
				data.Reset()
			}
		case bytes.HasPrefix(line, []byte("data:")):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.Write(bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" ")))
		}
		// Comments (":"), "event:", "id:" and "retry:" lines are ignored.
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: %s stream: %w", ErrFetch, p.Name(), err)
	}
	return ctx.Err()
}

func (p *Pyth) parse(body []byte) (Quote, error) {
	var u hermesUpdate
	if err := json.Unmarshal(body, &u); err != nil {
		return Quote{}, fmt.Errorf("%w: %s: %w", ErrInvalidAnswer, p.Name(), err)
	}
	want := strings.ToLower(strings.TrimPrefix(p.ID, "0x"))
	for _, f := range u.Parsed {
		if strings.ToLower(strings.TrimPrefix(f.ID, "0x")) != want {
			continue
		}
		price, err1 := strconv.ParseInt(f.Price.Price, 10, 64)
		conf, err2 := strconv.ParseUint(f.Price.Conf, 10, 64)
		if err1 != nil || err2 != nil {
			return Quote{}, fmt.Errorf("%w: %s: price %q conf %q", ErrInvalidAnswer, p.Name(), f.Price.Price, f.Price.Conf)
		}
		if price <= 0 {
			return Quote{}, fmt.Errorf("%w: %s price %d x 10^%d is not positive", ErrInvalidAnswer, p.Name(), price, f.Price.Expo)
		}
		maxConf := uint64(p.MaxConfBps)
		if maxConf == 0 {
			maxConf = 100
		}
		// conf/price > maxConf/10000, both at 10^expo: exact in 128 bits.
		lhs, _, _ := ledger.NewAmount(conf).MulDiv(10000, 1)
		rhs, _, _ := ledger.NewAmount(uint64(price)).MulDiv(maxConf, 1)
		if lhs.Cmp(rhs) > 0 {
			return Quote{}, fmt.Errorf("%w: %s conf %d is more than %d bps of price %d", ErrWideConfidence, p.Name(), conf, maxConf, price)
		}
		if f.Price.Expo < -maxPythExpo || f.Price.Expo > maxPythExpo {
			// Decimal arithmetic at a huge exponent panics or runs for
			// ever; Pyth's feeds use -5 to -10.
			return Quote{}, fmt.Errorf("%w: %s exponent %d is outside ±%d", ErrInvalidAnswer, p.Name(), f.Price.Expo, maxPythExpo)
		}
		pa, err := Atto(decimal.New(price, f.Price.Expo))
		if err != nil {
			return Quote{}, fmt.Errorf("%s: %w", p.Name(), err)
		}
		var ca ledger.Amount
		if conf > 0 {
			if ca, err = Atto(decimal.NewFromUint64(conf).Shift(f.Price.Expo)); err != nil {
				return Quote{}, fmt.Errorf("%s: conf: %w", p.Name(), err)
			}
		}
		return Quote{Source: p.Name(), Round: strconv.FormatInt(f.Price.PublishTime, 10), Price: pa, Conf: ca, Time: time.Unix(f.Price.PublishTime, 0).UTC()}, nil
	}
	return Quote{}, fmt.Errorf("%w: %s: the answer has no feed %s", ErrInvalidAnswer, p.Name(), p.ID)
}
