// Package client is the Go client of a coopera node's HTTP API (package
// api; "coopera node -http"): submit commands, read balances and the head.
//
// Answers come back as package api's types. A refusal is an *Error holding
// the node's RFC 9457 problem; it matches the ledger's sentinels with
// errors.Is (errors.Is(err, ledger.ErrUnknownAccount)); ErrTransport
// wraps every failure to reach the node or to read its answer, when nothing
// is known about a submitted command's fate, and ErrAnswer an answer that
// is neither. A command rejected in its
// block is not an error: its Receipt says so (Applied false, Error set).
//
// A Client is safe for concurrent use.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

var (
	// ErrTransport wraps a failure to reach the node or to read its
	// answer: nothing is known about a submitted command's fate.
	ErrTransport = errors.New("client: transport")
	// ErrAnswer wraps an answer that is neither a result nor a problem
	// (a proxy's error page, a body that does not decode).
	ErrAnswer = errors.New("client: unexpected answer")
)

// Error is a node's refusal: an RFC 9457 problem. It unwraps to a
// *ledger.Error with the problem's code, so errors.Is matches the
// ledger's sentinels (ledger.ErrInvalidID, coopera.ErrNotLeader...).
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Problem is the node's answer.
	Problem api.Problem
}

func (e *Error) Error() string {
	return fmt.Sprintf("client: node answered %d %s: %s", e.StatusCode, e.Problem.Code, e.Problem.Detail)
}

// Unwrap returns the problem as a *ledger.Error with its code.
func (e *Error) Unwrap() error { return &ledger.Error{Code: e.Problem.Code, Msg: e.Problem.Detail} }

// Options configure a Client. The zero value has no token and uses
// http.DefaultClient.
type Options struct {
	// Token is the node's bearer token (its -api-token-file), if it has one.
	Token string
	// HTTPClient sends the requests (default http.DefaultClient).
	HTTPClient *http.Client
	// MaxAnswer bounds the answer read (default 4 MiB).
	MaxAnswer int64
}

// Client talks to one node.
type Client struct {
	base string
	o    Options
}

// New returns a client of the node at baseURL, such as
// http://127.0.0.1:8080. opts may be nil.
func New(baseURL string, opts *Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: node URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: node URL %q: want http://HOST:PORT or https://HOST:PORT", baseURL)
	}
	c := &Client{base: strings.TrimSuffix(baseURL, "/")}
	if opts != nil {
		c.o = *opts
	}
	if c.o.HTTPClient == nil {
		c.o.HTTPClient = http.DefaultClient
	}
	if c.o.MaxAnswer <= 0 {
		c.o.MaxAnswer = 4 << 20
	}
	return c, nil
}

// Submit submits one command and returns its receipt: applied, a
// duplicate of one already answered, or rejected in its block (Applied
// false, Error set). A refusal before any block (malformed, unsigned on a
// chain that needs signatures, not the leader) is an *Error.
func (c *Client) Submit(ctx context.Context, cmd *ledger.Command) (*api.Receipt, error) {
	body, err := json.Marshal(cmd)
	if err != nil {
		return nil, fmt.Errorf("client: encoding the command: %w", err)
	}
	return c.SubmitJSON(ctx, body)
}

// SubmitJSON submits one command in its JSON form, as coopera submit reads
// it, and returns its receipt as Submit does.
func (c *Client) SubmitJSON(ctx context.Context, cmd []byte) (*api.Receipt, error) {
	var rc api.Receipt
	if err := c.do(ctx, http.MethodPost, "/submit", cmd, &rc, http.StatusOK, http.StatusUnprocessableEntity); err != nil {
		return nil, err
	}
	return &rc, nil
}

// SubmitBatch submits commands one at a time, in order, and returns their
// receipts; the API has no batch route, so unlike the engine's SubmitBatch
// the commands go into separate blocks. It stops at the first error and
// returns the receipts so far.
func (c *Client) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*api.Receipt, error) {
	out := make([]*api.Receipt, 0, len(cmds))
	for _, cmd := range cmds {
		rc, err := c.Submit(ctx, cmd)
		if err != nil {
			return out, err
		}
		out = append(out, rc)
	}
	return out, nil
}

// Balance returns acct's balance of asset. An unknown account or asset is
// an *Error matching ledger.ErrUnknownAccount or ledger.ErrUnknownAsset.
func (c *Client) Balance(ctx context.Context, acct ledger.AccountID, asset ledger.AssetID) (*api.Balance, error) {
	q := url.Values{"account": {string(acct)}, "asset": {string(asset)}}
	var b api.Balance
	if err := c.do(ctx, http.MethodGet, "/balance?"+q.Encode(), nil, &b, http.StatusOK); err != nil {
		return nil, err
	}
	return &b, nil
}

// Head returns the node's head, role and lag.
func (c *Client) Head(ctx context.Context) (*api.Head, error) {
	var h api.Head
	if err := c.do(ctx, http.MethodGet, "/head", nil, &h, http.StatusOK); err != nil {
		return nil, err
	}
	return &h, nil
}

// do sends a request and decodes an answer with one of the ok statuses
// into out; a problem becomes an *Error.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any, ok ...int) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, "+api.ContentTypeProblem)
	if c.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.o.Token)
	}
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTransport, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxAnswer))
	if err != nil {
		return fmt.Errorf("%w: reading the answer of %s %s: %w", ErrTransport, method, req.URL.Path, err)
	}
	ct := strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0])
	if ct == api.ContentTypeProblem {
		e := &Error{StatusCode: resp.StatusCode}
		if err := json.Unmarshal(data, &e.Problem); err != nil || e.Problem.Code == "" {
			return fmt.Errorf("%w: %s %s answered %s with a problem that does not decode: %.200s", ErrAnswer, method, req.URL.Path, resp.Status, data)
		}
		return e
	}
	for _, s := range ok {
		if resp.StatusCode == s && ct == "application/json" {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%w: %s %s: decoding the answer: %w", ErrAnswer, method, req.URL.Path, err)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: %s %s answered %s (%s): %.200s", ErrAnswer, method, req.URL.Path, resp.Status, ct, data)
}
