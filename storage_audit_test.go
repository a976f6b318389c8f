package coopera_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// Tests from a read-only audit of the storage: each passed corrupt data
// on before its fix.

func idemKeyRaw(actor, key string) []byte {
	return append(append(append([]byte{'I'}, actor...), 0), key...)
}

// A head record whose time differs from its block's is corrupt: the next
// block's time starts from it, so the engine wrote a block its own verify
// refused.
func TestHeadTimeIsChecked(t *testing.T) {
	dir := buildLedger(t)
	rawEdit(t, dir, func(db *store.DB) {
		v, c, err := db.Pebble().Get([]byte("m/head"))
		if err != nil {
			t.Fatal(err)
		}
		d := ledger.NewDecoder(v, "head")
		h := d.Uint()
		hashes := append([]byte(nil), d.Fixed(64)...)
		tm := d.Int()
		acc := append([]byte(nil), d.Fixed(d.Remaining())...)
		c.Close()
		enc := ledger.NewEncoder(nil)
		enc.Uint(h)
		enc.Fixed(hashes)
		enc.Int(tm - 1_000_000_000) // a second before the head block's time
		enc.Fixed(acc)
		if err := db.Pebble().Set([]byte("m/head"), enc.Bytes(), nil); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := coopera.Open(dir, &coopera.Options{Genesis: testGenesis(t), Clock: stepClock()}); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("open with the head's time edited: %v; want ErrCorrupt", err)
	}
}

// An idempotency entry that names another command (here through an
// index beyond 32 bits, cut down to the other command's) is corrupt: the
// retry used to be answered with the other command's receipt.
func TestIdempotencyEntryMustNameItsCommand(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	pay := transfer("alice", "bob", "COOP", 7)
	pay.Key = "pay-1"
	if _, err := e.Submit(ctx, pay); err != nil {
		t.Fatal(err)
	}
	other, err := e.Submit(ctx, transfer("alice", "carol", "COOP", 99))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	for _, index := range []uint64{uint64(1)<<32 | uint64(other.Index), uint64(other.Index)} {
		rawEdit(t, dir, func(db *store.DB) {
			v, c, err := db.Pebble().Get(idemKeyRaw("alice", "pay-1"))
			if err != nil {
				t.Fatal(err)
			}
			d := ledger.NewDecoder(v, "entry")
			d.Uint()
			d.Uint()
			hash := append([]byte(nil), d.Fixed(32)...)
			c.Close()
			enc := ledger.NewEncoder(nil)
			enc.Uint(other.Height)
			enc.Uint(index)
			enc.Fixed(hash)
			if err := db.Pebble().Set(idemKeyRaw("alice", "pay-1"), enc.Bytes(), nil); err != nil {
				t.Fatal(err)
			}
		})
		e = openTest(t, dir)
		if _, err := e.Submit(ctx, pay); !errors.Is(err, ledger.ErrCorrupt) {
			t.Errorf("index %#x: the retry: %v; want ErrCorrupt", index, err)
		}
		e.Close()
		e = openTest(t, dir)
		if _, _, err := e.IdempotentCommand(ctx, "alice", "pay-1"); !errors.Is(err, ledger.ErrCorrupt) {
			t.Errorf("index %#x: IdempotentCommand: %v; want ErrCorrupt", index, err)
		}
		e.Close()
	}
}

// An account-event index entry for an event that does not concern the
// account is corrupt, not a listing.
func TestAccountIndexEntryMustConcernTheAccount(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	r, err := e.Submit(ctx, transfer("bob", "alice", "USDC", 5))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	rawEdit(t, dir, func(db *store.DB) {
		k := append([]byte{'X'}, "carol"...)
		k = append(k, 0)
		k = binary.BigEndian.AppendUint64(k, r.Height)
		k = binary.BigEndian.AppendUint32(k, 0)
		if err := db.Pebble().Set(k, nil, nil); err != nil {
			t.Fatal(err)
		}
	})
	e = openTest(t, dir)
	defer e.Close()
	if _, err := e.AccountEvents(ctx, "carol", 1, 0); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("carol's listing with a forged entry: %v; want ErrCorrupt", err)
	}
}

// Verify runs while blocks are written: the head and the state it checks
// come from one snapshot. It compared the durable head with the live
// state, which held later blocks, and reported divergence that was not
// there (10 times in 10 under load).
func TestVerifyWhileSubmitting(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 5 {
		if _, err := e.Verify(context.Background()); err != nil {
			t.Errorf("verify under load: %v", err)
		}
	}
	cancel()
	for range 4 {
		<-done
	}
}

