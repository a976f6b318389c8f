package tokenomics_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// settleLedger is a ledger where alice and bob hold credits, an agent
// exists, and meter may report anyone's usage.
func settleLedger(t ledgertest.TB) *ledgertest.Harness {
	h, err := ledgertest.New(tokenomics.Module{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "settle", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "plat"}, {"id": "g1"}, {"id": "g2"}, {"id": "mdev"}, {"id": "tool"}, {"id": "f1"}, {"id": "meter"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000"}, {"account": "bob", "asset": "COOP", "amount": "1000000000000"}],
	 "params": {"tokenomics": {"oracle_feeds": ["f1"], "max_price_age": "8760h", "usage_reporters": ["meter"], "agent_deposit": "0"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	for _, js := range []string{
		`{"type": "observe_price", "actor": "f1", "payload": {"price": "2000000000000000000"}}`,
		`{"type": "create_agent", "actor": "bob", "payload": {"agent": "helper", "price_in": 3, "price_out": 7}}`,
		`{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1000000000"}}`,
		`{"type": "buy_credits", "actor": "bob", "payload": {"amount": "1000000000"}}`,
	} {
		c, err := h.M.Registry().ParseCommandJSON([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{c})
		if err != nil {
			t.Fatal(err)
		}
		if e := b.Results[0].Err(); e != nil {
			t.Fatal(e)
		}
	}
	return h
}

func genUsage(t *rapid.T) tokenomics.RecordUsage {
	u := tokenomics.RecordUsage{
		Consumer: rapid.SampledFrom([]ledger.AccountID{"alice", "bob"}).Draw(t, "consumer"),
		Platform: "plat",
		Input:    rapid.Uint64Range(0, 5000).Draw(t, "in"),
		Output:   rapid.Uint64Range(1, 5000).Draw(t, "out"),
		Ref:      rapid.StringMatching(`[a-z]{0,4}`).Draw(t, "ref"),
	}
	if rapid.Bool().Draw(t, "agent") {
		u.Agent = "helper"
		if rapid.Bool().Draw(t, "tools") {
			u.Tools = []ledger.AccountID{"tool", "g2"}
		}
		return u
	}
	u.GPU = rapid.SampledFrom([]ledger.AccountID{"g1", "g2"}).Draw(t, "gpu")
	if rapid.Bool().Draw(t, "model") {
		u.Model = "mdev"
	}
	u.PriceIn, u.PriceOut = rapid.Uint64Range(1, 50).Draw(t, "pin"), rapid.Uint64Range(1, 50).Draw(t, "pout")
	return u
}

// TestSettleEqualsRecords: a settlement leaves exactly the state its items
// leave as separate record_usage commands (same credits, fees, splits and
// epoch weights), and replays.
func TestSettleEqualsRecords(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		items := rapid.SliceOfN(rapid.Custom(genUsage), 1, 40).Draw(t, "items")
		if err := settleMatchesRecords(t, items).ReplayAll(); err != nil {
			t.Fatal(err)
		}
	})
}

// settleMatchesRecords settles items on one ledger and records them as
// record_usage commands on another, fails unless both are accepted and
// leave the same state, and returns the settling ledger.
func settleMatchesRecords(t interface {
	ledgertest.TB
	Fatalf(format string, args ...any)
}, items []tokenomics.RecordUsage) *ledgertest.Harness {
	one, many := settleLedger(t), settleLedger(t)
	at := one.Time.Add(time.Minute)
	b, err := one.Apply(at, []*ledger.Command{{Actor: "meter", Payload: &tokenomics.SettleUsage{Window: "w1", Items: items}}})
	if err != nil {
		t.Fatal(err)
	}
	if e := b.Results[0].Err(); e != nil {
		t.Fatalf("settlement refused: %v", e)
	}
	cmds := make([]*ledger.Command, len(items))
	for i := range items {
		cmds[i] = &ledger.Command{Actor: "meter", Payload: &items[i]}
	}
	bm, err := many.Apply(at, cmds)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range bm.Results {
		if e := r.Err(); e != nil {
			t.Fatalf("record %d refused: %v", i, e)
		}
	}
	if one.Acc.Root() != many.Acc.Root() {
		t.Fatalf("a settlement of %d items leaves another state than its items as record_usage commands", len(items))
	}
	return one
}

// TestSettleAtTheLimitEqualsRecords: a settlement of MaxSettleItems items,
// agents with up to 16 tools (repeated ones among them) and model serving
// mixed, leaves the state of its items as record_usage commands.
func TestSettleAtTheLimitEqualsRecords(t *testing.T) {
	tools := []ledger.AccountID{"tool", "g2", "g1", "mdev", "tool", "plat", "alice", "bob", "f1", "meter", "g2", "tool", "g1", "mdev", "plat", "alice"}
	items := make([]tokenomics.RecordUsage, tokenomics.MaxSettleItems)
	for i := range items {
		u := tokenomics.RecordUsage{Consumer: []ledger.AccountID{"alice", "bob"}[i%2], Platform: "plat", Input: uint64(i%97 + 1), Output: uint64(i % 13)}
		if i%3 == 0 {
			u.Agent, u.Tools = "helper", tools[:i%17]
		} else {
			u.GPU, u.PriceIn, u.PriceOut = "g1", uint64(i%7+1), 3
			if i%2 == 0 {
				u.Model = "mdev"
			}
		}
		items[i] = u
	}
	settleMatchesRecords(t, items)
}

// TestSettleIsAtomic: an item the consumer's credits cannot cover, counting
// the items before it, refuses the whole settlement, naming the item.
func TestSettleIsAtomic(t *testing.T) {
	h := settleLedger(t)
	have, err := tokenomics.Credits(h, "alice")
	if err != nil {
		t.Fatal(err)
	}
	half, _, _ := have.MulDiv(1, 2)
	tokens, _ := half.Uint64()
	item := tokenomics.RecordUsage{Consumer: "alice", Platform: "plat", GPU: "g1", Input: tokens, PriceIn: 1}
	root := h.Acc.Root()
	b, err := h.Apply(h.Time.Add(time.Minute), []*ledger.Command{{Actor: "meter", Payload: &tokenomics.SettleUsage{Items: []tokenomics.RecordUsage{item, item, item}}}})
	if err != nil {
		t.Fatal(err)
	}
	e := b.Results[0].Err()
	if !errors.Is(e, tokenomics.ErrInsufficientCredits) || !strings.Contains(e.Error(), "items[2]") {
		t.Fatalf("three halves of alice's credits: %v, want insufficient credits naming items[2]", e)
	}
	if h.Acc.Root() != root {
		t.Fatal("a refused settlement changed state")
	}
	// Not a reporter: every item is someone else's usage.
	b, _ = h.Apply(h.Time.Add(time.Minute), []*ledger.Command{{Actor: "bob", Payload: &tokenomics.SettleUsage{Items: []tokenomics.RecordUsage{{Consumer: "bob", Platform: "plat", GPU: "g1", Input: 1, PriceIn: 1}, item}}}})
	if e := b.Results[0].Err(); !errors.Is(e, ledger.ErrUnauthorized) || !strings.Contains(e.Error(), "items[1]") {
		t.Fatalf("bob settling alice's usage: %v", e)
	}
	if err := (&tokenomics.SettleUsage{Items: make([]tokenomics.RecordUsage, tokenomics.MaxSettleItems+1)}).Validate(); !errors.Is(err, ledger.ErrMalformed) {
		t.Fatalf("an oversized settlement: %v", err)
	}
}
