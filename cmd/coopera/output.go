package main

// Output helpers shared by the commands: the JSON document forms, human
// formatting of amounts, times and receipts.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/coopera/coopera"
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

// assets looks up and remembers asset decimals for human units.
type assets struct {
	eng *coopera.Engine
	dec map[ledger.AssetID]uint8
}

func newAssets(eng *coopera.Engine) *assets {
	return &assets{eng: eng, dec: map[ledger.AssetID]uint8{}}
}

func (a *assets) decimals(ctx context.Context, id ledger.AssetID) (uint8, error) {
	if d, ok := a.dec[id]; ok {
		return d, nil
	}
	rec, err := a.eng.Asset(ctx, id)
	if err != nil {
		return 0, err
	}
	a.dec[id] = rec.Decimals
	return rec.Decimals, nil
}

// balanceJSON is a balance in the JSON documents: the amount in base
// units and in whole units of the asset, both strings.
type balanceJSON struct {
	Account  ledger.AccountID `json:"account"`
	Asset    ledger.AssetID   `json:"asset"`
	Amount   ledger.Amount    `json:"amount"`
	Units    string           `json:"units"`
	Decimals uint8            `json:"decimals"`
}

func (a *assets) balance(ctx context.Context, acct ledger.AccountID, asset ledger.AssetID, amt ledger.Amount) (balanceJSON, error) {
	d, err := a.decimals(ctx, asset)
	if err != nil {
		return balanceJSON{}, err
	}
	return balanceJSON{Account: acct, Asset: asset, Amount: amt, Units: amt.Format(d), Decimals: d}, nil
}

func (a *assets) balances(ctx context.Context, bs []coopera.Balance) ([]balanceJSON, error) {
	out := make([]balanceJSON, 0, len(bs))
	for _, b := range bs {
		bj, err := a.balance(ctx, b.Account, b.Asset, b.Amount)
		if err != nil {
			return nil, err
		}
		out = append(out, bj)
	}
	return out, nil
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
type errorJSON struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

func newErrorJSON(err error) *errorJSON {
	if err == nil {
		return nil
	}
	var le *ledger.Error
	if errors.As(err, &le) {
		return &errorJSON{Code: le.Code, Message: le.Msg}
	}
	return &errorJSON{Message: errText(err)}
}

// eventJSON is an event with its place in the log.
type eventJSON struct {
	Height uint64          `json:"height"`
	Index  int             `json:"index"`
	Time   string          `json:"time"`
	Event  json.RawMessage `json:"event"` // {"type", "version", "data"}
}

func marshalEvents(evs []ledger.Event) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(evs))
	for _, ev := range evs {
		b, err := ledger.MarshalEventJSON(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// receiptJSON is a receipt in the JSON documents.
type receiptJSON struct {
	Height    uint64            `json:"height"`
	Index     int               `json:"index"`
	BlockHash string            `json:"block_hash,omitempty"`
	Applied   bool              `json:"applied"`
	Duplicate bool              `json:"duplicate"`
	Events    []json.RawMessage `json:"events"`
	Balances  []balanceJSON     `json:"balances"`
	Error     *errorJSON        `json:"error,omitempty"`
	// Key is the command's idempotency key (the node API's, derived from
	// the command when it had none).
	Key string `json:"key,omitempty"`
}

func (a *assets) receipt(ctx context.Context, rc *coopera.Receipt) (*receiptJSON, error) {
	evs, err := marshalEvents(rc.Events)
	if err != nil {
		return nil, err
	}
	bs, err := a.balances(ctx, rc.Balances)
	if err != nil {
		return nil, err
	}
	r := &receiptJSON{
		Height: rc.Height, Index: rc.Index,
		Applied: rc.Err == nil, Duplicate: rc.Duplicate,
		Events: evs, Balances: bs, Error: newErrorJSON(rc.Err),
	}
	if !rc.BlockHash.IsZero() {
		r.BlockHash = rc.BlockHash.String()
	}
	return r, nil
}

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
		fmt.Fprintf(w, "%s  event %s\n", indent, ledger.DescribeEvent(ev))
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
