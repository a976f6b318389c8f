package sim

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// metamorphicScenario exercises every built-in behaviour, both kinds of
// parameter change, an oracle attack and a demand shock.
const metamorphicScenario = `
name: metamorphic
seed: 11
epochs: 24
metrics: [supply, price, oracle_price, burned, minted, staked, rejected, agents, "param:tokenomics.fee_bps", providers.active, "balance:sim-exchange"]
block_size: 40
modules: [tokenomics, contribution, governance]
genesis:
  params:
    tokenomics: {agent_deposit: "10000000", unbonding_epochs: 2, emission_initial: "50000000", provider_pool: "mod:contribution/pool"}
    governance: {voting_period: 48h, timelock: 24h, late_quorum_extension: 0s, quorum_bps: 1000}
price: {model: gbm, initial: 1.5, drift: 0.1, volatility: 0.9}
market: {inventory: 2000000}
oracle: {feeds: 3, noise: 0.01}
populations:
  consumers:
    count: 12
    demand: {base: 40, trend: 0.01, noise: 0.3, seasonality: {amplitude: 0.2, period: 7}}
    services: {models: 0.6, agents: 0.4}
  providers:
    count: 6
    active: 3
    cost: 5
    cost_spread: 0.5
    sell: 0.5
    exit_after: 3
    meter: {class: a100, devices: 2}
  stakers:
    count: 8
    balance: 5000
    target_apr: 0.5
    target_spread: 0.9
    band: 0.4
    claim_every: 3
  creators:
    count: 4
    balance: 500
    create: 0.3
    max_agents: 2
    launch: 0.8
    price_in: 2
    price_out: 5
  traders:
    count: 6
    balance: 300
    trade: 0.6
events:
  - {at: 3, params: {name: fee_bps, value: 150, via: governance, support: 0.8}}
  - {at: 8, params: {name: fee_bps, value: 80}}
  - {at: 12, until: 15, oracle: {feeds: 2, factor: 4}}
  - {at: 16, until: 20, demand: {factor: 0.2}}
`

