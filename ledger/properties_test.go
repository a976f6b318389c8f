package ledger_test

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

var propAccounts = []ledger.AccountID{"a", "b", "c", "d"}
var propAssets = []ledger.AssetID{"COOP", "USDC"}

func propGenesis() *ledger.Genesis {
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "prop", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1m",
	 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 2}],
	 "accounts": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
	 "allocations": [{"account": "a", "asset": "COOP", "amount": "1000"}, {"account": "b", "asset": "USDC", "amount": "500"}]}`))
	if err != nil {
		panic(err)
	}
	return g
}

// model is an independent account of balances: a map, big integers.
type model map[string]*big.Int

func (m model) get(a ledger.AccountID, s ledger.AssetID) *big.Int {
	k := string(a) + "/" + string(s)
	if m[k] == nil {
		m[k] = new(big.Int)
	}
	return m[k]
}

func genPropCommand(t *rapid.T) *ledger.Command {
	actor := rapid.SampledFrom(propAccounts).Draw(t, "actor")
	amt := ledger.NewAmount(rapid.Uint64Range(0, 700).Draw(t, "amt"))
	asset := rapid.SampledFrom(propAssets).Draw(t, "asset")
	switch rapid.IntRange(0, 9).Draw(t, "kind") {
	case 0:
		return &ledger.Command{Actor: actor, Payload: &ledger.CreateAccount{Account: actor}}
	case 1:
		return &ledger.Command{Actor: actor, Payload: &ledgertest.FaucetMint{To: rapid.SampledFrom(propAccounts).Draw(t, "to"), Asset: asset, Amount: amt}}
	case 2:
		return &ledger.Command{Actor: actor, Payload: &ledgertest.FaucetBurn{Asset: asset, Amount: amt}}
	default:
		tr := &ledger.Transfer{}
		for range rapid.IntRange(1, 3).Draw(t, "legs") {
			tr.Legs = append(tr.Legs, ledger.Leg{To: rapid.SampledFrom(propAccounts).Draw(t, "to"), Asset: rapid.SampledFrom(propAssets).Draw(t, "asset"), Amount: ledger.NewAmount(rapid.Uint64Range(0, 400).Draw(t, "amt"))})
		}
		return &ledger.Command{Actor: actor, Payload: tr, Nonce: rapid.Uint64Range(0, 3).Draw(t, "nonce")}
	}
}

// TestMachineProperties drives random blocks through the state machine.
// The harness checks, after every block, conservation over the block's
// changes and over the whole state, canonical non-negative balances, and
// that replaying the block's events reproduces its state root. This test
// adds: balances equal an independent model that applies only the accepted
// commands; and replaying the whole log from genesis on fresh state
// reproduces every state root.
func TestMachineProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h, err := ledgertest.New(ledgertest.Faucet{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Genesis(propGenesis()); err != nil {
			t.Fatal(err)
		}
		m := model{}
		m.get("a", "COOP").SetInt64(1000)
		m.get("b", "USDC").SetInt64(500)
		at := h.Time
		for blk := range rapid.IntRange(1, 8).Draw(t, "blocks") {
			var cmds []*ledger.Command
			for range rapid.IntRange(1, 8).Draw(t, "cmds") {
				cmds = append(cmds, genPropCommand(t))
			}
			at = at.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "secs")) * time.Second)
			c, _ := ledger.GetChain(h)
			all := append(ledger.EpochCloses(c, at.UnixNano(), 1000), cmds...)
			b, err := h.Apply(at, all)
			if err != nil {
				t.Fatalf("block %d: %v", blk, err)
			}
			for i, r := range b.Results {
				if r.Code != "" {
					continue
				}
				for _, ev := range b.Events[eventStart(b, i) : eventStart(b, i)+int(r.Events)] {
					switch e := ev.(type) {
					case *ledger.Transferred:
						m.get(e.From, e.Asset).Sub(m.get(e.From, e.Asset), e.Amount.Big())
						m.get(e.To, e.Asset).Add(m.get(e.To, e.Asset), e.Amount.Big())
					case *ledger.Minted:
						m.get(e.To, e.Asset).Add(m.get(e.To, e.Asset), e.Amount.Big())
					case *ledger.Burned:
						m.get(e.From, e.Asset).Sub(m.get(e.From, e.Asset), e.Amount.Big())
					}
				}
				// The model's own view of what an accepted transfer must be.
				if tr, ok := all[i].Payload.(*ledger.Transfer); ok && len(tr.Legs) != int(r.Events) {
					t.Fatalf("accepted transfer with %d legs produced %d events", len(tr.Legs), r.Events)
				}
			}
			for _, a := range propAccounts {
				for _, s := range propAssets {
					want := m.get(a, s)
					if want.Sign() < 0 {
						t.Fatalf("model balance of %s %s went negative: the machine accepted an overdraft", a, s)
					}
					if got := h.Balance(t, a, s).Big(); got.Cmp(want) != 0 {
						t.Fatalf("after block %d: %s has %s %s, model says %s", b.Height, a, got, s, want)
					}
				}
			}
		}
		// Replay the whole log on fresh state: the same root at every block.
		if err := h.ReplayAll(); err != nil {
			t.Fatal(err)
		}
	})
}

func eventStart(b *ledger.Block, i int) int {
	n := 0
	for j := 0; j < i; j++ {
		n += int(b.Results[j].Events)
	}
	return n
}

func ExampleMachine() {
	h, _ := ledgertest.New()
	h.Genesis(propGenesis())
	b, _ := h.Apply(h.Time.Add(time.Second), []*ledger.Command{
		{Actor: "a", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "b", Asset: "COOP", Amount: ledger.NewAmount(400)}}}},
		{Actor: "b", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "c", Asset: "COOP", Amount: ledger.NewAmount(401)}}}},
	})
	for i, r := range b.Results {
		fmt.Println(i, r.Err())
	}
	fmt.Println(h.Balances(""))
	// Output:
	// 0 <nil>
	// 1 coopera: insufficient_funds: account b has 400 base units of COOP, needs 401
	// a COOP 600
	// b COOP 400
	// b USDC 500
}
