package economy_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// TestEconomyEndToEnd runs the standard modules in the Pebble-backed
// engine with the real policy admitter: stakes in the tokenomics protocol
// pool become governance voting power, a proposal to change the platform
// fee passes and executes, the next block's transfers pay the new fee,
// and verify replays everything.
func TestEconomyEndToEnd(t *testing.T) {
	ctx := context.Background()
	lib, err := policy.LoadLibrary(ctx, "../policies")
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.Load(ctx, "../policies")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "economy", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "carol"}, {"id": "feed"}, {"id": "meter"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000"},
	                 {"account": "bob", "asset": "COOP", "amount": "1000000000"}],
	 "params": {"tokenomics": {"oracle_feeds": ["feed"], "provider_pool": "mod:contribution/pool"},
	            "contribution": {"reporters": ["meter"]},
	            "governance": {"policy_hash": %q, "voting_period": "1h", "timelock": "0s", "min_deposit": "1000000"}}}`,
		hex.EncodeToString(set.Hash()))))
	if err != nil {
		t.Fatal(err)
	}
	mods := economy.Modules()
	adm, err := policy.NewAdmitter(lib, mods...)
	if err != nil {
		t.Fatal(err)
	}
	now := g.GenesisTime
	clock := func() time.Time { now = now.Add(time.Second); return now }
	eng, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Modules: mods, Admitters: []coopera.Admitter{adm}, Clock: clock, CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	submit := func(js string) *coopera.Receipt {
		t.Helper()
		c, err := eng.ParseCommand([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := eng.Submit(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return rc
	}
	submit(`{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "300000000"}}`)
	submit(`{"type": "stake", "actor": "bob", "payload": {"pool": "protocol", "asset": "COOP", "amount": "100000000"}}`)
	if u, _, err := tokenomics.ProtocolStakeAt(eng.View(), "alice", eng.Head().Height); err != nil || u.IsZero() {
		t.Fatalf("alice's protocol stake: %s %v", u, err)
	}
	submit(`{"type": "gov_propose", "actor": "alice", "payload": {"title": "Fee to 1.2%", "description": "Raise the platform fee to fund the treasury.", "deposit": "1000000",
	  "actions": [{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": 120}]}}`)
	// A proposal the policy refuses (fee above 5%) never reaches a block.
	head := eng.Head()
	c, _ := eng.ParseCommand([]byte(`{"type": "gov_propose", "actor": "bob", "payload": {"title": "Fee to 9%", "description": "Raise the platform fee a great deal, please.", "deposit": "1000000",
	  "actions": [{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": 900}]}}`))
	if _, err := eng.Submit(ctx, c); err == nil {
		t.Fatal("the policy let a 9% fee through")
	}
	if eng.Head() != head {
		t.Fatal("a refused proposal wrote a block")
	}
	// carol serves GPU time, metered for contribution.
	submit(`{"type": "contribution_register", "actor": "carol", "payload": {"role": "compute", "stake": "0"}}`)
	submit(`{"type": "contribution_record", "actor": "meter", "payload": {"provider": "carol", "kind": "gpu_seconds", "class": "h100", "quantity": 3600, "source": "nvml:carol-1"}}`)
	submit(`{"type": "gov_vote", "actor": "alice", "payload": {"proposal": 1, "option": "yes"}}`)
	submit(`{"type": "gov_vote", "actor": "bob", "payload": {"proposal": 1, "option": "no"}}`)
	// The example policy gives parameter changes a 24h vote and a 48h
	// timelock. The epoch close at 24h tallies the proposal (alice's stake
	// outweighs bob's).
	now = now.Add(25 * time.Hour)
	submit(`{"type": "gov_queue", "actor": "carol", "payload": {"proposal": 1}}`)
	// The epoch close minted the emission (1,000,000 COOP); its providers'
	// half went to the contribution pool, whose compute share (40%) carol,
	// the only compute provider with no validators voting, received:
	// 200,000 COOP.
	if got := balanceOf(t, eng, "carol"); got != "200000000000" {
		t.Fatalf("carol has %s base units after the epoch, want 200000000000", got)
	}
	now = now.Add(49 * time.Hour)
	submit(`{"type": "gov_execute", "actor": "carol", "payload": {"proposal": 1}}`)
	// From the next block on, a transfer pays 1.2%: 1,000,000 -> 12,000.
	rc := submit(`{"type": "transfer", "actor": "alice", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "1000000"}]}}`)
	var fee *tokenomics.FeeCharged
	for _, ev := range rc.Events {
		if f, ok := ev.(*tokenomics.FeeCharged); ok {
			fee = f
		}
	}
	if fee == nil {
		t.Fatalf("no fee on the transfer: %v", rc.Events)
	}
	if got := fmt.Sprint(fee.Fee); got != "12000" {
		t.Fatalf("fee %s after the governance change, want 12000 (1.2%%)", got)
	}
	if _, err := eng.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

func balanceOf(t *testing.T, e *coopera.Engine, a ledger.AccountID) string {
	t.Helper()
	v, err := e.Balance(context.Background(), a, "COOP")
	if err != nil {
		t.Fatal(err)
	}
	return v.String()
}

// TestBridgeConfiguredByGovernance starts the standard economy without
// params.bridge (the bridge disabled), then lists WETH (asset_listing)
// and configures the bridge for it (parameter_change of bridge.vault,
// chain_id, relayers and tokens) in one proposal through the real policy;
// after execution the relayer's deposit of WETH is credited, once.
func TestBridgeConfiguredByGovernance(t *testing.T) {
	ctx := context.Background()
	lib, err := policy.LoadLibrary(ctx, "../policies")
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.Load(ctx, "../policies")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "economy-bridge", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "relayer"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000"}],
	 "params": {"governance": {"policy_hash": %q, "voting_period": "1h", "timelock": "0s", "min_deposit": "1000000"}}}`,
		hex.EncodeToString(set.Hash()))))
	if err != nil {
		t.Fatal(err)
	}
	mods := economy.Modules()
	adm, err := policy.NewAdmitter(lib, mods...)
	if err != nil {
		t.Fatal(err)
	}
	now := g.GenesisTime
	clock := func() time.Time { now = now.Add(time.Second); return now }
	eng, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Modules: mods, Admitters: []coopera.Admitter{adm}, Clock: clock, CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	submit := func(js string) *coopera.Receipt {
		t.Helper()
		c, err := eng.ParseCommand([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := eng.Submit(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return rc
	}
	try := func(js string) (*coopera.Receipt, error) {
		t.Helper()
		c, err := eng.ParseCommand([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := eng.Submit(ctx, c)
		if err == nil {
			err = rc.Err
		}
		return rc, err
	}
	const deposit = `{"type": "bridge_deposit", "actor": "relayer", "key": "bridge:1:0x00000000000000000000000000000000000000a1:1", "payload": {"chain_id": 1, "contract": "0x00000000000000000000000000000000000000a1", "nonce": 1, "token": "0x00000000000000000000000000000000000000ee", "from": "0x00000000000000000000000000000000000000f1", "to": "alice", "amount": "1500000000000000000"}}`
	if _, err := try(deposit); !errors.Is(err, bridge.ErrDisabled) {
		t.Fatalf("deposit before governance: %v", err)
	}
	submit(`{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "300000000"}}`)
	rc := submit(`{"type": "gov_propose", "actor": "alice", "payload": {"title": "Bridge WETH", "description": "List WETH and bridge it from the vault on chain 1.", "deposit": "1000000",
	  "actions": [{"kind": "asset_listing", "asset": "WETH", "asset_name": "Wrapped Ether", "decimals": 18},
	              {"kind": "parameter_change", "module": "bridge", "name": "vault", "value": "0x00000000000000000000000000000000000000a1"},
	              {"kind": "parameter_change", "module": "bridge", "name": "chain_id", "value": 1},
	              {"kind": "parameter_change", "module": "bridge", "name": "relayers", "value": ["relayer"]},
	              {"kind": "parameter_change", "module": "bridge", "name": "tokens", "value": [{"asset": "WETH", "contract": "0x00000000000000000000000000000000000000ee"}]}]}}`)
	if rc.Err != nil {
		t.Fatal(rc.Err)
	}
	submit(`{"type": "gov_vote", "actor": "alice", "payload": {"proposal": 1, "option": "yes"}}`)
	now = now.Add(25 * time.Hour) // the vote ends; the epoch close tallies it
	submit(`{"type": "gov_queue", "actor": "alice", "payload": {"proposal": 1}}`)
	now = now.Add(49 * time.Hour) // the policy's 48h timelock for listings
	if rc := submit(`{"type": "gov_execute", "actor": "alice", "payload": {"proposal": 1}}`); rc.Err != nil {
		t.Fatal(rc.Err)
	}
	if _, err := try(deposit); err != nil {
		t.Fatalf("deposit after governance: %v", err)
	}
	if rc, err := try(deposit); err != nil || !rc.Duplicate {
		t.Fatalf("the same deposit again: %+v %v", rc, err)
	}
	v, err := eng.Balance(ctx, "alice", "WETH")
	if err != nil || v.String() != "1500000000000000000" {
		t.Fatalf("alice's WETH: %s %v", v, err)
	}
	if err := bridge.CheckBacked(eng.View(), "WETH"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
