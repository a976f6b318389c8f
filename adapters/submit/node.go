package submit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// Node submits through a node's HTTP API (coopera node -http): one POST
// /submit per command, in order. It satisfies Submitter.
type Node struct {
	// URL is the node's base URL, such as http://127.0.0.1:8080.
	URL string
	// Client defaults to http.DefaultClient.
	Client *http.Client
}

// nodeAnswer is the part of a node's answer a Submitter needs: a receipt
// (height, index, block hash, duplicate, error {code, message}) or a
// refusal ({code, error: text}).
type nodeAnswer struct {
	Height    uint64          `json:"height"`
	Index     int             `json:"index"`
	BlockHash string          `json:"block_hash"`
	Duplicate bool            `json:"duplicate"`
	Applied   *bool           `json:"applied"`
	Code      string          `json:"code"`
	Error     json.RawMessage `json:"error"`
}

type errorObject struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// SubmitBatch posts each command and returns its receipt. A command the
// node refuses (a receipt with an error, or a 4xx answer with an error
// code) gets a receipt whose Err is a *ledger.Error with the node's code;
// anything else stops the batch with an error wrapping ErrTransport or
// ErrNode.
func (n *Node) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*coopera.Receipt, error) {
	hc := n.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	out := make([]*coopera.Receipt, 0, len(cmds))
	for _, c := range cmds {
		body, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(n.URL, "/")+"/submit", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrTransport, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrTransport, err)
		}
		var a nodeAnswer
		if json.Unmarshal(data, &a) != nil {
			return nil, fmt.Errorf("%w: %s answered %s: %.200s", ErrNode, req.URL, resp.Status, data)
		}
		rc := &coopera.Receipt{Height: a.Height, Index: a.Index, Duplicate: a.Duplicate}
		var eo errorObject
		switch {
		case a.Applied != nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnprocessableEntity):
			// A receipt, applied or rejected.
			if len(a.Error) > 0 && string(a.Error) != "null" {
				if err := json.Unmarshal(a.Error, &eo); err != nil {
					return nil, fmt.Errorf("%w: receipt error: %.200s", ErrNode, a.Error)
				}
				rc.Err = &ledger.Error{Code: eo.Code, Msg: eo.Message}
			}
		case resp.StatusCode == http.StatusBadRequest && a.Code != "":
			// The command itself was refused before sequencing.
			var msg string
			_ = json.Unmarshal(a.Error, &msg)
			rc.Err = &ledger.Error{Code: a.Code, Msg: msg}
		default:
			return nil, fmt.Errorf("%w: %s answered %s: %.200s", ErrNode, req.URL, resp.Status, data)
		}
		if h, err := hex.DecodeString(a.BlockHash); err == nil && len(h) == len(rc.BlockHash) {
			copy(rc.BlockHash[:], h)
		}
		out = append(out, rc)
	}
	return out, nil
}
