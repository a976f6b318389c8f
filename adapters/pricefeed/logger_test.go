package pricefeed_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/adapters/pricefeed"
)

// TestFeederLogger: a Feeder with a Logger logs each event, a refusal or
// failure at Warn.
func TestFeederLogger(t *testing.T) {
	eng := oracleEconomy(t)
	rd := round(1, 300012345678, now.Add(-time.Minute), 1)
	calls := 0
	f, err := pricefeed.NewFeeder(&flaky{to: eng, fail: true}, pricefeed.Feed{Account: "feed-chainlink", Signer: signer(eng, "feed-chainlink"), Source: chainlink(&rd, &calls)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	f.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	f.Step(context.Background(), now)
	log := buf.String()
	for _, want := range []string{`"level":"INFO","msg":"pricefeed: accepted","feed":"feed-chainlink"`, `"price":"3000.12345678"`, `"level":"WARN","msg":"pricefeed: unanswered"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
}
