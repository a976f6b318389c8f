package coopera_test

// A genesis is written in bounded chunks (ledger.Step.GenesisChunked,
// store.GenesisWriter): these tests cut it short, feed the store data it
// did not write, read a directory in the previous format, and damage the
// stored pieces of block 0.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// chunkGenesis has n funded accounts; written with chunks of 16 keys it
// takes dozens of chunks.
func chunkGenesis(n int) *ledger.Genesis {
	g := &ledger.Genesis{ChainID: "chunks", GenesisTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), EpochLength: ledger.Duration(24 * time.Hour),
		Assets: []ledger.GenesisAsset{{ID: "COOP", Decimals: 6}}}
	for i := range n {
		id := ledger.AccountID(fmt.Sprintf("u%04d", i))
		g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: id})
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: id, Asset: "COOP", Amount: ledger.NewAmount(uint64(1000 + i))})
	}
	return g
}

func chunkOptions(fs vfs.FS, g *ledger.Genesis) *coopera.Options {
	o := &coopera.Options{Genesis: g, FS: fs, Clock: stepClock(), CheckInvariants: true}
	coopera.SetGenesisChunkKeysForTest(o, 16)
	return o
}

// checkGenesisLedger checks that the ledger in e is the one g describes:
// its head is want, it verifies, and an account holds its allocation.
func checkGenesisLedger(t *testing.T, e *coopera.Engine, want coopera.Head, g *ledger.Genesis) {
	t.Helper()
	if got := e.Head(); got != want {
		t.Fatalf("head %+v, want %+v", got, want)
	}
	rep, err := e.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.StateRoot != want.StateRoot {
		t.Fatalf("verify derived root %s, want %s", rep.StateRoot.Short(), want.StateRoot.Short())
	}
	last := g.Allocations[len(g.Allocations)-1]
	if b := balance(t, e, last.Account, "COOP"); ledger.NewAmount(b) != last.Amount {
		t.Fatalf("%s holds %d, want %s", last.Account, b, last.Amount)
	}
	// Its genesis events, read from block 0 in pieces: created among
	// the accounts, funded among the allocations (a later chunk).
	evs, err := e.AccountEvents(context.Background(), last.Account, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Height != 0 || evs[1].Height != 0 || evs[0].Index >= evs[1].Index {
		t.Fatalf("%s's events: %+v", last.Account, evs)
	}
	created, ok0 := evs[0].Event.(*ledger.AccountCreated)
	funded, ok1 := evs[1].Event.(*ledger.Allocated)
	if !ok0 || !ok1 || created.Account != last.Account || funded.To != last.Account || funded.Amount != last.Amount {
		t.Fatalf("%s's events: %+v, %+v", last.Account, evs[0].Event, evs[1].Event)
	}
}

// A genesis cut short, by an error or a power cut at each file-system
// operation in turn, leaves a partial genesis that the next Open with the genesis
// discards and writes again, to the very ledger an uninterrupted Open
// writes; an Open without the genesis finds no ledger rather than a
// partial one.
func TestGenesisCutShortIsRedone(t *testing.T) {
	g := chunkGenesis(3000) // a WAL of a few MB, written as the chunks come
	clean := vfs.NewMem()
	e, err := coopera.Open(faultDir, chunkOptions(clean, g))
	if err != nil {
		t.Fatal(err)
	}
	want := e.Head()
	e.Close()

	count := &opCounter{}
	e, err = coopera.Open(faultDir, chunkOptions(errorfs.Wrap(vfs.NewCrashableMem(), count), g))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	ops := count.n.Load()

	// Operations spread evenly over the genesis, each once with an error
	// and once with a power cut (COOPERA_FAULT_TRIALS sets how many).
	rng := faultRand(t)
	trials := 2 * min(faultTrials(t, 12), int(ops))
	failed, cut, wiped := 0, 0, 0
	for trial := range trials {
		fs := vfs.NewCrashableMem()
		at := int64(trial/2) * ops / int64(trials/2)
		power := trial%2 == 1 // else an error at operation at
		var mid *vfs.MemFS
		var hit errorfs.Op
		c := &opCounter{at: func(i int64, op errorfs.Op) error {
			if i != at {
				return nil
			}
			if power {
				mid = fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 100 * rng.IntN(2), RNG: rand.New(rand.NewPCG(uint64(at), 3))})
				return nil
			}
			if fatalToPebble(op) || walCreate(op) {
				return nil
			}
			hit = op
			return errorfs.ErrInjected
		}}
		e, err := coopera.Open(faultDir, chunkOptions(errorfs.Wrap(fs, c), g))
		if err != nil {
			failed++
			if !errors.Is(err, errorfs.ErrInjected) {
				t.Fatalf("trial %d: error at operation %d: Open: %v, want the injected error", trial, at, err)
			}
		} else {
			e.Close()
		}
		// The process dies after the error: the disk keeps what was
		// synced (as in faultStops: a share of what was written before
		// a failed fsync can leave a torn log that is not the last one,
		// which Pebble refuses to replay; see the closing note of the
		// pipeline issue).
		after := fs.CrashClone(vfs.CrashCloneCfg{})
		if power {
			if mid == nil { // this run took fewer operations: cut at the end
				mid = fs.CrashClone(vfs.CrashCloneCfg{})
			}
			after, cut = mid, cut+1
		}
		if pebbleFiles(after) {
			h, err := headOf(after)
			switch {
			case err != nil:
				t.Fatalf("trial %d (%v at operation %d: %+v): %v", trial, map[bool]string{true: "power cut", false: "error"}[power], at, hit, err)
			case h != nil: // cut after the genesis was complete
				if h.Hash != want.Hash {
					t.Fatalf("trial %d: a cut genesis left head %s, want %s", trial, h.Hash.Short(), want.Hash.Short())
				}
			default:
				if _, err := coopera.Open(faultDir, &coopera.Options{FS: after}); !errors.Is(err, coopera.ErrNoLedger) {
					t.Fatalf("trial %d: Open without a genesis on a partial one: %v, want ErrNoLedger", trial, err)
				}
			}
		}
		var log bytes.Buffer
		o := chunkOptions(after, g)
		o.Logger = slog.New(slog.NewTextHandler(&log, nil))
		e, err = coopera.Open(faultDir, o)
		if err != nil {
			t.Fatalf("trial %d (%v at operation %d of %d): reopening with the genesis: %v", trial, map[bool]string{true: "power cut", false: "error"}[power], at, ops, err)
		}
		checkGenesisLedger(t, e, want, g)
		e.Close()
		if strings.Contains(log.String(), "discarded a genesis that was cut short") {
			wiped++
		}
	}
	if wiped == 0 {
		t.Fatal("no trial left a partial genesis to discard: the cuts came too early or too late to test the wipe")
	}
	t.Logf("%d genesis writes cut short (%d by a power cut, %d by an error that failed Open) at points spread over %d file-system operations: each reopened to the same ledger, %d after discarding a partial genesis", trials, cut, failed, ops, wiped)
}

