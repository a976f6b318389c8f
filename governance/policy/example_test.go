package policy_test

import (
	"context"
	"fmt"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
)

// Compile a policy that bounds a fee, and ask it about two proposals.
func Example() {
	ctx := context.Background()
	set, err := policy.Compile(ctx, []policy.File{{Name: "fees.rego", Src: []byte(`package coopera.proposals

import rego.v1

default allow := false

allow if count(deny) == 0

deny contains msg if {
	some a in input.proposal.actions
	a.name == "fee_bps"
	a.value > 500
	msg := sprintf("fee_bps may never exceed 500, not %v", [a.value])
}

rules := {"quorum_bps": 4000} if "parameter_change" in input.proposal.kinds
`)}}, "policies")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, fee := range []int{150, 900} {
		in := &policy.ProposalInput{Actor: "alice", Proposal: policy.ProposalDoc{
			Title: "fee", Deposit: "0", Kinds: []string{"parameter_change"},
			Actions: []policy.ActionDoc{{Action: governance.Action{Kind: governance.ParameterChange, Module: "tokenomics", Name: "fee_bps", Value: []byte(fmt.Sprint(fee))}}},
		}}
		d, _ := set.DecideProposal(ctx, in)
		fmt.Printf("fee %d: allowed %v, reasons %q, quorum %d bps\n", fee, d.Allowed, d.Reasons, *d.Rules.QuorumBps)
	}

	// A policy that reads the clock never loads.
	_, err = policy.Compile(ctx, []policy.File{{Name: "clock.rego", Src: []byte("package coopera.proposals\n\nimport rego.v1\n\nallow if time.now_ns() > 0\n")}}, "policies")
	fmt.Println(err)
	// Output:
	// fee 150: allowed true, reasons [], quorum 4000 bps
	// fee 900: allowed false, reasons ["fee_bps may never exceed 500, not 900"], quorum 4000 bps
	// policy: policies/clock.rego:5:10: forbidden built-in time.now_ns: it reads the clock; the proposal's input carries what a policy may know; policies must be deterministic
}