// Verify reads the stored genesis document against its digest: a flipped
// byte in it passed Verify, and only Replay (or a snapshot's copy) found
// it.
func TestVerifyChecksTheGenesisDocument(t *testing.T) {
	dir := buildLedger(t)
	k := append([]byte("m/genesis/"), 0, 0, 0, 0)
	rawEdit(t, dir, func(db *store.DB) {
		v, c, err := db.Pebble().Get(k)
		if err != nil {
			t.Fatal(err)
		}
		v = append([]byte(nil), v...)
		c.Close()
		v[10] ^= 0x01
		if err := db.Pebble().Set(k, v, nil); err != nil {
			t.Fatal(err)
		}
	})
	e := openTest(t, dir)
	defer e.Close()
	if _, err := e.Verify(context.Background()); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("verify of a damaged genesis document: %v; want ErrCorrupt", err)
	}
}

// Verify checks the idempotency keys against those the log records: one
// deleted passed Verify, and a retry with its key applied again.
func TestVerifyChecksIdempotencyKeys(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	ctx := context.Background()
	for i, k := range []string{"pay-1", "pay-2", "pay-3"} {
		c := transfer("alice", "bob", "COOP", uint64(i+1))
		c.Key = k
		if _, err := e.Submit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Verify(ctx); err != nil {
		t.Fatalf("verify of a ledger with keyed commands: %v", err)
	}
	e.Close()
	rawEdit(t, dir, func(db *store.DB) {
		if err := db.Pebble().Delete(idemKeyRaw("alice", "pay-2"), nil); err != nil {
			t.Fatal(err)
		}
	})
	e = openTest(t, dir)
	defer e.Close()
	if _, err := e.Verify(ctx); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("verify with an idempotency key deleted: %v; want ErrCorrupt", err)
	}
}

// The account-event index is checked against the blocks when a node
// adopts a snapshot (store.CheckAccountIndex): an intact ledger passes,
// and an entry missing, forged, holding a value, malformed or past the
// index's record is ErrCorrupt.
func TestAccountIndexCheck(t *testing.T) {
	dir := buildLedger(t)
	if err := coopera.CheckSnapshotLogForTest(dir); err != nil {
		t.Fatalf("an intact ledger: %v", err)
	}
	var entry []byte // an entry of the last block indexed
	rawEdit(t, dir, func(db *store.DB) {
		it, err := db.Pebble().NewIter(&pebble.IterOptions{LowerBound: []byte{'X'}, UpperBound: []byte{'X' + 1}})
		if err != nil {
			t.Fatal(err)
		}
		for ok := it.First(); ok; ok = it.Next() {
			k := it.Key()
			if entry == nil || binary.BigEndian.Uint64(k[len(k)-12:]) > binary.BigEndian.Uint64(entry[len(entry)-12:]) {
				entry = bytes.Clone(k)
			}
		}
		it.Close()
		if entry == nil {
			t.Fatal("no account-event index")
		}
		if h := binary.BigEndian.Uint64(entry[len(entry)-12:]); h != db.Indexed() || h == 0 {
			t.Fatalf("the newest index entry is of block %d, the index reaches %d", h, db.Indexed())
		}
	})
	at := func(height uint64, index uint32) []byte {
		k := bytes.Clone(entry)
		binary.BigEndian.PutUint64(k[len(k)-12:], height)
		binary.BigEndian.PutUint32(k[len(k)-4:], index)
		return k
	}
	h := binary.BigEndian.Uint64(entry[len(entry)-12:])
	for _, tc := range []struct {
		name string
		edit func(b *pebble.Batch) error
	}{
		{"missing", func(b *pebble.Batch) error { return b.Delete(entry, nil) }},
		{"forged", func(b *pebble.Batch) error { return b.Set(at(h, 1000), nil, nil) }},
		{"with a value", func(b *pebble.Batch) error { return b.Set(entry, []byte{1}, nil) }},
		{"malformed", func(b *pebble.Batch) error { return b.Set(entry[:len(entry)-1], nil, nil) }},
		{"past the record", func(b *pebble.Batch) error { return b.Set(at(h+1, 0), nil, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			damaged := t.TempDir()
			if err := os.CopyFS(damaged, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			rawEdit(t, damaged, func(db *store.DB) {
				b := db.Pebble().NewBatch()
				if err := tc.edit(b); err != nil {
					t.Fatal(err)
				}
				if err := b.Commit(pebble.Sync); err != nil {
					t.Fatal(err)
				}
			})
			if err := coopera.CheckSnapshotLogForTest(damaged); !errors.Is(err, ledger.ErrCorrupt) {
				t.Fatalf("an account-event index entry %s: %v, want ErrCorrupt", tc.name, err)
			}
		})
	}
}
