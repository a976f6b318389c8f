package coopera_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// refs lists an account's event records as height/index pairs.
func refs(t *testing.T, e *coopera.Engine, a ledger.AccountID) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	evs, err := e.AccountEvents(ctx, a, 0, 0)
	if err != nil {
		t.Fatalf("AccountEvents(%s): %v", a, err)
	}
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%d/%d %s", ev.Height, ev.Index, ev.Event.EventType())
	}
	return out
}

// The account-event index is written after its blocks, by the indexer: a
// command's events are listed as soon as Submit returns.
func TestAccountEventsListWhatSubmitReturned(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	n0 := len(refs(t, e, "bob")) // genesis events
	for i := range 100 {
		rc, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1))
		if err != nil {
			t.Fatal(err)
		}
		got := refs(t, e, "bob")
		if len(got) != n0+i+1 {
			t.Fatalf("after transfer %d (block %d) bob has %d events listed, want %d", i, rc.Height, len(got), n0+i+1)
		}
	}
}

// A crash between a block and its index entries loses nothing: Open
// indexes the blocks past the store's record. A ledger written before
// the index was deferred has no record, and is indexed to its head.
func TestAccountIndexCatchesUp(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	for range 10 {
		if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil {
			t.Fatal(err)
		}
	}
	want := refs(t, e, "bob")
	head := e.Head().Height
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// What a crash right after block 3 could leave: blocks 4 on written,
	// their index entries not, the record at 3.
	unindex := func(keep uint64, record bool) {
		t.Helper()
		db, err := store.Open(dir, &store.Options{DeferAccountIndex: true})
		if err != nil {
			t.Fatal(err)
		}
		p := db.Pebble()
		it, err := p.NewIter(&pebble.IterOptions{LowerBound: []byte{'X'}, UpperBound: []byte{'Y'}})
		if err != nil {
			t.Fatal(err)
		}
		b := p.NewBatch()
		dropped := 0
		for ok := it.First(); ok; ok = it.Next() {
			k := it.Key()
			if binary.BigEndian.Uint64(k[len(k)-12:]) > keep {
				b.Delete(bytes.Clone(k), nil)
				dropped++
			}
		}
		it.Close()
		if record && dropped == 0 {
			t.Fatal("no index entries to drop: the test does not see the index")
		}
		if record {
			b.Set([]byte("m/indexed"), binary.BigEndian.AppendUint64(nil, keep), nil)
		} else {
			b.Delete([]byte("m/indexed"), nil)
		}
		if err := b.Commit(pebble.Sync); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	unindex(3, true)
	e = openTest(t, dir)
	if got := refs(t, e, "bob"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the crash bob's events are\n%v\nwant\n%v", got, want)
	}
	if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil {
		t.Fatal(err)
	}
	if got := refs(t, e, "bob"); len(got) != len(want)+1 {
		t.Fatalf("a transfer after the catch-up: bob has %d events, want %d", len(got), len(want)+1)
	}
	want = refs(t, e, "bob")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// A ledger without the record: its blocks were indexed as written,
	// which opening it records (it indexes nothing again).
	unindex(head+1, false)
	db, err := store.Open(dir, &store.Options{DeferAccountIndex: true})
	if err != nil {
		t.Fatal(err)
	}
	rec, closer, err := db.Pebble().Get([]byte("m/indexed"))
	if err != nil {
		t.Fatalf("opening a ledger without the record wrote none: %v", err)
	}
	if got := binary.BigEndian.Uint64(rec); got != head+1 {
		t.Fatalf("opening a ledger without the record recorded %d, its head is %d", got, head+1)
	}
	closer.Close()
	db.Close()
	e = openTest(t, dir)
	defer e.Close()
	if got := refs(t, e, "bob"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("without the record bob's events are\n%v\nwant\n%v", got, want)
	}
	if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil {
		t.Fatal(err)
	}
	if got := refs(t, e, "bob"); len(got) != len(want)+1 {
		t.Fatalf("a transfer after opening without the record: bob has %d events, want %d", len(got), len(want)+1)
	}
}

// A damaged record of how far the account-event index reaches is refused,
// not trusted.
func TestAccountIndexRecordDamaged(t *testing.T) {
	for _, bad := range []func(head uint64) []byte{
		func(uint64) []byte { return []byte{1, 2, 3} },
		func(head uint64) []byte { return binary.BigEndian.AppendUint64(nil, head+1) },
	} {
		dir := t.TempDir()
		e := openTest(t, dir)
		if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); err != nil {
			t.Fatal(err)
		}
		head := e.Head().Height
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Pebble().Set([]byte("m/indexed"), bad(head), pebble.Sync); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := coopera.Open(dir, &coopera.Options{}); !errors.Is(err, ledger.ErrCorrupt) {
			t.Fatalf("record %x (head %d): Open = %v, want ErrCorrupt", bad(head), head, err)
		}
	}
}

// A ledger written without deferring the index (Replay's) records how far
// the index reaches as it goes: opening it has nothing to index.
func TestReplayedLedgerIsIndexed(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "replayed")
	e := openTest(t, src)
	for range 5 {
		if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); err != nil {
			t.Fatal(err)
		}
	}
	want, head := refs(t, e, "bob"), e.Head().Height
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := coopera.Replay(context.Background(), src, dst, nil); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dst, &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	indexed := db.Indexed()
	db.Close()
	if indexed != head {
		t.Fatalf("the replayed ledger's index reaches block %d, its head is %d", indexed, head)
	}
	r := openTest(t, dst)
	defer r.Close()
	if got := refs(t, r, "bob"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the replayed ledger lists bob's events as\n%v\nwant\n%v", got, want)
	}
}
