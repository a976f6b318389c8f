package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A minimal valid scenario; each case below edits it.
const okScenario = `name: ok
epochs: 10
market: {inventory: 1000000}
populations:
  consumers:
    count: 3
    demand: {base: 5}
  providers:
    count: 2
`

func TestBadInput(t *testing.T) {
	if _, err := Parse([]byte(okScenario), "ok.yaml"); err != nil {
		t.Fatalf("the base scenario is invalid: %v", err)
	}
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error, in order of appearance in it
	}{
		{"malformed", "name: [unclosed\n", []string{"bad.yaml:", "malformed YAML"}},
		{"empty", "", []string{"the file is empty"}},
		{"unknown field", strings.Replace(okScenario, "epochs: 10", "epoch: 10", 1), []string{"bad.yaml:2: epoch: unknown field; the fields here are name,"}},
		{"wrong type", strings.Replace(okScenario, "epochs: 10", "epochs: ten", 1), []string{"bad.yaml:2: epochs: want an integer, got \"ten\""}},
		{"missing epochs", strings.Replace(okScenario, "epochs: 10\n", "", 1), []string{"epochs: 0; give 1 to"}},
		// A zero the file gives is refused, not replaced by the default
		// (a sweep point of 0 ran as another scenario).
		{"zero runs", okScenario + "runs: 0\n", []string{"bad.yaml:10: runs: 0; give 1 to 1000000"}},
		{"zero block size", okScenario + "block_size: 0\n", []string{"bad.yaml:10: block_size: 0; give 1 to 65536"}},
		{"zero feeds", okScenario + "oracle: {feeds: 0}\n", []string{"bad.yaml:10: oracle.feeds: 0; give 1 to"}},
		{"zero price", okScenario + "price: {model: constant, initial: 0}\n", []string{"bad.yaml:10: price.initial: 0; give the starting price"}},
		{"bad duration", strings.Replace(okScenario, "epochs: 10", "epochs: 10\nepoch_length: 1 day", 1), []string{"bad.yaml:3: epoch_length: want a duration such as 24h"}},
		{"unknown behaviour field", strings.Replace(okScenario, "demand: {base: 5}", "demand: {base: 5, bogus: 1}", 1),
			[]string{"bad.yaml:7: populations.consumers.demand.bogus: unknown field; the fields here are base, trend, seasonality, noise, shocks"}},
		{"negative demand", strings.Replace(okScenario, "base: 5", "base: -5", 1), []string{"populations.consumers.demand.base: -5; demand cannot be negative"}},
		{"trend", strings.Replace(okScenario, "base: 5", "base: 5, trend: -1.5", 1), []string{"populations.consumers.demand.trend: -1.5; give the growth per epoch, above -1"}},
		{"decimal", strings.Replace(okScenario, "base: 5", "base: 5.0000000001", 1), []string{"populations.consumers.demand.base: \"5.0000000001\" has more than 9 decimal places"}},
		{"shares", strings.Replace(okScenario, "demand: {base: 5}", "demand: {base: 5}\n    services: {models: 0.7, agents: 0.2}", 1),
			[]string{"bad.yaml:8: populations.consumers.services: models 0.7 + agents 0.2 = 0.9; the shares must sum to 1"}},
		{"genesis shares", strings.Replace(okScenario, "epochs: 10", "epochs: 10\ngenesis:\n  params:\n    tokenomics:\n      fee_shares: {treasury: 5000, burn: 3000, stakers: 3000, creator: 2000}", 1),
			[]string{"genesis.params.tokenomics: tokenomics.fee_shares: treasury 5000 + burn 3000 + stakers 3000 + creator 2000 = 13000 bps; the shares must sum to 10000"}},
		{"genesis unknown param", strings.Replace(okScenario, "epochs: 10", "epochs: 10\ngenesis:\n  params:\n    tokenomics: {fee: 5}", 1),
			[]string{"genesis.params.tokenomics:", "unknown field \"fee\""}},
		{"oracle feeds set", strings.Replace(okScenario, "epochs: 10", "epochs: 10\ngenesis:\n  params:\n    tokenomics: {oracle_feeds: [x]}", 1),
			[]string{"genesis.params.tokenomics.oracle_feeds: is set by the simulator"}},
		{"unknown behaviour", okScenario + "  whales:\n    count: 1\n", []string{"bad.yaml:10: populations.whales: unknown behaviour \"whales\"; behaviours: consumer, creator, provider, staker, "}},
		{"named behaviour", okScenario + "  big:\n    behaviour: whale\n    count: 1\n", []string{"populations.big.behaviour: unknown behaviour \"whale\""}},
		{"population name", okScenario + "  Big:\n    behaviour: trader\n    balance: 1\n", []string{"populations.Big: a population name is 1 to 16 lowercase letters"}},
		{"no providers", strings.Replace(okScenario, "  providers:\n    count: 2\n", "", 1), []string{"populations.consumers.providers: no population serves models"}},
		{"unknown metric", okScenario + "metrics: [supply, suply]\n", []string{"bad.yaml:10: metrics[1]: unknown metric \"suply\"; metrics: supply, price,"}},
		{"two event kinds", okScenario + "events:\n  - {at: 1, demand: {factor: 0.5}, oracle: {factor: 2}}\n", []string{"events[0]: give exactly one of params, demand or oracle"}},
		{"event epoch", okScenario + "events:\n  - {at: 10, demand: {factor: 0.5}}\n", []string{"events[0].at: epoch 10 is outside the run's epochs 0..9"}},
		{"negative shock", okScenario + "events:\n  - {at: 1, demand: {factor: -0.5}}\n", []string{"events[0].demand.factor: -0.5; demand cannot be negative"}},
		{"param bound", okScenario + "events:\n  - {at: 1, params: {name: fee_bps, value: 5000}}\n", []string{"bad.yaml:11: events[0].params.value: tokenomics.fee_bps: 5000 bps is above the 1000 bps"}},
		{"param name", okScenario + "events:\n  - {at: 1, params: {name: fee, value: 50}}\n", []string{"events[0].params.name: tokenomics has no parameter \"fee\""}},
		{"governance without module", okScenario + "events:\n  - {at: 1, params: {name: fee_bps, value: 50, via: governance}}\n", []string{"events[0].params.via: governance needs the governance module"}},
		{"attack feeds", okScenario + "events:\n  - {at: 1, oracle: {feeds: 2, factor: 3}}\n", []string{"events[0].oracle.feeds: 2; between 1 and the 1 feeds"}},
		{"price model", okScenario + "price: {model: random}\n", []string{"price.model: unknown model \"random\"; use constant, path, gbm or market"}},
		{"sweep zip", okScenario + "sweep:\n  zip:\n    - {path: epochs, values: [1, 2]}\n    - {path: seed, values: [1]}\n", []string{"sweep.zip[1].values: has 1 values, sweep.zip[0] has 2"}},
		{"sweep path", okScenario + "sweep:\n  grid:\n    - {path: \"populations..count\", values: [1]}\n", []string{"sweep.grid[0].path: path \"populations..count\" has an empty segment"}},
		{"duplicate key", okScenario + "  consumers:\n    count: 1\n", []string{"bad.yaml:10: populations.consumers: population given twice"}},
		{"several problems", strings.Replace(okScenario, "epochs: 10", "epochs: -1\nruns: -2", 1),
			[]string{"2 problems", "bad.yaml:2: epochs: -1; give 1", "bad.yaml:3: runs: -2; give 1 to"}},
		{"behaviour field", strings.Replace(okScenario, "count: 2", "count: 2\n    sell: 2", 1),
			[]string{"bad.yaml:10: populations.providers.sell: 2; give the share of rewards sold, 0 to 1"}},
		// Block times are int64 nanoseconds: past April 2262 they wrapped,
		// and the run went on with times decades away.
		{"genesis time", okScenario + "genesis: {genesis_time: 2300-01-01T00:00:00Z}\n", []string{"genesis.genesis_time: 2300-01-01T00:00:00Z; give a time from 1970 to 2262"}},
		{"early genesis time", okScenario + "genesis: {genesis_time: 0001-01-01T00:00:01Z}\n", []string{"genesis.genesis_time: 0001-01-01T00:00:01Z; give a time from 1970 to 2262"}},
		{"run past 2262", strings.Replace(okScenario, "epochs: 10", "epochs: 240\nepoch_length: 8760h", 1), []string{"bad.yaml:2: epochs: 240 epochs of 8760h0m0s from 2026-01-01T00:00:00Z end after April 2262"}},
		// A population that serves no models collected the provider
		// pool's rewards; a demand event on one changed nothing.
		{"providers that serve nothing", strings.Replace(okScenario, "demand: {base: 5}", "demand: {base: 5}\n    providers: stakers", 1) + "  stakers:\n    count: 1\n    balance: 1\n",
			[]string{"populations.consumers.providers: population stakers has behaviour staker, which serves no models"}},
		{"demand event on providers", okScenario + "events:\n  - {at: 1, demand: {factor: 0.5, population: providers}}\n",
			[]string{"events[0].demand.population: population providers has behaviour provider, which has no demand to scale"}},
		// A misspelt account, asset or parameter gave a column of zeros
		// or of nothing.
		{"metric account", okScenario + "metrics: [supply, \"balance:foundaton\"]\n", []string{"bad.yaml:10: metrics[1]: balance:foundaton: no account foundaton at genesis"}},
		{"metric asset", okScenario + "metrics: [\"supply:XYZ\"]\n", []string{"metrics[0]: supply:XYZ: no asset XYZ at genesis"}},
		{"metric param", okScenario + "metrics: [\"param:tokenomics.fee_bpz\"]\n", []string{"metrics[0]: param:tokenomics.fee_bpz: tokenomics has no parameter \"fee_bpz\"; its parameters: "}},
		{"metric param not an integer", okScenario + "metrics: [\"param:tokenomics.fee_shares\"]\n", []string{"metrics[0]: param:tokenomics.fee_shares: tokenomics.fee_shares is {", "not an integer"}},
		// Prices below the micro-USD were cut to it; a floor above the
		// initial price ran the whole scenario at the floor.
		{"price precision", okScenario + "price: {model: path, path: [1, 0.0000019]}\n", []string{"price.path[1]: 0.0000019 has more than 6 decimal places"}},
		{"floor above initial", okScenario + "price: {model: constant, initial: 1, floor: 5}\n", []string{"price.floor: 5 is above price.initial 1"}},
		{"path below floor", okScenario + "price: {model: path, path: [1, 2], floor: 1.5}\n", []string{"price.path[0]: 1 is below price.floor 1.5"}},
		// Demand compounded past a Dec's largest value went flat.
		{"demand growth", strings.Replace(strings.Replace(okScenario, "base: 5", "base: 5, trend: 1", 1), "epochs: 10", "epochs: 40", 1),
			[]string{"populations.consumers.demand.trend: 1 an epoch compounds past 9.2 billion times the base demand by epoch 34 of 40"}},
		// The market model's pool of nothing sent the price to its floor.
		{"market without inventory", strings.Replace(okScenario, "market: {inventory: 1000000}\n", "price: {model: market, initial: 2}\n", 1),
			[]string{"market.inventory: 0; the market price model trades against the exchange's inventory"}},
		// The tables hold base units in 64 bits: a genesis beyond them
		// measured 2^63-1 for every amount.
		{"supply beyond the tables", strings.Replace(okScenario, "epochs: 10", "epochs: 10\ngenesis:\n  assets: [{id: COOP, decimals: 9}]\n  accounts: [{id: foundation}]\n  allocations: [{account: foundation, amount: \"10000000000000000000\"}]", 1),
			[]string{"genesis.allocations: the native supply at genesis is 10001000000000000000 base units of COOP (9 decimals), above 2^63-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "bad.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidScenario) {
				t.Errorf("error does not match ErrInvalidScenario: %v", err)
			}
			msg := err.Error()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error lacks %q (after position %d):\n%s", w, at, msg)
				}
				at += i + len(w)
			}
		})
	}
}

