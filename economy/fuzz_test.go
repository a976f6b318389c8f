package economy_test

// Fuzz targets for what a follower and an operator hand the full economy:
// the binary blocks a follower decodes from the stream with every module's
// commands and events registered, and genesis files with every module's
// parameters. `go test` runs the seeds (testdata/fuzz holds the corpus);
// fuzz one longer with, for example,
//
//	go test ./economy -run '^$' -fuzz FuzzDecodeEconomyBlock -fuzztime 10m

import (
	"bytes"
	"testing"
	"time"

	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

const fuzzGenesis = `{"chain_id": "economy", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
 "assets": [{"id": "COOP", "decimals": 6}],
 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "carol"}, {"id": "feed"}, {"id": "meter"}],
 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000"},
                 {"account": "bob", "asset": "COOP", "amount": "1000000000"}],
 "params": {"tokenomics": {"oracle_feeds": ["feed"], "provider_pool": "mod:contribution/pool"},
            "contribution": {"reporters": ["meter"]},
            "governance": {"policy_hash": "0000000000000000000000000000000000000000000000000000000000000000", "voting_period": "1h", "timelock": "0s", "min_deposit": "1000000"}}}`

// economyBlocks runs the economy for a few blocks of varied commands
// (accepted and rejected) and returns the machine and the blocks' bytes.
func economyBlocks(t testing.TB) (*ledger.Machine, [][]byte) {
	h, err := ledgertest.New(economy.Modules()...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fuzzGenesis))
	if err != nil {
		t.Fatal(err)
	}
	b0, err := h.Genesis(g)
	if err != nil {
		t.Fatal(err)
	}
	raws := [][]byte{b0.Raw()}
	for i, cmds := range [][]string{
		{`{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "300000000"}}`,
			`{"type": "transfer", "actor": "bob", "key": "k1", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "5"}]}}`},
		{`{"type": "create_agent", "actor": "carol", "payload": {"agent": "helper", "price_in": 1, "price_out": 2}}`,
			`{"type": "observe_price", "actor": "feed", "payload": {"price": "1000000000000000000"}}`,
			`{"type": "gov_delegate", "actor": "bob", "payload": {"to": "alice"}}`},
		{`{"type": "gov_propose", "actor": "alice", "payload": {"title": "t", "description": "d", "deposit": "1000000"}}`,
			`{"type": "unstake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "1"}}`},
	} {
		var cs []*ledger.Command
		for _, js := range cmds {
			c, err := h.M.Registry().ParseCommandJSON([]byte(js))
			if err != nil {
				t.Fatalf("%s: %v", js, err)
			}
			cs = append(cs, c)
		}
		b, err := h.Next(g.GenesisTime.Add(time.Duration(i+1)*time.Minute), cs)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, b.Raw())
	}
	return h.M, raws
}

func FuzzDecodeEconomyBlock(f *testing.F) {
	m, raws := economyBlocks(f)
	for _, r := range raws {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := m.Registry().DecodeBlock(data)
		if err != nil {
			return
		}
		again := *b
		if !bytes.Equal(again.Seal(), data) {
			t.Fatal("a decoded block re-encodes differently: the encoding is not canonical")
		}
		for _, c := range b.Commands {
			back, err := m.Registry().DecodeCommand(ledger.EncodeCommand(c))
			if err != nil || !bytes.Equal(ledger.EncodeCommand(back), ledger.EncodeCommand(c)) {
				t.Fatalf("a decoded block's command does not round-trip: %v", err)
			}
		}
	})
}

func TestEconomyBlocksDecode(t *testing.T) {
	// The fuzz seeds are real blocks: each decodes, and holds commands.
	m, raws := economyBlocks(t)
	if len(raws) != 4 {
		t.Fatalf("%d blocks", len(raws))
	}
	for i, r := range raws {
		b, err := m.Registry().DecodeBlock(r)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if i > 0 && len(b.Commands) < 2 {
			t.Fatalf("block %d holds %d commands", i, len(b.Commands))
		}
	}
}

func FuzzEconomyGenesis(f *testing.F) {
	f.Add([]byte(fuzzGenesis))
	f.Add([]byte(`{"chain_id": "e", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1h", "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "a"}],
	 "params": {"tokenomics": {"fee_shares": {"treasury": 5000, "burn": 3000, "stakers": 1000, "creator": 1000}}, "governance": {"quorum_bps": 4000}}}`))
	m, err := ledger.NewMachine(economy.Modules()...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ledger.ParseGenesis(data)
		if err != nil {
			return
		}
		// Every module reads its parameters: bad ones are refused with an
		// error, never a panic; a genesis that builds builds the same
		// block twice.
		rd, err := ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true}).Genesis(ledger.NewMemStore(), g)
		if err != nil {
			return
		}
		rd2, err := ledger.NewStep(m, ledger.StepOptions{}).Genesis(ledger.NewMemStore(), g)
		if err != nil || rd2.Head.Hash != rd.Head.Hash {
			t.Fatalf("the same genesis builds differently: %v", err)
		}
	})
}
