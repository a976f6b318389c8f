package main

// Output helpers shared by the commands: the JSON document forms, human
// formatting of amounts, times and receipts.

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

// writeJSON writes v as one indented JSON document.
func (c *cli) writeJSON(v any) int {
	c.wroteJSON = true
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.fail(fmt.Errorf("writing JSON: %w", err))
	}
	return exitOK
}

// formatTime formats a block time (Unix ns) for people.
func formatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }

// formatTimeJSON formats a block time (Unix ns) exactly.
func formatTimeJSON(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// assets presents amounts with their asset's decimals (package api's
// presentation, shared with the node's API).
type assets = api.Assets

func newAssets(eng *coopera.Engine) *assets { return api.NewAssets(eng) }

// balanceJSON is a balance in the JSON documents: the amount in base
// units and in whole units of the asset, both strings.
type balanceJSON = api.Balance

// headJSON is a head in the JSON documents, its time RFC 3339.
type headJSON struct {
	Height    uint64      `json:"height"`
	Hash      ledger.Hash `json:"hash"`
	StateRoot ledger.Hash `json:"state_root"`
	Time      string      `json:"time"`
}

func newHeadJSON(h coopera.Head) headJSON {
	return headJSON{Height: h.Height, Hash: h.Hash, StateRoot: h.StateRoot, Time: formatTimeJSON(h.Time)}
}

// formatTokens formats an amount for people: whole units of the asset
// with the base units beside, "1 COOP (1000000 base units)".
func formatTokens(amt ledger.Amount, decimals uint8, asset ledger.AssetID) string {
	return fmt.Sprintf("%s %s (%s base units)", amt.Format(decimals), asset, amt)
}

// formatPPB formats a fraction in parts per billion as basis points, the
// tables' one unit for shares: 123456789 ppb is "1234.56789 bps".
func formatPPB(ppb uint64) string {
	return ledger.NewAmount(ppb).Format(5) + " bps"
}

// writeBalances prints balances as an aligned table, indented by indent.
func writeBalances(w io.Writer, indent string, bs []balanceJSON) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, b := range bs {
		fmt.Fprintf(tw, "%s%s\t%s %s\t(%s base units)\n", indent, b.Account, b.Units, b.Asset, b.Amount)
	}
	tw.Flush()
}

// errorJSON is a rejection or failure in the JSON documents.
type errorJSON = api.ReceiptError

func newErrorJSON(err error) *errorJSON { return api.NewReceiptError(err) }

// eventJSON is an event with its place in the log.
type eventJSON struct {
	Height uint64          `json:"height"`
	Index  int             `json:"index"`
	Time   string          `json:"time"`
	Event  json.RawMessage `json:"event"` // {"type", "version", "data"}
}

// marshalEvents presents events, with RFC 3339 times.
func marshalEvents(evs []ledger.Event) ([]json.RawMessage, error) { return api.Events(evs) }

// receiptJSON is a receipt in the JSON documents.
type receiptJSON = api.Receipt

// writeReceipt prints a receipt for people, each line prefixed by indent.
func writeReceipt(w io.Writer, indent string, rc *coopera.Receipt, r *receiptJSON) {
	where := fmt.Sprintf("height %d, index %d (block %s)", rc.Height, rc.Index, rc.BlockHash.Short())
	switch {
	case rc.Height == 0 && rc.Err != nil: // refused without a block: an idempotency conflict
		fmt.Fprintf(w, "%srejected: %s\n", indent, errText(rc.Err))
	case rc.Duplicate && rc.Err != nil:
		fmt.Fprintf(w, "%sduplicate of the command rejected at %s: %s\n", indent, where, errText(rc.Err))
	case rc.Duplicate:
		fmt.Fprintf(w, "%sduplicate of the command applied at %s; not applied again\n", indent, where)
	case rc.Err != nil:
		fmt.Fprintf(w, "%srejected at %s: %s\n", indent, where, errText(rc.Err))
	default:
		fmt.Fprintf(w, "%sapplied at %s\n", indent, where)
	}
	for _, ev := range rc.Events {
		fmt.Fprintf(w, "%s  event %s\n", indent, api.DescribeEvent(ev))
	}
	if len(r.Balances) > 0 {
		fmt.Fprintf(w, "%s  balances now:\n", indent)
		writeBalances(w, indent+"    ", r.Balances)
	}
}

// verifyJSON is the document of verify and replay.
type verifyJSON struct {
	OK     bool                  `json:"ok"`
	Dir    string                `json:"dir,omitempty"`
	Report *coopera.VerifyReport `json:"report"`
	Error  *errorJSON            `json:"error,omitempty"`
}

// writeReport prints a verify or replay report for people.
func writeReport(w io.Writer, indent, verb string, rep *coopera.VerifyReport) {
	fmt.Fprintf(w, "%s%s %d blocks (genesis to height %d): %d commands, %d rejected, %d events",
		indent, verb, rep.Blocks, rep.Blocks-1, rep.Commands, rep.Rejected, rep.Events)
	if rep.StateKeys > 0 {
		fmt.Fprintf(w, ", %d state keys", rep.StateKeys)
	}
	fmt.Fprintf(w, "\n%s  head        %s\n%s  state root  %s\n", indent, rep.Head, indent, rep.StateRoot)
}
