package pricefeed

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Streamer is a source that pushes quotes: Pyth's SSE stream, a CEX
// websocket. Stream runs one connection: it calls fn with each checked
// quote and bad with each refused one, and returns when the connection
// ends (nil or an error) or ctx does.
type Streamer interface {
	Name() string
	Stream(ctx context.Context, fn func(Quote), bad func(error)) error
}

// Live keeps a Streamer connected and its last quote at hand: it is a
// Source whose Latest returns the last quote received (ErrNoQuote before
// the first). Run reconnects after every end of the stream, waiting
// Backoff, doubled after each failed connection up to MaxBackoff, and
// reset by a connection that delivered a quote.
type Live struct {
	Streamer Streamer
	// Backoff is the first wait before reconnecting (default 1 s);
	// MaxBackoff caps it (default 1 min).
	Backoff, MaxBackoff time.Duration
	// OnError, if set, sees each connection's error and each refused
	// quote.
	OnError func(error)

	mu         sync.Mutex
	last       Quote
	have       bool
	reconnects int
}

// Name is the streamer's name.
func (l *Live) Name() string { return l.Streamer.Name() }

// Latest returns the last quote received.
func (l *Live) Latest(context.Context) (Quote, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.have {
		return Quote{}, fmt.Errorf("%w: %s", ErrNoQuote, l.Name())
	}
	return l.last, nil
}

// Reconnects returns how many times Run has connected again.
func (l *Live) Reconnects() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reconnects
}

// Run streams until ctx ends and returns ctx.Err().
func (l *Live) Run(ctx context.Context) error {
	wait, maxWait := l.Backoff, l.MaxBackoff
	if wait <= 0 {
		wait = time.Second
	}
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	first := wait
	for {
		got := false
		err := l.Streamer.Stream(ctx, func(q Quote) {
			l.mu.Lock()
			l.last, l.have = q, true
			l.mu.Unlock()
			got = true
		}, l.report)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			l.report(err)
		}
		if got {
			wait = first
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if !got {
			wait = min(2*wait, maxWait)
		}
		l.mu.Lock()
		l.reconnects++
		l.mu.Unlock()
	}
}

func (l *Live) report(err error) {
	if l.OnError != nil {
		l.OnError(err)
	}
}
