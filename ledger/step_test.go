package ledger_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// panicky is a test module that panics on command (in Decide, in an Evolve
// reached through Emit, or at the end of an epoch) to show that the block
// step turns a reducer's panic into a typed rejection and keeps going.
type panicky struct {
	ledgertest.Faucet
	where *string
}

type boom struct{}

func (*boom) Type() string           { return "boom" }
func (*boom) Encode(*ledger.Encoder) {}
func (*boom) Decode(*ledger.Decoder) {}
func (*boom) Validate() error        { return nil }
func (*boom) EventType() string      { return "boomed" }
func (*boom) EventVersion() uint16   { return 1 }
func (panicky) Name() string         { return "panicky" }
func (panicky) Events() []ledger.EventSpec {
	return []ledger.EventSpec{{Type: "boomed", Version: 1, New: func() ledger.Event { return new(boom) }}}
}
func (panicky) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{{Type: "boom", New: func() ledger.Payload { return new(boom) }}}
}
func (p panicky) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	if err := ctx.Emit(&boom{}); err != nil { // its write is undone with the rejection
		return err
	}
	if *p.where == "decide" {
		var m map[string]int
		m["x"] = 1 // a nil-map write: a runtime panic
	}
	return nil
}
func (p panicky) Evolve(st *ledger.State, ev ledger.Event) error {
	if *p.where == "evolve" {
		panic("evolve broke")
	}
	st.Set([]byte("x/boomed"), []byte{1})
	return nil
}
func (p panicky) EndEpoch(ctx *ledger.Context, epoch uint64) error {
	if *p.where == "epoch" {
		panic(errors.New("end of epoch broke"))
	}
	return nil
}

func stepGenesis(t *testing.T) *ledger.Genesis {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "step", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1m",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "a"}, {"id": "b"}],
	 "allocations": [{"account": "a", "asset": "COOP", "amount": "1000"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestStepRecoversReducerPanics(t *testing.T) {
	where := ""
	h, err := ledgertest.New(panicky{where: &where})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(stepGenesis(t)); err != nil {
		t.Fatal(err)
	}
	pay := &ledger.Command{Actor: "a", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(5)}}}}
	for _, w := range []string{"decide", "evolve"} {
		where = w
		root := h.Acc.Root()
		b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{{Actor: "a", Payload: &boom{}}, pay})
		if err != nil {
			t.Fatalf("%s: the block failed instead of rejecting the command: %v", w, err)
		}
		if r := b.Results[0]; r.Code != ledger.ErrReducerPanic.Code {
			t.Fatalf("%s: result %+v, want %s", w, r, ledger.ErrReducerPanic.Code)
		}
		if b.Results[1].Code != "" {
			t.Fatalf("%s: the next command was rejected too: %+v", w, b.Results[1])
		}
		if _, ok := h.Get([]byte("x/boomed")); ok {
			t.Fatalf("%s: the panicking command's writes were kept", w)
		}
		if h.Acc.Root() == root {
			t.Fatalf("%s: the transfer after the panic changed nothing", w)
		}
	}
	// A panic in end-of-epoch work fails that module's work (recorded),
	// and the epoch closes anyway.
	where = "epoch"
	b, err := h.Next(h.Time.Add(2*time.Minute), []*ledger.Command{pay})
	if err != nil {
		t.Fatal(err)
	}
	if b.Commands[0].Payload.Type() != "close_epoch" || b.Results[0].Code != "" {
		t.Fatalf("the epoch did not close: %+v", b.Results)
	}
	var failed *ledger.EpochWorkFailed
	for _, ev := range b.Events {
		if f, ok := ev.(*ledger.EpochWorkFailed); ok {
			failed = f
		}
	}
	if failed == nil || failed.Module != "panicky" || failed.Code != ledger.ErrReducerPanic.Code {
		t.Fatalf("epoch_work_failed = %+v, want the panicky module's reducer_panic", failed)
	}
	if err := h.ReplayAll(); err != nil {
		t.Fatal(err)
	}
}

