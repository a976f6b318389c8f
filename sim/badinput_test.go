package sim

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
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
