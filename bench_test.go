package coopera_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// benchGenesis has n funded accounts u0..u{n-1}, built as a service
// embedding the library would build it (a JSON document of a million
// accounts, held whole and parsed, would itself cost the process 600 MB
// before the ledger is opened).
func benchGenesis(n int) *ledger.Genesis {
	g := &ledger.Genesis{
		ChainID:     "bench",
		GenesisTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		EpochLength: ledger.Duration(24 * time.Hour),
		Assets:      []ledger.GenesisAsset{{ID: "COOP", Decimals: 6}},
		Accounts:    make([]ledger.GenesisAccount, n),
		Allocations: make([]ledger.GenesisAllocation, n),
	}
	for i := range n {
		id := ledger.AccountID("u" + strconv.Itoa(i))
		g.Accounts[i] = ledger.GenesisAccount{ID: id}
		g.Allocations[i] = ledger.GenesisAllocation{Account: id, Asset: "COOP", Amount: ledger.NewAmount(1000000000000)}
	}
	if err := g.Validate(); err != nil {
		panic(err)
	}
	return g
}

const benchAccounts = 10000

func openBench(b *testing.B, accounts int) *coopera.Engine {
	b.Helper()
	e, err := coopera.Open(b.TempDir(), &coopera.Options{Genesis: benchGenesis(accounts)})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func benchTransfer(i int) *ledger.Command {
	from := i % benchAccounts
	to := (i*7919 + 1) % benchAccounts
	if to == from {
		to = (to + 1) % benchAccounts
	}
	return &ledger.Command{Actor: ledger.AccountID("u" + strconv.Itoa(from)), Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: ledger.AccountID("u" + strconv.Itoa(to)), Asset: "COOP", Amount: ledger.NewAmount(1)}}}}
}

