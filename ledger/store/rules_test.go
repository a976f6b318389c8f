package store_test

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/ledger/store"
)

func openStore(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func rulesFrom(t *testing.T, db *store.DB) (uint64, bool) {
	t.Helper()
	h, ok, err := db.RulesFrom()
	if err != nil {
		t.Fatal(err)
	}
	return h, ok
}

// TestRulesFromRecord: the rules height is absent until set, survives a
// reopen once set, and a record of the wrong length is ErrCorrupt.
func TestRulesFromRecord(t *testing.T) {
	dir := t.TempDir()
	db := openStore(t, dir)
	if h, ok := rulesFrom(t, db); ok {
		t.Fatalf("a new store records rules height %d", h)
	}
	for _, h := range []uint64{0, 5, 1<<64 - 1} {
		if err := db.SetRulesFrom(h); err != nil {
			t.Fatal(err)
		}
		if got, ok := rulesFrom(t, db); !ok || got != h {
			t.Fatalf("after SetRulesFrom(%d): %d, %v", h, got, ok)
		}
	}
	if err := db.SetRulesFrom(7); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openStore(t, dir)
	if got, ok := rulesFrom(t, db); !ok || got != 7 {
		t.Fatalf("reopened: rules height %d, %v; want 7", got, ok)
	}
	for _, bad := range [][]byte{{}, {0, 0, 0, 7}, make([]byte, 9)} {
		if err := db.Pebble().Set([]byte("m/rules-from"), bad, pebble.Sync); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.RulesFrom(); !errors.Is(err, ledger.ErrCorrupt) || ok {
			t.Fatalf("a record of %d bytes: %v, %v; want ErrCorrupt", len(bad), ok, err)
		}
	}
	db.Close()
}

// TestRulesFromGenesis: a genesis records the height given to
// RecordRulesFrom in the batch that completes it, and none without.
func TestRulesFromGenesis(t *testing.T) {
	g := ledgertest.ParseGenesis(t, `{"chain_id": "rules", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1h",
		"assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
		"allocations": [{"account": "alice", "asset": "COOP", "amount": "1000"}]}`)
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	for _, record := range []bool{true, false} {
		db := openStore(t, t.TempDir())
		w, _, err := db.BeginGenesis()
		if err != nil {
			t.Fatal(err)
		}
		if record {
			w.RecordRulesFrom(5)
		}
		if err := ledger.WriteGenesisJSON(w, g); err != nil {
			t.Fatal(err)
		}
		gb, err := ledger.NewStep(m, ledger.StepOptions{RulesFrom: 5}).GenesisChunked(db.State(), g, 0, w)
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := rulesFrom(t, db); ok {
			t.Fatalf("a genesis not finished records rules height %d", h)
		}
		if err := w.Finish(gb); err != nil {
			t.Fatal(err)
		}
		if h, ok := rulesFrom(t, db); ok != record || (ok && h != 5) {
			t.Fatalf("RecordRulesFrom %v: rules height %d, %v", record, h, ok)
		}
		db.Close()
	}
}