// TestStepApplyRunsNoDecisions records a history, then replays it with a
// machine whose decision code fails on every call: Apply runs Evolve only,
// so every root is reproduced.
func TestStepApplyRunsNoDecisions(t *testing.T) {
	where := ""
	h, err := ledgertest.New(panicky{where: &where})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(stepGenesis(t)); err != nil {
		t.Fatal(err)
	}
	at := h.Time
	for i := range 5 {
		at = at.Add(40 * time.Second)
		cmds := []*ledger.Command{{Actor: "a", Payload: &boom{}}, {Actor: "a", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(uint64(i + 1))}}}}}
		if _, err := h.Next(at, cmds); err != nil {
			t.Fatal(err)
		}
	}
	where = "decide" // every Decide now panics, and so does every EndEpoch below
	decideFails := decisionless{panicky{where: &where}}
	m, err := ledger.NewMachine(decideFails)
	if err != nil {
		t.Fatal(err)
	}
	step := ledger.NewStep(m, ledger.StepOptions{})
	st := ledger.NewMemStore()
	var head ledger.Head
	for _, b := range h.Blocks {
		d, err := m.Registry().DecodeBlock(b.Raw())
		if err != nil {
			t.Fatal(err)
		}
		rd, err := step.Apply(st, head, d)
		if err != nil {
			t.Fatalf("block %d: %v", b.Height, err)
		}
		st.Apply(rd.Changes)
		head = rd.Head
	}
	if head.StateRoot != h.Acc.Root() || head.Hash != h.Prev {
		t.Fatal("replay without decisions ends elsewhere")
	}
}

// decisionless fails every decision.
type decisionless struct{ panicky }

func (decisionless) Decide(*ledger.Context, *ledger.Command) error {
	panic("Decide called during replay")
}
func (decisionless) EndEpoch(*ledger.Context, uint64) error {
	panic("EndEpoch called during replay")
}

func TestStepApplyRefusesBadBlocks(t *testing.T) {
	h, err := ledgertest.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(stepGenesis(t)); err != nil {
		t.Fatal(err)
	}
	genesis := h.Blocks[0]
	var head0 ledger.Head
	rd0, err := h.Step.Apply(ledger.NewMemStore(), head0, genesis)
	if err != nil {
		t.Fatal(err)
	}
	pay := &ledger.Command{Actor: "a", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(5)}}}}
	b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{pay})
	if err != nil {
		t.Fatal(err)
	}
	base := ledger.NewMemStore()
	base.Apply(rd0.Changes)

	// Linked to another parent.
	bad := *rd0
	bad.Head.Hash[0] ^= 1
	if _, err := h.Step.Apply(base, bad.Head, b); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("a block on another parent: %v, want ErrCorrupt", err)
	}
	// A root that its events do not give.
	forged := *b
	forged.StateRoot[0] ^= 1
	forged.Seal()
	if _, err := h.Step.Apply(base, rd0.Head, &forged); !errors.Is(err, ledger.ErrDivergence) {
		t.Fatalf("a forged root: %v, want ErrDivergence", err)
	}
	if _, err := h.Step.Apply(base, rd0.Head, b); err != nil {
		t.Fatalf("the real block: %v", err)
	}

	// ApplyUnrooted leaves the root to the host: the forged block
	// applies, and its changes, folded into the parent's accumulator,
	// give a root RootCheck refuses with the very error Apply gives.
	rd, err := h.Step.ApplyUnrooted(base, rd0.Head, &forged)
	if err != nil {
		t.Fatalf("ApplyUnrooted of the forged block: %v", err)
	}
	if rd.Head.StateRoot != forged.StateRoot || rd.Head.Hash != forged.Hash() || rd.Head.Acc != (ledger.LtHash{}) {
		t.Fatal("ApplyUnrooted's head is not the block's, without an accumulator")
	}
	acc := rd0.Head.Acc
	acc.Apply(rd.Changes)
	_, applyErr := h.Step.Apply(base, rd0.Head, &forged)
	if err := ledger.RootCheck(forged.Height, acc.Root(), forged.StateRoot); err == nil || err.Error() != applyErr.Error() {
		t.Fatalf("RootCheck: %v, want Apply's %v", err, applyErr)
	}
	if err := ledger.RootCheck(b.Height, acc.Root(), b.StateRoot); err != nil {
		t.Fatalf("the real block's root: %v", err)
	}
	if _, err := h.Step.ApplyUnrooted(base, bad.Head, b); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("ApplyUnrooted of a block on another parent: %v, want ErrCorrupt", err)
	}
}

