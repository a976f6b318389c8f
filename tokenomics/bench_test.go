package tokenomics_test

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// Benchmarks. Run them with:
//
//	go test ./tokenomics -run '^$' -bench . -benchtime 2s
//
// BenchmarkEpochClose shows that closing an epoch costs the same with
// 1,000 and with 1,000,000 stakers (F1: nothing iterates stakers);
// BenchmarkCurveTrade gives bonding-curve trades per second; and
// BenchmarkTransferFee the cost of the fee hook on a transfer, as a ratio
// to a plain transfer, through the test harness on a MemStore.

// orderedStore is a ledger.Reader with prefix scans in O(log n + matches),
// which the closes run on: the benchmark was written when MemStore scanned
// every key it held (it keeps an ordered index now), and the closes stay on
// this store so that its numbers compare. Keys bulk-loaded at the start
// stay in a sorted slice; keys added later go to a small sorted side list.
type orderedStore struct {
	keys  []string
	extra []string
	vals  map[string][]byte
}

func newOrderedStore(m *ledger.MemStore) *orderedStore {
	s := &orderedStore{vals: map[string][]byte{}}
	m.Scan(nil, func(k, v []byte) bool {
		s.keys = append(s.keys, string(k))
		s.vals[string(k)] = v
		return true
	})
	return s
}

func (s *orderedStore) Get(key []byte) ([]byte, bool, error) {
	v, ok := s.vals[string(key)]
	return v, ok, nil
}

func has(sorted []string, k string) bool {
	_, ok := slices.BinarySearch(sorted, k)
	return ok
}

func (s *orderedStore) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	p := string(prefix)
	lo := func(l []string) []string {
		i := sort.SearchStrings(l, p)
		j := i
		for j < len(l) && strings.HasPrefix(l[j], p) {
			j++
		}
		return l[i:j]
	}
	a, b := lo(s.keys), lo(s.extra)
	for len(a) > 0 || len(b) > 0 {
		var k string
		if len(b) == 0 || len(a) > 0 && a[0] < b[0] {
			k, a = a[0], a[1:]
		} else {
			k, b = b[0], b[1:]
		}
		if v, ok := s.vals[k]; ok && !fn([]byte(k), v) {
			return nil
		}
	}
	return nil
}

func (s *orderedStore) Apply(changes []ledger.Change) {
	for _, c := range changes {
		k := string(c.Key)
		if !c.NewOK {
			delete(s.vals, k)
			continue
		}
		if _, ok := s.vals[k]; !ok && !has(s.keys, k) && !has(s.extra, k) {
			i, _ := slices.BinarySearch(s.extra, k)
			s.extra = slices.Insert(s.extra, i, k)
		}
		s.vals[k] = c.New
	}
}

type stakedLedger struct {
	m     *ledger.Machine
	store *orderedStore
	at    time.Time
	h     uint64
}

var stakedCache = map[int]*stakedLedger{}

