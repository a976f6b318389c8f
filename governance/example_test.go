package governance_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// A parameter change from proposal to execution: the policy admits it,
// stake at the snapshot votes, the tally passes it, the timelock runs, and
// the new value is in effect from the block after execution.
func Example() {
	ctx := context.Background()
	set, _ := policy.Load(ctx, "testdata/policies")
	mods := []ledger.Module{govtest.Module{}, governance.New(govtest.Module{})}
	adm, _ := policy.NewAdmitter(policy.NewLibrary(set), mods...)

	h, _ := ledgertest.New(mods...)
	g, _ := ledger.ParseGenesis([]byte(`{"chain_id": "example", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 0}], "accounts": [{"id": "alice"}, {"id": "bob"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000"}],
	 "params": {"governance": {"policy_hash": "` + set.HashHex() + `", "voting_period": "1h", "late_quorum_extension": "0s", "timelock": "10m"}}}`))
	h.Genesis(g)

	block := func(after time.Duration, lines ...string) {
		var cmds []*ledger.Command
		for _, l := range lines {
			c, err := h.M.Registry().ParseCommandJSON([]byte(l))
			if err == nil {
				err = adm.Admit(ctx, h, c)
			}
			if err != nil {
				fmt.Println("refused:", strings.TrimPrefix(err.Error(), "coopera: "))
				continue
			}
			cmds = append(cmds, c)
		}
		b, err := h.Apply(h.Time.Add(after), cmds)
		if err != nil {
			fmt.Println(err)
			return
		}
		for i, r := range b.Results {
			if r.Code != "" {
				fmt.Printf("%s rejected: %s\n", b.Commands[i].Payload.Type(), r.Code)
			}
		}
	}
	block(time.Second,
		`{"type": "govtest_stake", "actor": "alice", "payload": {"account": "alice", "amount": "300"}}`,
		`{"type": "govtest_stake", "actor": "bob", "payload": {"account": "bob", "amount": "100"}}`)
	block(time.Second,
		`{"type": "gov_propose", "actor": "alice", "payload": {"title": "Fee to 9%", "deposit": "0", "actions": [{"kind": "parameter_change", "module": "govtest", "name": "fee_bps", "value": 900}]}}`,
		`{"type": "gov_propose", "actor": "alice", "payload": {"title": "Fee to 1.2%", "deposit": "0", "actions": [{"kind": "parameter_change", "module": "govtest", "name": "fee_bps", "value": 120}]}}`)
	block(time.Second,
		`{"type": "gov_vote", "actor": "alice", "payload": {"proposal": 1, "option": "yes"}}`,
		`{"type": "gov_vote", "actor": "bob", "payload": {"proposal": 1, "option": "no"}}`)
	block(time.Hour, `{"type": "gov_tally", "actor": "bob", "payload": {"proposal": 1}}`, `{"type": "gov_queue", "actor": "bob", "payload": {"proposal": 1}}`)
	block(10*time.Minute, `{"type": "gov_execute", "actor": "bob", "payload": {"proposal": 1}}`)

	p, _, _ := governance.GetProposal(h, 1)
	fmt.Printf("proposal 1: %s, yes %s no %s\n", p.Status, p.Tally.Yes, p.Tally.No)
	now, _ := ledger.ParamsAt(h, "govtest", h.Height)
	next, _ := ledger.ParamsAt(h, "govtest", h.Height+1)
	pm, _ := h.M.Parameterized("govtest")
	a, _ := pm.ParamsJSON(now)
	b, _ := pm.ParamsJSON(next)
	fmt.Printf("govtest params at the executing block %s, from the next %s\n", a, b)
	// Output:
	// refused: gov_policy_denied: policy 55959e9b6668 denies the proposal: govtest.fee_bps may never exceed 500 bps (5%); the proposal sets 900; govtest.fee_bps moves from 100 to 900: more than 50% in one proposal
	// proposal 1: executed, yes 300 no 100
	// govtest params at the executing block {"fee_bps":100}, from the next {"fee_bps":120}
}
