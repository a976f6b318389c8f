package pricefeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"
)

// CEXTicker follows an exchange's websocket ticker in the Coinbase
// Exchange format: it subscribes with
//
//	{"type": "subscribe", "product_ids": [Product], "channels": ["ticker"]}
//
// and reads messages {"type": "ticker", "sequence", "product_id", "price",
// "time"}; "subscriptions" and "heartbeat" messages are ignored and an
// "error" message ends the connection. It is a Streamer: wrap it in a
// Live. The round is the sequence number; the price is parsed from its
// decimal string exactly.
type CEXTicker struct {
	// Exchange names the source: "cex:" + Exchange + ":" + Product.
	Exchange string
	// URL is the websocket URL (wss://...).
	URL string
	// Product is the product ID, such as "COOP-USD".
	Product string
	// Dial options for the websocket (nil: defaults).
	Dial *websocket.DialOptions
}

// Name returns "cex:" + Exchange + ":" + Product.
func (c *CEXTicker) Name() string { return "cex:" + c.Exchange + ":" + c.Product }

type tickerMessage struct {
	Type      string `json:"type"`
	Sequence  uint64 `json:"sequence"`
	ProductID string `json:"product_id"`
	Price     string `json:"price"`
	Time      string `json:"time"`
	Message   string `json:"message"`
	Reason    string `json:"reason"`
}

// Stream connects, subscribes and delivers ticker quotes until the
// connection ends or ctx does.
func (c *CEXTicker) Stream(ctx context.Context, fn func(Quote), bad func(error)) error {
	conn, _, err := websocket.Dial(ctx, c.URL, c.Dial)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrFetch, c.Name(), err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "product_ids": []string{c.Product}, "channels": []string{"ticker"}})
	if err := conn.Write(ctx, websocket.MessageText, sub); err != nil {
		return fmt.Errorf("%w: %s subscribe: %w", ErrFetch, c.Name(), err)
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if websocket.CloseStatus(err) == websocket.StatusNormalClosure || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("%w: %s: %w", ErrFetch, c.Name(), err)
		}
		var m tickerMessage
		if err := json.Unmarshal(data, &m); err != nil {
			bad(fmt.Errorf("%w: %s: %w", ErrInvalidAnswer, c.Name(), err))
			continue
		}
		switch m.Type {
		case "ticker":
		case "error":
			conn.Close(websocket.StatusNormalClosure, "")
			return fmt.Errorf("%w: %s: exchange error: %s %s", ErrFetch, c.Name(), m.Message, m.Reason)
		default:
			continue
		}
		if m.ProductID != c.Product {
			continue
		}
		q, err := c.quote(&m)
		if err != nil {
			bad(err)
			continue
		}
		fn(q)
	}
}

func (c *CEXTicker) quote(m *tickerMessage) (Quote, error) {
	d, err := decimal.NewFromString(m.Price)
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %s price %q: %w", ErrInvalidAnswer, c.Name(), m.Price, err)
	}
	p, err := Atto(d)
	if err != nil {
		return Quote{}, fmt.Errorf("%s: %w", c.Name(), err)
	}
	t, err := time.Parse(time.RFC3339Nano, m.Time)
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %s time %q: %w", ErrInvalidAnswer, c.Name(), m.Time, err)
	}
	return Quote{Source: c.Name(), Round: strconv.FormatUint(m.Sequence, 10), Price: p, Time: t.UTC()}, nil
}