// The same seeded history through the simulator (in memory) and through
// the Pebble-backed engine (coopera.Open, the same modules, block times
// from a clock the test sets) gives the same results and state root after
// every block; halfway, the engine is snapshotted, closed and reopened
// from the snapshot, and goes on to the same roots.
func TestMetamorphicEngine(t *testing.T) {
	s, err := Parse([]byte(metamorphicScenario), "metamorphic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []*BlockRecord
	res, err := s.RunOne(0, &Options{StateRoots: true, CheckInvariants: true, OnBlock: func(_ RunID, b *BlockRecord) {
		blocks = append(blocks, b)
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The history must be rich: every kind of command, some rejected.
	kinds := map[string]int{}
	rejected := 0
	for _, b := range blocks {
		for i, c := range b.Commands {
			kinds[c.Payload.Type()]++
			if b.Results[b.Closes+i].Code != "" {
				rejected++
			}
		}
	}
	for _, k := range []string{"observe_price", "buy_credits", "record_usage", "settle_usage", "transfer", "stake", "unstake", "create_agent",
		"launch_token", "buy", "sell", "withdraw_unbonded", "claim_rewards", "sim_set_param", "contribution_register", "contribution_record", "gov_propose", "gov_vote", "gov_queue", "gov_execute"} {
		if kinds[k] == 0 {
			t.Errorf("the history has no %s command: %v", k, kinds)
		}
	}
	if rejected == 0 {
		t.Errorf("no command was rejected; the oracle attack should trip the breaker")
	}
	// The governance change (proposed at epoch 3) and the direct one (at
	// epoch 8) take effect.
	col := columnIndex(t, res)
	fees := make([]int64, len(res.Rows))
	for e, row := range res.Rows {
		fees[e] = row[col["param:tokenomics.fee_bps"]]
	}
	if fees[0] != 100 || fees[7] != 150 || fees[8] != 80 || fees[len(fees)-1] != 80 {
		t.Errorf("fee_bps by epoch %v: want 100 at first, 150 after the vote, 80 from epoch 8", fees)
	}
	// The attack's epochs see no credit price (the breaker is open).
	if v := res.Rows[12][col["oracle_price"]]; v != Missing {
		t.Errorf("epoch 12: credits bought at %d during the oracle attack", v)
	}

	replayThroughEngine(t, s, blocks, res)
}

// replayThroughEngine submits a run's blocks to the Pebble-backed engine,
// snapshotting, closing and reopening it halfway, and requires the
// simulator's results and state root after every block.
func replayThroughEngine(t *testing.T, s *Scenario, blocks []*BlockRecord, res *RunResult) {
	t.Helper()
	var now time.Time
	opts := &coopera.Options{
		Genesis: s.LedgerGenesis(),
		Modules: s.LedgerModules(),
		Clock:   func() time.Time { return now },
	}
	// The engine decides proposals with the same policies as the runs did.
	adm, err := s.LedgerAdmitter()
	if err != nil {
		t.Fatal(err)
	}
	if adm != nil {
		opts.Admitters = []coopera.Admitter{adm}
	}
	eng, err := coopera.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { eng.Close() }()
	ctx := context.Background()
	for n, b := range blocks {
		if n == len(blocks)/2 {
			snap := filepath.Join(t.TempDir(), "snap")
			if err := eng.Snapshot(ctx, snap); err != nil {
				t.Fatal(err)
			}
			if err := eng.Close(); err != nil {
				t.Fatal(err)
			}
			if eng, err = coopera.Open(snap, opts); err != nil {
				t.Fatal(err)
			}
		}
		now = time.Unix(0, b.Time)
		rcs, err := eng.SubmitBatch(ctx, b.Commands)
		if err != nil {
			t.Fatalf("block %d: %v", b.Height, err)
		}
		for i, rc := range rcs {
			want := b.Results[b.Closes+i].Code
			got := ""
			if rc.Err != nil {
				got = errCode(rc.Err)
			}
			if got != want {
				t.Fatalf("block %d command %d (%s): engine result %q, simulator %q", b.Height, i, b.Commands[i].Payload.Type(), got, want)
			}
		}
		h := eng.Head()
		if h.Height != b.Height || h.StateRoot != b.Root {
			t.Fatalf("after block %d: engine at height %d root %s, simulator root %s", b.Height, h.Height, h.StateRoot.Short(), b.Root.Short())
		}
	}
	if eng.Head().StateRoot != res.Root {
		t.Fatalf("final roots differ: engine %s, simulator %s", eng.Head().StateRoot.Short(), res.Root.Short())
	}
	t.Logf("%d blocks, %d commands (%d rejected), root %s", len(blocks), res.Stats.Commands, res.Stats.Rejected, res.Root.Short())
}

func errCode(err error) string {
	if le, ok := err.(*ledger.Error); ok {
		return le.Code
	}
	return err.Error()
}

// Vesting escrows (the control module's genesis accounts and its
// sim_release) replay through the engine to the same roots.
func TestMetamorphicEngineVesting(t *testing.T) {
	s, err := Parse([]byte(`
name: metamorphic-vesting
seed: 2
epochs: 10
price: {model: market, initial: 0.5}
market: {inventory: 1000000}
populations:
  team: {behaviour: vesting, count: 3, allocation: 90000, tge: 0.1, cliff: 2, duration: 6, sell: 0.5}
  ecosystem: {behaviour: vesting, count: 2, allocation: 50000, schedule: [{at: 1, share: 0.5}, {at: 5, share: 1}], sell: 0.2}
  consumers: {count: 4, demand: {base: 20, noise: 0.2}}
  providers: {count: 2, sell: 0.5}
`), "vesting.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []*BlockRecord
	res, err := s.RunOne(0, &Options{StateRoots: true, CheckInvariants: true, OnBlock: func(_ RunID, b *BlockRecord) {
		blocks = append(blocks, b)
	}})
	if err != nil {
		t.Fatal(err)
	}
	releases := 0
	for _, b := range blocks {
		for i, c := range b.Commands {
			if c.Payload.Type() == "sim_release" && b.Results[b.Closes+i].Code == "" {
				releases++
			}
		}
	}
	if releases == 0 {
		t.Fatal("no release applied")
	}
	replayThroughEngine(t, s, blocks, res)
}