// walCreate reports the creation of a log file, which Pebble cannot fail
// when it rotates its log (it panics): like fatalToPebble's operations, a
// crash at that operation, which the power-cut trials cover.
func walCreate(op errorfs.Op) bool {
	return (op.Kind == errorfs.OpCreate || op.Kind == errorfs.OpReuseForWrite) && strings.HasSuffix(op.Path, ".log")
}

// pebbleFiles reports whether fs holds a Pebble store in faultDir.
func pebbleFiles(fs vfs.FS) bool {
	names, _ := fs.List(faultDir)
	for _, n := range names {
		if strings.HasPrefix(n, "MANIFEST-") {
			return true
		}
	}
	return false
}

// headOf reads the head of the store in fs, if it has one.
func headOf(fs vfs.FS) (*store.Head, error) {
	db, err := store.Open(faultDir, &store.Options{FS: fs})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	h, _, err := db.Head()
	return h, err
}

// A directory that holds data but no ledger and no partial genesis is
// not this package's to overwrite: Open refuses it and leaves it as it is.
func TestGenesisRefusesForeignData(t *testing.T) {
	fs := vfs.NewMem()
	db, err := store.Open(faultDir, &store.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Pebble().Set([]byte("someone else's"), []byte("data"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := coopera.Open(faultDir, chunkOptions(fs, chunkGenesis(3))); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("Open over foreign data: %v, want ErrCorrupt", err)
	}
	db, err = store.Open(faultDir, &store.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, closer, err := db.Pebble().Get([]byte("someone else's")); err != nil || string(v) != "data" {
		t.Fatalf("the foreign data was touched: %q, %v", v, err)
	} else {
		closer.Close()
	}
}

// A format-2 directory (the genesis document in one record without a
// digest, block 0 under its block key) still opens, is recognised as the
// genesis it was created with (by its block 0, there being no digest),
// refuses another genesis, and verifies.
func TestGenesisFormat2Opens(t *testing.T) {
	g := chunkGenesis(40)
	fs := vfs.NewMem()
	e, err := coopera.Open(faultDir, chunkOptions(fs, g))
	if err != nil {
		t.Fatal(err)
	}
	want := e.Head()
	e.Close()
	toFormat2(t, fs)

	e, err = coopera.Open(faultDir, chunkOptions(fs, g))
	if err != nil {
		t.Fatalf("opening a format-2 directory: %v", err)
	}
	checkGenesisLedger(t, e, want, g)
	e.Close()
	other := chunkGenesis(40)
	other.Allocations[0].Amount = ledger.NewAmount(1)
	if _, err := coopera.Open(faultDir, chunkOptions(fs, other)); !errors.Is(err, ledger.ErrInvalidGenesis) {
		t.Fatalf("format 2 with another genesis: %v, want ErrInvalidGenesis", err)
	}
}

// toFormat2 rewrites a format-3 ledger's genesis records the way format 2
// kept them: m/format 2, the document whole under m/genesis, no digest,
// block 0 under its block key.
func toFormat2(t *testing.T, fs vfs.FS) {
	t.Helper()
	db, err := store.Open(faultDir, &store.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	doc, err := db.Genesis()
	if err != nil {
		t.Fatal(err)
	}
	raw, ok, err := db.RawBlock(0)
	if err != nil || !ok {
		t.Fatalf("block 0: %v", err)
	}
	p := db.Pebble()
	b := p.NewBatch()
	format := ledger.NewEncoder(nil)
	format.Uint(2)
	b.Set([]byte("m/format"), format.Bytes(), nil)
	b.Set([]byte("m/genesis"), doc, nil)
	b.Delete([]byte("m/genesis-digest"), nil)
	b.DeleteRange([]byte("m/genesis/"), []byte("m/genesis0"), nil)
	b.DeleteRange([]byte("m/block0/"), []byte("m/block00"), nil)
	b.Set(append([]byte("B"), make([]byte, 8)...), raw, nil)
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// A damaged or missing piece of block 0 is found when the ledger opens.
func TestGenesisBlockPiecesChecked(t *testing.T) {
	for _, damage := range []string{"flip", "drop", "extra"} {
		t.Run(damage, func(t *testing.T) {
			fs := vfs.NewMem()
			e, err := coopera.Open(faultDir, chunkOptions(fs, chunkGenesis(30)))
			if err != nil {
				t.Fatal(err)
			}
			e.Close()
			db, err := store.Open(faultDir, &store.Options{FS: fs})
			if err != nil {
				t.Fatal(err)
			}
			key := append([]byte("m/block0/"), 0, 0, 0, 2)
			v, closer, err := db.Pebble().Get(key)
			if err != nil {
				t.Fatalf("piece 2 of block 0: %v", err)
			}
			v = append([]byte(nil), v...)
			closer.Close()
			switch damage {
			case "flip":
				v[len(v)/2] ^= 1
				err = db.Pebble().Set(key, v, pebble.Sync)
			case "drop":
				err = db.Pebble().Delete(key, pebble.Sync)
			case "extra":
				err = db.Pebble().Set(append([]byte("m/block0/"), 0, 0, 9, 0), v, pebble.Sync)
			}
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			if _, err := coopera.Open(faultDir, &coopera.Options{FS: fs}); !errors.Is(err, ledger.ErrCorrupt) {
				t.Fatalf("opening with a %s piece of block 0: %v, want ErrCorrupt", damage, err)
			}
		})
	}
}

// Replay copies a chunked genesis into a ledger that opens to the same
// head.
func TestGenesisChunkedReplays(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	g := chunkGenesis(60)
	e, err := coopera.Open(src, chunkOptions(nil, g))
	if err != nil {
		t.Fatal(err)
	}
	want := e.Head()
	e.Close()
	rep, err := coopera.Replay(context.Background(), src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Head != want.Hash || rep.Events != uint64(3+2*len(g.Accounts)) {
		t.Fatalf("replayed to %s with %d events, want %s with %d", rep.Head.Short(), rep.Events, want.Hash.Short(), 3+2*len(g.Accounts))
	}
	e, err = coopera.Open(dst, chunkOptions(nil, g))
	if err != nil {
		t.Fatal(err)
	}
	checkGenesisLedger(t, e, want, g)
	e.Close()
}
