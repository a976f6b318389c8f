package coopera

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
)

// The reader answers from the committed state with the typed errors of
// the API, and serves no block past the durable height it is given.
func TestReaderReadsCommittedState(t *testing.T) {
	l := newPartsLedger(t, nil)
	r := l.reader(t, func() uint64 { return 0 })
	ctx := context.Background()

	if a, err := r.balance(ctx, "alice", "COOP"); err != nil || a.String() != "1000000" {
		t.Fatalf("alice's COOP: %v, %v; want 1000000", a, err)
	}
	if _, err := r.balance(ctx, "nobody", "COOP"); !errors.Is(err, ledger.ErrUnknownAccount) {
		t.Fatalf("an unknown account's balance: %v, want ErrUnknownAccount", err)
	}
	if _, err := r.balance(ctx, "alice", "NOPE"); !errors.Is(err, ledger.ErrUnknownAsset) {
		t.Fatalf("an unknown asset's balance: %v, want ErrUnknownAsset", err)
	}
	info, err := r.account(ctx, "alice")
	if err != nil || len(info.Balances) != 1 || info.Balances[0].Asset != "COOP" {
		t.Fatalf("alice: %+v, %v", info, err)
	}
	if _, err := r.asset(ctx, "NOPE"); !errors.Is(err, ledger.ErrUnknownAsset) {
		t.Fatalf("an unknown asset: %v, want ErrUnknownAsset", err)
	}
	if c, err := r.chain(ctx); err != nil || c.ChainID != "parts" {
		t.Fatalf("chain: %+v, %v", c, err)
	}
	if b, err := r.block(ctx, 0); err != nil || b.Hash() != l.head.Hash {
		t.Fatalf("block 0: %v; want the genesis block %s", err, l.head.Hash.Short())
	}
	if _, err := r.block(ctx, 1); !errors.Is(err, ErrNoBlock) {
		t.Fatalf("block 1 past the durable height 0: %v, want ErrNoBlock", err)
	}
	evs, err := r.accountEvents(ctx, "alice", 0, 0, 42, 0)
	if err != nil || len(evs) == 0 || evs[0].Height != 0 || evs[0].Time != 42 {
		t.Fatalf("alice's events: %+v, %v; want genesis events at the genesis time given", evs, err)
	}
	if _, ok, err := r.idempotentCommand(ctx, "alice", "k"); ok || err != nil {
		t.Fatalf("an unused idempotency key: %v, %v", ok, err)
	}
	v := r.view()
	if _, ok := v.Get(ledger.AccountKey("bob")); !ok || v.Err() != nil || v.Height() != 0 {
		t.Fatalf("view: bob's record %v, err %v, height %d", ok, v.Err(), v.Height())
	}
	if r.diskUsage() == 0 {
		t.Fatal("no disk usage reported for an open store")
	}
}

// Once closed, every read fails with ErrClosed (never a read of a closed
// Pebble), and close waits for the reads in flight.
func TestReaderClosed(t *testing.T) {
	l := newPartsLedger(t, nil)
	r := l.reader(t, func() uint64 { return 0 })
	ctx := context.Background()

	if err := r.acquire(); err != nil { // a read in flight
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- r.close() }()
	select {
	case err := <-closed:
		r.release()
		t.Fatalf("close returned (%v) while a read was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	r.release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}

	checks := map[string]error{}
	_, checks["balance"] = r.balance(ctx, "alice", "COOP")
	_, checks["account"] = r.account(ctx, "alice")
	_, checks["asset"] = r.asset(ctx, "COOP")
	_, checks["chain"] = r.chain(ctx)
	_, checks["block"] = r.block(ctx, 0)
	_, checks["blockAt"] = r.blockAt(0)
	_, checks["accountEvents"] = r.accountEvents(ctx, "alice", 0, 0, 0, 0)
	_, _, checks["idempotentCommand"] = r.idempotentCommand(ctx, "alice", "k")
	_, _, checks["committedAccount"] = r.committedAccount("alice")
	checks["snapshot"] = r.snapshot(ctx, filepath.Join(t.TempDir(), "snap"))
	checks["admit"] = r.admit(ctx, []Admitter{AdmitterFunc(func(context.Context, ledger.Getter, *ledger.Command) error { return nil })}, partsTransfer("alice", "bob", 1))
	v := r.view()
	if _, ok := v.Get(ledger.AccountKey("alice")); ok {
		t.Fatal("view: a key read from a closed store")
	}
	checks["view"] = v.Err()
	for name, err := range checks {
		if !errors.Is(err, ledger.ErrClosed) {
			t.Errorf("%s after close: %v, want ErrClosed", name, err)
		}
	}
	if n := r.diskUsage(); n != 0 {
		t.Errorf("disk usage after close: %d, want 0", n)
	}
}
