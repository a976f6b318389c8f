package main

// coopera node: a replicated node joined to a NATS JetStream cluster, with
// an optional HTTP API for commands and reads.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
)

var cmdNode = &command{
	name:     "node",
	synopsis: "-genesis FILE -nats URLS -id ID [-replicas N] [-http ADDR] [-metrics ADDR] DIR",
	summary:  "run a replicated node joined to a NATS JetStream cluster",
	help: `Node runs the ledger in DIR as a node of a replicated ledger: every node
shares one ordered block log kept by a NATS JetStream stream. One node, the
leader (holder of a lease in a JetStream key-value bucket), sequences
blocks; the others apply the stream's blocks after re-deriving every state
root, serve reads, and take over when the leader's lease lapses.

With -http, the node serves a small JSON API:
  POST /submit          a command (the JSON form of coopera submit) -> receipt
  GET  /balance?account=A&asset=X
  GET  /head            height, hashes, role and lag
Submitting to a follower answers 409 with the leader's node ID.

The node runs until interrupted (Ctrl-C or SIGTERM).`,
	run: runNode,
}

func runNode(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	genesisFile := f.fs.String("genesis", "", "genesis `FILE` (required for a new DIR)")
	urls := f.fs.String("nats", "", "comma-separated NATS server `URLS` (required)")
	id := f.fs.String("id", "", "this node's `ID` in the leader lease (required)")
	replicas := f.fs.Int("replicas", 3, "stream replicas (1 for a single NATS server)")
	creds := f.fs.String("creds", "", "NATS credentials `FILE`")
	stream := f.fs.String("stream", "", "stream `NAME` (default COOPERA_<CHAIN>)")
	httpAddr := f.fs.String("http", "", "serve the JSON API on `ADDR`, such as 127.0.0.1:8080")
	metrics := f.fs.String("metrics", "", "serve Prometheus metrics at /metrics on `ADDR`")
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if *urls == "" || *id == "" {
		return c.usageError(cmd, f.fs, "-nats and -id are required")
	}
	opts, err := ledgerOptions()
	if err != nil {
		return c.fail(err)
	}
	opts.MetricsAddr = *metrics
	opts.Replication = &replication.Options{URLs: *urls, NodeID: *id, Replicas: *replicas, CredentialsFile: *creds, Stream: *stream}
	if *genesisFile != "" {
		data, err := os.ReadFile(*genesisFile)
		if err != nil {
			return c.failInput(err)
		}
		g, err := ledger.ParseGenesis(data)
		if err != nil {
			return c.failInput(err)
		}
		opts.Genesis = g
	}
	eng, err := coopera.Open(pos[0], opts)
	if err != nil {
		return c.fail(err)
	}
	defer eng.Close()
	if *httpAddr != "" {
		ln, err := net.Listen("tcp", *httpAddr)
		if err != nil {
			return c.fail(err)
		}
		srv := &http.Server{Handler: nodeAPI(eng), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		fmt.Fprintf(c.stderr, "coopera: node %s: JSON API on http://%s\n", *id, ln.Addr())
	}
	if a := eng.MetricsAddr(); a != "" {
		fmt.Fprintf(c.stderr, "coopera: node %s: metrics on http://%s/metrics\n", *id, a)
	}
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		h := eng.Head()
		role := "follower"
		if eng.IsLeader() {
			role = "leader"
		}
		fmt.Fprintf(c.stdout, "node %s: %s, height %d, root %s, lag %d\n", *id, role, h.Height, h.StateRoot.Short(), eng.Lag())
		if err := eng.Err(); err != nil {
			return c.fail(err)
		}
		select {
		case <-ctx.Done():
			return exitOK
		case <-t.C:
		}
	}
}

// nodeAPI is the node's HTTP JSON API.
func nodeAPI(eng *coopera.Engine) http.Handler {
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	fail := func(w http.ResponseWriter, err error) {
		status := http.StatusUnprocessableEntity
		var le *ledger.Error
		switch {
		case errors.Is(err, coopera.ErrNotLeader):
			status = http.StatusConflict
		case errors.As(err, &le) && isInputError(err):
			status = http.StatusBadRequest
		case !errors.As(err, &le):
			status = http.StatusInternalServerError
		}
		code := "error"
		if le != nil {
			code = le.Code
		}
		writeJSON(w, status, map[string]string{"code": code, "error": errText(err)})
	}
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			fail(w, err)
			return
		}
		cmd, err := eng.ParseCommand(body)
		if err != nil {
			fail(w, err)
			return
		}
		rc, err := eng.Submit(r.Context(), cmd)
		if rc == nil {
			fail(w, err)
			return
		}
		out, jerr := newAssets(eng).receipt(r.Context(), rc)
		if jerr != nil {
			fail(w, jerr)
			return
		}
		status := http.StatusOK
		if rc.Err != nil {
			status = http.StatusUnprocessableEntity
		}
		writeJSON(w, status, out)
	})
	mux.HandleFunc("GET /balance", func(w http.ResponseWriter, r *http.Request) {
		acct, asset := ledger.AccountID(r.URL.Query().Get("account")), ledger.AssetID(r.URL.Query().Get("asset"))
		amt, err := eng.Balance(r.Context(), acct, asset)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, coopera.Balance{Account: acct, Asset: asset, Amount: amt})
	})
	mux.HandleFunc("GET /head", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"head": eng.Head(), "leader": eng.IsLeader(), "lag": eng.Lag()})
	})
	return mux
}
