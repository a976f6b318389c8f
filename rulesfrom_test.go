package coopera_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// overdraft submits carol's transfer of COOP she does not hold, with the
// given nonce, and returns its receipt. Under ledger.RulesV1 the refused
// command has no event; under RulesV2 it uses its nonce (one nonce_used
// event).
func overdraft(t *testing.T, e *coopera.Engine, nonce uint64) *coopera.Receipt {
	t.Helper()
	cmd := transfer("carol", "bob", "COOP", 5)
	cmd.Nonce = nonce
	rc, err := e.Submit(context.Background(), cmd)
	if !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("carol's overdraft: %v", err)
	}
	return rc
}

// wantRules checks that the command of rc was decided by RulesV2 (latest)
// or by RulesV1.
func wantRules(t *testing.T, rc *coopera.Receipt, latest bool) {
	t.Helper()
	if got := len(rc.Events) == 1; got != latest || len(rc.Events) > 1 {
		t.Fatalf("a refused command at height %d has %d events; decided by RulesV2: %v, want %v", rc.Height, len(rc.Events), got, latest)
	}
}

// recordedRules reads the rules height the ledger in dir records.
func recordedRules(t *testing.T, dir string) (uint64, bool) {
	t.Helper()
	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, ok, err := db.RulesFrom()
	if err != nil {
		t.Fatal(err)
	}
	return h, ok
}

func withRules(h uint64) func(*coopera.Options) {
	return func(o *coopera.Options) { o.RulesFrom = h }
}

func openRules(t *testing.T, dir string, h uint64) (*coopera.Engine, error) {
	return coopera.Open(dir, &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), CheckInvariants: true, RulesFrom: h})
}

// fillTo submits transfers until the head is at height h.
func fillTo(t *testing.T, e *coopera.Engine, h uint64) {
	t.Helper()
	for e.Head().Height < h {
		if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); err != nil {
			t.Fatal(err)
		}
	}
}

func mustRules(t *testing.T, e *coopera.Engine, want uint64) {
	t.Helper()
	if got := e.RulesFrom(); got != want {
		t.Fatalf("Engine.RulesFrom %d, want %d", got, want)
	}
}

// TestRulesFromRecorded: the rules height is recorded with the genesis,
// and a ledger reopened without it (a forgotten -rules-from) decides by
// its record; a height given before the chain reaches either replaces the
// record; once it has reached the record, another height is refused with
// ErrRulesFrom and the ledger is left as it was.
func TestRulesFromRecorded(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir, withRules(5))
	mustRules(t, e, 5)
	wantRules(t, overdraft(t, e, 1), false) // block 1
	e.Close()
	if h, ok := recordedRules(t, dir); !ok || h != 5 {
		t.Fatalf("a ledger created with RulesFrom 5 records %d, %v", h, ok)
	}

	// Reopened without the height: the record's.
	e = openTest(t, dir)
	mustRules(t, e, 5)
	wantRules(t, overdraft(t, e, 2), false) // block 2
	e.Close()

	// A later height while the chain is below both: the cluster moved
	// its upgrade height.
	e = openTest(t, dir, withRules(7))
	mustRules(t, e, 7)
	e.Close()
	if h, ok := recordedRules(t, dir); !ok || h != 7 {
		t.Fatalf("after a move to 7, the ledger records %d, %v", h, ok)
	}
	e = openTest(t, dir)
	mustRules(t, e, 7)
	fillTo(t, e, 5)
	wantRules(t, overdraft(t, e, 3), false) // block 6
	rc := overdraft(t, e, 4)                // block 7
	if rc.Height != 7 {
		t.Fatalf("the overdraft is at height %d, want 7", rc.Height)
	}
	wantRules(t, rc, true)
	head := e.Head()
	e.Close()

	// The chain switched at 7: no other height, before or after, and
	// the ledger stays as it was.
	for _, x := range []uint64{5, 6, 8, 100} {
		_, err := openRules(t, dir, x)
		if !errors.Is(err, coopera.ErrRulesFrom) {
			t.Fatalf("reopened with RulesFrom %d at head %d, recorded 7: %v, want ErrRulesFrom", x, head.Height, err)
		}
		if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "RulesFrom 7") {
			t.Fatalf("the error does not name the directory and the recorded height: %v", err)
		}
		if h, ok := recordedRules(t, dir); !ok || h != 7 {
			t.Fatalf("a refused open left the record at %d, %v", h, ok)
		}
	}
	e = openTest(t, dir, withRules(7))
	mustRules(t, e, 7)
	if e.Head() != head {
		t.Fatalf("head %+v after the refused opens, want %+v", e.Head(), head)
	}
	wantRules(t, overdraft(t, e, 5), true)
	e.Close()
}

