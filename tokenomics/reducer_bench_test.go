package tokenomics_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// BenchmarkReducerCPU measures the reducers' CPU per command: blocks of 100
// commands run by the block step on in-memory state and their changes
// committed, without state roots, invariant checks or replay (which the
// hosts add). ns/op is per command. Run it with:
//
//	go test ./tokenomics -run '^$' -bench ReducerCPU -benchtime 20000x
func BenchmarkReducerCPU(b *testing.B) {
	tr := &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(1_000_000)}}}}
	b.Run("transfer/plain", func(b *testing.B) {
		reducerBench(b, newReducerLedger(b, false), tr)
	})
	b.Run("transfer/fee", func(b *testing.B) {
		reducerBench(b, newReducerLedger(b, true), tr)
	})
	b.Run("buy_credits", func(b *testing.B) {
		h := newReducerLedger(b, true)
		reducerBench(b, h, parse(b, h, `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1000000"}}`))
	})
	b.Run("record_usage", func(b *testing.B) {
		h := newReducerLedger(b, true)
		apply(b, h, h.Time.Add(time.Second), `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "100000000000"}}`)
		reducerBench(b, h, parse(b, h, `{"type": "record_usage", "actor": "alice", "payload": {"platform": "plat", "gpu": "gpu", "model": "mdev", "input_tokens": 10, "output_tokens": 10, "price_in": 7, "price_out": 13}}`))
	})
	// The same usage settled 100 records to a command: ns/op is per record.
	b.Run("settle_usage/per-record", func(b *testing.B) {
		h := newReducerLedger(b, true)
		apply(b, h, h.Time.Add(time.Second), `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "100000000000"}}`)
		item := tokenomics.RecordUsage{Platform: "plat", GPU: "gpu", Model: "mdev", Input: 10, Output: 10, PriceIn: 7, PriceOut: 13}
		settle := &tokenomics.SettleUsage{Items: make([]tokenomics.RecordUsage, 100)}
		for i := range settle.Items {
			settle.Items[i] = item
		}
		perRecord(b, h, &ledger.Command{Actor: "alice", Payload: settle}, len(settle.Items))
	})
}

func parse(b *testing.B, h *ledgertest.Harness, js string) *ledger.Command {
	c, err := h.M.Registry().ParseCommandJSON([]byte(js))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// newReducerLedger returns a harness with the accounts module only, or
// with tokenomics (fee on transfers, an oracle price of $2) too.
func newReducerLedger(b *testing.B, withTokenomics bool) *ledgertest.Harness {
	var mods []ledger.Module
	if withTokenomics {
		mods = append(mods, tokenomics.Module{})
	}
	h, err := ledgertest.New(mods...)
	if err != nil {
		b.Fatal(err)
	}
	params := ""
	if withTokenomics {
		params = `, "params": {"tokenomics": {"oracle_feeds": ["f1"], "max_price_age": "8760h", "twap_window": "1h"}}`
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "cpu", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "8760h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "plat"}, {"id": "gpu"}, {"id": "mdev"}, {"id": "f1"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000000000"}]` + params + `}`))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		b.Fatal(err)
	}
	if withTokenomics {
		apply(b, h, h.Time.Add(time.Second), `{"type": "observe_price", "actor": "f1", "payload": {"price": "2000000000000000000"}}`)
	}
	return h
}

// perRecord executes c, which settles n records, b.N/n times, 100/n to a
// block, so that ns/op is per record.
func perRecord(b *testing.B, h *ledgertest.Harness, c *ledger.Command, n int) {
	reducerBenchN(b, h, c, max(1, 100/n), n)
}

// reducerBench executes c b.N times, 100 to a block.
func reducerBench(b *testing.B, h *ledgertest.Harness, c *ledger.Command) {
	reducerBenchN(b, h, c, 100, 1)
}

// reducerBenchN executes c, worth per operations, perBlock to a block,
// until b.N operations are done.
func reducerBenchN(b *testing.B, h *ledgertest.Harness, c *ledger.Command, perBlock, per int) {
	block := make([]*ledger.Command, perBlock)
	for i := range block {
		block[i] = c
	}
	step := ledger.NewStep(h.M, ledger.StepOptions{NoRoots: true})
	head := ledger.Head{Height: h.Height, Time: h.Time.UnixNano()}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for done := 0; done < b.N; done += perBlock * per {
		n := min(perBlock, (b.N-done+per-1)/per)
		rd, err := step.Execute(h.Store, ledger.BlockInput{Prev: head, Time: head.Time, Commands: block[:n], NoCloses: true})
		if err != nil {
			b.Fatal(err)
		}
		if e := rd.Block.Results[0].Err(); e != nil {
			b.Fatal(e)
		}
		h.Store.Apply(rd.Changes)
		head = rd.Head
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU returns the CPU time the process has used (user and system,
// garbage collection on every core included), in ns: unlike wall time, it
// does not grow when other processes compete for the cores.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
