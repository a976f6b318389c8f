package ledger_test

import (
	"fmt"
	"time"

	"github.com/coopera/coopera/ledger"
)

// hostStore is a host's state: its own Reader (here over a MemStore, as
// a service's would be over its database), counting the reads it serves.
type hostStore struct {
	st    *ledger.MemStore
	reads int
}

func (h *hostStore) Get(key []byte) ([]byte, bool, error) {
	h.reads++
	v, ok := h.st.Lookup(key)
	return v, ok, nil
}

func (h *hostStore) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	h.st.View().Scan(prefix, fn)
	return nil
}

// A host that keeps the step's state from block to block
// (KeepStateBytes) and vouches for each block it has applied (Applied)
// decides the same blocks as one that does not, reading its store less:
// the balances a block wrote are what the next block reads.
func ExampleStep_Applied() {
	g := &ledger.Genesis{ChainID: "example", GenesisTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		EpochLength: ledger.Duration(24 * time.Hour), Assets: []ledger.GenesisAsset{{ID: "COOP", Decimals: 6}},
		Accounts:    []ledger.GenesisAccount{{ID: "alice"}, {ID: "bob"}},
		Allocations: []ledger.GenesisAllocation{{Account: "alice", Asset: "COOP", Amount: ledger.NewAmount(1_000)}}}
	m, _ := ledger.NewMachine()
	run := func(opts ledger.StepOptions) (*hostStore, ledger.Head) {
		h := &hostStore{st: ledger.NewMemStore()}
		step := ledger.NewStep(m, opts)
		rd, _ := step.Genesis(h, g)
		h.st.Apply(rd.Changes)
		head := rd.Head
		for i := range 10 {
			pay := &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(uint64(i + 1))}}}}
			rd, err := step.Execute(h, ledger.BlockInput{Prev: head, Time: head.Time + int64(time.Second), Commands: []*ledger.Command{pay}})
			if err != nil {
				panic(err)
			}
			h.st.Apply(rd.Changes) // the host's write: in a service, its database batch
			step.Applied()         // nothing else changed the state since
			head = rd.Head
		}
		return h, head
	}
	fresh, freshHead := run(ledger.StepOptions{})
	kept, keptHead := run(ledger.StepOptions{KeepStateBytes: 1 << 20})
	bob, _ := ledger.BalanceOf(kept.st.View(), "bob", "COOP")
	fmt.Println("bob:", bob, "same head:", keptHead == freshHead)
	fmt.Println("store reads, kept / fresh:", kept.reads, "/", fresh.reads)
	// Output:
	// bob: 55 same head: true
	// store reads, kept / fresh: 13 / 67
}
