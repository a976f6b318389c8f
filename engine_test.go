package coopera_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/ledger/store"
)

func TestConcurrentSubmitsShareBlocks(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	const callers, each = 32, 20
	var wg sync.WaitGroup
	errs := make(chan error, callers*each)
	heights := make(chan uint64, callers*each)
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				cmd := transfer("alice", "bob", "COOP", 1)
				cmd.Key = fmt.Sprintf("c%d-%d", c, i)
				rc, err := e.Submit(ctx, cmd)
				if err != nil {
					errs <- err
					return
				}
				heights <- rc.Height
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(heights)
	for err := range errs {
		t.Fatal(err)
	}
	distinct := map[uint64]bool{}
	for h := range heights {
		distinct[h] = true
	}
	if got := balance(t, e, "bob", "COOP"); got != callers*each {
		t.Fatalf("bob has %d, want %d", got, callers*each)
	}
	if len(distinct) >= callers*each {
		t.Errorf("%d commands took %d blocks: no group commit", callers*each, len(distinct))
	}
	t.Logf("%d commands in %d blocks", callers*each, len(distinct))
	mustVerify(t, e)
}

func TestRestartResumes(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	for i := range 5 {
		if _, err := e.Submit(ctx, transfer("alice", "carol", "COOP", uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	head := e.Head()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen without a genesis: it resumes from the directory.
	e2, err := coopera.Open(dir, &coopera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if e2.Head() != head {
		t.Fatalf("head after restart %+v, want %+v", e2.Head(), head)
	}
	if got := balance(t, e2, "carol", "COOP"); got != 15 {
		t.Fatalf("carol has %d, want 15", got)
	}
	if _, err := e2.Submit(ctx, transfer("carol", "bob", "COOP", 15)); err != nil {
		t.Fatal(err)
	}
	if e2.Head().Height != head.Height+1 {
		t.Fatalf("height %d after one more block, want %d", e2.Head().Height, head.Height+1)
	}
	mustVerify(t, e2)
}

func TestOpenRefusesOtherGenesis(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir).Close()
	g := testGenesis(t)
	g.ChainID = "another"
	_, err := coopera.Open(dir, &coopera.Options{Genesis: g})
	if !errors.Is(err, ledger.ErrInvalidGenesis) {
		t.Fatalf("opening with another genesis: %v", err)
	}
	empty := t.TempDir()
	_, err = coopera.Open(empty, &coopera.Options{})
	if !errors.Is(err, coopera.ErrNoLedger) || coopera.Exists(empty) {
		t.Fatalf("opening an empty directory without genesis: %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	cmd := transfer("alice", "bob", "COOP", 7)
	cmd.Key = "pay-1"
	first, err := e.Submit(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	// Same key and content, in the same batch and later: answered, not applied.
	rs, err := e.SubmitBatch(ctx, []*ledger.Command{cmd, cmd})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !r.Duplicate || r.Height != first.Height || r.Index != first.Index || len(r.Events) != 1 {
			t.Fatalf("duplicate receipt %+v, want the original at %d/%d", r, first.Height, first.Index)
		}
	}
	e.Close()
	e = openTest(t, dir)
	defer e.Close()
	again, err := e.Submit(ctx, cmd)
	if err != nil || !again.Duplicate || again.Height != first.Height {
		t.Fatalf("after restart: %+v %v", again, err)
	}
	// Same key, other content: a conflict that changes nothing.
	other := transfer("alice", "bob", "COOP", 8)
	other.Key = "pay-1"
	head := e.Head()
	if _, err := e.Submit(ctx, other); !errors.Is(err, ledger.ErrIdempotencyConflict) {
		t.Fatalf("conflicting key: %v", err)
	}
	if e.Head() != head {
		t.Fatal("a conflict wrote a block")
	}
	// Two new commands with one key in one batch: the second conflicts.
	a, b := transfer("alice", "bob", "COOP", 1), transfer("alice", "bob", "COOP", 2)
	a.Key, b.Key = "pay-2", "pay-2"
	rs, err = e.SubmitBatch(ctx, []*ledger.Command{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Err != nil || !errors.Is(rs[1].Err, ledger.ErrIdempotencyConflict) {
		t.Fatalf("in-batch conflict: %v / %v", rs[0].Err, rs[1].Err)
	}
	// The key is per actor: bob may use "pay-1" too.
	bc := transfer("bob", "alice", "USDC", 1)
	bc.Key = "pay-1"
	if rc, err := e.Submit(ctx, bc); err != nil || rc.Duplicate {
		t.Fatalf("bob's own pay-1: %+v %v", rc, err)
	}
	if got := balance(t, e, "bob", "COOP"); got != 8 {
		t.Fatalf("bob has %d COOP, want 7+1", got)
	}
	mustVerify(t, e)
}

func TestSubscriptionResumes(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	sub := e.Subscribe(0)
	g, err := sub.Next(ctx)
	if err != nil || g.Height != 0 {
		t.Fatalf("first block %v %v", g, err)
	}
	got := make(chan *ledger.Block, 10)
	go func() {
		for {
			b, err := sub.Next(ctx)
			if err != nil {
				close(got)
				return
			}
			got <- b
		}
	}()
	for i := range 3 {
		if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	var amounts []string
	for range 3 {
		b := <-got
		for _, ev := range b.Events {
			if tr, ok := ev.(*ledger.Transferred); ok {
				amounts = append(amounts, tr.Amount.String())
			}
		}
	}
	if fmt.Sprint(amounts) != "[1 2 3]" {
		t.Fatalf("streamed transfers %v", amounts)
	}
	// A projection that stopped after block 2 resumes from 3.
	resumed := e.Subscribe(3)
	b, err := resumed.Next(ctx)
	if err != nil || b.Height != 3 {
		t.Fatalf("resume: %v %v", b, err)
	}
	e.Close()
	if _, ok := <-got; ok {
		t.Fatal("subscription kept delivering after close")
	}
}

func TestSnapshotRestores(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	e.Submit(ctx, transfer("alice", "bob", "COOP", 100))
	snap := filepath.Join(t.TempDir(), "snap")
	if err := e.Snapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	at := e.Head()
	e.Submit(ctx, transfer("alice", "bob", "COOP", 50))
	e.Close()

	s, err := coopera.Open(snap, &coopera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Head() != at {
		t.Fatalf("snapshot head %+v, want %+v", s.Head(), at)
	}
	if got := balance(t, s, "bob", "COOP"); got != 100 {
		t.Fatalf("bob has %d in the snapshot, want 100", got)
	}
	mustVerify(t, s)
	// Replaying the original's log into a new directory gives the same head.
	rep, err := coopera.Replay(ctx, dir, filepath.Join(t.TempDir(), "rebuilt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Blocks != 3 || rep.Commands != 2 {
		t.Fatalf("replay report %+v", rep)
	}
}

func TestAccountQueries(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	rc, err := e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{
		{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(10)}, {To: "carol", Asset: "COOP", Amount: ledger.NewAmount(20)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Balances) != 3 || rc.Balances[0].Account != "alice" || rc.Balances[2].Amount != ledger.NewAmount(20) {
		t.Fatalf("receipt balances %+v", rc.Balances)
	}
	info, err := e.Account(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Balances) != 2 || info.Balances[0].Asset != "COOP" || info.Balances[1].Asset != "USDC" {
		t.Fatalf("bob's balances %+v", info.Balances)
	}
	evs, err := e.AccountEvents(ctx, "carol", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// carol: account_created at genesis, then the transfer.
	if len(evs) != 2 || evs[1].Height != rc.Height || evs[0].Height != 0 || evs[0].Event.EventType() != "account_created" ||
		evs[0].Time != testGenesis(t).GenesisTime.UnixNano() {
		t.Fatalf("carol's events %+v", evs)
	}
	if _, err := e.Balance(ctx, "nobody", "COOP"); !errors.Is(err, ledger.ErrUnknownAccount) {
		t.Fatalf("unknown account: %v", err)
	}
	if _, err := e.Balance(ctx, "bob", "GOLD"); !errors.Is(err, ledger.ErrUnknownAsset) {
		t.Fatalf("unknown asset: %v", err)
	}
	if _, err := e.Block(ctx, 99); !errors.Is(err, coopera.ErrNoBlock) {
		t.Fatalf("block past head: %v", err)
	}
	a, err := e.Asset(ctx, "COOP")
	if err != nil || a.Supply() != ledger.NewAmount(1000000000000) {
		t.Fatalf("asset %+v %v", a, err)
	}
}

func TestSignedCommands(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	g := testGenesis(t)
	g.RequireSignatures = true
	g.Accounts[0].PublicKey = ledger.PublicKey(pub) // alice
	e, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Clock: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	cmd := transfer("alice", "bob", "COOP", 5)
	cmd.Nonce = 1
	cmd.Sign(e.ChainID(), priv)
	if _, err := e.Submit(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	// The same signed command again: its nonce is spent.
	if _, err := e.Submit(ctx, cmd); !errors.Is(err, ledger.ErrReplayedNonce) {
		t.Fatalf("replayed nonce: %v", err)
	}
	// A signature by another key is refused before sequencing.
	_, other, _ := ed25519.GenerateKey(nil)
	bad := transfer("alice", "bob", "COOP", 5)
	bad.Nonce = 2
	bad.Sign(e.ChainID(), other)
	head := e.Head()
	if _, err := e.Submit(ctx, bad); !errors.Is(err, ledger.ErrBadSignature) {
		t.Fatalf("wrong key: %v", err)
	}
	if e.Head() != head {
		t.Fatal("a bad signature wrote a block")
	}
	// Unsigned commands are refused on this chain.
	if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); !errors.Is(err, ledger.ErrBadSignature) {
		t.Fatalf("unsigned: %v", err)
	}
	if got := balance(t, e, "bob", "COOP"); got != 5 {
		t.Fatalf("bob has %d, want 5", got)
	}
}

// Submit's early refusals (an unsigned command from an account with a key,
// a signature by a key the account no longer has) follow the account's key
// from the block that changes it on: a refusal there writes no block,
// where the state machine would record a failed command.
func TestSubmitFollowsKeyChanges(t *testing.T) {
	e := openTest(t, t.TempDir(), func(o *coopera.Options) { o.Clock = stepClock() })
	defer e.Close()
	ctx := context.Background()
	refused := func(what string, c *ledger.Command) {
		t.Helper()
		head := e.Head()
		if _, err := e.Submit(ctx, c); !errors.Is(err, ledger.ErrBadSignature) {
			t.Fatalf("%s: %v, want ErrBadSignature", what, err)
		}
		if e.Head() != head {
			t.Fatalf("%s: refused, but a block was written", what)
		}
	}
	signed := func(c *ledger.Command, nonce uint64, key ed25519.PrivateKey) *ledger.Command {
		c.Nonce = nonce
		c.Sign(e.ChainID(), key)
		return c
	}
	// alice has no key and acts unsigned (which Submit now remembers).
	if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil {
		t.Fatal(err)
	}
	pub1, priv1, _ := ed25519.GenerateKey(nil)
	pub2, priv2, _ := ed25519.GenerateKey(nil)
	if _, err := e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &ledger.SetKey{PublicKey: ledger.PublicKey(pub1)}}); err != nil {
		t.Fatal(err)
	}
	refused("unsigned after set_key", transfer("alice", "bob", "COOP", 1))
	if _, err := e.Submit(ctx, signed(transfer("alice", "bob", "COOP", 1), 1, priv1)); err != nil {
		t.Fatal(err)
	}
	// Rotate to the second key: the first one's signatures are refused.
	if _, err := e.Submit(ctx, signed(&ledger.Command{Actor: "alice", Payload: &ledger.SetKey{PublicKey: ledger.PublicKey(pub2)}}, 2, priv1)); err != nil {
		t.Fatal(err)
	}
	refused("signed by the replaced key", signed(transfer("alice", "bob", "COOP", 1), 3, priv1))
	// Remove the key: alice acts unsigned again.
	if _, err := e.Submit(ctx, signed(&ledger.Command{Actor: "alice", Payload: &ledger.SetKey{}}, 3, priv2)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil {
		t.Fatalf("unsigned after the key was removed: %v", err)
	}
}

func TestEpochsCloseByBlockTime(t *testing.T) {
	var now = testGenesis(t).GenesisTime
	clock := func() (r timeT) { return now }
	e := openTest(t, t.TempDir(), func(o *coopera.Options) { o.Clock = clock })
	defer e.Close()
	ctx := context.Background()
	now = now.Add(2*hour + minute)
	rc, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Block(ctx, rc.Height)
	if len(b.Commands) != 3 || rc.Index != 2 {
		t.Fatalf("block has %d commands (want 2 epoch closes + 1), receipt index %d", len(b.Commands), rc.Index)
	}
	c, _ := e.Chain(ctx)
	if c.Epoch != 2 {
		t.Fatalf("open epoch %d, want 2", c.Epoch)
	}
	// The clock going backwards does not move block time back.
	now = now.Add(-hour)
	rc2, _ := e.Submit(ctx, transfer("alice", "bob", "COOP", 1))
	b2, _ := e.Block(ctx, rc2.Height)
	if b2.Time < b.Time {
		t.Fatal("block time went backwards")
	}
}

func TestAdmittersRefuseAndAnnotate(t *testing.T) {
	seen := 0
	refuseBig := coopera.AdmitterFunc(func(ctx context.Context, view ledger.Getter, cmd *ledger.Command) error {
		seen++
		if tr, ok := cmd.Payload.(*ledger.Transfer); ok {
			if tr.Legs[0].Amount.Cmp(ledger.NewAmount(100)) > 0 {
				return ledger.Errorf(ledger.ErrUnauthorized, "transfers above 100 need approval")
			}
			tr.Memo = "admitted" // annotations travel in the payload
		}
		if _, ok := view.Get(ledger.AccountKey(cmd.Actor)); !ok {
			return ledger.Errorf(ledger.ErrUnknownAccount, "no such actor")
		}
		return nil
	})
	e := openTest(t, t.TempDir(), func(o *coopera.Options) { o.Admitters = []coopera.Admitter{refuseBig} })
	defer e.Close()
	ctx := context.Background()
	head := e.Head()
	if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 101)); !errors.Is(err, ledger.ErrUnauthorized) {
		t.Fatalf("refused: %v", err)
	}
	if e.Head() != head {
		t.Fatal("a refused command wrote a block")
	}
	rc, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 100))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Block(ctx, rc.Height)
	if b.Commands[rc.Index].Payload.(*ledger.Transfer).Memo != "admitted" || seen != 2 {
		t.Fatal("the admitter's annotation is not in the recorded block")
	}
}

func TestOpenRefusesOtherModules(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir).Close()
	_, err := coopera.Open(dir, &coopera.Options{Modules: []ledger.Module{ledgertest.Faucet{}}})
	if !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "modules") {
		t.Fatalf("opening with another module set: %v", err)
	}
}

// After a fault stops the sequencer, Close still releases the store, so
// the directory can be opened again.
func TestCloseAfterFault(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir, func(o *coopera.Options) {
		o.Admitters = []coopera.Admitter{coopera.AdmitterFunc(func(ctx context.Context, v ledger.Getter, c *ledger.Command) error { return nil })}
	})
	e.Submit(context.Background(), transfer("alice", "bob", "COOP", 1))
	coopera.FailForTest(e, ledger.Errorf(ledger.ErrCorrupt, "injected fault"))
	if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); err == nil {
		t.Fatal("a faulted engine accepted a command")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, err := coopera.Open(dir, nil)
	if err != nil {
		t.Fatalf("reopening after a fault: %v", err)
	}
	e2.Close()
}

// A ledger created without the account-event index writes no index keys,
// refuses AccountEvents, verifies, replays into a ledger without it too,
// and cannot be opened with options that disagree (nor can a ledger with
// the index be opened as one without).
func TestNoAccountIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	noIndex := func(o *coopera.Options) { o.NoAccountIndex = true }
	e := openTest(t, dir, noIndex)
	if _, err := e.Submit(ctx, &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(10)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AccountEvents(ctx, "bob", 0, 0); !errors.Is(err, coopera.ErrNoAccountIndex) {
		t.Fatalf("AccountEvents without the index: %v", err)
	}
	if _, err := e.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	head := e.Head()
	e.Close()
	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	it, err := db.Pebble().NewIter(&pebble.IterOptions{LowerBound: []byte{'X'}, UpperBound: []byte{'Y'}})
	if err != nil {
		t.Fatal(err)
	}
	if it.First() {
		t.Fatalf("an index key was written: %q", it.Key())
	}
	it.Close()
	if db.AccountIndex() {
		t.Fatal("the store does not remember that it keeps no index")
	}
	db.Close()
	if _, err := coopera.Open(dir, nil); !errors.Is(err, coopera.ErrNoAccountIndex) {
		t.Fatalf("opening without Options.NoAccountIndex: %v", err)
	}
	copyDir := filepath.Join(t.TempDir(), "copy")
	if _, err := coopera.Replay(ctx, dir, copyDir, nil); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, copyDir} {
		e, err := coopera.Open(d, &coopera.Options{NoAccountIndex: true})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if e.Head() != head {
			t.Fatalf("%s: head %+v, want %+v", d, e.Head(), head)
		}
		if _, err := e.AccountEvents(ctx, "bob", 0, 0); !errors.Is(err, coopera.ErrNoAccountIndex) {
			t.Fatalf("%s: AccountEvents: %v", d, err)
		}
		e.Close()
	}
	withIndex := t.TempDir()
	openTest(t, withIndex).Close()
	if _, err := coopera.Open(withIndex, &coopera.Options{NoAccountIndex: true}); !errors.Is(err, coopera.ErrNoAccountIndex) {
		t.Fatalf("opening a ledger with the index as one without: %v", err)
	}
}
