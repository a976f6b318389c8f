package tokenomics_test

import (
	"fmt"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// A transfer pays the 1% platform fee on top; a feed prices COOP at $2;
// alice burns 5 COOP for $10 of credits.
func Example() {
	h, _ := ledgertest.New(tokenomics.Module{})
	g, _ := ledger.ParseGenesis([]byte(`{"chain_id": "example", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "feed"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "100000000"}],
	 "params": {"tokenomics": {"oracle_feeds": ["feed"]}}}`))
	if _, err := h.Genesis(g); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := h.Apply(h.Time.Add(time.Second), []*ledger.Command{
		{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(10_000_000)}}}},
		{Actor: "feed", Payload: &tokenomics.ObservePrice{Price: tokenomics.USD(2)}},
		{Actor: "alice", Payload: &tokenomics.BuyCredits{Amount: ledger.NewAmount(5_000_000)}},
	})
	for i, r := range b.Results {
		fmt.Println(i, b.Commands[i].Payload.Type(), r.Err())
	}
	credits, _ := tokenomics.Credits(h, "alice")
	fmt.Println("alice's credits (micro-USD):", credits)
	fmt.Print(h.Balances(""))
	s, _ := tokenomics.Supply(ledger.NewState(h.Store), h.Height)
	fmt.Println("supply", s.Supply, "burned", s.Burned, "treasury", s.Treasury)
	// Output:
	// 0 transfer <nil>
	// 1 observe_price <nil>
	// 2 buy_credits <nil>
	// alice's credits (micro-USD): 10000000
	// alice COOP 84900000
	// bob COOP 10000000
	// mod:tokenomics/treasury COOP 70000
	// supply 94970000 burned 5030000 treasury 70000
}
