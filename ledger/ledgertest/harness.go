// Package ledgertest runs a ledger.Machine on in-memory state for tests,
// and drives it from datadriven golden files. Reducer packages use it for
// their golden tests, so every module is tested through the same state
// machine the engine runs.
//
// Directives understood by Run:
//
//	genesis                 input: a genesis JSON document
//	block [time=RFC3339|+DURATION]
//	                        input: one command JSON per line; prints each
//	                        command's result and events, then the state root
//	balances [account=ID]   prints non-zero balances, sorted
//	supply                  prints each asset's supply counters
//	epoch                   prints the chain's open epoch
//
// After every block the harness checks the block's conservation and the
// whole state's invariants, that replaying the block's events from the
// previous state reproduces its state root, and that a fresh block step,
// which keeps nothing from earlier blocks, decides the very same block:
// the harness's own step keeps its state from block to block, trusting
// what it kept as the simulator and the engine do, so no cached value may
// ever change a decision.
package ledgertest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/coopera/coopera/ledger"
)

// Harness is a ledger on in-memory state, run by the same block step as
// the engine.
type Harness struct {
	M *ledger.Machine
	// Step decides the blocks; it keeps its state from block to block.
	// Replay, a step of its own (so as not to break Step's trust in what
	// it kept), replays each block to check its root.
	Step   *ledger.Step
	Replay *ledger.Step
	// NoFreshCheck skips deciding each block a second time on a fresh
	// step, for tests that count how often decision code runs.
	NoFreshCheck bool
	Store        *ledger.MemStore
	Acc          ledger.LtHash
	Height       uint64
	Time         time.Time
	Prev         ledger.Hash
	Blocks       []*ledger.Block
	head         ledger.Head
}

// New returns a Harness running modules after the built-in ones.
func New(modules ...ledger.Module) (*Harness, error) {
	m, err := ledger.NewMachine(modules...)
	if err != nil {
		return nil, err
	}
	return &Harness{M: m, Step: ledger.NewStep(m, stepOptions), Replay: ledger.NewStep(m, stepOptions), Store: ledger.NewMemStore()}, nil
}

var stepOptions = ledger.StepOptions{CheckInvariants: true, MaxCloses: 1 << 20}

// Genesis applies a genesis document as block 0.
func (h *Harness) Genesis(g *ledger.Genesis) (*ledger.Block, error) {
	rd, err := h.Step.Genesis(h.Store, g)
	if err != nil {
		return nil, err
	}
	h.commit(rd)
	h.Time = g.GenesisTime
	return rd.Block, nil
}

func (h *Harness) commit(rd *ledger.Ready) {
	h.Store.Apply(rd.Changes)
	h.head = rd.Head
	h.Height, h.Acc, h.Prev = rd.Head.Height, rd.Head.Acc, rd.Head.Hash
	h.Blocks = append(h.Blocks, rd.Block)
}

// Apply executes commands, exactly as given, as the next block at time t,
// checks its invariants and that replaying it from the previous state
// (events only) reproduces its root, and commits it. Callers put the
// close_epoch commands due (ledger.EpochCloses) in cmds themselves; Next
// injects them as the engine's sequencer does.
func (h *Harness) Apply(t time.Time, cmds []*ledger.Command) (*ledger.Block, error) {
	return h.apply(ledger.BlockInput{Prev: h.head, Time: t.UnixNano(), Commands: cmds, NoCloses: true})
}

// Next executes commands as the next block at time t, after the
// close_epoch commands due at t, as the engine's sequencer does.
func (h *Harness) Next(t time.Time, cmds []*ledger.Command) (*ledger.Block, error) {
	return h.apply(ledger.BlockInput{Prev: h.head, Time: t.UnixNano(), Commands: cmds})
}

