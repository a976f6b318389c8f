package ledger_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/coopera/coopera/ledger"
)

// chunkStore is a GenesisSink over a MemStore: it applies each chunk's
// changes, so the step reads them back, and keeps each chunk's events
// (block 0's body) where Body can hand them back.
type chunkStore struct {
	st     *ledger.MemStore
	bodies [][]byte
}

func (c *chunkStore) Chunk(ch *ledger.GenesisChunk) error {
	c.st.Apply(ch.Changes)
	c.bodies = append(c.bodies, bytes.Clone(ch.Body))
	return nil
}

func (c *chunkStore) Body(fn func([]byte) error) error {
	for _, b := range c.bodies {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// A genesis of 1,000 funded accounts applied in chunks of 200 state keys
// gives the block, hash and state root of the genesis applied whole; its
// block 0 is the returned prefix followed by the chunks' bodies, which
// ApplyGenesisChunked replays, from pieces of any size, to the same head.
func ExampleStep_GenesisChunked() {
	g := &ledger.Genesis{ChainID: "example", GenesisTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		EpochLength: ledger.Duration(24 * time.Hour), Assets: []ledger.GenesisAsset{{ID: "COOP", Decimals: 6}}}
	for i := range 1000 {
		id := ledger.AccountID(fmt.Sprintf("user%04d", i))
		g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: id})
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: id, Asset: "COOP", Amount: ledger.NewAmount(1_000_000)})
	}
	m, _ := ledger.NewMachine()
	whole, _ := ledger.NewStep(m, ledger.StepOptions{}).Genesis(ledger.NewMemStore(), g)

	sink := &chunkStore{st: ledger.NewMemStore()}
	gb, err := ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true}).GenesisChunked(sink.st, g, 200, sink)
	if err != nil {
		fmt.Println(err)
		return
	}
	block0 := append(bytes.Clone(gb.Prefix), bytes.Join(sink.bodies, nil)...)
	fmt.Println("chunks:", len(sink.bodies), "events:", gb.Events)
	fmt.Println("same block 0:", bytes.Equal(block0, whole.Block.Raw()), "same head:", gb.Head == whole.Head)

	replayed := &chunkStore{st: ledger.NewMemStore()}
	pieces := func(fn func([]byte) error) error { // 4 KiB at a time
		for b := block0; len(b) > 0; b = b[min(len(b), 4096):] {
			if err := fn(b[:min(len(b), 4096)]); err != nil {
				return err
			}
		}
		return nil
	}
	back, err := ledger.NewStep(m, ledger.StepOptions{}).ApplyGenesisChunked(replayed.st, pieces, 200, replayed)
	fmt.Println("replayed to the same head:", err == nil && back.Head == gb.Head)
	// Output:
	// chunks: 11 events: 2003
	// same block 0: true same head: true
	// replayed to the same head: true
}
