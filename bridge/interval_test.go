package bridge_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// An anchor_interval near 2^64, meaning "never again", refuses every
// anchor after the first: the interval's end used to be a sum that
// wrapped around, letting anchors through every block.
func TestAnchorIntervalDoesNotWrap(t *testing.T) {
	h, err := ledgertest.New(bridge.Module{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(strings.Replace(propGenesis, `"anchor_interval": 2`, `"anchor_interval": 18446744073709551615`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	now := h.Time
	for i := range 3 {
		c, err := h.M.Registry().ParseCommandJSON([]byte(`{"type": "bridge_anchor", "actor": "anchorer", "payload": {}}`))
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
		b, err := h.Apply(now, []*ledger.Command{c})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Results[0].Err(); (i == 0) != (got == nil) || (i > 0 && !errors.Is(got, bridge.ErrTooEarly)) {
			t.Fatalf("anchor %d: %v; want the first accepted and the rest too early", i, got)
		}
	}
}
