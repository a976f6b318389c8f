package contribution_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// BenchmarkEpoch256x10000 times one epoch close with 256 validators, each
// revealing weights over all 10,000 providers, every provider with a
// contribution: consensus, bonds, dividends, outliers, and 10,256 reward
// payments, through the state machine on in-memory state (only Execute of
// the close is timed: it scores once, and the EpochScored event it emits
// carries the scores and bonds, whose encoded size is reported).
func BenchmarkEpoch256x10000(b *testing.B) {
	const nv, np = 256, 10000
	var accts, allocs []string
	accts = append(accts, `{"id":"meter"}`, `{"id":"funder"}`)
	for i := range np {
		accts = append(accts, fmt.Sprintf(`{"id":"p%05d"}`, i))
	}
	for i := range nv {
		accts = append(accts, fmt.Sprintf(`{"id":"v%03d"}`, i))
		allocs = append(allocs, fmt.Sprintf(`{"account":"v%03d","asset":"COOP","amount":"%d"}`, i, 1000+i*37))
	}
	allocs = append(allocs, `{"account":"funder","asset":"COOP","amount":"1000000000000000000"}`)
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"bench","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":6}],"accounts":[` + strings.Join(accts, ",") + `],"allocations":[` + strings.Join(allocs, ",") + `],
	 "params":{"contribution":{"reporters":["meter"],"min_validator_stake":"100"}}}`))
	if err != nil {
		b.Fatal(err)
	}
	h, _ := ledgertest.New(contribution.New(nil))
	if _, err := h.Genesis(g); err != nil {
		b.Fatal(err)
	}
	m := h.M
	apply := func(cmds []*ledger.Command) {
		st := ledger.NewState(h.Store)
		c, _ := ledger.GetChain(h)
		h.Time = h.Time.Add(time.Second)
		h.Height++
		all := append(ledger.EpochCloses(c, h.Time.UnixNano(), 10), cmds...)
		res, _, err := m.Execute(st, ledger.BlockContext{Height: h.Height, Time: h.Time.UnixNano()}, all, nil)
		if err != nil {
			b.Fatal(err)
		}
		for i, r := range res {
			if r.Code != "" {
				b.Fatalf("%s: %s", all[i].Payload.Type(), r.Msg)
			}
		}
		h.Store.Apply(st.Changes())
	}
	var regs []*ledger.Command
	for i := range np {
		regs = append(regs, &ledger.Command{Actor: ledger.AccountID(fmt.Sprintf("p%05d", i)), Payload: &contribution.Register{Role: "compute"}})
	}
	for i := range nv {
		regs = append(regs, &ledger.Command{Actor: ledger.AccountID(fmt.Sprintf("v%03d", i)), Payload: &contribution.Register{Role: "validator", Stake: ledger.NewAmount(uint64(1000 + i*37))}})
	}
	apply(regs)
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		c, _ := ledger.GetChain(h)
		var recs, commits, reveals []*ledger.Command
		// Every close pays out: the pool is refilled each epoch.
		recs = append(recs, &ledger.Command{Actor: "funder", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: contribution.PoolAccount, Asset: "COOP", Amount: ledger.NewAmount(1_000_000_000_000_000)}}}})
		for i := range np {
			recs = append(recs, &ledger.Command{Actor: "meter", Payload: &contribution.Record{Provider: ledger.AccountID(fmt.Sprintf("p%05d", i)), Kind: "gpu_seconds", Quantity: uint64(100 + i%977), Source: "m"}})
		}
		for v := range nv {
			id := ledger.AccountID(fmt.Sprintf("v%03d", v))
			ws := make([]contribution.Weight, np)
			for j := range np {
				ws[j] = contribution.Weight{Provider: ledger.AccountID(fmt.Sprintf("p%05d", j)), Weight: uint64(1 + (j*31+v*7)%100)}
			}
			commits = append(commits, &ledger.Command{Actor: id, Payload: &contribution.CommitWeights{Hash: contribution.WeightsHash(id, c.Epoch, ws, "s")}})
			reveals = append(reveals, &ledger.Command{Actor: id, Payload: &contribution.RevealWeights{Weights: ws, Salt: "s"}})
		}
		apply(recs)
		apply(commits)
		apply(reveals)
		// The closing block.
		h.Time = time.Unix(0, c.EpochEnd())
		h.Height++
		st := ledger.NewState(h.Store)
		c, _ = ledger.GetChain(h)
		closes := ledger.EpochCloses(c, h.Time.UnixNano(), 10)
		b.StartTimer()
		res, evs, err := m.Execute(st, ledger.BlockContext{Height: h.Height, Time: h.Time.UnixNano()}, closes, nil)
		b.StopTimer()
		if err != nil || res[0].Code != "" {
			b.Fatalf("close: %v %v", err, res[0])
		}
		if it == b.N-1 {
			b.ReportMetric(float64(len(evs)), "events/epoch")
			for _, ev := range evs {
				if e, ok := ev.(*contribution.EpochScored); ok {
					enc := ledger.NewEncoder(nil)
					ledger.EncodeEvent(enc, e)
					b.ReportMetric(float64(len(enc.Bytes())), "scored-event-bytes")
				}
			}
		}
		h.Store.Apply(st.Changes())
		b.StartTimer()
	}
}
