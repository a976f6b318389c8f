package metering_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
)

// lockedBuffer is a bytes.Buffer safe for a logger and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestRunnerLogger: a Runner with a Logger logs a failed read at Warn and
// each step at Debug.
func TestRunnerLogger(t *testing.T) {
	m, _ := metering.New(metering.Options{Source: "s", Provider: "p", Window: time.Second})
	src := sourceFunc(func(ctx context.Context, now time.Time) ([]metering.Reading, error) {
		return nil, fmt.Errorf("%w: exporter restarting", metering.ErrScrape)
	})
	var buf lockedBuffer
	r := &metering.Runner{Meter: m, Source: src, Signer: &submit.Signer{Actor: "meter"}, Queue: submit.NewQueue(&flakySubmitter{}, 0),
		Interval: 5 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	r.Run(ctx)
	buf.mu.Lock()
	log := buf.b.String()
	buf.mu.Unlock()
	for _, want := range []string{`"level":"WARN","msg":"metering: step failed","err":"metering: scrape: exporter restarting"`, `"level":"DEBUG","msg":"metering: step"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
}
