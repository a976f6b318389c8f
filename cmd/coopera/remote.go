package main

// The remote mode of submit and balance: a node's HTTP API through package
// client instead of a ledger directory.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/client"
	"github.com/coopera/coopera/ledger"
)

// remoteFlags are the flags of the remote mode.
type remoteFlags struct {
	node, tokenFile string
}

func (r *remoteFlags) register(f *flags, verb string) {
	f.fs.StringVar(&r.node, "node", "", verb+" the node HTTP API at `URL` (coopera node -http) instead of a ledger directory")
	f.fs.StringVar(&r.tokenFile, "api-token-file", "", "with -node: the node's bearer token in `FILE`")
}

// client returns the client of the node.
func (r *remoteFlags) client() (*client.Client, error) {
	opts := &client.Options{}
	if r.tokenFile != "" {
		tok, err := os.ReadFile(r.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("-api-token-file: %w", err)
		}
		opts.Token = strings.TrimSpace(string(tok))
	}
	return client.New(r.node, opts)
}

// remoteFail reports a failed call: the node's refusal of the input is
// status 2, anything else 1.
func (c *cli) remoteFail(err error) int {
	var ce *client.Error
	if errors.As(err, &ce) {
		err = &ledger.Error{Code: ce.Problem.Code, Msg: ce.Problem.Detail}
		if ce.StatusCode == 400 || ce.StatusCode == 404 || ce.StatusCode == 413 || ce.StatusCode == 415 {
			return c.failInput(err)
		}
	}
	return c.fail(err)
}

// submitRemote posts the commands in data, one at a time and in order, and
// prints their receipts.
func (c *cli) submitRemote(ctx context.Context, r *remoteFlags, data []byte, asJSON bool) int {
	cl, err := r.client()
	if err != nil {
		return c.failInput(err)
	}
	data = bytes.TrimSpace(data)
	raws := []json.RawMessage{data}
	batch := data[0] == '['
	if batch {
		if err := json.Unmarshal(data, &raws); err != nil {
			return c.failInput(ledger.Errorf(ledger.ErrMalformed, "JSON: %v", err))
		}
		if len(raws) == 0 {
			return c.failInput(ledger.Errorf(ledger.ErrMissingField, "the array holds no commands"))
		}
	}
	var out []*api.Receipt
	rejected := 0
	for _, raw := range raws {
		rc, err := cl.SubmitJSON(ctx, raw)
		if err != nil {
			if len(out) > 0 && !asJSON {
				c.printRemoteReceipts(out, batch)
			}
			return c.remoteFail(err)
		}
		out = append(out, rc)
		if !rc.Applied {
			rejected++
		}
	}
	if asJSON {
		var doc any = out
		if !batch {
			doc = out[0]
		}
		c.writeJSON(doc)
	} else {
		c.printRemoteReceipts(out, batch)
	}
	switch {
	case rejected == 0:
		return exitOK
	case !batch:
		c.errorf("command rejected: %s: %s", out[0].Error.Code, out[0].Error.Message)
	default:
		c.errorf("%d of %d commands rejected", rejected, len(out))
	}
	return exitFail
}

func (c *cli) printRemoteReceipts(rcs []*api.Receipt, batch bool) {
	for i, rc := range rcs {
		indent := ""
		if batch {
			fmt.Fprintf(c.stdout, "command %d:\n", i)
			indent = "  "
		}
		writeRemoteReceipt(c.stdout, indent, rc)
	}
}

// writeRemoteReceipt prints a node's receipt for people.
func writeRemoteReceipt(w io.Writer, indent string, rc *api.Receipt) {
	block := rc.BlockHash
	if len(block) > 12 {
		block = block[:12]
	}
	where := fmt.Sprintf("height %d, index %d (block %s)", rc.Height, rc.Index, block)
	switch {
	case rc.Duplicate && rc.Error != nil:
		fmt.Fprintf(w, "%sduplicate of the command rejected at %s: %s: %s\n", indent, where, rc.Error.Code, rc.Error.Message)
	case rc.Duplicate:
		fmt.Fprintf(w, "%sduplicate of the command applied at %s; not applied again\n", indent, where)
	case rc.Error != nil:
		fmt.Fprintf(w, "%srejected at %s: %s: %s\n", indent, where, rc.Error.Code, rc.Error.Message)
	default:
		fmt.Fprintf(w, "%sapplied at %s\n", indent, where)
	}
	if rc.Key != "" {
		fmt.Fprintf(w, "%s  key %s\n", indent, rc.Key)
	}
	for _, ev := range rc.Events {
		var e struct {
			Type    string          `json:"type"`
			Version int             `json:"version"`
			Data    json.RawMessage `json:"data"`
		}
		if json.Unmarshal(ev, &e) == nil && e.Type != "" {
			fmt.Fprintf(w, "%s  event %s/v%d %s\n", indent, e.Type, e.Version, e.Data)
		} else {
			fmt.Fprintf(w, "%s  event %s\n", indent, ev)
		}
	}
	if len(rc.Balances) > 0 {
		fmt.Fprintf(w, "%s  balances now:\n", indent)
		writeBalances(w, indent+"    ", rc.Balances)
	}
}

// balanceRemote prints a balance read from a node.
func (c *cli) balanceRemote(ctx context.Context, r *remoteFlags, acct ledger.AccountID, asset ledger.AssetID, asJSON bool) int {
	cl, err := r.client()
	if err != nil {
		return c.failInput(err)
	}
	b, err := cl.Balance(ctx, acct, asset)
	if err != nil {
		return c.remoteFail(err)
	}
	if asJSON {
		return c.writeJSON(b)
	}
	writeBalances(c.stdout, "", []balanceJSON{*b})
	return exitOK
}
