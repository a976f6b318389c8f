package tokenomics

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/coopera/coopera/ledger"
)

// A pool and an agent read through a State are kept decoded (Record),
// and what the State keeps always encodes to the bytes the key holds:
// after an Evolve that writes them, after that command is rolled back,
// in the next block, and after a reader changed the copy it was given.
func TestKeptRecordsFollowTheirBytes(t *testing.T) {
	mem := ledger.NewMemStore()
	pool := Pool{ID: "p", Units: ledger.NewAmount(100), Acc: natOf(big.NewInt(7)), Received: ledger.NewAmount(50), Frac: natOf(big.NewInt(3))}
	agent := Agent{ID: "ag", Creator: "alice", PriceIn: 2, PriceOut: 3}
	enc := func(r record) []byte {
		e := ledger.NewEncoder(nil)
		r.enc(e)
		return e.Bytes()
	}
	mem.Apply([]ledger.Change{
		{Key: agentKey("ag"), New: enc(&agent), NewOK: true},
		{Key: poolKey("p"), New: enc(&pool), NewOK: true},
	})
	st := ledger.NewState(mem)
	same := func(when string) {
		t.Helper()
		for _, k := range [][]byte{poolKey("p"), agentKey("ag")} {
			v, _ := st.Get(k)
			r, ok := st.Record(k)
			if !ok {
				continue
			}
			e := ledger.NewEncoder(nil)
			r.EncodeTo(e)
			if !bytes.Equal(e.Bytes(), v) {
				t.Fatalf("%s: %q is kept as %x, holds %x", when, k, e.Bytes(), v)
			}
		}
	}
	pl, err := getPool(st, "p")
	if err != nil || pl.Acc.Cmp(big.NewInt(7)) != 0 {
		t.Fatalf("pool %+v, %v", pl, err)
	}
	if _, ok := st.Record(poolKey("p")); !ok {
		t.Fatal("the pool was not kept decoded")
	}
	if ag, ok, err := GetAgent(st, "ag"); err != nil || !ok || ag.Creator != "alice" {
		t.Fatalf("agent %+v %v %v", ag, ok, err)
	}
	same("read")

	// A reader's copy is its own.
	info, err := PoolOf(st, "p")
	if err != nil {
		t.Fatal(err)
	}
	info.Acc.Add(info.Acc.Int, big.NewInt(1000))
	same("after a query's caller changed its copy")

	// A command rewards the pool, then is rolled back.
	m := st.Mark()
	if err := evolvePoolRewarded(st, &PoolRewarded{Pool: "p", Amount: ledger.NewAmount(10), Credited: ledger.NewAmount(10), Acc: natOf(big.NewInt(9)), Frac: natOf(big.NewInt(1))}); err != nil {
		t.Fatal(err)
	}
	if pl, _ := getPool(st, "p"); pl.Acc.Cmp(big.NewInt(9)) != 0 || pl.Received != ledger.NewAmount(60) {
		t.Fatalf("after the reward the pool is %+v", pl)
	}
	same("rewarded")
	st.Rollback(m)
	if pl, _ := getPool(st, "p"); pl.Acc.Cmp(big.NewInt(7)) != 0 || pl.Received != ledger.NewAmount(50) {
		t.Fatalf("after the rollback the pool is %+v", pl)
	}
	same("rolled back")

	// Rewarded again and committed: the next block reads it back.
	if err := evolvePoolRewarded(st, &PoolRewarded{Pool: "p", Amount: ledger.NewAmount(5), Credited: ledger.NewAmount(5), Acc: natOf(big.NewInt(8)), Frac: natOf(big.NewInt(2))}); err != nil {
		t.Fatal(err)
	}
	mem.Apply(st.Changes())
	next := ledger.NewState(mem)
	got, err := getPool(next, "p")
	if err != nil || got.Acc.Cmp(big.NewInt(8)) != 0 || got.Frac.Cmp(big.NewInt(2)) != 0 || got.Received != ledger.NewAmount(55) {
		t.Fatalf("the next block reads the pool as %+v, %v", got, err)
	}
}
