package sim

import (
	"testing"

	"github.com/coopera/coopera/ledger"
)

// Every metric that counts something done (bought, spent, burned, sold,
// staked, withdrawn, created) is read from what the reducers did: their
// results and events. These tests make the reducers refuse commands and
// require that no metric counts a refused command as done.

const refusedScenario = `
name: refused
seed: 3
epochs: 10
genesis:
  params:
    tokenomics: {unbonding_epochs: 3}
price: {model: constant, initial: 2}
market: {inventory: 10000000}
populations:
  consumers:
    count: 6
    demand: {base: 40, noise: 0.2}
    services: {models: 0.7, agents: 0.3}
  providers: {count: 3, sell: 0.5}
  stakers: {count: 4, balance: 50000, target_apr: 100000, band: 0, step: 0.2, claim_every: 2}
  creators: {count: 4, balance: 20000, create: 0.6, launch: 1}
  traders: {count: 4, balance: 20000, trade: 1, sell: 0.5}
`

// refusedFrom is the first epoch whose population commands are refused.
const refusedFrom = 5

func runRefused(t *testing.T, refuse func(epoch int, cmd *ledger.Command) bool) (*RunResult, map[string]int) {
	t.Helper()
	s, err := Parse([]byte(refusedScenario), "refused.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RunOne(0, &Options{CheckInvariants: true, refuse: refuse})
	if err != nil {
		t.Fatal(err)
	}
	return res, columnIndex(t, res)
}

func TestRefusedCommandsNeverCountAsDone(t *testing.T) {
	res, col := runRefused(t, func(epoch int, cmd *ledger.Command) bool { return epoch >= refusedFrom })
	before := res.Rows[refusedFrom-1]
	// The run before the refusals did something, or the test proves nothing.
	for _, name := range []string{"credits_spent", "burned", "market_buy_usd", "market_sell_usd", "staked", "agents", "stakers.unbonding"} {
		sum := int64(0)
		for _, row := range res.Rows[:refusedFrom] {
			sum += row[col[name]]
		}
		if sum == 0 {
			t.Fatalf("%s is 0 in every epoch before the refusals; the scenario exercises nothing", name)
		}
	}
	zero := func(name string) func(e int, row []int64) (int64, int64) {
		return func(e int, row []int64) (int64, int64) { return row[col[name]], 0 }
	}
	unchanged := func(name string) func(e int, row []int64) (int64, int64) {
		return func(e int, row []int64) (int64, int64) { return row[col[name]], before[col[name]] }
	}
	cases := []struct {
		metric string
		why    string
		check  func(e int, row []int64) (got, want int64)
	}{
		{"credits_issued", "a refused buy_credits issues no credits", zero("credits_issued")},
		{"credits_spent", "a refused record_usage spends nothing", zero("credits_spent")},
		{"burned", "a refused buy_credits burns nothing", zero("burned")},
		{"market_buy_usd", "a refused purchase pays the exchange nothing", zero("market_buy_usd")},
		{"market_sell_usd", "a refused sale sells nothing", zero("market_sell_usd")},
		{"consumers.unserved", "refused purchases and usage serve no demand", func(e int, row []int64) (int64, int64) {
			return row[col["consumers.unserved"]], row[col["demand"]]
		}},
		{"rejected", "every population command is counted rejected (the feed's observation is the only one applied)", func(e int, row []int64) (int64, int64) {
			return row[col["rejected"]], row[col["commands"]] - 1
		}},
		{"staked", "refused stakes, restakes and unstakes move no stake", unchanged("staked")},
		{"stakers.unbonding", "a refused unstake opens no entry; a refused withdrawal closes none", unchanged("stakers.unbonding")},
		{"agents", "a refused create_agent creates no agent", unchanged("agents")},
		{"exchange", "refused purchases and sales leave the exchange's inventory alone", unchanged("exchange")},
	}
	for _, c := range cases {
		t.Run(c.metric, func(t *testing.T) {
			if _, ok := col[c.metric]; !ok {
				t.Fatalf("no column %s", c.metric)
			}
			for e := refusedFrom; e < len(res.Rows); e++ {
				if got, want := c.check(e, res.Rows[e]); got != want {
					t.Errorf("epoch %d: %s = %d, want %d: %s", e, c.metric, got, want, c.why)
				}
			}
		})
	}
	if res.Rows[refusedFrom][col["demand"]] == 0 {
		t.Fatal("no demand after the refusals; consumers.unserved proves nothing")
	}
}

// Refusing only some commands changes only what they would have done: a
// refused sale is missing from market_sell_usd, while purchases go on.
func TestRefusedSalesOnly(t *testing.T) {
	isSale := func(cmd *ledger.Command) bool {
		_, ok := cmd.Payload.(*ledger.Transfer)
		return ok
	}
	res, col := runRefused(t, func(epoch int, cmd *ledger.Command) bool { return epoch >= refusedFrom && isSale(cmd) })
	for e := refusedFrom; e < len(res.Rows); e++ {
		row := res.Rows[e]
		if got := row[col["market_sell_usd"]]; got != 0 {
			t.Errorf("epoch %d: market_sell_usd = %d after every sale was refused", e, got)
		}
		if row[col["market_buy_usd"]] == 0 || row[col["credits_spent"]] == 0 {
			t.Errorf("epoch %d: purchases stopped although only sales were refused", e)
		}
	}
}

// The oracle's breaker refuses credit purchases while it is open: the
// demand of those epochs is unserved, none of it spent (the contradiction
// of issue 17: rejected purchases counted as served).
func TestBreakerDemandUnserved(t *testing.T) {
	s, err := Parse([]byte(`
name: breaker
seed: 5
epochs: 10
price: {model: constant, initial: 1}
market: {inventory: 10000000}
oracle: {feeds: 3}
populations:
  consumers: {count: 5, demand: {base: 20}}
  providers: {count: 2}
events:
  - {at: 4, until: 7, oracle: {feeds: 2, factor: 3}}
`), "breaker.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RunOne(0, &Options{})
	if err != nil {
		t.Fatal(err)
	}
	col := columnIndex(t, res)
	tripped := 0
	for e, row := range res.Rows {
		if row[col["oracle_price"]] != Missing {
			if row[col["consumers.unserved"]] != 0 {
				t.Errorf("epoch %d: %d unserved with the oracle working", e, row[col["consumers.unserved"]])
			}
			continue
		}
		tripped++
		if row[col["rejected"]] == 0 {
			t.Errorf("epoch %d: breaker open but nothing rejected", e)
		}
		if row[col["credits_spent"]] != 0 || row[col["consumers.unserved"]] != row[col["demand"]] {
			t.Errorf("epoch %d: breaker open: credits_spent %d, unserved %d, demand %d; want 0 spent, all unserved",
				e, row[col["credits_spent"]], row[col["consumers.unserved"]], row[col["demand"]])
		}
	}
	if tripped == 0 {
		t.Fatal("the breaker never opened; the test proves nothing")
	}
}
