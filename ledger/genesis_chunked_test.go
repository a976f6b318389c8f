package ledger_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
)

// bigGenesis has n accounts, each funded in two assets, so that the
// supply counters are rewritten by every chunk.
func bigGenesis(n int) *ledger.Genesis {
	g := &ledger.Genesis{ChainID: "chunks", GenesisTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), EpochLength: ledger.Duration(time.Hour),
		Assets: []ledger.GenesisAsset{{ID: "COOP", Decimals: 6}, {ID: "USDC", Decimals: 6}}}
	for i := range n {
		id := ledger.AccountID(fmt.Sprintf("u%05d", i))
		g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: id})
		g.Allocations = append(g.Allocations,
			ledger.GenesisAllocation{Account: id, Asset: "COOP", Amount: ledger.NewAmount(uint64(1000 + i))},
			ledger.GenesisAllocation{Account: id, Asset: "USDC", Amount: ledger.NewAmount(uint64(7 + i%3))})
	}
	return g
}

func dumpStore(t *testing.T, s *ledger.MemStore) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.Scan(nil, func(k, v []byte) bool { out[string(k)] = string(v); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

// A chunked genesis gives the very block, root and state of the one-piece
// genesis, whatever the chunk size, and hands every event over once, in
// order.
func TestGenesisChunkedEqualsGenesis(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	g := bigGenesis(300)
	whole := ledger.NewMemStore()
	want, err := ledger.NewStep(m, ledger.StepOptions{}).Genesis(whole, g)
	if err != nil {
		t.Fatal(err)
	}
	whole.Apply(want.Changes)
	wantState := dumpStore(t, whole)
	for _, chunk := range []int{1, 2, 7, 100, 5000} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			st := ledger.NewMemStore()
			var events bytes.Buffer
			flushes, next := 0, 0
			rd, err := ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true}).GenesisChunked(st, g, chunk, func(c *ledger.GenesisChunk) error {
				if c.First != next {
					t.Fatalf("chunk %d starts at event %d, want %d", flushes, c.First, next)
				}
				next += len(c.Events)
				enc := ledger.NewEncoder(nil)
				for _, ev := range c.Events {
					ledger.EncodeEvent(enc, ev)
				}
				events.Write(enc.Bytes())
				st.Apply(c.Changes)
				flushes++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rd.Block.Raw(), want.Block.Raw()) {
				t.Fatalf("chunked block differs from the one-piece block (%d vs %d bytes)", len(rd.Block.Raw()), len(want.Block.Raw()))
			}
			if rd.Head.Hash != want.Head.Hash || rd.Head.StateRoot != want.Head.StateRoot || rd.Head.Acc != want.Head.Acc {
				t.Fatalf("head %s/%s, want %s/%s", rd.Head.Hash.Short(), rd.Head.StateRoot.Short(), want.Head.Hash.Short(), want.Head.StateRoot.Short())
			}
			if chunk < 100 && flushes < 10 {
				t.Fatalf("%d flushes with chunks of %d keys", flushes, chunk)
			}
			enc := ledger.NewEncoder(nil)
			for _, ev := range want.Block.Events {
				ledger.EncodeEvent(enc, ev)
			}
			if next != len(want.Block.Events) || !bytes.Equal(events.Bytes(), enc.Bytes()) {
				t.Fatalf("flushed %d events, the block has %d (or their bytes differ)", next, len(want.Block.Events))
			}
			got := dumpStore(t, st)
			if len(got) != len(wantState) {
				t.Fatalf("%d keys, want %d", len(got), len(wantState))
			}
			for k, v := range wantState {
				if got[k] != v {
					t.Fatalf("key %q = %x, want %x", k, got[k], v)
				}
			}
			b, err := m.Registry().DecodeBlock(rd.Block.Raw())
			if err != nil || b.Hash() != want.Head.Hash {
				t.Fatalf("the chunked block does not decode to itself: %v", err)
			}
		})
	}
}

// A flush that fails stops the genesis with its error.
func TestGenesisChunkedFlushError(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	n := 0
	_, err = ledger.NewStep(m, ledger.StepOptions{}).GenesisChunked(ledger.NewMemStore(), bigGenesis(50), 10, func(*ledger.GenesisChunk) error {
		if n++; n == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 3 {
		t.Fatalf("err %v after %d flushes, want %v after 3", err, n, boom)
	}
	// An invalid genesis is refused before anything is flushed.
	bad := bigGenesis(3)
	bad.Allocations[1].Asset = "NOPE"
	_, err = ledger.NewStep(m, ledger.StepOptions{}).GenesisChunked(ledger.NewMemStore(), bad, 1, func(*ledger.GenesisChunk) error {
		t.Fatal("an invalid genesis was flushed")
		return nil
	})
	if !errors.Is(err, ledger.ErrInvalidGenesis) {
		t.Fatalf("err %v, want ErrInvalidGenesis", err)
	}
}

// WriteGenesisJSON writes exactly what json.Marshal writes.
func TestWriteGenesisJSONMatchesMarshal(t *testing.T) {
	full := bigGenesis(20)
	full.RequireSignatures = true
	full.Accounts[3].PublicKey = make(ledger.PublicKey, 32)
	full.Assets[0].Name = "Coopera <&>"
	full.Params = map[string]json.RawMessage{"tokenomics": json.RawMessage(`{ "fee_bps": 100, "a": [1, 2] }`), "chain": json.RawMessage(`{}`)}
	empty := &ledger.Genesis{ChainID: "e", Accounts: []ledger.GenesisAccount{}}
	for i, g := range []*ledger.Genesis{full, bigGenesis(0), empty, {}} {
		want, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := ledger.WriteGenesisJSON(&got, g); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("genesis %d:\n got %s\nwant %s", i, got.Bytes(), want)
		}
	}
}
