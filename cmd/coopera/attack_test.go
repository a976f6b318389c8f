package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

func apiEngine(t *testing.T, mod func(*coopera.Options)) *coopera.Engine {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(exampleGenesis("api", nowSecond())))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := ledgerOptions()
	if err != nil {
		t.Fatal(err)
	}
	opts.Genesis = g
	if mod != nil {
		mod(opts)
	}
	eng, err := coopera.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func apiPost(t *testing.T, url, contentType, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/submit", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("status %d: the body is not JSON: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

const payBob = `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"7"}]}}`

// TestAttackHTTPAPI: what a web page or another local user could send to
// a node's API is refused, changing nothing: a form or text/plain body, a
// body over the limit (never cut and applied), a request without the
// token.
func TestAttackHTTPAPI(t *testing.T) {
	eng := apiEngine(t, nil)
	const token = "0123456789abcdef0123"
	srv := httptest.NewServer(api.NewHandler(eng, &api.Options{Token: token, MaxBody: 4096}))
	defer srv.Close()
	head := eng.Head()
	cases := []struct {
		name, ctype, token, body string
		status                   int
		code                     string
	}{
		{"text/plain body", "text/plain", token, payBob, 415, "unsupported_media_type"},
		{"form body", "application/x-www-form-urlencoded", token, payBob, 415, "unsupported_media_type"},
		{"no token", "application/json", "", payBob, 401, "unauthorized"},
		{"wrong token", "application/json", "0123456789abcdef0124", payBob, 401, "unauthorized"},
		{"body over the limit", "application/json", token, `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"7"}],"memo":"` + strings.Repeat("x", 5000) + `"}}`, 413, "body_too_large"},
	}
	for _, tc := range cases {
		status, m := apiPost(t, srv.URL, tc.ctype, tc.token, tc.body)
		if status != tc.status || m["code"] != tc.code {
			t.Errorf("%s: %d %v, want %d %s", tc.name, status, m, tc.status, tc.code)
		}
	}
	if eng.Head() != head {
		t.Fatal("a refused request wrote a block")
	}
	// Every answer is JSON, unknown paths and methods included.
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/nowhere", 404, "not_found"},
		{"GET", "/submit", 405, "method_not_allowed"},
		{"DELETE", "/head", 405, "method_not_allowed"},
		{"GET", "/balance?account=Bob!&asset=COOP", 400, "invalid_id"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		err = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || m["code"] != tc.code {
			t.Errorf("%s %s: %d %v (%v), want %d %s", tc.method, tc.path, resp.StatusCode, m, err, tc.status, tc.code)
		}
	}
	// The same command sent twice without a key is applied once: the node
	// gave it a key derived from its content.
	status, m := apiPost(t, srv.URL, "application/json; charset=utf-8", token, payBob)
	if status != 200 || m["applied"] != true || !strings.HasPrefix(fmt.Sprint(m["key"]), "auto:") {
		t.Fatalf("first submit: %d %v", status, m)
	}
	status, m = apiPost(t, srv.URL, "application/json", token, payBob)
	if status != 200 || m["duplicate"] != true {
		t.Fatalf("the same command again: %d %v, want the original's receipt", status, m)
	}
	if got, _ := eng.Balance(context.Background(), "bob", "COOP"); got.String() != "7" {
		t.Fatalf("bob has %s base units, want 7 (applied once)", got)
	}
}

// TestAttackDoublePaymentAfterOutage: the leader publishes a block while
// the NATS server is down. The caller hears "outcome unknown" with the
// command's key; when the server returns, the block may commit after all.
// Retrying, as the answer says, never pays twice.
func TestAttackDoublePaymentAfterOutage(t *testing.T) {
	c, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	eng := apiEngine(t, func(o *coopera.Options) {
		o.Replication = &replication.Options{URLs: c.URLs(), NodeID: "a", Replicas: 1, LeaseTTL: time.Second, PublishTimeout: 1500 * time.Millisecond, SnapshotEvery: -1}
	})
	srv := httptest.NewServer(api.NewHandler(eng, nil))
	defer srv.Close()
	waitFor(t, 15*time.Second, func() bool { return eng.IsLeader() })
	before, _ := eng.Balance(context.Background(), "bob", "COOP")

	c.StopServer(0)
	status, m := apiPost(t, srv.URL, "application/json", "", payBob)
	if status != http.StatusServiceUnavailable || m["code"] != coopera.ErrOutcomeUnknown.Code || m["key"] == nil {
		t.Fatalf("submit during the outage: %d %v, want 503 outcome_unknown with the key", status, m)
	}
	if err := c.StartServer(0); err != nil {
		t.Fatal(err)
	}
	// Retry as told until the node answers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, m = apiPost(t, srv.URL, "application/json", "", payBob)
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retry after the outage: %d %v", status, m)
		}
		time.Sleep(200 * time.Millisecond)
	}
	after, _ := eng.Balance(context.Background(), "bob", "COOP")
	if d, _ := after.Sub(before); d.String() != "7" {
		t.Fatalf("bob received %s base units over the outage and the retry, want 7 (once)", d)
	}
	t.Logf("the retry was answered as a duplicate: %v (the block committed after the outage: %v)", m["duplicate"], m["duplicate"] == true)
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAttackConnectionCap: the API serves at most its connection cap at
// once; the next connection waits until one closes.
func TestAttackConnectionCap(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll := limitListener(ln, 1)
	defer ll.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ll.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var clients []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	first := <-accepted
	select {
	case <-accepted:
		t.Fatal("a second connection was accepted over the cap of 1")
	case <-time.After(300 * time.Millisecond):
	}
	first.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting connection was not accepted after the first closed")
	}
}
