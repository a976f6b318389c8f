package submit_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/ledger"
)

// TestNodeLogger: a Node with a Logger logs the node's refusal of a
// command at Warn.
func TestNodeLogger(t *testing.T) {
	eng := feedLedger(t)
	srv := node(t, eng)
	var buf bytes.Buffer
	n := &submit.Node{URL: srv.URL, Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	unsigned := &ledger.Command{Actor: "feed", Key: "k", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "feed", Asset: "COOP", Amount: ledger.NewAmount(1)}}}}
	if _, err := n.SubmitBatch(context.Background(), []*ledger.Command{unsigned}); err != nil {
		t.Fatal(err)
	}
	if want := `"level":"WARN","msg":"submit: the node refused a command","key":"k","code":"bad_signature"`; !strings.Contains(buf.String(), want) {
		t.Errorf("the log lacks %s:\n%s", want, buf.String())
	}
}