// BenchmarkTransferOneCaller: durable transfers, one at a time.
func BenchmarkTransferOneCaller(b *testing.B) {
	e := openBench(b, benchAccounts)
	defer e.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Submit(ctx, benchTransfer(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkTransfer64Callers: durable transfers from 64 goroutines, with
// the commit latency each caller sees.
func BenchmarkTransfer64Callers(b *testing.B) {
	e := openBench(b, benchAccounts)
	defer e.Close()
	ctx := context.Background()
	const callers = 64
	var next atomic.Int64
	lat := make([][]time.Duration, callers)
	var wg sync.WaitGroup
	h0 := e.Head().Height
	cpu0 := processCPU()
	b.ResetTimer()
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if _, err := e.Submit(ctx, benchTransfer(i)); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(cpuPerOp(b, e, cpu0), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	if blocks := e.Head().Height - h0; blocks > 0 {
		b.ReportMetric(float64(b.N)/float64(blocks), "transfers/block")
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
	reportPhases(b, e)
}

// reportPhases reports where a commit's time went, as the engine's
// metrics saw it (means): a request's wait for its block, the block's
// execution, write and fsync wait, and its whole commit (from its start
// to its acknowledgement).
func reportPhases(b *testing.B, e *coopera.Engine) {
	for _, m := range []struct{ metric, unit string }{
		{"coopera_queue_seconds", "queue-µs"}, {"coopera_execute_seconds", "execute-µs"},
		{"coopera_write_seconds", "write-µs"}, {"coopera_fsync_seconds", "fsync-µs"},
		{"coopera_commit_seconds", "commit-µs"},
	} {
		b.ReportMetric(histMean(e, m.metric)*1e6, m.unit)
	}
}

// BenchmarkSubmitBatch1000: durable transfers in batches of 1,000.
func BenchmarkSubmitBatch1000(b *testing.B) { benchSubmitBatch(b, openBench(b, benchAccounts)) }

// BenchmarkSubmitBatch1000NoAccountIndex: the same on a ledger created
// with Options.NoAccountIndex (two keys fewer per transfer).
func BenchmarkSubmitBatch1000NoAccountIndex(b *testing.B) {
	e, err := coopera.Open(b.TempDir(), &coopera.Options{Genesis: benchGenesis(benchAccounts), NoAccountIndex: true})
	if err != nil {
		b.Fatal(err)
	}
	benchSubmitBatch(b, e)
}

func benchSubmitBatch(b *testing.B, e *coopera.Engine) {
	defer e.Close()
	ctx := context.Background()
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i += 1000 {
		n := min(1000, b.N-i)
		cmds := make([]*ledger.Command, n)
		for j := range cmds {
			cmds[j] = benchTransfer(i + j)
		}
		if _, err := e.SubmitBatch(ctx, cmds); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	b.ReportMetric(cpuPerOp(b, e, cpu0), "cpu-ns/op")
	reportPhases(b, e)
	e.Close()
}

// BenchmarkReplay: verify (replay from genesis with every state root
// checked) of a log of transfers; reports events replayed per second and
// the bytes on disk per transfer.
func BenchmarkReplay(b *testing.B) {
	const transfers = 200000
	dir := b.TempDir()
	e, err := coopera.Open(dir, &coopera.Options{Genesis: benchGenesis(benchAccounts)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < transfers; i += 1000 {
		cmds := make([]*ledger.Command, 1000)
		for j := range cmds {
			cmds[j] = benchTransfer(i + j)
		}
		if _, err := e.SubmitBatch(ctx, cmds); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var events uint64
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		rep, err := e.Verify(ctx)
		if err != nil {
			b.Fatal(err)
		}
		events += rep.Events
	}
	b.StopTimer()
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	// CPU per event, all goroutines: the figure to compare on a shared
	// machine, where wall time depends on the neighbours.
	b.ReportMetric(float64(processCPU()-cpu)/float64(events), "cpu-ns/event")
	e.Close()
	b.ReportMetric(float64(dirSize(dir))/transfers, "disk-bytes/transfer")
}

func dirSize(dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if fi, err := en.Info(); err == nil && !fi.IsDir() {
			n += fi.Size()
		}
	}
	return n
}

// BenchmarkMillionAccounts creates a ledger whose genesis has 1,000,000
// funded accounts, closes it, then reopens it as a service would and
// transfers among random accounts, and reports the process's RSS and Go
// heap then (the state lives in Pebble, not in memory), the time to
// verify the whole log, and the peak RSS over the whole run, genesis and
// verify included (both in bounded chunks). Run it alone in its process
// (-bench MillionAccounts): the peak is the process's.
func BenchmarkMillionAccounts(b *testing.B) {
	const n = 1000000
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		e, err := coopera.Open(dir, &coopera.Options{Genesis: benchGenesis(n)})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
		runtime.GC()
		debug.FreeOSMemory()
		e, err = coopera.Open(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for k := 0; k < 50; k++ {
			cmds := make([]*ledger.Command, 1000)
			for j := range cmds {
				x := (k*1000 + j) * 997 % n
				cmds[j] = &ledger.Command{Actor: ledger.AccountID("u" + strconv.Itoa(x)), Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: ledger.AccountID("u" + strconv.Itoa((x*7+1)%n)), Asset: "COOP", Amount: ledger.NewAmount(1)}}}}
			}
			if _, err := e.SubmitBatch(ctx, cmds); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		debug.FreeOSMemory()
		b.ReportMetric(float64(rssBytes())/(1<<20), "rss-MiB")
		// Verify replays the whole log, genesis included, into a scratch
		// store: it is part of using the ledger, and of the peak.
		t0 := time.Now()
		if _, err := e.Verify(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "verify-s")
		b.ReportMetric(float64(procStatus("VmHWM:"))/(1<<20), "peak-rss-MiB")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		e.Close()
	}
}

func rssBytes() int64 { return procStatus("VmRSS:") }

// procStatus returns a size field of /proc/self/status in bytes (0 where
// there is none).
func procStatus(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// rawBlock is what the block of transfers benchTransfer(first) to
// benchTransfer(first+n-1) writes, modelled for raw Pebble with the
// engine's keys, in the store's order: the block record (about 120 bytes
// a transfer), the two balances of each transfer (16-byte values) and two
// entries of the account-event index a transfer, each key space in key
// order. Until this commit the accounts were consecutive ones, not the
// engine's: inserts of neighbouring keys into Pebble's memtable skip most
// of the skiplist search, which made the limit about 1.4 times the one
// the engine's keys allow.
func rawBlock(db *pebble.DB, height uint64, first, n int, payload []byte) *pebble.Batch {
	state := make([][]byte, 0, 2*n)
	index := make([][]byte, 0, 2*n)
	for i := range n {
		c := benchTransfer(first + i)
		for _, acct := range []ledger.AccountID{c.Actor, c.Payload.(*ledger.Transfer).Legs[0].To} {
			state = append(state, append([]byte{'S'}, ledger.BalanceKey(acct, "COOP")...))
			k := append(append([]byte{'X'}, acct...), 0)
			k = binary.BigEndian.AppendUint64(k, height)
			index = append(index, binary.BigEndian.AppendUint32(k, uint32(i)))
		}
	}
	slices.SortFunc(state, bytes.Compare)
	slices.SortFunc(index, bytes.Compare)
	b := db.NewBatch()
	b.Set(binary.BigEndian.AppendUint64([]byte{'B'}, height), payload[:n*120], nil)
	for _, k := range slices.CompactFunc(state, bytes.Equal) {
		b.Set(k, payload[:16], nil)
	}
	for _, k := range index {
		b.Set(k, nil, nil)
	}
	return b
}

// BenchmarkRawPebble is the limit the engine is measured against: raw
// Pebble, opened with the store's options, committing synced batches of
// what blocks of transfers write (rawBlock) and nothing else: no
// execution, no state root, no acknowledgement. "64x16" is 64 goroutines
// each committing blocks of 16 transfers (the engine's blocks under 64
// callers: see transfers/block in BenchmarkTransfer64Callers); "1x1000"
// one goroutine committing blocks of 1,000 (BenchmarkSubmitBatch1000).
// The engine's figure over this one, measured in the same run, is the
// ratio BENCHMARKS.md reports (scripts/bench.sh prints both).
func BenchmarkRawPebble(b *testing.B) {
	for _, shape := range []struct {
		name             string
		goroutines, size int
	}{{"64x16", 64, 16}, {"1x1000", 1, 1000}} {
		b.Run(shape.name, func(b *testing.B) {
			db, err := store.Open(b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			payload := make([]byte, shape.size*120)
			for i := range payload {
				payload[i] = byte(i*7919>>3) ^ byte(i)
			}
			var next atomic.Int64
			blocks := (b.N + shape.size - 1) / shape.size
			var wg sync.WaitGroup
			b.ResetTimer()
			for range shape.goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						h := next.Add(1)
						if h > int64(blocks) {
							return
						}
						batch := rawBlock(db.Pebble(), uint64(h), int(h-1)*shape.size, shape.size, payload)
						if err := batch.Commit(pebble.Sync); err != nil {
							b.Error(err)
							return
						}
						batch.Close()
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(blocks*shape.size)/b.Elapsed().Seconds(), "transfers/s")
		})
	}
}

// cpuPerOp is the process's CPU time per operation since cpu0, once the
// account-event index (written after the blocks) covers them all.
func cpuPerOp(b *testing.B, e *coopera.Engine, cpu0 int64) float64 {
	if _, err := e.AccountEvents(context.Background(), "u0", 0, 1); err != nil && !errors.Is(err, coopera.ErrNoAccountIndex) {
		b.Fatal(err)
	}
	return float64(processCPU()-cpu0) / float64(b.N)
}

// processCPU returns the process's user and system CPU time so far, in
// nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