// A sweep value that makes the scenario invalid names the point.
func TestBadSweepPoint(t *testing.T) {
	s, err := Parse([]byte(okScenario+"sweep:\n  grid:\n    - {path: populations.consumers.demand.base, values: [1, -2]}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Points()
	if err == nil || !errors.Is(err, ErrInvalidScenario) || !strings.Contains(err.Error(), "at sweep point 1 (populations.consumers.demand.base=-2): -2; demand cannot be negative") {
		t.Fatalf("got %v", err)
	}
}

// A file with mistakes of every kind (a wrong type, an unknown field, an
// impossible value, a behaviour's field, an unknown behaviour and metric,
// an event) has them all reported in one pass, each once, with its path
// and line.
func TestEveryProblemInOnePass(t *testing.T) {
	_, err := Parse([]byte(`name: many
epochs: ten
runs: -2
colour: blue
market: {inventory: 1000000}
populations:
  consumers:
    count: 3
    demand: {base: 5, trend: -1.5}
  providers:
    count: 2
    sell: 2
  whales: {count: 1}
metrics: [supply, suply]
events:
  - {at: 1, demand: {factor: -0.5}}
`), "many.yaml")
	var se *ScenarioError
	if !errors.As(err, &se) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		`many.yaml:2: epochs: want an integer, got "ten"`,
		"many.yaml:3: runs: -2; give 1 to",
		"many.yaml:4: colour: unknown field",
		"many.yaml:9: populations.consumers.demand.trend: -1.5",
		"many.yaml:12: populations.providers.sell: 2; give the share",
		`many.yaml:13: populations.whales: unknown behaviour "whales"`,
		`many.yaml:14: metrics[1]: unknown metric "suply"`,
		"many.yaml:16: events[0].demand.factor: -0.5; demand cannot be negative",
	}
	var got []string
	for _, p := range se.Problems {
		got = append(got, p.Error())
	}
	for _, w := range want {
		n := 0
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q reported %d times", w, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// Every sweep point's problems are reported together.
func TestBadSweepPointsTogether(t *testing.T) {
	s, err := Parse([]byte(okScenario+"sweep:\n  grid:\n    - {path: populations.consumers.demand.base, values: [-1, 1, -2]}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Points()
	for _, w := range []string{"at sweep point 0", "at sweep point 2"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

// An alias bomb (nine levels of nine aliases: 9^9 nodes from 512 bytes) is
// refused with ErrAliasExpansion before anything is expanded, quickly and
// in little memory; so is a file over MaxScenarioBytes.
func TestAliasBombRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: bomb\nepochs: 1\nx0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	doc := b.String()
	if len(doc) > 512 {
		t.Fatalf("the bomb has %d bytes, want at most 512", len(doc))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Parse([]byte(doc), "bomb.yaml")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrAliasExpansion) || !errors.Is(err, ErrInvalidScenario) {
		t.Fatalf("got %v, want ErrAliasExpansion", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("refusing the bomb allocated %d MiB", grew>>20)
	}
	// A cycle is refused too (the parser may refuse it first).
	if _, err := Parse([]byte("name: c\nx: &a [*a]\n"), "c.yaml"); !errors.Is(err, ErrInvalidScenario) {
		t.Fatalf("cycle: got %v", err)
	}
	big := okScenario + "description: \"" + strings.Repeat("x", MaxScenarioBytes) + "\"\n"
	if _, err := Parse([]byte(big), "big.yaml"); !errors.Is(err, ErrScenarioTooLarge) {
		t.Fatalf("large file: got %v", err)
	}
	// Aliases that expand modestly still work.
	ok := strings.Replace(okScenario, "demand: {base: 5}", "demand: &d {base: 5}", 1) + "  more:\n    behaviour: consumer\n    count: 1\n    demand: *d\n"
	if _, err := Parse([]byte(ok), "ok.yaml"); err != nil {
		t.Fatal(err)
	}
}

// Sizes that drive work are refused, each with its field, without doing
// that work; and a valid scenario of millions of agents is validated
// without creating them: validation lists only the agents the scenario
// names (TestHugePopulationGenesis checks that its genesis is the run's).
func TestHugeSizes(t *testing.T) {
	big := func(n string) string { return strings.Replace(okScenario, "count: 3", "count: "+n, 1) }
	for _, tc := range []struct {
		name, yaml string
		path, msg  string // the one problem: its path and the start of its message; "" for a valid scenario
	}{
		{"count", big("300000000"), "populations.consumers.count", "300000000; give 0 to 10000000"},
		{"count overflow", big("9223372036854775807"), "populations.consumers.count", "9223372036854775807; give 0 to 10000000"},
		{"negative count", big("-5"), "populations.consumers.count", "-5; give 0 to"},
		{"total", big("6000000") + "  more:\n    behaviour: consumer\n    count: 6000000\n    demand: {base: 5}\n", "populations", "12000002 agents in all; at most 10000000"},
		{"feeds", okScenario + "oracle: {feeds: 1000000000000}\n", "oracle.feeds", "1000000000000; give 1 to 64"},
		{"epochs", strings.Replace(okScenario, "epochs: 10", "epochs: 1000000000000", 1), "epochs", "1000000000000; give 1 to 1000000"},
		{"runs", okScenario + "runs: 1000000000000\n", "runs", "1000000000000; give 1 to 1000000"},
		{"block size", okScenario + "block_size: 1000000000000\n", "block_size", "1000000000000; give 1 to 65536"},
		{"sweep points", okScenario + "sweep:\n  grid:\n" + strings.Repeat("    - {path: seed, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n", 6), "sweep", "more than 100000 points"},
		{"agent is a feed", okScenario + "  sim-feed:\n    behaviour: trader\n    count: 1000000\n    balance: 1\n",
			"populations.sim-feed", "its account sim-feed-0 is also an oracle feed"},
		{"agent is a genesis account", big("1000000") + "genesis:\n  accounts: [{id: treasury}, {id: consumers-999999}]\n",
			"populations.consumers", "its account consumers-999999 is also genesis.accounts[1]"},
		{"allocation past the agents", big("1000000") + "genesis:\n  allocations: [{account: consumers-1000000, amount: 5}]\n",
			"genesis.allocations[0].account", "account consumers-1000000 is not declared"},
		{"supply overflow", strings.Replace(big("1000000"), "count: 1000000", "count: 1000000\n    balance: 100000000", 1) +
			"genesis:\n  assets: [{id: COOP, name: Coopera, decimals: 30}]\n", "genesis.allocations", ""},
		{"balance overflow", strings.Replace(okScenario, "count: 3", "count: 3\n    balance: 200000000", 1) +
			"genesis:\n  assets: [{id: COOP, name: Coopera, decimals: 30}]\n", "genesis.allocations", ""},
		{"valid", big("1000000"), "", ""},
		{"valid at the limit", big("9999998"), "", ""},
		{"valid allocation to an agent", big("1000000") + "genesis:\n  allocations: [{account: consumers-999999, amount: 5}]\n", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse([]byte(tc.yaml), "big.yaml")
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			if tc.path == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *ScenarioError
			if !errors.As(err, &se) || !errors.Is(err, ErrInvalidScenario) {
				t.Fatalf("got %v, want a ScenarioError", err)
			}
			for _, fe := range se.Problems {
				if strings.HasPrefix(fe.Path, tc.path) && strings.HasPrefix(fe.Msg, tc.msg) {
					return
				}
			}
			t.Fatalf("no problem %s: %s...; got %v", tc.path, tc.msg, err)
		})
	}
}

// Validation's genesis lists only the agents the scenario names; a run's
// (LedgerGenesis) lists every agent with its balance, the allocations the
// scenario gives agents included.
func TestHugePopulationGenesis(t *testing.T) {
	doc := strings.Replace(okScenario, "count: 3", "count: 1000\n    balance: 2", 1) + "genesis:\n  allocations: [{account: consumers-999, amount: 5}]\n"
	s, err := Parse([]byte(doc), "g.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.c.genesis.Accounts); n > 10 {
		t.Errorf("validation's genesis lists %d accounts", n)
	}
	g := s.LedgerGenesis()
	if g == nil {
		t.Fatal("no genesis")
	}
	agents, allocs := 0, 0
	for _, a := range g.Accounts {
		if strings.HasPrefix(string(a.ID), "consumers-") {
			agents++
		}
	}
	for _, a := range g.Allocations {
		if strings.HasPrefix(string(a.Account), "consumers-") {
			allocs++
		}
	}
	if agents != 1000 || allocs != 1001 {
		t.Errorf("%d agents, %d allocations to them; want 1000 and 1001", agents, allocs)
	}
	if _, err := s.RunOne(0, nil); err != nil {
		t.Fatal(err)
	}
}

// An amount a run measures beyond the tables' 64-bit integers stops the
// run with ErrAmountRange instead of writing 2^63-1 (here the supply,
// after an emission of 5*10^18 base units an epoch).
func TestAmountBeyondTheTables(t *testing.T) {
	s, err := Parse([]byte(strings.Replace(okScenario, "epochs: 10", "epochs: 4\ngenesis:\n  params:\n    tokenomics: {emission_initial: \"5000000000000000000\"}", 1)), "clip.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Simulate(context.Background(), pts, &Options{Runs: 1}, func(*RunResult) error { return nil })
	if !errors.Is(err, ErrAmountRange) || !strings.Contains(err.Error(), "epoch 1: supply is 10000000") {
		t.Fatalf("a supply past 2^63-1: %v, want ErrAmountRange at epoch 1", err)
	}
}

// The extra columns' names are checked against the genesis, and what
// exists passes: an agent, an account of the genesis, the exchange, an
// asset a creator launches, an integer parameter.
func TestExtraColumnsThatExist(t *testing.T) {
	if _, err := Parse([]byte(okScenario+"metrics: [\"balance:consumers-2\", \"balance:"+string(ExchangeAccount)+"\", \"supply:COOP\", \"supply:AGT12\", \"param:tokenomics.fee_bps\"]\n"), "ok.yaml"); err != nil {
		t.Fatal(err)
	}
}