// stakedWith returns a ledger whose protocol pool has n stakers of 1 COOP
// each, and whose emission never halves (so every close does the same
// work). Each staker is an account allocated 1 COOP at genesis that
// stakes it with a stake command, as on a real chain (the stake account is
// booked: a genesis cannot allocate to it). The commands are decided in
// blocks of stakeBlock on a MemStore, whose ordered index keeps each
// decision's scans short; the closes then run on an orderedStore built
// from it.
func stakedWith(b *testing.B, n int) *stakedLedger {
	if l, ok := stakedCache[n]; ok {
		return l
	}
	m, err := ledger.NewMachine(tokenomics.Module{})
	if err != nil {
		b.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "bench", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1m",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "params": {"tokenomics": {"emission_halving_epochs": 1000000000000}}}`))
	if err != nil {
		b.Fatal(err)
	}
	one := ledger.NewAmount(1_000_000)
	stakers := make([]ledger.AccountID, n)
	g.Accounts = make([]ledger.GenesisAccount, n)
	g.Allocations = make([]ledger.GenesisAllocation, n)
	for i := range n {
		stakers[i] = ledger.AccountID(fmt.Sprintf("s%07d", i))
		g.Accounts[i] = ledger.GenesisAccount{ID: stakers[i]}
		g.Allocations[i] = ledger.GenesisAllocation{Account: stakers[i], Asset: "COOP", Amount: one}
	}
	mem := ledger.NewMemStore()
	st := ledger.NewState(mem)
	var acc ledger.LtHash
	if _, err := m.GenesisBlock(st, g, &acc); err != nil {
		b.Fatal(err)
	}
	mem.Apply(st.Changes())
	// Within the genesis epoch: no close comes between the stakes.
	const stakeBlock = 10_000
	at := g.GenesisTime.UnixNano()
	var h uint64
	for lo := 0; lo < n; lo += stakeBlock {
		cmds := make([]*ledger.Command, 0, stakeBlock)
		for _, s := range stakers[lo:min(n, lo+stakeBlock)] {
			cmds = append(cmds, &ledger.Command{Actor: s, Payload: &tokenomics.Stake{Pool: tokenomics.ProtocolPool, Asset: "COOP", Amount: one}})
		}
		h++
		st := ledger.NewState(mem)
		res, _, err := m.Execute(st, ledger.BlockContext{Height: h, Time: at}, cmds, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if e := r.Err(); e != nil {
				b.Fatal(e)
			}
		}
		mem.Apply(st.Changes())
	}
	if err := ledger.CheckState(mem); err != nil {
		b.Fatal(err)
	}
	l := &stakedLedger{m: m, store: newOrderedStore(mem), at: g.GenesisTime, h: h}
	stakedCache[n] = l
	return l
}

// closeEpoch executes the next close_epoch as a block and commits it.
func (l *stakedLedger) closeEpoch(b *testing.B) {
	st := ledger.NewState(l.store)
	c, err := ledger.GetChain(st)
	if err != nil {
		b.Fatal(err)
	}
	l.at = time.Unix(0, c.EpochEnd())
	l.h++
	res, _, err := l.m.Execute(st, ledger.BlockContext{Height: l.h, Time: l.at.UnixNano()}, []*ledger.Command{{Actor: ledger.SystemActor, Payload: &ledger.CloseEpoch{Epoch: c.Epoch}}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if e := res[0].Err(); e != nil {
		b.Fatal(e)
	}
	l.store.Apply(st.Changes())
}

func BenchmarkEpochClose(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("stakers=%d", n), func(b *testing.B) {
			l := stakedWith(b, n)
			b.ReportAllocs()
			// The collector would mark the whole in-memory store (a
			// million positions is about 1 GB of heap) while the loop
			// runs, which measures the test's store, not the reducer: it
			// is off in the timed loop and runs, untimed, every 10,000
			// closes.
			runtime.GC()
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			b.ResetTimer()
			i := 0
			for b.Loop() {
				l.closeEpoch(b)
				if i++; i%10_000 == 0 {
					b.StopTimer()
					runtime.GC()
					b.StartTimer()
				}
			}
			pool, err := tokenomics.PoolOf(ledger.NewState(l.store), tokenomics.ProtocolPool)
			if err != nil || pool.Units != ledger.NewAmount(uint64(n)*1_000_000) {
				b.Fatalf("pool %+v, %v", pool, err)
			}
		})
	}
}

// BenchmarkCurveTrade buys and sells on one curve, one trade per command,
// each block of two trades executed and committed to a MemStore.
func BenchmarkCurveTrade(b *testing.B) {
	h, err := ledgertest.New(tokenomics.Module{})
	if err != nil {
		b.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "curve", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "8760h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}, {"id": "bob"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000"}, {"account": "bob", "asset": "COOP", "amount": "1000000000000"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		b.Fatal(err)
	}
	apply(b, h, h.Time.Add(time.Second), `{"type": "create_agent", "actor": "bob", "payload": {"agent": "aria", "price_in": 1, "price_out": 1}}`)
	apply(b, h, h.Time.Add(time.Second), `{"type": "launch_token", "actor": "bob", "payload": {"agent": "aria", "symbol": "ARIA"}}`)
	buy := cmd(b, h, `{"type": "buy", "actor": "alice", "payload": {"agent": "aria", "amount": "1000000", "min_out": "1"}}`)
	sell := cmd(b, h, `{"type": "sell", "actor": "alice", "payload": {"agent": "aria", "amount": "35000000", "min_out": "1"}}`)
	height := h.Height
	at := h.Time.UnixNano()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	trades := 0
	for b.Loop() {
		height++
		st := ledger.NewState(h.Store)
		res, _, err := h.M.Execute(st, ledger.BlockContext{Height: height, Time: at}, []*ledger.Command{buy, sell}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if e := r.Err(); e != nil {
				b.Fatal(e)
			}
		}
		h.Store.Apply(st.Changes())
		trades += 2
	}
	b.ReportMetric(float64(trades)/time.Since(start).Seconds(), "trades/s")
}

// transferBench runs transfers of 1 COOP between two accounts through the
// harness (which also checks invariants and replays every block), 100 per
// block, and returns the time per transfer.
func transferBench(b *testing.B, n int, modules ...ledger.Module) time.Duration {
	h, err := ledgertest.New(modules...)
	if err != nil {
		b.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "xfer", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "8760h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}, {"id": "bob"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000000"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		b.Fatal(err)
	}
	tr := &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(1_000_000)}}}}
	block := make([]*ledger.Command, 100)
	for i := range block {
		block[i] = tr
	}
	start := time.Now()
	for done := 0; done < n; done += len(block) {
		bl, err := h.Apply(h.Time.Add(time.Second), block[:min(len(block), n-done)])
		if err != nil {
			b.Fatal(err)
		}
		if e := bl.Results[0].Err(); e != nil {
			b.Fatal(e)
		}
	}
	return time.Since(start) / time.Duration(n)
}

func BenchmarkTransferFee(b *testing.B) {
	b.Run("plain", func(b *testing.B) {
		transferBench(b, b.N)
	})
	b.Run("with-fee", func(b *testing.B) {
		transferBench(b, b.N, tokenomics.Module{})
	})
	b.Run("ratio", func(b *testing.B) {
		var plain, fee time.Duration
		for range b.N {
			plain += transferBench(b, 2000)
			fee += transferBench(b, 2000, tokenomics.Module{})
		}
		b.ReportMetric(float64(fee)/float64(plain), "fee/plain")
	})
}
