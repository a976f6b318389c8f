package coopera

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// The parts' tests build each part directly over a real Pebble store in a
// test directory, holding the test genesis, with a real state machine.

const partsGenesisJSON = `{
  "chain_id": "parts",
  "genesis_time": "2026-01-01T00:00:00Z",
  "epoch_length": "1h",
  "assets": [{"id": "COOP", "decimals": 6}],
  "accounts": [{"id": "alice"}, {"id": "bob"}],
  "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000"}]
}`

// partsLedger is a ledger's store, written from the genesis, and what a
// part is built from.
type partsLedger struct {
	dir  string
	db   *store.DB
	m    *ledger.Machine
	opts *Options
	head store.Head // the genesis block's
}

// newPartsLedger writes the genesis into a new store in a test directory,
// through fs if not nil (vfs.Default otherwise). The store is closed at the
// end of the test unless a reader closed it.
func newPartsLedger(t *testing.T, fs vfs.FS) *partsLedger {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(partsGenesisJSON))
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64 // the clock: one millisecond per reading, from genesis time
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := &Options{Clock: func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }, CheckInvariants: true}
	o.EnsureDefaults()
	m, err := ledger.NewMachine(o.Modules...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := store.Open(dir, &store.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	head, err := writeGenesis(db, m, g, o, dir)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return &partsLedger{dir: dir, db: db, m: m, opts: o, head: head}
}

// reader returns a reader of the ledger's store whose durable height is
// height(); the store is closed at the end of the test unless the reader
// closed it first.
func (l *partsLedger) reader(t *testing.T, height func() uint64) *reader {
	r := newReader(l.db, l.m.Registry(), height)
	t.Cleanup(func() {
		r.rmu.Lock()
		closed := r.dbClosed
		r.rmu.Unlock()
		if !closed {
			r.close()
		}
	})
	return r
}

func partsTransfer(from, to ledger.AccountID, amt uint64) *ledger.Command {
	return &ledger.Command{Actor: from, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: to, Asset: "COOP", Amount: ledger.NewAmount(amt)}}}}
}
