package ledger_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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

// memSink is a ledger.GenesisSink over a MemStore: it applies each chunk,
// checks that the chunks' events follow each other, and keeps the chunks'
// bodies (whose events it checks against the chunk's).
type memSink struct {
	t       *testing.T
	st      *ledger.MemStore
	bodies  [][]byte
	next    int
	fail    int // Chunk fails on this call (1-based), if not 0
	failErr error
}

func (s *memSink) Chunk(c *ledger.GenesisChunk) error {
	if s.fail != 0 && len(s.bodies)+1 == s.fail {
		return s.failErr
	}
	if c.First != s.next {
		s.t.Fatalf("chunk %d starts at event %d, want %d", len(s.bodies), c.First, s.next)
	}
	s.next += len(c.Events)
	enc := ledger.NewEncoder(nil)
	for _, ev := range c.Events {
		ledger.EncodeEvent(enc, ev)
	}
	if !bytes.Equal(enc.Bytes(), c.Body) {
		s.t.Fatalf("chunk %d: its Body is not its events", len(s.bodies))
	}
	s.bodies = append(s.bodies, bytes.Clone(c.Body))
	s.st.Apply(c.Changes)
	return nil
}

func (s *memSink) Body(fn func([]byte) error) error {
	for _, b := range s.bodies {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
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
			sink := &memSink{t: t, st: ledger.NewMemStore()}
			gb, err := ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true}).GenesisChunked(sink.st, g, chunk, sink)
			if err != nil {
				t.Fatal(err)
			}
			raw := append(bytes.Clone(gb.Prefix), bytes.Join(sink.bodies, nil)...)
			if !bytes.Equal(raw, want.Block.Raw()) {
				t.Fatalf("chunked block differs from the one-piece block (%d vs %d bytes)", len(raw), len(want.Block.Raw()))
			}
			if gb.Head != want.Head {
				t.Fatalf("head %s/%s, want %s/%s", gb.Head.Hash.Short(), gb.Head.StateRoot.Short(), want.Head.Hash.Short(), want.Head.StateRoot.Short())
			}
			if chunk < 100 && len(sink.bodies) < 10 {
				t.Fatalf("%d chunks of %d keys", len(sink.bodies), chunk)
			}
			if sink.next != len(want.Block.Events) {
				t.Fatalf("sent %d events, the block has %d", sink.next, len(want.Block.Events))
			}
			got := dumpStore(t, sink.st)
			if len(got) != len(wantState) {
				t.Fatalf("%d keys, want %d", len(got), len(wantState))
			}
			for k, v := range wantState {
				if got[k] != v {
					t.Fatalf("key %q = %x, want %x", k, got[k], v)
				}
			}
			h, off, err := ledger.DecodeHeader(gb.Prefix)
			if err != nil || h.Hash() != want.Head.Hash || off >= len(gb.Prefix) {
				t.Fatalf("the prefix's header: %v, %v", h, err)
			}
		})
	}
}

// A sink that fails stops the genesis with its error; so does one whose
// kept body cannot be read back.
func TestGenesisChunkedSinkError(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	sink := &memSink{t: t, st: ledger.NewMemStore(), fail: 3, failErr: boom}
	_, err = ledger.NewStep(m, ledger.StepOptions{}).GenesisChunked(sink.st, bigGenesis(50), 10, sink)
	if !errors.Is(err, boom) || len(sink.bodies) != 2 {
		t.Fatalf("err %v after %d chunks, want %v after 2", err, len(sink.bodies), boom)
	}
	lost := &lostBody{memSink{t: t, st: ledger.NewMemStore()}}
	if _, err = ledger.NewStep(m, ledger.StepOptions{}).GenesisChunked(lost.st, bigGenesis(50), 10, lost); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("err %v, want the sink's ErrCorrupt", err)
	}
	// An invalid genesis is refused before anything is sent.
	bad := bigGenesis(3)
	bad.Allocations[1].Asset = "NOPE"
	refuse := &memSink{t: t, st: ledger.NewMemStore(), fail: 1, failErr: errors.New("an invalid genesis was sent")}
	_, err = ledger.NewStep(m, ledger.StepOptions{}).GenesisChunked(refuse.st, bad, 1, refuse)
	if !errors.Is(err, ledger.ErrInvalidGenesis) {
		t.Fatalf("err %v, want ErrInvalidGenesis", err)
	}
	// Without roots there is no block to seal.
	if _, err = ledger.NewStep(m, ledger.StepOptions{NoRoots: true}).GenesisChunked(ledger.NewMemStore(), bigGenesis(3), 1, &memSink{t: t, st: ledger.NewMemStore()}); err == nil {
		t.Fatal("GenesisChunked with NoRoots succeeded")
	}
}

type lostBody struct{ memSink }

