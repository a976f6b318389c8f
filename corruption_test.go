package coopera_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// buildLedger writes a small ledger and closes it.
func buildLedger(t *testing.T) string {
	dir := t.TempDir()
	e := openTest(t, dir)
	for i := range 20 {
		if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	e.Close()
	return dir
}

// rawEdit opens the store underneath the engine and lets f damage it.
func rawEdit(t *testing.T, dir string, f func(db *store.DB)) {
	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func blockKey(h uint64) []byte {
	k := make([]byte, 9)
	k[0] = 'B'
	binary.BigEndian.PutUint64(k[1:], h)
	return k
}

// openAndVerify returns the first error from opening or verifying.
func openAndVerify(dir string) error {
	e, err := coopera.Open(dir, &coopera.Options{})
	if err != nil {
		return err
	}
	defer e.Close()
	_, err = e.Verify(context.Background())
	return err
}

func TestCorruptionIsDetected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, db *store.DB)
		want   *ledger.Error
	}{
		{"flipped byte in a block", func(t *testing.T, db *store.DB) {
			raw, _, _ := db.RawBlock(7)
			raw[len(raw)-3] ^= 0x40
			db.Pebble().Set(blockKey(7), raw, nil)
		}, ledger.ErrCorrupt},
		{"flipped byte in a header", func(t *testing.T, db *store.DB) {
			raw, _, _ := db.RawBlock(7)
			raw[5] ^= 0x01
			db.Pebble().Set(blockKey(7), raw, nil)
		}, ledger.ErrCorrupt},
		{"truncated block", func(t *testing.T, db *store.DB) {
			raw, _, _ := db.RawBlock(12)
			db.Pebble().Set(blockKey(12), raw[:len(raw)/2], nil)
		}, ledger.ErrCorrupt},
		{"missing block", func(t *testing.T, db *store.DB) {
			db.Pebble().Delete(blockKey(9), nil)
		}, ledger.ErrCorrupt},
		{"truncated tail of the log", func(t *testing.T, db *store.DB) {
			db.Pebble().Delete(blockKey(20), nil)
		}, ledger.ErrCorrupt},
		{"blocks swapped", func(t *testing.T, db *store.DB) {
			a, _, _ := db.RawBlock(4)
			b, _, _ := db.RawBlock(5)
			db.Pebble().Set(blockKey(4), b, nil)
			db.Pebble().Set(blockKey(5), a, nil)
		}, ledger.ErrCorrupt},
		{"state edited behind the log's back", func(t *testing.T, db *store.DB) {
			k := append([]byte{'S'}, ledger.BalanceKey("bob", "COOP")...)
			db.Pebble().Set(k, ledger.EncodeAmount(ledger.NewAmount(1e12)), nil)
		}, ledger.ErrDivergence},
		{"state key deleted", func(t *testing.T, db *store.DB) {
			k := append([]byte{'S'}, ledger.AccountKey("carol")...)
			db.Pebble().Delete(k, nil)
		}, ledger.ErrDivergence},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := buildLedger(t)
			if err := openAndVerify(dir); err != nil {
				t.Fatalf("before damage: %v", err)
			}
			rawEdit(t, dir, func(db *store.DB) { tc.damage(t, db) })
			err := openAndVerify(dir)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want.Code)
			}
			t.Log(err)
		})
	}
}

// TestFlippedByteOnDisk damages a Pebble table file itself: Pebble's block
// checksums catch it, and the ledger reports ErrCorrupt.
func TestFlippedByteOnDisk(t *testing.T) {
	dir := buildLedger(t)
	rawEdit(t, dir, func(db *store.DB) {
		if err := db.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(ssts) == 0 {
		t.Fatal("no table files after flush")
	}
	sort.Slice(ssts, func(i, j int) bool { return size(ssts[i]) > size(ssts[j]) })
	data, err := os.ReadFile(ssts[0])
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/3] ^= 0xff
	if err := os.WriteFile(ssts[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = openAndVerify(dir)
	if !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
	t.Log(err)
}

func size(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
