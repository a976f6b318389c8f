package sim

import (
	"context"
	"strings"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// batchScenarios cover usage batching: every behaviour with an oracle
// attack whose breaker refuses purchases (settlements then fall back to
// separate records), consumers of model and agent services, and
// aggregated consumers (one consumer, a record per provider).
var batchScenarios = map[string]string{
	"metamorphic": metamorphicScenario,
	"refused":     refusedScenario,
	"aggregate": `
name: aggregate
seed: 4
epochs: 12
price: {model: market, initial: 0.5}
market: {inventory: 5000000}
oracle: {feeds: 3}
populations:
  consumers: {count: 30, aggregate: true, demand: {base: 3, noise: 0.5}}
  small: {behaviour: consumer, count: 5, demand: {base: 1, noise: 0.9}}
  providers: {count: 7, active: 5, cost: 1, sell: 0.5, exit_after: 2}
events:
  - {at: 5, until: 7, oracle: {feeds: 2, factor: 3}}
`,
	// Many consumers in small blocks: several settlements an epoch, some
	// of one record, and fallbacks that span blocks.
	"blocks": `
name: blocks
seed: 9
epochs: 10
block_size: 5
price: {model: gbm, initial: 1, volatility: 0.5}
market: {inventory: 3000000}
oracle: {feeds: 3}
populations:
  consumers: {count: 40, demand: {base: 4, noise: 0.8}, services: {models: 0.7, agents: 0.3}}
  providers: {count: 6, sell: 0.5}
  creators: {count: 3, balance: 20000, create: 0.7, launch: 0.5}
events:
  - {at: 4, until: 6, oracle: {feeds: 2, factor: 3}}
`,
}

// Batching the consumers' usage into settlements changes nothing but the
// number of commands: every other metric of every epoch, and the state
// after the last block, are those of the same run with each usage record
// its own command. Batching changes how many blocks an epoch takes, so
// block heights differ: the governance stake checkpoints are keyed by
// height (the latest checkpoint of each account, and of the total, must
// be the same), and a few records hold the height they were written at
// (parameter changes, proposals and votes, contribution registrations and
// its last close: the same keys must exist; their values are compared
// through the metrics). The batched runs must both settle and fall back.
func TestBatchedUsageSameEconomics(t *testing.T) {
	for name, text := range batchScenarios {
		t.Run(name, func(t *testing.T) {
			s, err := Parse([]byte(text), name+".yaml")
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			batched := playForTest(t, s, &Options{CheckInvariants: true, OnBlock: func(_ RunID, b *BlockRecord) {
				for i, c := range b.Commands {
					k := c.Payload.Type()
					if b.Results[b.Closes+i].Code != "" {
						k += " refused"
					}
					kinds[k]++
				}
			}})
			single := playForTest(t, s, &Options{CheckInvariants: true, noBatch: true})
			if kinds["settle_usage"] == 0 {
				t.Fatalf("no settlement applied: %v", kinds)
			}
			if name != "refused" && kinds["record_usage refused"] == 0 {
				t.Fatalf("no usage record refused: the fallback is not exercised: %v", kinds)
			}
			if name == "blocks" && kinds["settle_usage"] <= len(single.rows) {
				t.Fatalf("%d settlements in %d epochs: want several an epoch in small blocks: %v", kinds["settle_usage"], len(single.rows), kinds)
			}
			if kinds["settle_usage refused"] != 0 {
				t.Fatalf("a refused settlement was committed: %v", kinds)
			}
			if b, s := batched.stats, single.stats; b.Commands >= s.Commands || b.Rejected != s.Rejected {
				t.Errorf("batched: %d commands, %d rejected; one record per command: %d, %d", b.Commands, b.Rejected, s.Commands, s.Rejected)
			}
			cols := s.Columns()
			for e := range single.rows {
				for j, col := range cols {
					if col.Name == "commands" {
						continue
					}
					if got, want := batched.rows[e][j], single.rows[e][j]; got != want {
						t.Errorf("epoch %d, %s: %d batched, %d one record per command", e, col.Name, got, want)
					}
				}
			}
			a, b := stateForTest(batched), stateForTest(single)
			for k, v := range a {
				if w, ok := b[k]; ok && heightBearing(k) {
					continue
				} else if w != v {
					t.Errorf("state %q: %x batched, %x one record per command", k, v, b[k])
				}
			}
			for k := range b {
				if _, ok := a[k]; !ok {
					t.Errorf("state %q: only with one record per command", k)
				}
			}
		})
	}
}

// heightBearing reports whether a key's value records a block height.
func heightBearing(key string) bool {
	for _, p := range []string{"p/", "g/", "k/p/", "k/W/"} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return key == "k/l"
}

func playForTest(t *testing.T, s *Scenario, opts *Options) *run {
	t.Helper()
	c, err := s.compiled()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRun(c, opts, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.play(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// stateForTest returns a run's committed state, each governance stake
// checkpoint prefix (an account's, the total's) reduced to its latest
// value, under the prefix.
func stateForTest(r *run) map[string]string {
	m := map[string]string{}
	r.st.Scan(nil, func(k, v []byte) bool {
		key := string(k)
		if strings.HasPrefix(key, "tk/gs/") || strings.HasPrefix(key, "tk/gt/") {
			// Heights are stored inverted: the first key met under a
			// prefix is the latest checkpoint.
			key = key[:len(key)-8]
			if _, ok := m[key]; ok {
				return true
			}
		}
		m[key] = string(v)
		return true
	})
	return m
}

// A scenario that names its own usage reporters keeps its usage as
// record_usage commands: the operator is no reporter there.
func TestBatchedUsageNeedsTheOperator(t *testing.T) {
	s, err := Parse([]byte(`
name: reporters
seed: 1
epochs: 3
genesis:
  accounts: [{id: gateway}]
  params:
    tokenomics: {usage_reporters: [gateway]}
market: {inventory: 1000000}
populations:
  consumers: {count: 4, demand: {base: 2}}
  providers: {count: 2}
`), "reporters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	if _, err := s.RunOne(0, &Options{OnBlock: func(_ RunID, b *BlockRecord) {
		for _, c := range b.Commands {
			kinds[c.Payload.Type()]++
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if kinds["settle_usage"] != 0 || kinds["record_usage"] == 0 {
		t.Fatalf("commands %v: want record_usage and no settle_usage", kinds)
	}
}

// batchUsage leaves alone what a settlement cannot carry.
func TestBatchable(t *testing.T) {
	use := func() *tokenomics.RecordUsage {
		return &tokenomics.RecordUsage{Platform: "p", GPU: "p", Input: 5, PriceIn: 1}
	}
	other := use()
	other.Consumer = "bob"
	for _, tc := range []struct {
		name string
		cmd  *ledger.Command
		want bool
	}{
		{"own usage", &ledger.Command{Actor: "alice", Payload: use()}, true},
		{"another's usage", &ledger.Command{Actor: "alice", Payload: other}, false},
		{"refused actor", &ledger.Command{Actor: refusedAccount, Payload: use()}, false},
		{"idempotency key", &ledger.Command{Actor: "alice", Key: "k", Payload: use()}, false},
		{"nonce", &ledger.Command{Actor: "alice", Nonce: 3, Payload: use()}, false},
		{"signed", &ledger.Command{Actor: "alice", Signature: []byte{1}, Payload: use()}, false},
		{"purchase", &ledger.Command{Actor: ExchangeAccount, Payload: &tokenomics.BuyCredits{Amount: ledger.NewAmount(1), To: "alice"}}, false},
	} {
		if got := batchable(tc.cmd); got != tc.want {
			t.Errorf("%s: batchable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
