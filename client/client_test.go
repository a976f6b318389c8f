package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/client"
	"github.com/coopera/coopera/ledger"
)

func transfer(actor ledger.AccountID, key string, to ledger.AccountID, amount uint64) *ledger.Command {
	return &ledger.Command{Actor: actor, Key: key, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: to, Asset: "COOP", Amount: ledger.NewAmount(amount)}}}}
}

func newClient(t *testing.T, h http.Handler, opts *client.Options) *client.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClient runs every call against the real handler over a real engine:
// receipts applied, duplicate and rejected; balances; the head; refusals as
// typed errors that match the ledger's sentinels, changing nothing.
func TestClient(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, false)
	c := newClient(t, api.NewHandler(eng, nil), nil)

	rc, err := c.Submit(ctx, transfer("alice", "t1", "bob", 2500000))
	if err != nil || !rc.Applied || rc.Duplicate || rc.Height != 1 || rc.Key != "t1" || len(rc.Events) == 0 {
		t.Fatalf("submit: %+v, %v", rc, err)
	}
	rc, err = c.Submit(ctx, transfer("alice", "t1", "bob", 2500000))
	if err != nil || !rc.Duplicate || rc.Height != 1 {
		t.Fatalf("the same command again: %+v, %v; want the first receipt", rc, err)
	}
	rc, err = c.Submit(ctx, transfer("bob", "t2", "alice", 9_999_999_999))
	if err != nil || rc.Applied || rc.Error == nil || rc.Error.Code != "insufficient_funds" {
		t.Fatalf("overdraft: %+v, %v; want a rejected receipt", rc, err)
	}
	rcs, err := c.SubmitBatch(ctx, []*ledger.Command{transfer("alice", "t3", "carol", 1), transfer("alice", "t4", "carol", 2)})
	if err != nil || len(rcs) != 2 || !rcs[0].Applied || !rcs[1].Applied {
		t.Fatalf("batch: %+v, %v", rcs, err)
	}

	b, err := c.Balance(ctx, "bob", "COOP")
	if err != nil || b.Amount != ledger.NewAmount(2500000) || b.Units != "2.5" || b.Decimals != 6 {
		t.Fatalf("balance: %+v, %v", b, err)
	}
	h, err := c.Head(ctx)
	if err != nil || h.Height != eng.Head().Height || h.ChainID != "client-test" || !h.Leader || h.Time == "" {
		t.Fatalf("head: %+v, %v", h, err)
	}

	before := eng.Head()
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		is     error
	}{
		{"unknown account", func() error { _, err := c.Balance(ctx, "zed", "COOP"); return err }, 404, ledger.ErrUnknownAccount},
		{"unknown asset", func() error { _, err := c.Balance(ctx, "bob", "ZZZ"); return err }, 404, ledger.ErrUnknownAsset},
		{"bad ID", func() error { _, err := c.Balance(ctx, "Bob!", "COOP"); return err }, 400, ledger.ErrInvalidID},
		{"malformed command", func() error { _, err := c.SubmitJSON(ctx, []byte(`{"type":`)); return err }, 400, ledger.ErrMalformed},
	} {
		err := tc.call()
		var ce *client.Error
		if !errors.As(err, &ce) || ce.StatusCode != tc.status || !errors.Is(err, tc.is) || ce.Problem.Detail == "" {
			t.Errorf("%s: %v (%#v), want a %d matching %v", tc.name, err, ce, tc.status, tc.is)
		}
	}
	if eng.Head() != before {
		t.Errorf("refused calls moved the head from %+v to %+v", before, eng.Head())
	}
}

// TestClientSecurity: a node with a token refuses a client without it,
// and a chain that requires signatures refuses an unsigned command; both
// as typed errors, changing nothing.
func TestClientSecurity(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, true)
	h := api.NewHandler(eng, &api.Options{Token: "0123456789abcdef0123"})
	anon := newClient(t, h, nil)
	_, err := anon.Head(ctx)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.StatusCode != 401 || ce.Problem.Code != "unauthorized" {
		t.Fatalf("without the token: %v", err)
	}
	c := newClient(t, h, &client.Options{Token: "0123456789abcdef0123"})
	before := eng.Head()
	_, err = c.Submit(ctx, transfer("alice", "u1", "bob", 7))
	if !errors.As(err, &ce) || ce.StatusCode != 400 {
		t.Fatalf("an unsigned command on a chain that requires signatures: %v", err)
	}
	if eng.Head() != before {
		t.Fatalf("the refused command moved the head")
	}
	if b, err := c.Balance(ctx, "bob", "COOP"); err != nil || !b.Amount.IsZero() {
		t.Fatalf("bob: %+v, %v", b, err)
	}
}

// TestClientTransport: a node that cannot be reached is ErrTransport, and
// a bad URL is refused by New.
func TestClientTransport(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := client.New(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Head(context.Background()); !errors.Is(err, client.ErrTransport) {
		t.Errorf("a closed server: %v, want ErrTransport", err)
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://x", "http://"} {
		if _, err := client.New(bad, nil); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
}

// TestClientConcurrent: one client shared by many goroutines, each
// submitting its own transfers (and one of them again): every command is
// applied once, and the balance is the sum.
func TestClientConcurrent(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, false)
	c := newClient(t, api.NewHandler(eng, nil), nil)
	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				cmd := transfer("alice", fmt.Sprintf("w%d-%d", w, i), "carol", 3)
				for range 2 { // the second is a duplicate
					if rc, err := c.Submit(ctx, cmd); err != nil || rc.Error != nil {
						errs <- fmt.Errorf("%s: %+v, %v", cmd.Key, rc, err)
					}
				}
				if _, err := c.Head(ctx); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	b, err := c.Balance(ctx, "carol", "COOP")
	if err != nil || b.Amount != ledger.NewAmount(workers*each*3) {
		t.Fatalf("carol: %+v, %v; want %d base units", b, err, workers*each*3)
	}
}
