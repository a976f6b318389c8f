package api

import (
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// OpenAPI is the API's OpenAPI 3 document (openapi.yaml).
//
//go:embed openapi.yaml
var OpenAPI []byte

// Options configure the handler. The zero value serves without a token,
// with a 1 MiB body limit and no logging.
type Options struct {
	// Token, if set, is the bearer token every request must present
	// (Authorization: Bearer TOKEN); others are 401.
	Token string
	// MaxBody bounds a request body; a larger one is refused with 413.
	// Default DefaultMaxBody.
	MaxBody int64
	// Logger, if set, logs failures the node should know about (5xx
	// answers) at level Error and refusals at Debug.
	Logger *slog.Logger
	// Hosts are the host names (without port) the API answers to besides
	// IP addresses and localhost (and its subdomains). Without a Token,
	// a request for any other Host is refused with 403 host_not_allowed:
	// a web page on another site can make a browser send requests to a
	// node on localhost under the site's own name, after pointing that
	// name at 127.0.0.1 (DNS rebinding), and the browser then treats the
	// node's answers as the site's. With a Token, Hosts is checked only
	// if set.
	Hosts []string
}

// DefaultMaxBody is the default bound on a request body.
const DefaultMaxBody = 1 << 20

// routes are the API's routes as "METHOD /path".
var routes = []string{"POST /submit", "GET /balance", "GET /head"}

// Routes returns the API's routes as "METHOD /path", the patterns the
// handler serves (the OpenAPI document's paths and operations).
func Routes() []string { return slices.Clone(routes) }

// NewHandler returns the API of eng. opts may be nil.
func NewHandler(eng *coopera.Engine, opts *Options) http.Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	h := &handler{eng: eng, o: o}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /submit", h.submit)
	mux.HandleFunc("GET /balance", h.balance)
	mux.HandleFunc("GET /head", h.head)
	// Every other method on a route, and every other path, answers in the
	// same problem form.
	allow := map[string][]string{}
	for _, r := range routes {
		m, p, _ := strings.Cut(r, " ")
		allow[p] = append(allow[p], m)
	}
	for path, methods := range allow {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			h.problem(w, r, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("%s takes %s, not %s", path, strings.Join(methods, ", "), r.Method), "")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("no %s here: the API has %s", r.URL.Path, strings.Join(routes, ", ")), "")
	})
	var next http.Handler = mux
	if o.Token != "" {
		want := []byte("Bearer " + o.Token)
		next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="coopera"`)
				h.problem(w, r, http.StatusUnauthorized, "unauthorized", "this node's API needs Authorization: Bearer <token> (the node's -api-token-file)", "")
				return
			}
			mux.ServeHTTP(w, r)
		})
	}
	if o.Token != "" && len(o.Hosts) == 0 {
		return next
	}
	hosts := map[string]bool{}
	for _, name := range o.Hosts {
		hosts[canonicalHost(name)] = true
	}
	inner := next
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostAllowed(r.Host, hosts) {
			h.problem(w, r, http.StatusForbidden, "host_not_allowed", fmt.Sprintf("this node's API answers requests for IP addresses, localhost and its -api-host names, not %q: a web page can reach a node on localhost under its own name (DNS rebinding); add the name with -api-host, or give the API a token", r.Host), "")
			return
		}
		inner.ServeHTTP(w, r)
	})
}

// canonicalHost lowers name and drops a trailing dot.
func canonicalHost(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// hostAllowed reports whether a request's Host header (a name or an IP
// address, with an optional port) is one the API answers to: an IP
// address (a browser sends one only to a page's own address, which no
// other site can rebind), localhost or a subdomain of it (which browsers
// resolve to the loopback address themselves), one of hosts, or none at
// all (HTTP/1.0, which no browser speaks).
func hostAllowed(hostport string, hosts map[string]bool) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = canonicalHost(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if host == "" {
		return true // no Host at all (HTTP/1.0): not a browser's request
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || hosts[host]
}

type handler struct {
	eng *coopera.Engine
	o   Options
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// problem answers an RFC 9457 problem.
func (h *handler) problem(w http.ResponseWriter, r *http.Request, status int, code, detail, key string) {
	if l := h.o.Logger; l != nil {
		level := slog.LevelDebug
		if status >= 500 {
			level = slog.LevelError
		}
		l.Log(r.Context(), level, "api: request refused", "method", r.Method, "path", r.URL.Path, "status", status, "code", code, "detail", detail)
	}
	w.Header().Set("Content-Type", ContentTypeProblem)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(&Problem{Type: ProblemType + code, Title: http.StatusText(status), Status: status, Detail: detail, Code: code, Key: key})
}

// fail answers the problem for err.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	code := "internal"
	le, isLedger := ledgerError(err)
	if isLedger {
		code = le.Code
	}
	switch {
	case errors.Is(err, coopera.ErrNotLeader):
		status = http.StatusConflict
	case errors.Is(err, coopera.ErrOutcomeUnknown), errors.Is(err, ledger.ErrClosed):
		status = http.StatusServiceUnavailable
	case errors.Is(err, ledger.ErrUnknownAccount), errors.Is(err, ledger.ErrUnknownAsset):
		status = http.StatusNotFound
	case IsInputError(err):
		status = http.StatusBadRequest
	}
	detail := ErrText(err)
	if status == http.StatusInternalServerError {
		// A fault of the node (storage, say) is for its operator: its
		// text can name files. The log has it; the client learns only
		// that the node failed.
		l := h.o.Logger
		if l == nil {
			l = slog.Default()
		}
		l.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		detail = "the node failed to answer; its operator's log has the error"
	}
	h.problem(w, r, status, code, detail, "")
}

// autoKey derives the idempotency key the API gives a command that
// carries none, from what its client decided (the intent: envelope and
// payload, without signature and host annotations): a retry of the same
// command gets the same key and is answered with the original.
func autoKey(c *ledger.Command) string {
	h := c.ContentHash()
	return "auto:" + hex.EncodeToString(h[:16])
}

func (h *handler) submit(w http.ResponseWriter, r *http.Request) {
	// Only JSON: a form or text/plain body is what a web page can send to
	// a node on localhost without asking.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		h.problem(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the command as Content-Type: application/json", "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.o.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.problem(w, r, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is over the limit of %d bytes", h.o.MaxBody), "")
			return
		}
		h.problem(w, r, http.StatusBadRequest, "bad_request", "reading the body: "+err.Error(), "")
		return
	}
	cmd, err := h.eng.ParseCommand(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if cmd.Key == "" && cmd.Signature == nil {
		// (A signed command's key is under its signature; its nonce
		// already makes a second application impossible.)
		cmd.Key = autoKey(cmd)
	}
	rc, err := h.eng.Submit(r.Context(), cmd)
	if rc == nil {
		if errors.Is(err, coopera.ErrOutcomeUnknown) {
			h.problem(w, r, http.StatusServiceUnavailable, coopera.ErrOutcomeUnknown.Code, ErrText(err)+"; retry the same command with its key", cmd.Key)
			return
		}
		h.fail(w, r, err)
		return
	}
	out, err := NewAssets(h.eng).Receipt(r.Context(), rc)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out.Key = cmd.Key
	status := http.StatusOK
	if rc.Err != nil {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, out)
}

func (h *handler) balance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	acct, asset := ledger.AccountID(q.Get("account")), ledger.AssetID(q.Get("asset"))
	if err := acct.Validate(); err != nil {
		h.fail(w, r, fmt.Errorf("account: %w", err))
		return
	}
	if err := asset.Validate(); err != nil {
		h.fail(w, r, fmt.Errorf("asset: %w", err))
		return
	}
	ctx := r.Context()
	// An unknown account or asset is 404, not a zero balance.
	if _, err := h.eng.Account(ctx, acct); err != nil {
		h.fail(w, r, err)
		return
	}
	amt, err := h.eng.Balance(ctx, acct, asset)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := NewAssets(h.eng).Balance(ctx, acct, asset, amt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (h *handler) head(w http.ResponseWriter, r *http.Request) {
	hd := h.eng.Head()
	writeJSON(w, http.StatusOK, Head{
		ChainID: h.eng.ChainID(), Height: hd.Height, Hash: hd.Hash, StateRoot: hd.StateRoot,
		Time: FormatTime(hd.Time), Leader: h.eng.IsLeader(), Lag: h.eng.Lag(),
	})
}

// ledgerError returns the *ledger.Error in err's chain.
func ledgerError(err error) (*ledger.Error, bool) {
	var le *ledger.Error
	ok := errors.As(err, &le)
	return le, ok
}

// IsInputError reports whether err refuses the input itself (malformed,
// unknown, unsigned...) rather than reporting a fault of the ledger: the
// API answers it with a 4xx status, the CLI with exit status 2.
func IsInputError(err error) bool {
	if _, ok := ledgerError(err); !ok {
		var ae *ledger.AmountError
		return errors.As(err, &ae)
	}
	for _, fault := range []*ledger.Error{ledger.ErrCorrupt, ledger.ErrDivergence, ledger.ErrInvariant, ledger.ErrClosed} {
		if errors.Is(err, fault) {
			return false
		}
	}
	return true
}

// ErrText returns err's message without the "coopera: " prefixes that the
// library's errors carry (nested errors repeat it).
func ErrText(err error) string {
	s := strings.TrimPrefix(err.Error(), "coopera: ")
	return strings.ReplaceAll(s, ": coopera: ", ": ")
}
