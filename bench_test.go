package coopera_test

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkSubmitBatch1000: durable transfers in batches of 1,000.
func BenchmarkSubmitBatch1000(b *testing.B) {
	e := openBench(b, benchAccounts)
	defer e.Close()
	ctx := context.Background()
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	b.StopTimer()
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
	for i := 0; i < b.N; i++ {
		rep, err := e.Verify(ctx)
		if err != nil {
			b.Fatal(err)
		}
		events += rep.Events
	}
	b.StopTimer()
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
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
// heap: the state lives in Pebble, not in memory. (Creating the genesis
// itself holds its 3,000,000 state changes in one block; that peak is
// not what a running node needs, so it is released before measuring.)
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
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		e.Close()
	}
}

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
