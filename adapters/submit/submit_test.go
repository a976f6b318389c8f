package submit_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

func TestKey(t *testing.T) {
	a := submit.Key("feed", "ab", "c")
	if a != submit.Key("feed", "ab", "c") || a == submit.Key("feed", "a", "bc") || a == submit.Key("meter", "ab", "c") {
		t.Fatal("keys must be a function of the domain and the parts, part boundaries included")
	}
	if len(a) != len("feed:")+32 || a[:5] != "feed:" {
		t.Fatalf("key %q", a)
	}
}

func TestSignerNonces(t *testing.T) {
	clock := time.Unix(1_767_225_600, 0)
	s := &submit.Signer{Actor: "a", Clock: func() time.Time { return clock }}
	c1 := s.Command("", &tokenomics.ObservePrice{Price: ledger.NewAmount(1)})
	c2 := s.Command("", &tokenomics.ObservePrice{Price: ledger.NewAmount(1)}) // same microsecond: +1
	if c1.Nonce != uint64(clock.UnixMicro()) || c2.Nonce != c1.Nonce+1 {
		t.Fatalf("nonces %d %d", c1.Nonce, c2.Nonce)
	}
	clock = clock.Add(-time.Hour) // the clock went back: still increasing
	if c3 := s.Command("", &tokenomics.ObservePrice{Price: ledger.NewAmount(1)}); c3.Nonce != c2.Nonce+1 {
		t.Fatalf("nonce after the clock went back: %d", c3.Nonce)
	}
	s.Resume(1 << 60)
	if c4 := s.CommandAt("", &tokenomics.ObservePrice{Price: ledger.NewAmount(1)}, 5); c4.Nonce != 1<<60+1 || c4.Signature != nil {
		t.Fatalf("after Resume: %d, signature %x", c4.Nonce, c4.Signature)
	}
}

func feedLedger(t *testing.T) *coopera.Engine {
	t.Helper()
	eng, _, err := adaptertest.Open(t.TempDir(), `{"chain_id": "submit-test", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	  "require_signatures": true, "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "feed", "public_key": "`+adaptertest.PublicHex("feed")+`"}],
	  "params": {"tokenomics": {"oracle_feeds": ["feed"]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// node serves eng's HTTP API (package api, as coopera node -http does);
// a request with X-Test: follower is answered as a follower would.
func node(t *testing.T, eng *coopera.Engine) *httptest.Server {
	h := api.NewHandler(eng, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") == "follower" {
			w.Header().Set("Content-Type", api.ContentTypeProblem)
			w.WriteHeader(http.StatusConflict)
			json.NewEncoder(w).Encode(api.Problem{Type: api.ProblemType + "not_leader", Title: "Conflict", Status: 409, Code: "not_leader", Detail: "this node follows n2"})
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNodeSubmitter(t *testing.T) {
	ctx := context.Background()
	eng := feedLedger(t)
	srv := node(t, eng)
	s := &submit.Signer{Actor: "feed", PrivateKey: adaptertest.Key("feed"), ChainID: eng.ChainID()}
	n := &submit.Node{URL: srv.URL + "/"}
	ok := s.Command(submit.Key("feed", "round-1"), &tokenomics.ObservePrice{Price: tokenomics.USD(3_000)})
	tooHigh := s.Command(submit.Key("feed", "round-2"), &tokenomics.ObservePrice{Price: tokenomics.USD(1 << 61)})
	unsigned := &ledger.Command{Actor: "feed", Payload: &tokenomics.ObservePrice{Price: ledger.NewAmount(1)}}
	rs, err := n.SubmitBatch(ctx, []*ledger.Command{ok, ok, tooHigh, unsigned})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Err != nil || rs[0].Duplicate || rs[0].Height == 0 || rs[0].BlockHash.IsZero() {
		t.Fatalf("applied: %+v", rs[0])
	}
	if !rs[1].Duplicate || rs[1].Height != rs[0].Height {
		t.Fatalf("duplicate: %+v", rs[1])
	}
	if !errors.Is(rs[2].Err, tokenomics.ErrPriceOutOfRange) {
		t.Fatalf("rejected: %v", rs[2].Err)
	}
	if !errors.Is(rs[3].Err, ledger.ErrBadSignature) {
		t.Fatalf("refused before sequencing: %v", rs[3].Err)
	}
	// A follower's 409 is no answer about the command: ErrNode, and a
	// queue keeps the command.
	hc := &http.Client{Transport: headerRT{"X-Test", "follower"}}
	q := submit.NewQueue(&submit.Node{URL: srv.URL, Client: hc}, 0)
	q.Add(s.Command(submit.Key("feed", "round-3"), &tokenomics.ObservePrice{Price: tokenomics.USD(3_001)}))
	if _, err := q.Flush(ctx); !errors.Is(err, submit.ErrNode) || !errors.Is(err, submit.ErrTransport) || q.Len() != 1 {
		t.Fatalf("follower: %v, %d queued", err, q.Len())
	}
	srv.Close()
	if _, err := n.SubmitBatch(ctx, []*ledger.Command{ok}); !errors.Is(err, submit.ErrTransport) {
		t.Fatalf("node down: %v", err)
	}
}

type headerRT [2]string

func (h headerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h[0], h[1])
	return http.DefaultTransport.RoundTrip(r)
}

// A command an embedded engine refuses as input refuses its whole batch:
// the queue finds it, reports it and sends the others, where it used to
// keep the batch as a transport failure and resend it for ever.
func TestQueueDropsRefusedCommand(t *testing.T) {
	ctx := context.Background()
	eng := feedLedger(t)
	s := &submit.Signer{Actor: "feed", PrivateKey: adaptertest.Key("feed"), ChainID: eng.ChainID()}
	q := submit.NewQueue(eng, 0)
	q.Add(s.Command(submit.Key("feed", "r1"), &tokenomics.ObservePrice{Price: tokenomics.USD(3_000)}))
	q.Add(s.Command(submit.Key("feed", "r2"), &tokenomics.ObservePrice{})) // a zero price: refused before sequencing
	q.Add(s.Command(submit.Key("feed", "r3"), &tokenomics.ObservePrice{Price: tokenomics.USD(3_001)}))
	res, err := q.Flush(ctx)
	if err != nil || res.Applied != 2 || len(res.Rejected) != 1 || !errors.Is(res.Rejected[0], ledger.ErrZeroAmount) || q.Len() != 0 {
		t.Fatalf("flush: %+v, %v, %d queued; want 2 applied, the zero price rejected, none left", res, err, q.Len())
	}
}
