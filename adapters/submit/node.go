package submit

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/client"
	"github.com/coopera/coopera/ledger"
)

// Node submits through a node's HTTP API (coopera node -http) with package
// client: one POST /submit per command, in order. It satisfies Submitter.
type Node struct {
	// URL is the node's base URL, such as http://127.0.0.1:8080.
	URL string
	// Client defaults to http.DefaultClient.
	Client *http.Client
	// Logger, if set, logs the node's refusals (Warn) and the failures
	// that stop a batch (Error).
	Logger *slog.Logger
}

// SubmitBatch posts each command and returns its receipt. A command the
// node refuses (a receipt with an error, or a 400 problem: the command
// itself was refused before sequencing) gets a receipt whose Err is a
// *ledger.Error with the node's code; anything else stops the batch with
// an error wrapping ErrTransport (the node could not be reached) or ErrNode
// (any other answer: a follower, an overloaded or faulty node).
func (n *Node) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*coopera.Receipt, error) {
	c, err := client.New(n.URL, &client.Options{HTTPClient: n.Client})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNode, err)
	}
	out := make([]*coopera.Receipt, 0, len(cmds))
	for _, cmd := range cmds {
		r, err := c.Submit(ctx, cmd)
		var ce *client.Error
		switch {
		case err == nil:
			rc := &coopera.Receipt{Height: r.Height, Index: r.Index, Duplicate: r.Duplicate}
			if r.Error != nil {
				rc.Err = &ledger.Error{Code: r.Error.Code, Msg: r.Error.Message}
			}
			if h, err := hex.DecodeString(r.BlockHash); err == nil && len(h) == len(rc.BlockHash) {
				copy(rc.BlockHash[:], h)
			}
			out = append(out, rc)
		case errors.As(err, &ce) && ce.StatusCode == http.StatusBadRequest:
			n.log(ctx, slog.LevelWarn, "submit: the node refused a command", "key", cmd.Key, "code", ce.Problem.Code, "detail", ce.Problem.Detail)
			out = append(out, &coopera.Receipt{Err: &ledger.Error{Code: ce.Problem.Code, Msg: ce.Problem.Detail}})
		case errors.Is(err, client.ErrTransport):
			n.log(ctx, slog.LevelError, "submit: the node cannot be reached", "url", n.URL, "err", err)
			return nil, fmt.Errorf("%w: %w", ErrTransport, err)
		default:
			n.log(ctx, slog.LevelError, "submit: the node did not answer for the command", "url", n.URL, "key", cmd.Key, "err", err)
			return nil, fmt.Errorf("%w: %w", ErrNode, err)
		}
	}
	return out, nil
}

func (n *Node) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if n.Logger != nil {
		n.Logger.Log(ctx, level, msg, args...)
	}
}
