package coopera

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/roothash"
)

// BenchmarkBlockPhases times the sequencer's CPU phases per transfer on
// in-memory state: execute, collect changes, state root, encode.
func BenchmarkBlockPhases(b *testing.B) {
	const accounts = 10000
	var sb strings.Builder
	sb.WriteString(`{"chain_id":"p","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"24h","assets":[{"id":"COOP","decimals":6}],"accounts":[`)
	for i := range accounts {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"u%d"}`, i)
	}
	sb.WriteString(`],"allocations":[`)
	for i := range accounts {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"account":"u%d","asset":"COOP","amount":"1000000000"}`, i)
	}
	sb.WriteString(`]}`)
	g, _ := ledger.ParseGenesis([]byte(sb.String()))
	m, _ := ledger.NewMachine()
	ms := ledger.NewMemStore()
	st := ledger.NewState(ms)
	var acc ledger.LtHash
	m.GenesisBlock(st, g, &acc)
	ms.Apply(st.Changes())
	roots := roothash.New(runtime.GOMAXPROCS(0), 1<<14)
	var tExec, tCh, tRoot, tSeal time.Duration
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; i += 1000 {
		cmds := make([]*ledger.Command, 1000)
		for j := range cmds {
			k := i + j
			from, to := k%accounts, (k*7919+1)%accounts
			if to == from {
				to = (to + 1) % accounts
			}
			cmds[j] = &ledger.Command{Actor: ledger.AccountID("u" + strconv.Itoa(from)), Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: ledger.AccountID("u" + strconv.Itoa(to)), Asset: "COOP", Amount: ledger.NewAmount(1)}}}}
		}
		st := ledger.NewState(ms)
		t0 := time.Now()
		res, evs, _ := m.Execute(st, ledger.BlockContext{Height: 1, Time: 1}, cmds, nil)
		t1 := time.Now()
		ch := st.Changes()
		t2 := time.Now()
		roots.Update(&acc, ch)
		t3 := time.Now()
		blk := &ledger.Block{Commands: cmds, Results: res, Events: evs}
		blk.Seal()
		t4 := time.Now()
		ms.Apply(ch)
		tExec += t1.Sub(t0)
		tCh += t2.Sub(t1)
		tRoot += t3.Sub(t2)
		tSeal += t4.Sub(t3)
		n += 1000
	}
	b.ReportMetric(float64(tExec.Nanoseconds())/float64(n), "exec-ns/tx")
	b.ReportMetric(float64(tCh.Nanoseconds())/float64(n), "changes-ns/tx")
	b.ReportMetric(float64(tRoot.Nanoseconds())/float64(n), "root-ns/tx")
	b.ReportMetric(float64(tSeal.Nanoseconds())/float64(n), "seal-ns/tx")
}
