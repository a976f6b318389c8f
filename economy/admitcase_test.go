package economy_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
)

// A parameter change whose value writes a field in another case than the
// module's is refused at admission: the module decodes JSON field names
// whatever their case and would apply {"TREASURY": 9000} as treasury
// 9000, while a policy reading value.treasury would see no such field and
// let it through.
func TestParameterFieldCaseRefused(t *testing.T) {
	ctx := context.Background()
	set, err := policy.Load(ctx, "../policies")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "case", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
	 "params": {"governance": {"policy_hash": %q, "min_deposit": "0"}}}`, hex.EncodeToString(set.Hash()))))
	if err != nil {
		t.Fatal(err)
	}
	mods := economy.Modules()
	adm, err := policy.NewAdmitter(policy.NewLibrary(set), mods...)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Modules: mods})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	propose := func(value string) error {
		return adm.Admit(ctx, eng.View(), &ledger.Command{Actor: "alice", Payload: &governance.Propose{Title: "shares", Description: "Send more of the fee to the treasury.", Actions: []governance.Action{
			{Kind: governance.ParameterChange, Module: "tokenomics", Name: "fee_shares", Value: []byte(value)}}}})
	}
	err = propose(`{"TREASURY": 9000, "burn": 1000, "stakers": 0, "creator": 0}`)
	if !errors.Is(err, governance.ErrInvalidProposal) || !strings.Contains(err.Error(), `field "treasury" is written "TREASURY"`) {
		t.Fatalf("a field written in capitals: %v, want ErrInvalidProposal naming it", err)
	}
	// BuildProposalInput, which gov eval uses, says the same.
	m, err := ledger.NewMachine(mods...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = policy.BuildProposalInput(m, eng.View(), "alice", &governance.Propose{Title: "shares", Actions: []governance.Action{
		{Kind: governance.ParameterChange, Module: "tokenomics", Name: "fee_shares", Value: []byte(`{"Treasury": 9000, "burn": 1000, "stakers": 0, "creator": 0}`)}}})
	if !errors.Is(err, governance.ErrInvalidProposal) {
		t.Fatalf("BuildProposalInput of a field written otherwise: %v", err)
	}
	if err := propose(`{"treasury": 9000, "burn": 1000, "stakers": 0, "creator": 0}`); err != nil {
		t.Fatalf("the same value as the module names it: %v", err)
	}
}
