package api_test

import (
	"testing"
	"time"

	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

// TestEventTimes: block times in events are RFC 3339 in JSON and in the
// lines for people; other fields, and events without times, are as the
// ledger writes them.
func TestEventTimes(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	started := &ledger.ChainStarted{ChainID: "c", GenesisTime: at.UnixNano(), EpochLength: int64(24 * time.Hour), Modules: []string{"m"}}
	b, err := api.EventJSON(started)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"data":{"chain_id":"c","epoch_length":86400000000000,"genesis_time":"2026-01-02T03:04:05.000000006Z","modules":["m"],"require_signatures":false},"type":"chain_started","version":1}`
	if string(b) != want {
		t.Errorf("EventJSON:\n%s\nwant\n%s", b, want)
	}
	if got, want := api.DescribeEvent(started), `chain_started/v1 {"chain_id":"c","epoch_length":86400000000000,"genesis_time":"2026-01-02T03:04:05.000000006Z","modules":["m"],"require_signatures":false}`; got != want {
		t.Errorf("DescribeEvent:\n%s\nwant\n%s", got, want)
	}
	moved := &ledger.Transferred{From: "a", To: "b", Asset: "COOP", Amount: ledger.NewAmount(5)}
	if got, want := api.DescribeEvent(moved), ledger.DescribeEvent(moved); got != want {
		t.Errorf("DescribeEvent of an event without times: %s, want %s", got, want)
	}
}