// TestRulesFromBelowHead: a height at or below the head is refused even
// when the chain has not reached the recorded one (the blocks from it were
// decided by the rules before); one past the head replaces the record.
func TestRulesFromBelowHead(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir, withRules(10))
	fillTo(t, e, 3)
	e.Close()
	for _, x := range []uint64{1, 3} {
		if _, err := openRules(t, dir, x); !errors.Is(err, coopera.ErrRulesFrom) {
			t.Fatalf("RulesFrom %d at head 3, recorded 10: %v, want ErrRulesFrom", x, err)
		}
	}
	if h, ok := recordedRules(t, dir); !ok || h != 10 {
		t.Fatalf("refused opens left the record at %d, %v", h, ok)
	}
	e = openTest(t, dir, withRules(4))
	mustRules(t, e, 4)
	wantRules(t, overdraft(t, e, 1), true) // block 4
	e.Close()
	if h, ok := recordedRules(t, dir); !ok || h != 4 {
		t.Fatalf("after a move to 4, the ledger records %d, %v", h, ok)
	}
}

// TestRulesFromNewChain: a chain this build starts records 0 (every block
// by its rules), and no later height is taken for it.
func TestRulesFromNewChain(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	mustRules(t, e, 0)
	wantRules(t, overdraft(t, e, 1), true)
	e.Close()
	if h, ok := recordedRules(t, dir); !ok || h != 0 {
		t.Fatalf("a new chain records %d, %v; want 0", h, ok)
	}
	if _, err := openRules(t, dir, 5); !errors.Is(err, coopera.ErrRulesFrom) {
		t.Fatalf("RulesFrom 5 on a chain recorded from 0: %v, want ErrRulesFrom", err)
	}
}

// TestRulesFromNoRecord: a ledger written by a build before the record
// (here: its record deleted) opened without a height keeps no record and
// decides every block by this build's rules; opened with one, it records
// it.
func TestRulesFromNoRecord(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir, withRules(3))
	e.Close()
	rawEdit(t, dir, func(db *store.DB) {
		if err := db.Pebble().Delete([]byte("m/rules-from"), nil); err != nil {
			t.Fatal(err)
		}
	})
	e = openTest(t, dir)
	mustRules(t, e, 0)
	e.Close()
	if h, ok := recordedRules(t, dir); ok {
		t.Fatalf("a ledger without a record, opened without a height, records %d", h)
	}
	e = openTest(t, dir, withRules(3))
	mustRules(t, e, 3)
	wantRules(t, overdraft(t, e, 1), false) // block 1
	e.Close()
	if h, ok := recordedRules(t, dir); !ok || h != 3 {
		t.Fatalf("a ledger without a record, opened with RulesFrom 3, records %d, %v", h, ok)
	}
	e = openTest(t, dir)
	mustRules(t, e, 3)
	e.Close()
}

// TestRulesFromReplayed: a ledger Replay rebuilds records the source's
// rules height, so that the copy, opened without a height, decides by
// the chain's.
func TestRulesFromReplayed(t *testing.T) {
	src := t.TempDir()
	e := openTest(t, src, withRules(5))
	fillTo(t, e, 2)
	e.Close()
	dst := t.TempDir() + "/replayed"
	if _, err := coopera.Replay(context.Background(), src, dst, nil); err != nil {
		t.Fatal(err)
	}
	if h, ok := recordedRules(t, dst); !ok || h != 5 {
		t.Fatalf("the replayed ledger records %d, %v; want 5", h, ok)
	}
	e = openTest(t, dst)
	defer e.Close()
	mustRules(t, e, 5)
	wantRules(t, overdraft(t, e, 1), false) // block 3
}
