package main

// coopera node: a replicated node joined to a NATS JetStream cluster, with
// an optional HTTP API for commands and reads.

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
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

With -http, the node serves a small JSON API (on 127.0.0.1 unless ADDR
names another host; with -api-token-file, every request needs
Authorization: Bearer TOKEN):
  POST /submit          a command (the JSON form of coopera submit, sent as
                        Content-Type: application/json) -> receipt
  GET  /balance?account=A&asset=X
  GET  /head            height, hashes, role and lag
Submitting to a follower answers 409 with the leader's node ID. An
unsigned command without an idempotency key gets one derived from its
content (returned as "key"), so retrying the same command is answered with
the original; send the same command twice on purpose with distinct keys.
(A signed command's nonce already makes a second application impossible.) A 503
"outcome_unknown" means the block may still commit: retry with the key.

The node runs until interrupted (Ctrl-C or SIGTERM).`,
	run: runNode,
}

func runNode(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	genesisFile := f.fs.String("genesis", "", "genesis `FILE` (required for a new DIR)")
	urls := f.fs.String("nats", "", "comma-separated NATS server `URLS` (required)")
	id := f.fs.String("id", "", "this node's `ID` in the leader lease (required)")
	replicas := f.fs.Int("replicas", 3, "stream replicas (1 for a single NATS server)")
	creds := f.fs.String("creds", "", "NATS credentials `FILE` (nkey or JWT user: see the README's security model)")
	tlsCert := f.fs.String("tls-cert", "", "client certificate `FILE` for TLS to the NATS servers")
	tlsKey := f.fs.String("tls-key", "", "client key `FILE` for -tls-cert")
	tlsCA := f.fs.String("tls-ca", "", "CA certificate `FILE` the NATS servers' certificates must chain to")
	seqKey := f.fs.String("sequencer-key", "", "`FILE` with this node's ed25519 sequencer key (hex seed), needed to lead a chain with sequencer keys")
	stream := f.fs.String("stream", "", "stream `NAME` (default COOPERA_<CHAIN>)")
	httpAddr := f.fs.String("http", "", "serve the JSON API on `ADDR`, such as 127.0.0.1:8080 (a missing host means 127.0.0.1)")
	tokenFile := f.fs.String("api-token-file", "", "require Authorization: Bearer with the token in `FILE` on every API request")
	maxConns := f.fs.Int("api-max-conns", 256, "serve at most `N` API connections at once (more wait to be accepted)")
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
	if *tlsCert != "" || *tlsKey != "" || *tlsCA != "" {
		tc, err := natsTLS(*tlsCert, *tlsKey, *tlsCA)
		if err != nil {
			return c.failInput(err)
		}
		opts.Replication.TLS = tc
	}
	if *seqKey != "" {
		k, err := readKey(*seqKey)
		if err != nil {
			return c.failInput(err)
		}
		opts.SequencerKey = k
	}
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
		addr, public, err := apiAddr(*httpAddr)
		if err != nil {
			return c.usageError(cmd, f.fs, err.Error())
		}
		api := apiOptions{}
		if *tokenFile != "" {
			tok, err := os.ReadFile(*tokenFile)
			if err != nil {
				return c.failInput(err)
			}
			if api.Token = strings.TrimSpace(string(tok)); len(api.Token) < 16 {
				return c.usageError(cmd, f.fs, "-api-token-file: the token must be at least 16 characters")
			}
		}
		if public {
			fmt.Fprintf(c.stderr, "coopera: WARNING: node %s serves its API on all interfaces (%s)", *id, addr)
			if api.Token == "" {
				fmt.Fprint(c.stderr, " WITHOUT a token: anyone who reaches this host can submit commands; give -api-token-file or bind 127.0.0.1")
			}
			fmt.Fprintln(c.stderr)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return c.fail(err)
		}
		ln = limitListener(ln, *maxConns)
		srv := &http.Server{Handler: nodeAPI(eng, api), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
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

// apiOptions configure the node's HTTP API.
type apiOptions struct {
	// Token, if set, is the bearer token every request must present
	// (Authorization: Bearer TOKEN).
	Token string
	// MaxBody bounds a request body; a larger one is refused with 413.
	MaxBody int64
}

// maxSubmitBody is the default bound on a /submit body.
const maxSubmitBody = 1 << 20

// autoKey derives the idempotency key the node gives a command that
// carries none, from what its client decided (the intent: envelope and
// payload, without signature and host annotations): a retry of the same
// command gets the same key and is answered with the original.
func autoKey(c *ledger.Command) string {
	h := c.ContentHash()
	return "auto:" + hex.EncodeToString(h[:16])
}

// nodeAPI is the node's HTTP JSON API.
func nodeAPI(eng *coopera.Engine, o apiOptions) http.Handler {
	if o.MaxBody <= 0 {
		o.MaxBody = maxSubmitBody
	}
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	problem := func(w http.ResponseWriter, status int, code, msg string) {
		writeJSON(w, status, map[string]string{"code": code, "error": msg})
	}
	fail := func(w http.ResponseWriter, err error) {
		status := http.StatusUnprocessableEntity
		var le *ledger.Error
		switch {
		case errors.Is(err, coopera.ErrNotLeader):
			status = http.StatusConflict
		case errors.Is(err, coopera.ErrOutcomeUnknown):
			status = http.StatusServiceUnavailable
		case errors.As(err, &le) && isInputError(err):
			status = http.StatusBadRequest
		case !errors.As(err, &le):
			status = http.StatusInternalServerError
		}
		code := "internal"
		if le != nil {
			code = le.Code
		}
		problem(w, status, code, errText(err))
	}
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		// Only JSON: a form or text/plain body is what a web page can send
		// to a node on localhost without asking.
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			problem(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the command as Content-Type: application/json")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.MaxBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				problem(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is over the limit of %d bytes", o.MaxBody))
				return
			}
			fail(w, err)
			return
		}
		cmd, err := eng.ParseCommand(body)
		if err != nil {
			fail(w, err)
			return
		}
		if cmd.Key == "" && cmd.Signature == nil {
			// (A signed command's key is under its signature; its nonce
			// already makes a second application impossible.)
			cmd.Key = autoKey(cmd)
		}
		rc, err := eng.Submit(r.Context(), cmd)
		if rc == nil {
			if errors.Is(err, coopera.ErrOutcomeUnknown) {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"code": coopera.ErrOutcomeUnknown.Code, "error": errText(err), "key": cmd.Key})
				return
			}
			fail(w, err)
			return
		}
		out, jerr := newAssets(eng).receipt(r.Context(), rc)
		if jerr != nil {
			fail(w, jerr)
			return
		}
		out.Key = cmd.Key
		status := http.StatusOK
		if rc.Err != nil {
			status = http.StatusUnprocessableEntity
		}
		writeJSON(w, status, out)
	})
	mux.HandleFunc("GET /balance", func(w http.ResponseWriter, r *http.Request) {
		acct, asset := ledger.AccountID(r.URL.Query().Get("account")), ledger.AssetID(r.URL.Query().Get("asset"))
		if err := acct.Validate(); err != nil {
			fail(w, err)
			return
		}
		if err := asset.Validate(); err != nil {
			fail(w, err)
			return
		}
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
	// Everything else answers in the same JSON form.
	for _, path := range []string{"/submit", "/balance", "/head"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			allow := "GET"
			if path == "/submit" {
				allow = "POST"
			}
			w.Header().Set("Allow", allow)
			problem(w, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("%s takes %s, not %s", path, allow, r.Method))
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusNotFound, "not_found", fmt.Sprintf("no %s here: the API has POST /submit, GET /balance and GET /head", r.URL.Path))
	})
	if o.Token == "" {
		return mux
	}
	want := []byte("Bearer " + o.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="coopera"`)
			problem(w, http.StatusUnauthorized, "unauthorized", "this node's API needs Authorization: Bearer <token> (the node's -api-token-file)")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// apiAddr returns the address to listen on: a missing host means
// loopback only; an explicit all-interfaces host is allowed, with a
// warning.
func apiAddr(addr string) (string, bool, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fmt.Errorf("-http %q: %w", addr, err)
	}
	if host == "" {
		return net.JoinHostPort("127.0.0.1", port), false, nil
	}
	ip := net.ParseIP(host)
	return addr, ip != nil && ip.IsUnspecified(), nil
}

// natsTLS builds the TLS configuration for the NATS connection.
func natsTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if (certFile == "") != (keyFile == "") {
		return nil, fmt.Errorf("-tls-cert and -tls-key go together")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("-tls-cert %s, -tls-key %s: %w", certFile, keyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("-tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("-tls-ca %s: no PEM certificate in it", caFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// limitListener accepts at most n connections at once: the next waits
// until one closes.
func limitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitedListener{Listener: ln, sem: make(chan struct{}, n)}
}

type limitedListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitedListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
