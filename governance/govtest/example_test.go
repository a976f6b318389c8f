package govtest_test

import (
	"fmt"
	"time"

	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// Stake checkpoints answer "how much at height h", so a snapshot never
// sees stake added later.
func Example() {
	h, _ := ledgertest.New(govtest.Module{})
	g, _ := ledger.ParseGenesis([]byte(`{"chain_id": "t", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [], "accounts": [{"id": "alice"}]}`))
	h.Genesis(g)
	for _, amt := range []uint64{100, 250} {
		h.Apply(h.Time.Add(time.Minute), []*ledger.Command{{Actor: "alice", Payload: &govtest.SetStake{Account: "alice", Amount: ledger.NewAmount(amt)}}})
	}
	st := ledger.NewState(h.Store)
	for height := uint64(0); height <= 2; height++ {
		s, _, _ := govtest.Module{}.StakeAt(st, "alice", height)
		total, _ := govtest.Module{}.TotalStakeAt(st, height)
		fmt.Printf("height %d: alice %s, total %s\n", height, s, total)
	}
	// Output:
	// height 0: alice 0, total 0
	// height 1: alice 100, total 100
	// height 2: alice 250, total 250
}