func (h *Harness) apply(in ledger.BlockInput) (*ledger.Block, error) {
	t := time.Unix(0, in.Time).UTC()
	rd, err := h.Step.Execute(h.Store, in)
	if err != nil {
		return nil, err
	}
	if rd.Block == nil {
		return nil, fmt.Errorf("block at %s executes nothing (only duplicate idempotency keys)", t)
	}
	if !h.NoFreshCheck {
		// A fresh step decides the same block, byte for byte.
		fresh, err := ledger.NewStep(h.M, stepOptions).Execute(h.Store, in)
		if err != nil {
			return nil, fmt.Errorf("a fresh step: %w", err)
		}
		if !bytes.Equal(fresh.Block.Raw(), rd.Block.Raw()) {
			return nil, fmt.Errorf("block %d: the step that kept its state decided otherwise than a fresh step: %s (roots %s, %s)",
				rd.Block.Height, difference(rd.Block, fresh.Block), rd.Head.StateRoot, fresh.Head.StateRoot)
		}
	}
	// Replay the block from the previous state: same root.
	decoded, err := h.M.Registry().DecodeBlock(rd.Block.Raw())
	if err != nil {
		return nil, fmt.Errorf("decoding the block just sealed: %w", err)
	}
	if _, err := h.Replay.Apply(h.Store, h.head, decoded); err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	h.commit(rd)
	if err := ledger.CheckState(h.Store); err != nil {
		return nil, err
	}
	h.Time = t
	return rd.Block, nil
}

// difference says where two decisions of the same block first differ:
// a command's result or an event (each encoded).
func difference(kept, fresh *ledger.Block) string {
	for i := range min(len(kept.Results), len(fresh.Results)) {
		if a, b := kept.Results[i], fresh.Results[i]; a.Code != b.Code || a.Msg != b.Msg {
			return fmt.Sprintf("command %d is %s, %s on a fresh step", i, resultString(a), resultString(b))
		}
	}
	for i := range max(len(kept.Events), len(fresh.Events)) {
		var a, b []byte
		if i < len(kept.Events) {
			e := ledger.NewEncoder(nil)
			ledger.EncodeEvent(e, kept.Events[i])
			a = e.Bytes()
		}
		if i < len(fresh.Events) {
			e := ledger.NewEncoder(nil)
			ledger.EncodeEvent(e, fresh.Events[i])
			b = e.Bytes()
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("event %d is %s, %s on a fresh step", i, eventString(kept.Events, i), eventString(fresh.Events, i))
		}
	}
	return "the same results and events, another block"
}

func resultString(r ledger.Result) string {
	if r.Code == "" {
		return "accepted"
	}
	return fmt.Sprintf("rejected (%v)", r.Err())
}

func eventString(evs []ledger.Event, i int) string {
	if i >= len(evs) {
		return "missing"
	}
	return fmt.Sprintf("%s %+v", evs[i].EventType(), evs[i])
}

// Get implements ledger.Getter over the committed state.
func (h *Harness) Get(key []byte) ([]byte, bool) {
	v, ok, _ := h.Store.Get(key)
	return v, ok
}

// Booked reports whether id is a booked account of the harness's
// machine; with Get, it makes the harness a ledger.ParamsView.
func (h *Harness) Booked(id ledger.AccountID) (string, bool) { return h.M.Booked(id) }

// Rules are the latest: the harness decides by them (ledger.ParamsView).
func (h *Harness) Rules() ledger.Rules { return ledger.LatestRules }

// Balance returns a balance, failing the test on error.
func (h *Harness) Balance(t TB, a ledger.AccountID, asset ledger.AssetID) ledger.Amount {
	t.Helper()
	v, err := ledger.BalanceOf(h, a, asset)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TB is the part of testing.TB the harness needs; *rapid.T has it too.
type TB interface {
	Helper()
	Fatal(args ...any)
}

// Extra handles directives a module's golden tests add; it returns
// handled=false for directives it does not know.
type Extra func(t *testing.T, h *Harness, td *datadriven.TestData) (out string, handled bool)

// Run runs the golden file at path with a fresh Harness for modules.
func Run(t *testing.T, path string, modules []ledger.Module, extra Extra) {
	h, err := New(modules...)
	if err != nil {
		t.Fatal(err)
	}
	datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
		if extra != nil {
			if out, ok := extra(t, h, td); ok {
				return out
			}
		}
		switch td.Cmd {
		case "genesis":
			g, err := ledger.ParseGenesis([]byte(td.Input))
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			b, err := h.Genesis(g)
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			var sb strings.Builder
			for _, ev := range b.Events {
				fmt.Fprintf(&sb, "  %s\n", ledger.DescribeEvent(ev))
			}
			fmt.Fprintf(&sb, "root %s\n", b.StateRoot.Short())
			return sb.String()
		case "block":
			return h.block(t, td)
		case "balances":
			return h.Balances(argString(td, "account"))
		case "supply":
			return h.Supply()
		case "epoch":
			c, err := ledger.GetChain(h)
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			return fmt.Sprintf("epoch %d started %s ends %s\n", c.Epoch, fmtTime(c.EpochStart), fmtTime(c.EpochEnd()))
		}
		t.Fatalf("%s: unknown directive %q", td.Pos, td.Cmd)
		return ""
	})
}

func fmtTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }

func argString(td *datadriven.TestData, key string) string {
	if a, ok := td.Arg(key); ok && len(a.Vals) > 0 {
		return a.Vals[0]
	}
	return ""
}

func (h *Harness) block(t *testing.T, td *datadriven.TestData) string {
	at := h.Time.Add(time.Second)
	if s := argString(td, "time"); s != "" {
		if strings.HasPrefix(s, "+") {
			d, err := time.ParseDuration(s[1:])
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			at = h.Time.Add(d)
		} else {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			at = v
		}
	}
	var cmds []*ledger.Command
	var sb strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := h.M.Registry().ParseCommandJSON([]byte(line))
		if err != nil {
			fmt.Fprintf(&sb, "line %d: invalid: %v\n", i, err)
			continue
		}
		cmds = append(cmds, c)
	}
	if len(cmds) == 0 {
		return sb.String()
	}
	b, err := h.Next(at, cmds)
	if err != nil {
		t.Fatalf("%s: %v", td.Pos, err)
	}
	next := 0
	for i, r := range b.Results {
		label := b.Commands[i].Payload.Type()
		if r.Code != "" {
			fmt.Fprintf(&sb, "%d %s: rejected %s: %s\n", i, label, r.Code, r.Msg)
		} else {
			fmt.Fprintf(&sb, "%d %s: ok\n", i, label)
		}
		for _, ev := range b.Events[next : next+int(r.Events)] {
			fmt.Fprintf(&sb, "  %s\n", ledger.DescribeEvent(ev))
		}
		next += int(r.Events)
	}
	fmt.Fprintf(&sb, "height %d root %s\n", b.Height, b.StateRoot.Short())
	return sb.String()
}

// Balances prints non-zero balances sorted by account and asset, for one
// account or all.
func (h *Harness) Balances(account string) string {
	prefix := []byte("b/")
	if account != "" {
		prefix = ledger.BalancePrefix(ledger.AccountID(account))
	}
	var lines []string
	h.Store.Scan(prefix, func(k, v []byte) bool {
		i := bytes.IndexByte(k, 0)
		a, _ := ledger.DecodeAmount(v)
		lines = append(lines, fmt.Sprintf("%s %s %s", k[2:i], k[i+1:], a))
		return true
	})
	slices.Sort(lines)
	if len(lines) == 0 {
		return "(none)\n"
	}
	return strings.Join(lines, "\n") + "\n"
}

// Supply prints every asset's supply counters.
func (h *Harness) Supply() string {
	var sb strings.Builder
	h.Store.Scan([]byte("t/"), func(k, v []byte) bool {
		a, _, err := ledger.GetAsset(h, ledger.AssetID(k[2:]))
		if err != nil {
			fmt.Fprintf(&sb, "%s: %v\n", k[2:], err)
			return true
		}
		fmt.Fprintf(&sb, "%s supply %s = genesis %s + minted %s - burned %s\n", a.ID, a.Supply(), a.Genesis, a.Minted, a.Burned)
		return true
	})
	return sb.String()
}

// ReplayAll replays every block the harness has applied, from genesis, on
// fresh in-memory state through the block step's Apply (events only, no
// decisions), and checks that it reproduces every block's state root.
func (h *Harness) ReplayAll() error {
	st := ledger.NewMemStore()
	var head ledger.Head
	for _, b := range h.Blocks {
		decoded, err := h.M.Registry().DecodeBlock(b.Raw())
		if err != nil {
			return err
		}
		rd, err := h.Replay.Apply(st, head, decoded)
		if err != nil {
			return fmt.Errorf("replay from genesis: %w", err)
		}
		st.Apply(rd.Changes)
		head = rd.Head
	}
	return nil
}