func (l *lostBody) Body(func([]byte) error) error {
	return ledger.Errorf(ledger.ErrCorrupt, "a piece is missing")
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

// splitPieces feeds raw to fn in pieces of random sizes (1 to max bytes).
func splitPieces(raw []byte, seed uint64, max int) func(fn func([]byte) error) error {
	return func(fn func([]byte) error) error {
		rng := rand.New(rand.NewPCG(seed, 7))
		for len(raw) > 0 {
			n := min(len(raw), 1+rng.IntN(max))
			if err := fn(raw[:n]); err != nil {
				return err
			}
			raw = raw[n:]
		}
		return nil
	}
}

// Replaying block 0 in chunks, from its bytes cut anywhere, rebuilds the
// state a chunked genesis wrote, hands the same events and bytes to the
// sink, and ends at the same head; a damaged block is refused.
func TestApplyGenesisChunked(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	g := bigGenesis(200)
	orig := &memSink{t: t, st: ledger.NewMemStore()}
	gb, err := ledger.NewStep(m, ledger.StepOptions{}).GenesisChunked(orig.st, g, 50, orig)
	if err != nil {
		t.Fatal(err)
	}
	raw := append(bytes.Clone(gb.Prefix), bytes.Join(orig.bodies, nil)...)
	wantState := dumpStore(t, orig.st)
	replay := func(raw []byte, seed uint64, max, chunk int) (*ledger.GenesisBlock, *memSink, error) {
		sink := &memSink{t: t, st: ledger.NewMemStore()}
		got, err := ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true}).ApplyGenesisChunked(sink.st, splitPieces(raw, seed, max), chunk, sink)
		return got, sink, err
	}
	for i, c := range []struct{ max, chunk int }{{1, 1}, {7, 3}, {100, 64}, {4096, 1000}, {len(raw), 100000}} {
		got, sink, err := replay(raw, uint64(i), c.max, c.chunk)
		if err != nil {
			t.Fatalf("pieces of up to %d bytes, chunks of %d keys: %v", c.max, c.chunk, err)
		}
		if got.Head != gb.Head || !bytes.Equal(got.Prefix, gb.Prefix) || got.Events != gb.Events || gb.Events != 4+3*len(g.Accounts) {
			t.Fatalf("pieces of up to %d bytes: head %s, want %s", c.max, got.Head.Hash.Short(), gb.Head.Hash.Short())
		}
		if !bytes.Equal(bytes.Join(sink.bodies, nil), raw[len(gb.Prefix):]) {
			t.Fatalf("pieces of up to %d bytes: the chunks' bodies are not block 0's events", c.max)
		}
		if st := dumpStore(t, sink.st); len(st) != len(wantState) {
			t.Fatalf("%d keys, want %d", len(st), len(wantState))
		} else {
			for k, v := range wantState {
				if st[k] != v {
					t.Fatalf("key %q = %x, want %x", k, st[k], v)
				}
			}
		}
	}
	// Damage: a flipped byte in the events, a cut, bytes added, and a
	// header whose state root is not the events'.
	flipped := bytes.Clone(raw)
	flipped[len(raw)-len(raw)/3] ^= 0x40
	badRoot := bytes.Clone(raw)
	_, off, err := ledger.DecodeHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	badRoot[off-1] ^= 1 // the header ends with the state root
	for name, c := range map[string]struct {
		raw  []byte
		code error
	}{
		"flipped": {flipped, ledger.ErrCorrupt},
		"cut":     {raw[:len(raw)-5], ledger.ErrCorrupt},
		"longer":  {append(bytes.Clone(raw), raw[len(gb.Prefix):len(gb.Prefix)+40]...), ledger.ErrCorrupt},
		"root":    {badRoot, ledger.ErrDivergence},
	} {
		if _, _, err := replay(c.raw, 1, 300, 64); !errors.Is(err, c.code) {
			t.Fatalf("%s: %v, want %v", name, err, c.code)
		}
	}
	// Any damaged byte of the events is corruption (the body hash), even
	// where it still decodes to an event that does not apply.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 40 {
		bad := bytes.Clone(raw)
		at := len(gb.Prefix) + rng.IntN(len(raw)-len(gb.Prefix))
		bad[at] ^= byte(1 + rng.IntN(255))
		if _, _, err := replay(bad, 2, 500, 64); !errors.Is(err, ledger.ErrCorrupt) {
			t.Fatalf("byte %d damaged: %v, want ErrCorrupt", at, err)
		}
	}

	// GenesisEventsAt finds single events without holding the block.
	whole, err := m.Registry().DecodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	at := []uint32{0, 5, 6, uint32(len(whole.Events) - 1)}
	evs, err := m.Registry().GenesisEventsAt(splitPieces(raw, 9, 333), at)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		want := whole.Events[at[i]]
		a, b := ledger.NewEncoder(nil), ledger.NewEncoder(nil)
		ledger.EncodeEvent(a, ev)
		ledger.EncodeEvent(b, want)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("event %d: got %s, want %s", at[i], ev.EventType(), want.EventType())
		}
	}
	if _, err := m.Registry().GenesisEventsAt(splitPieces(raw, 9, 333), []uint32{uint32(len(whole.Events))}); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("an event past the end: %v, want ErrCorrupt", err)
	}
	if _, err := m.Registry().GenesisEventsAt(splitPieces(flipped, 9, 333), at); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("a damaged block: %v, want ErrCorrupt", err)
	}
}
