package api

// Presenting ledger values for people and programs: amounts with their
// asset's decimals, receipts, events with RFC 3339 times.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// Assets looks up and remembers asset decimals, to present amounts in
// whole units beside base units. It is not safe for concurrent use; make
// one per request.
type Assets struct {
	eng *coopera.Engine
	dec map[ledger.AssetID]uint8
}

// NewAssets returns an Assets reading eng.
func NewAssets(eng *coopera.Engine) *Assets {
	return &Assets{eng: eng, dec: map[ledger.AssetID]uint8{}}
}

// Decimals returns the asset's decimals; an unknown asset is an
// unknown_asset error.
func (a *Assets) Decimals(ctx context.Context, id ledger.AssetID) (uint8, error) {
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

// Balance presents an amount of asset held by acct.
func (a *Assets) Balance(ctx context.Context, acct ledger.AccountID, asset ledger.AssetID, amt ledger.Amount) (Balance, error) {
	d, err := a.Decimals(ctx, asset)
	if err != nil {
		return Balance{}, err
	}
	return Balance{Account: acct, Asset: asset, Amount: amt, Units: amt.Format(d), Decimals: d}, nil
}

// Balances presents balances, in order.
func (a *Assets) Balances(ctx context.Context, bs []coopera.Balance) ([]Balance, error) {
	out := make([]Balance, 0, len(bs))
	for _, b := range bs {
		bj, err := a.Balance(ctx, b.Account, b.Asset, b.Amount)
		if err != nil {
			return nil, err
		}
		out = append(out, bj)
	}
	return out, nil
}

// Receipt presents a receipt.
func (a *Assets) Receipt(ctx context.Context, rc *coopera.Receipt) (*Receipt, error) {
	evs, err := Events(rc.Events)
	if err != nil {
		return nil, err
	}
	bs, err := a.Balances(ctx, rc.Balances)
	if err != nil {
		return nil, err
	}
	r := &Receipt{
		Height: rc.Height, Index: rc.Index,
		Applied: rc.Err == nil, Duplicate: rc.Duplicate,
		Events: evs, Balances: bs, Error: NewReceiptError(rc.Err),
	}
	if !rc.BlockHash.IsZero() {
		r.BlockHash = rc.BlockHash.String()
	}
	return r, nil
}

// NewReceiptError presents a rejection; nil for nil.
func NewReceiptError(err error) *ReceiptError {
	if err == nil {
		return nil
	}
	if le, ok := ledgerError(err); ok {
		return &ReceiptError{Code: le.Code, Message: le.Msg}
	}
	return &ReceiptError{Message: ErrText(err)}
}

// Events presents events as JSON ({"type", "version", "data"}, as
// ledger.MarshalEventJSON), with their times (Unix nanoseconds in the
// canonical form) as RFC 3339 strings: see EventJSON.
func Events(evs []ledger.Event) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(evs))
	for _, ev := range evs {
		b, err := EventJSON(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// timeFields are the names of the event fields that hold block times in
// Unix nanoseconds.
var timeFields = map[string]bool{
	"time": true, "genesis_time": true, "epoch_start": true, "end": true,
	"voting_start": true, "voting_end": true, "deadline": true,
}

// EventJSON is ledger.MarshalEventJSON with the times in the event's data
// (fields named time, genesis_time, epoch_start, end, voting_start,
// voting_end, deadline holding Unix nanoseconds) written as RFC 3339
// strings with nanoseconds, UTC. It is for presentation: the canonical
// encoding, hashes and the log keep nanoseconds.
func EventJSON(ev ledger.Event) (json.RawMessage, error) {
	b, err := ledger.MarshalEventJSON(ev)
	if err != nil {
		return nil, err
	}
	return RFC3339Times(b, timeFields)
}

// DescribeEvent is ledger.DescribeEvent, a line for people, with the
// event's block times as RFC 3339 (see EventJSON); an event without times
// reads as ledger.DescribeEvent writes it.
func DescribeEvent(ev ledger.Event) string {
	b, err := json.Marshal(ev)
	if err != nil || !hasTimes(b) {
		return ledger.DescribeEvent(ev)
	}
	conv, err := RFC3339Times(b, timeFields)
	if err != nil {
		return ledger.DescribeEvent(ev)
	}
	return fmt.Sprintf("%s/v%d %s", ev.EventType(), ev.EventVersion(), conv)
}

// hasTimes reports whether b may hold a time field with a number.
func hasTimes(b []byte) bool {
	for f := range timeFields {
		i := bytes.Index(b, []byte(`"`+f+`":`))
		if i >= 0 && i+len(f)+3 < len(b) && b[i+len(f)+3] >= '0' && b[i+len(f)+3] <= '9' {
			return true
		}
	}
	return false
}

// RFC3339Times rewrites the integer fields of doc named in fields, at any
// depth, from Unix nanoseconds to RFC 3339 strings with nanoseconds, UTC.
// Objects come out with their keys sorted.
func RFC3339Times(doc []byte, fields map[string]bool) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(rfc3339Times(v, fields))
}

// rfc3339Times rewrites the time fields in v, at any depth.
func rfc3339Times(v any, fields map[string]bool) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if n, ok := x.(json.Number); ok && fields[k] {
				if ns, err := n.Int64(); err == nil {
					t[k] = FormatTime(ns)
					continue
				}
			}
			t[k] = rfc3339Times(x, fields)
		}
	case []any:
		for i, x := range t {
			t[i] = rfc3339Times(x, fields)
		}
	}
	return v
}

// FormatTime formats a block time (Unix ns) as RFC 3339 with nanoseconds,
// UTC.
func FormatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
