package sim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// shares draws n basis-point shares summing to 10000.
func shares(t *rapid.T, label string, n int) []int {
	out := make([]int, n)
	left := 10000
	for i := range n - 1 {
		out[i] = rapid.IntRange(0, left).Draw(t, fmt.Sprintf("%s%d", label, i))
		left -= out[i]
	}
	out[n-1] = left
	return out
}

func dec(t *rapid.T, label string, lo, hi int) string {
	// A decimal with three places in [lo, hi] thousandths.
	v := rapid.IntRange(lo, hi).Draw(t, label)
	neg := ""
	if v < 0 {
		neg, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%03d", neg, v/1000, v%1000)
}

// randomScenario draws a small scenario exercising the behaviours, price
// models, events and economic parameters.
func randomScenario(t *rapid.T) string {
	var b strings.Builder
	epochs := rapid.IntRange(2, 14).Draw(t, "epochs")
	fmt.Fprintf(&b, "name: prop\nseed: %d\nepochs: %d\nblock_size: %d\nepoch_length: %s\n",
		rapid.Uint64().Draw(t, "seed"), epochs, rapid.IntRange(1, 48).Draw(t, "block"),
		rapid.SampledFrom([]string{"1h", "24h", "168h"}).Draw(t, "length"))
	fs := shares(t, "fee", 4)
	es := shares(t, "epoch", 5)
	contrib := rapid.Bool().Draw(t, "contribution")
	gov := rapid.Bool().Draw(t, "governance")
	mods := "tokenomics"
	if contrib {
		mods += ", contribution"
	}
	if gov {
		mods += ", governance"
	}
	fmt.Fprintf(&b, "modules: [%s]\ngenesis:\n  params:\n", mods)
	if gov {
		fmt.Fprintf(&b, "    governance: {voting_period: %s, timelock: %s}\n",
			rapid.SampledFrom([]string{"1h", "24h", "72h"}).Draw(t, "voting"), rapid.SampledFrom([]string{"0s", "24h"}).Draw(t, "timelock"))
	}
	fmt.Fprintf(&b, "    tokenomics:\n")
	if contrib && rapid.Bool().Draw(t, "provider_pool") {
		fmt.Fprintf(&b, "      provider_pool: \"mod:contribution/pool\"\n")
	}
	fmt.Fprintf(&b, "      fee_bps: %d\n", rapid.IntRange(0, 1000).Draw(t, "fee_bps"))
	fmt.Fprintf(&b, "      fee_shares: {treasury: %d, burn: %d, stakers: %d, creator: %d}\n", fs[0], fs[1], fs[2], fs[3])
	fmt.Fprintf(&b, "      epoch_shares: {providers: %d, mining: %d, creators: %d, stakers: %d, treasury: %d}\n", es[0], es[1], es[2], es[3], es[4])
	if rapid.Bool().Draw(t, "decay") {
		fmt.Fprintf(&b, "      emission_kind: decay\n      emission_decay_bps: %d\n", rapid.IntRange(1, 9999).Draw(t, "decay_bps"))
	} else {
		fmt.Fprintf(&b, "      emission_halving_epochs: %d\n", rapid.IntRange(1, 20).Draw(t, "halving"))
	}
	fmt.Fprintf(&b, "      emission_initial: \"%d\"\n", rapid.IntRange(0, 5_000_000_000).Draw(t, "initial"))
	fmt.Fprintf(&b, "      remint_cap: \"%d\"\n      remint_smoothing: %d\n", rapid.IntRange(0, 1_000_000_000).Draw(t, "cap"), rapid.IntRange(1, 20).Draw(t, "smoothing"))
	fmt.Fprintf(&b, "      unbonding_epochs: %d\n      agent_deposit: \"%d\"\n", rapid.IntRange(0, 3).Draw(t, "unbonding"), rapid.IntRange(0, 50_000_000).Draw(t, "deposit"))
	fmt.Fprintf(&b, "      breaker_bps: %d\n", rapid.IntRange(100, 10000).Draw(t, "breaker"))
	model := rapid.SampledFrom([]string{"constant", "path", "gbm", "market"}).Draw(t, "model")
	switch model {
	case "path":
		fmt.Fprintf(&b, "price:\n  model: path\n  path: [%s, %s, %s]\n", dec(t, "p0", 1, 5000), dec(t, "p1", 1, 5000), dec(t, "p2", 1, 5000))
	case "gbm":
		fmt.Fprintf(&b, "price: {model: gbm, initial: %s, drift: %s, volatility: %s}\n", dec(t, "init", 1, 5000), dec(t, "mu", -2000, 2000), dec(t, "sigma", 0, 3000))
	default:
		fmt.Fprintf(&b, "price: {model: %s, initial: %s}\n", model, dec(t, "init", 1, 5000))
	}
	minInventory := 0
	if model == "market" {
		minInventory = 1 // the market model trades against it
	}
	fmt.Fprintf(&b, "market: {inventory: %d}\n", rapid.IntRange(minInventory, 1_000_000).Draw(t, "inventory"))
	feeds := rapid.IntRange(1, 4).Draw(t, "feeds")
	fmt.Fprintf(&b, "oracle: {feeds: %d, noise: %s}\n", feeds, dec(t, "noise", 0, 100))
	agentsShare := dec(t, "agents", 0, 1000)
	fmt.Fprintf(&b, `populations:
  consumers:
    count: %d
    demand: {base: %s, trend: %s, noise: %s}
    services: {models: %s, agents: %s}
    aggregate: %v
  providers:
    count: %d
    cost: %s
    sell: %s
    exit_after: %d
%s  stakers:
    count: %d
    balance: %d
    target_apr: %s
    compound: %v
    claim_every: %d
  creators:
    count: %d
    balance: %d
    create: %s
    launch: %s
  traders:
    count: %d
    balance: %d
    trade: %s
`,
		rapid.IntRange(0, 6).Draw(t, "consumers"), dec(t, "base", 1, 200_000), dec(t, "trend", -100, 100), dec(t, "dnoise", 0, 1000),
		oneMinus(agentsShare), agentsShare, rapid.Bool().Draw(t, "aggregate"),
		rapid.IntRange(1, 4).Draw(t, "providers"), dec(t, "cost", 0, 100_000), dec(t, "sell", 0, 1000), rapid.IntRange(0, 3).Draw(t, "exit"), meter(contrib),
		rapid.IntRange(0, 4).Draw(t, "stakers"), rapid.IntRange(1, 100_000).Draw(t, "sbal"), dec(t, "apr", 0, 2000), rapid.Bool().Draw(t, "compound"), rapid.IntRange(1, 4).Draw(t, "claim"),
		rapid.IntRange(0, 3).Draw(t, "creators"), rapid.IntRange(1, 5000).Draw(t, "cbal"), dec(t, "create", 0, 1000), dec(t, "launch", 0, 1000),
		rapid.IntRange(0, 4).Draw(t, "traders"), rapid.IntRange(1, 5000).Draw(t, "tbal"), dec(t, "trade", 0, 1000))
	b.WriteString("events:\n")
	for i := range rapid.IntRange(0, 3).Draw(t, "events") {
		at := rapid.IntRange(0, epochs-1).Draw(t, fmt.Sprintf("at%d", i))
		kinds := 2
		if gov {
			kinds = 3
		}
		switch rapid.IntRange(0, kinds).Draw(t, fmt.Sprintf("kind%d", i)) {
		case 0:
			fmt.Fprintf(&b, "  - {at: %d, demand: {factor: %s}}\n", at, dec(t, fmt.Sprintf("factor%d", i), 0, 3000))
		case 1:
			fmt.Fprintf(&b, "  - {at: %d, oracle: {feeds: %d, factor: %s}}\n", at, rapid.IntRange(1, feeds).Draw(t, fmt.Sprintf("af%d", i)), dec(t, fmt.Sprintf("afactor%d", i), 1, 10000))
		case 2:
			fmt.Fprintf(&b, "  - {at: %d, params: {name: fee_bps, value: %d}}\n", at, rapid.IntRange(0, 1000).Draw(t, fmt.Sprintf("fee%d", i)))
		case 3:
			fmt.Fprintf(&b, "  - {at: %d, params: {name: fee_bps, value: %d, via: governance, support: %s}}\n", at,
				rapid.IntRange(0, 1000).Draw(t, fmt.Sprintf("gfee%d", i)), dec(t, fmt.Sprintf("support%d", i), 0, 1000))
		}
	}
	return b.String()
}

func meter(on bool) string {
	if !on {
		return ""
	}
	return "    meter: {class: a100, devices: 2}\n"
}

func oneMinus(d string) string {
	v, _ := ParseDec(d)
	return (One - v).String()
}

// Over random scenarios, the ledger's invariants (conservation per block,
// and over the whole state after every epoch) hold, a fresh block step
// decides every block as the run's step does (the first run), and the
// same seed reproduces the same table and state root.
func TestPropertyInvariantsAndReplay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := randomScenario(t)
		s, err := Parse([]byte(text), "prop.yaml")
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		a, err := s.RunOne(0, &Options{CheckInvariants: true, StateRoots: true, checkFresh: true})
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		b, err := s.RunOne(0, &Options{CheckInvariants: true, StateRoots: true})
		if err != nil {
			t.Fatal(err)
		}
		if a.Root != b.Root || !reflect.DeepEqual(a.Rows, b.Rows) || a.Stats != b.Stats {
			t.Fatalf("the same seed gave two histories\n%s", text)
		}
		if len(a.Rows) != s.Epochs {
			t.Fatalf("%d rows for %d epochs", len(a.Rows), s.Epochs)
		}
	})
}
