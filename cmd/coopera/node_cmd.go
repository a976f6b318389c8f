package main

// coopera node: a replicated node joined to a NATS JetStream cluster, with
// an optional HTTP API for commands and reads.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
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

With -http, the node serves a small JSON API (package api, documented in
OpenAPI 3 in api/openapi.yaml; on 127.0.0.1 unless ADDR names another
host; with -api-token-file, every request needs Authorization: Bearer
TOKEN; without one, only requests for an IP address, localhost or an
-api-host name are answered, so that no web page can reach the node under
a name of its own pointed at 127.0.0.1):
  POST /submit          a command (the JSON form of coopera submit, sent as
                        Content-Type: application/json) -> receipt
  GET  /balance?account=A&asset=X  -> amount in base units and whole units
  GET  /head            height, hashes, time, role and lag
Failures are RFC 9457 problems (application/problem+json) with a code.
Submitting to a follower answers 409 with the leader's node ID. An
unsigned command without an idempotency key gets one derived from its
content (returned as "key"), so retrying the same command is answered with
the original; send the same command twice on purpose with distinct keys.
(A signed command's nonce already makes a second application impossible.) A 503
"outcome_unknown" means the block may still commit: retry with the key.

The node prints a status line (role, height, state root, lag) when one of
them changes; with -json, one JSON object per line. It logs with log/slog
to standard error (text on a terminal, JSON otherwise; -log-level):
leadership changes, slow blocks, divergence and faults. Against a single
NATS server give -replicas 1. The node runs until interrupted (Ctrl-C or
SIGTERM).`,
	run: runNode,
}

func runNode(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	genesisFile := f.fs.String("genesis", "", "genesis `FILE` (required for a new DIR)")
	urls := f.fs.String("nats", "", "comma-separated NATS server `URLS` (required)")
	id := f.fs.String("id", "", "this node's `ID` in the leader lease (required)")
	replicas := f.fs.Int("replicas", 3, "`N` stream replicas (1 for a single NATS server)")
	creds := f.fs.String("creds", "", "NATS credentials `FILE` (nkey or JWT user: see the README's security model)")
	tlsCert := f.fs.String("tls-cert", "", "client certificate `FILE` for TLS to the NATS servers")
	tlsKey := f.fs.String("tls-key", "", "client key `FILE` for -tls-cert")
	tlsCA := f.fs.String("tls-ca", "", "CA certificate `FILE` the NATS servers' certificates must chain to")
	seqKey := f.fs.String("sequencer-key", "", "`FILE` with this node's ed25519 sequencer key (hex seed), needed to lead a chain with sequencer keys")
	rulesFrom := f.fs.Uint64("rules-from", 0, "the `HEIGHT` from which this build's decision rules apply (the same on every node), recorded in the ledger; 0: the height recorded in the ledger, or every block for a new ledger; see the README's Upgrades")
	stream := f.fs.String("stream", "", "stream `NAME` (default COOPERA_<CHAIN>)")
	httpAddr := f.fs.String("http", "", "serve the JSON API on `ADDR`, such as 127.0.0.1:8080 (a missing host means 127.0.0.1)")
	tokenFile := f.fs.String("api-token-file", "", "require Authorization: Bearer with the token in `FILE` on every API request")
	apiHosts := f.fs.String("api-host", "", "host `NAMES` (comma-separated) the API answers to besides IP addresses and localhost; without a token, requests for other names are refused (a web page reaching a local node under its own name)")
	maxConns := f.fs.Int("api-max-conns", 256, "serve at most `N` API connections at once (more wait to be accepted)")
	metrics := f.fs.String("metrics", "", "serve Prometheus metrics at /metrics on `ADDR`")
	logLevel := f.fs.String("log-level", "info", "log `LEVEL`: debug, info, warn or error (logs go to standard error: text on a terminal, JSON otherwise)")
	slow := f.fs.Duration("slow-block", 2*time.Second, "log a block committed more than `D` after its time as slow")
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if *urls == "" || *id == "" {
		return c.usageError(cmd, f.fs, "-nats and -id are required")
	}
	log, err := c.newLogger(*logLevel)
	if err != nil {
		return c.usageError(cmd, f.fs, err.Error())
	}
	log = log.With("node", *id)
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
	opts.RulesFrom = *rulesFrom
	opts.Logger = log // the engine's warnings (a moved -rules-from, a genesis redone)
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
	log.Info("opening the ledger", "dir", pos[0], "nats", *urls, "replicas", *replicas)
	eng, err := coopera.Open(pos[0], opts)
	if err != nil {
		err = replicasHint(inUse(pos[0], err), *replicas)
		log.Error("the node did not start", "err", err)
		return c.fail(err)
	}
	defer eng.Close()
	log.Info("the ledger is open", "height", eng.Head().Height, "rules_from", eng.RulesFrom())
	if *httpAddr != "" {
		addr, public, err := apiAddr(*httpAddr)
		if err != nil {
			return c.usageError(cmd, f.fs, err.Error())
		}
		apiOpts := &api.Options{}
		for _, name := range strings.Split(*apiHosts, ",") {
			if name = strings.TrimSpace(name); name != "" {
				apiOpts.Hosts = append(apiOpts.Hosts, name)
			}
		}
		if *tokenFile != "" {
			tok, err := os.ReadFile(*tokenFile)
			if err != nil {
				return c.failInput(err)
			}
			if apiOpts.Token = strings.TrimSpace(string(tok)); len(apiOpts.Token) < 16 {
				return c.usageError(cmd, f.fs, "-api-token-file: the token must be at least 16 characters")
			}
		}
		if public {
			msg := "the API is served on all interfaces"
			if apiOpts.Token == "" {
				msg += " WITHOUT a token: anyone who reaches this host can submit commands; give -api-token-file or bind 127.0.0.1"
			}
			log.Warn(msg, "addr", addr)
		}
		apiOpts.Logger = log
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return c.fail(err)
		}
		ln = limitListener(ln, *maxConns)
		srv := &http.Server{Handler: api.NewHandler(eng, apiOpts), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
		go srv.Serve(ln)
		defer func() {
			// Let requests in flight finish (their blocks are committing),
			// for at most 5 s, before the engine closes.
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				srv.Close()
			}
		}()
		log.Info("serving the JSON API", "url", "http://"+ln.Addr().String())
	}
	if a := eng.MetricsAddr(); a != "" {
		log.Info("serving metrics", "url", "http://"+a+"/metrics")
	}
	return c.watchNode(ctx, eng, *id, log, f.json, *slow)
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