func TestStepDedupesIdempotencyKeys(t *testing.T) {
	h, err := ledgertest.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(stepGenesis(t)); err != nil {
		t.Fatal(err)
	}
	pay := func(key string, amt uint64) *ledger.Command {
		return &ledger.Command{Actor: "a", Key: key, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(amt)}}}}
	}
	prev := ledger.Head{Height: h.Height, Hash: h.Prev, StateRoot: h.Acc.Root(), Time: h.Time.UnixNano(), Acc: h.Acc}
	stored := ledger.IdemEntry{Actor: "a", Key: "old", Height: 7, ContentHash: pay("old", 1).ContentHash()}
	lookup := func(a ledger.AccountID, k string) (ledger.IdemEntry, bool, error) {
		if a == "a" && k == "old" {
			return stored, true, nil
		}
		return ledger.IdemEntry{}, false, nil
	}
	rd, err := h.Step.Execute(h.Store, ledger.BlockInput{Prev: prev, Time: prev.Time + 1, Idem: lookup,
		Commands: []*ledger.Command{pay("k", 1), pay("k", 1), pay("k", 2), pay("old", 1), pay("old", 3), pay("", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Slot{{Exec: 0, DupOf: -1}, {Exec: -1, DupOf: 0}, {Exec: -1, DupOf: -1, Conflict: true}, {Exec: -1, DupOf: -1, Stored: &stored}, {Exec: -1, DupOf: -1, Conflict: true}, {Exec: 1, DupOf: -1}}
	for i, s := range rd.Slots {
		w := want[i]
		if s.Exec != w.Exec || s.DupOf != w.DupOf || s.Conflict != w.Conflict || (s.Stored == nil) != (w.Stored == nil) {
			t.Fatalf("slot %d = %+v, want %+v", i, s, w)
		}
	}
	if len(rd.Block.Commands) != 2 || len(rd.Idem) != 1 || rd.Idem[0].Key != "k" || rd.Idem[0].Height != prev.Height+1 {
		t.Fatalf("block has %d commands and idempotency entries %+v", len(rd.Block.Commands), rd.Idem)
	}
	// Only duplicates: no block.
	rd, err = h.Step.Execute(h.Store, ledger.BlockInput{Prev: prev, Time: prev.Time + 1, Idem: lookup, Commands: []*ledger.Command{pay("old", 1)}})
	if err != nil || rd.Block != nil {
		t.Fatalf("a batch of duplicates gave block %v, %v", rd.Block, err)
	}
}

// TestStepBoundsBlockTime: with params.ledger, a block's time runs at most
// max_time_step ahead of its parent's. Execute clamps a clock that runs
// ahead (and says by how much); Apply refuses a block further ahead.
func TestStepBoundsBlockTime(t *testing.T) {
	h, err := ledgertest.New()
	if err != nil {
		t.Fatal(err)
	}
	g := stepGenesis(t)
	g.Params = map[string]json.RawMessage{"ledger": json.RawMessage(`{"max_time_step": "90s"}`)}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.ChainParamsAt(h, 1)
	if err != nil || cp.MaxBlockStep() != int64(90*time.Second) {
		t.Fatalf("params %+v, %v", cp, err)
	}
	prev := h.Blocks[0]
	head := ledger.Head{Height: 0, Hash: prev.Hash(), StateRoot: prev.StateRoot, Time: prev.Time, Acc: h.Acc}
	skew := 10 * 365 * 24 * time.Hour
	rd, err := h.Step.Execute(h.Store, ledger.BlockInput{Prev: head, Time: prev.Time + int64(skew),
		Commands: []*ledger.Command{{Actor: "a", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(1)}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rd.Block.Time - prev.Time; got != int64(90*time.Second) {
		t.Fatalf("a clock ten years ahead gave a block %s after its parent, want 90s", time.Duration(got))
	}
	if rd.ClockAhead != int64(skew-90*time.Second) {
		t.Fatalf("ClockAhead %d", rd.ClockAhead)
	}
	if rd.Closes != 1 {
		t.Fatalf("%d epochs closed in one block, want 1 (1m epochs, 90s step)", rd.Closes)
	}
	// A block that claims to be further ahead is refused by followers.
	forged := *rd.Block
	forged.Time = prev.Time + int64(91*time.Second)
	forged.Seal()
	if _, err := h.Step.Apply(h.Store, head, &forged); !errors.Is(err, ledger.ErrCorrupt) {
		t.Fatalf("a block 91s after its parent: %v, want ErrCorrupt", err)
	}
	// Governance changes it like any parameter.
	enc, err := ledger.ParamsAt(h, "ledger", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (ledger.Chain{}).SetParam(enc, "max_time_step", json.RawMessage(`"0s"`)); !errors.Is(err, ledger.ErrInvalidParameter) {
		t.Fatalf("a zero step: %v", err)
	}
	if _, err := (ledger.Chain{}).SetParam(enc, "sequencer_keys", json.RawMessage(`["00"]`)); !errors.Is(err, ledger.ErrInvalidParameter) {
		t.Fatalf("a one-byte key: %v", err)
	}
	next, err := (ledger.Chain{}).SetParam(enc, "max_time_step", json.RawMessage(`"1h"`))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := (ledger.Chain{}).ParamsJSON(next)
	if string(js) != `{"sequencer_keys":[],"max_time_step":"1h0m0s"}` {
		t.Fatalf("params %s", js)
	}
}

// TestStepCommitTo: a step with NoChanges commits its blocks into the
// MemStore they were decided over (CommitTo) and leaves the store exactly
// as applying the blocks' changes does; CommitTo without a decided block,
// twice, or into another store is refused.
func TestStepCommitTo(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	g := stepGenesis(t)
	listed, direct := ledger.NewMemStore(), ledger.NewMemStore()
	withList := ledger.NewStep(m, ledger.StepOptions{NoRoots: true})
	noList := ledger.NewStep(m, ledger.StepOptions{NoRoots: true, NoChanges: true})
	if err := noList.CommitTo(direct); err == nil {
		t.Fatal("CommitTo before any block was accepted")
	}
	rd1, err := withList.Genesis(listed, g)
	if err != nil {
		t.Fatal(err)
	}
	listed.Apply(rd1.Changes)
	rd2, err := noList.Genesis(direct, g)
	if err != nil {
		t.Fatal(err)
	}
	if rd2.Changes != nil {
		t.Fatalf("NoChanges: genesis gave %d changes", len(rd2.Changes))
	}
	if err := noList.CommitTo(direct); err != nil {
		t.Fatal(err)
	}
	if err := noList.CommitTo(direct); err == nil {
		t.Fatal("a second CommitTo of the same block was accepted")
	}
	pay := func(from, to ledger.AccountID, amt uint64) *ledger.Command {
		return &ledger.Command{Actor: from, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: to, Asset: "COOP", Amount: ledger.NewAmount(amt)}}}}
	}
	create := &ledger.Command{Actor: "c", Payload: &ledger.CreateAccount{Account: "c"}}
	head1, head2 := rd1.Head, rd2.Head
	blocks := [][]*ledger.Command{
		{pay("a", "b", 10), pay("b", "a", 1)},
		{create, pay("a", "c", 5), pay("c", "b", 99)}, // the last is refused
		{pay("a", "b", 1)},                            // decided, then dropped (not committed)
		{pay("c", "a", 5), pay("b", "c", 2)},
	}
	for i, cmds := range blocks {
		in := ledger.BlockInput{Time: head1.Time + int64(i+1)*int64(time.Second), Commands: cmds}
		in.Prev = head1
		a, err := withList.Execute(listed, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Prev = head2
		b, err := noList.Execute(direct, in)
		if err != nil {
			t.Fatal(err)
		}
		if b.Changes != nil {
			t.Fatalf("block %d: NoChanges gave %d changes", i, len(b.Changes))
		}
		if i == 1 && (a.Block.Results[1].Code != "" || a.Block.Results[2].Code == "") {
			t.Fatalf("block 1 results %+v; want the create and the first transfer applied, the second refused", a.Block.Results)
		}
		if i == 2 {
			continue // dropped by both
		}
		listed.Apply(a.Changes)
		if err := noList.CommitTo(direct); err != nil {
			t.Fatal(err)
		}
		head1, head2 = a.Head, b.Head
		if err := noList.CommitTo(listed); err == nil {
			t.Fatal("CommitTo into another store was accepted")
		}
		dump := func(s *ledger.MemStore) (out []string) {
			s.View().Scan(nil, func(k, v []byte) bool { out = append(out, string(k)+"="+string(v)); return true })
			return out
		}
		if l, d := dump(listed), dump(direct); !slices.Equal(l, d) || listed.Len() != direct.Len() {
			t.Fatalf("block %d: committed with CommitTo the store holds\n%q\nwith the changes applied\n%q", i, d, l)
		}
	}
	if _, ok := direct.Lookup(ledger.AccountKey("c")); !ok {
		t.Fatal("the account created in block 1 is not in the store")
	}
}

// memReader reads a MemStore through its view, so that a State over it
// does not take the MemStore path (the engine's Reader is its own cache).
type memReader struct {
	s    *ledger.MemStore
	gets *int // counts Get calls
}

func (r memReader) Get(key []byte) ([]byte, bool, error) {
	*r.gets++
	v, ok := r.s.Lookup(key)
	return v, ok, nil
}

func (r memReader) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	r.s.View().Scan(prefix, fn)
	return nil
}

// A Step that keeps its state from block to block over a plain Reader
// (KeepStateBytes) decides the same blocks as one that reads everything
// afresh: with the host's Applied after each applied block, after a block
// decided and dropped, and after the state was changed behind its back;
// and it reads the Reader less.
func TestStepKeepsStateOverReader(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	g := stepGenesis(t)
	freshStore, keptStore := ledger.NewMemStore(), ledger.NewMemStore()
	var freshGets, keptGets int
	freshR, keptR := memReader{freshStore, &freshGets}, memReader{keptStore, &keptGets}
	fresh := ledger.NewStep(m, ledger.StepOptions{})
	kept := ledger.NewStep(m, ledger.StepOptions{KeepStateBytes: 1 << 20})
	rd1, err := fresh.Genesis(freshR, g)
	if err != nil {
		t.Fatal(err)
	}
	freshStore.Apply(rd1.Changes)
	rd2, err := kept.Genesis(keptR, g)
	if err != nil {
		t.Fatal(err)
	}
	keptStore.Apply(rd2.Changes)
	kept.Applied()
	pay := func(from, to ledger.AccountID, amt uint64) *ledger.Command {
		return &ledger.Command{Actor: from, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: to, Asset: "COOP", Amount: ledger.NewAmount(amt)}}}}
	}
	head := rd1.Head
	for i := range 12 {
		cmds := []*ledger.Command{pay("a", "b", uint64(1+i)), pay("b", "a", 2), pay("b", "a", 1<<40)} // the last is refused
		in := ledger.BlockInput{Prev: head, Time: head.Time + int64(time.Second), Commands: cmds}
		a, err := fresh.Execute(freshR, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := kept.Execute(keptR, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.Head.StateRoot != b.Head.StateRoot || a.Head.Hash != b.Head.Hash {
			t.Fatalf("block %d: kept state gives root %s, afresh %s", i, b.Head.StateRoot.Short(), a.Head.StateRoot.Short())
		}
		switch i % 4 {
		case 1: // decided and dropped
			continue
		case 2: // applied, then a's balance changed behind the step's back
			ext := []ledger.Change{{Key: ledger.BalanceKey("a", "COOP"), New: ledger.EncodeAmount(ledger.NewAmount(uint64(5000 + i))), NewOK: true}}
			freshStore.Apply(a.Changes)
			keptStore.Apply(b.Changes)
			freshStore.Apply(ext)
			keptStore.Apply(ext)
		default:
			freshStore.Apply(a.Changes)
			keptStore.Apply(b.Changes)
			kept.Applied()
		}
		head = a.Head
		if i%4 == 2 {
			// The changed balance is part of the next root: recompute
			// the accumulator from the store.
			var acc ledger.LtHash
			var changes []ledger.Change
			freshStore.View().Scan(nil, func(k, v []byte) bool {
				changes = append(changes, ledger.Change{Key: k, New: v, NewOK: true})
				return true
			})
			acc.Apply(changes)
			head.Acc = acc
		}
	}
	// Half the blocks follow an Applied: their kept keys are not read.
	if keptGets*4 > freshGets*3 {
		t.Fatalf("the keeping step read the Reader %d times, the fresh one %d; want a quarter fewer at least", keptGets, freshGets)
	}
	t.Logf("Reader reads: kept %d, fresh %d", keptGets, freshGets)
}

// TestStepApplyNonceUsed: a command rejected after its nonce check carries
// one event, its nonce's use, which Apply replays; a rejected command with
// any other event, or with its nonce's use for another actor or nonce, is
// a corrupt block.
func TestStepApplyNonceUsed(t *testing.T) {
	h, err := ledgertest.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(stepGenesis(t)); err != nil {
		t.Fatal(err)
	}
	var head0 ledger.Head
	rd0, err := h.Step.Apply(ledger.NewMemStore(), head0, h.Blocks[0])
	if err != nil {
		t.Fatal(err)
	}
	over := &ledger.Command{Actor: "a", Nonce: 3, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(5000)}}}}
	b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{over})
	if err != nil {
		t.Fatal(err)
	}
	if b.Results[0].Code != ledger.ErrInsufficientFunds.Code || b.Results[0].Events != 1 {
		t.Fatalf("result %+v, want an overdraft with one event", b.Results[0])
	}
	if nu, ok := b.Events[0].(*ledger.NonceUsed); !ok || nu.Account != "a" || nu.Nonce != 3 {
		t.Fatalf("event %s, want a's nonce 3 used", ledger.DescribeEvent(b.Events[0]))
	}
	base := ledger.NewMemStore()
	base.Apply(rd0.Changes)
	rd, err := h.Step.Apply(base, rd0.Head, b)
	if err != nil {
		t.Fatalf("the real block: %v", err)
	}
	after := ledger.NewMemStore()
	after.Apply(rd0.Changes)
	after.Apply(rd.Changes)
	if last, err := ledger.LastNonce(after.View(), "a"); err != nil || last != 3 {
		t.Fatalf("a's last nonce after Apply: %d (%v), want 3", last, err)
	}
	for name, ev := range map[string]ledger.Event{
		"another event":             &ledger.Transferred{From: "a", To: "b", Asset: "COOP", Amount: ledger.NewAmount(1)},
		"another actor":             &ledger.NonceUsed{Account: "b", Nonce: 3},
		"another nonce":             &ledger.NonceUsed{Account: "a", Nonce: 4},
		"a count without its event": nil,
	} {
		forged := *b
		forged.Events = []ledger.Event{ev}
		if ev == nil {
			forged.Events = nil
		}
		forged.Seal()
		if _, err := h.Step.Apply(base, rd0.Head, &forged); !errors.Is(err, ledger.ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

// TestRejectedCloseEpochUsesNoNonce: no key binds a close_epoch's actor
// (only a sequencer puts one in a block), so its rejection must not use
// the nonce of whatever account it names, or a close for the wrong epoch
// could push an account's nonce out of reach.
func TestRejectedCloseEpochUsesNoNonce(t *testing.T) {
	h, err := ledgertest.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(stepGenesis(t)); err != nil {
		t.Fatal(err)
	}
	cl := &ledger.Command{Actor: "a", Nonce: 1 << 62, Payload: &ledger.CloseEpoch{Epoch: 7}}
	b, err := h.Next(h.Time.Add(time.Second), []*ledger.Command{cl})
	if err != nil {
		t.Fatal(err)
	}
	if r := b.Results[len(b.Results)-1]; r.Code == "" || r.Events != 0 {
		t.Fatalf("a close of an epoch not due: %+v, want a rejection with no event", r)
	}
	if last, err := ledger.LastNonce(h, "a"); err != nil || last != 0 {
		t.Fatalf("a's last nonce %d (%v), want 0", last, err)
	}
}

// TestStepRulesFrom: below StepOptions.RulesFrom a block is decided by
// RulesV1 (a rejected command uses no nonce), from it on by LatestRules;
// a step with the same RulesFrom re-executes either block to the same
// hash, one with another RulesFrom decides the legacy block differently
// (a follower on it would stop).
func TestStepRulesFrom(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	// run decides blocks 1 and 2, an overdraft each, with RulesFrom from,
	// and returns their hashes and the overdrafts' event counts.
	run := func(from uint64) (hashes [2]ledger.Hash, events [2]uint32) {
		t.Helper()
		c := ledgertest.NewChain(t, m, ledger.StepOptions{RulesFrom: from}, stepGenesis(t))
		for i := range 2 {
			b := c.Next(t, &ledger.Command{Actor: "b", Nonce: uint64(i + 1), Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "a", Asset: "COOP", Amount: ledger.NewAmount(5)}}}})
			hashes[i], events[i] = b.Hash(), b.Results[0].Events
		}
		return hashes, events
	}
	upgraded, ev := run(2)
	if ev != [2]uint32{0, 1} {
		t.Fatalf("overdrafts' events %v with the rules from block 2, want [0 1]: block 1 by RulesV1, block 2 by LatestRules", ev)
	}
	if again, _ := run(2); again != upgraded {
		t.Fatal("the same RulesFrom decided the blocks differently")
	}
	latest, ev := run(0)
	if ev != [2]uint32{1, 1} || latest[0] == upgraded[0] {
		t.Fatalf("overdrafts' events %v with the latest rules throughout, want [1 1] and another block 1", ev)
	}
}
