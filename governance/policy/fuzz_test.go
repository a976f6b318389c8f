package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
)

// FuzzPolicyInput: any actor, command type and payload a client can put in
// front of the example policies is decided (allowed, or denied with
// reasons within the recorded bounds) or refused with a typed limit error,
// never a panic, and the same input gets the same decision twice. The
// payload is also read as a proposal. `go test` runs the seeds (and
// testdata/fuzz); fuzz longer with
//
//	go test ./governance/policy -run '^$' -fuzz FuzzPolicyInput -fuzztime 10m
func FuzzPolicyInput(f *testing.F) {
	f.Add("alice", "gov_propose", []byte(`{"title": "t", "deposit": "1", "kinds": ["parameter_change"], "actions": [{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": 900, "current": 100}]}`))
	f.Add("mallory", "gov_delegate", []byte(`{"to": "alice"}`))
	f.Add("council", "gov_propose", []byte(`{"title": "up", "deposit": "1", "kinds": ["policy_upgrade"], "actions": [{"kind": "policy_upgrade", "policy_hash": "00"}]}`))
	f.Add("bob", "transfer", []byte(`[1, {"a": null}, "x"]`))
	f.Add("", "", []byte(`null`))
	ctx := context.Background()
	set, err := policy.Load(ctx, "../../policies")
	if err != nil {
		f.Fatal(err)
	}
	limited := func(err error) bool {
		return errors.Is(err, policy.ErrEvalDeadline) || errors.Is(err, policy.ErrResultTooLarge)
	}
	f.Fuzz(func(t *testing.T, actor, typ string, payload []byte) {
		if json.Valid(payload) {
			in := &policy.CommandInput{Actor: actor, Command: typ, Payload: payload}
			ok, reasons, err := set.DecideCommand(ctx, in)
			if err != nil {
				if !limited(err) {
					t.Fatalf("command decision: %v", err)
				}
				return
			}
			if ok != (len(reasons) == 0) || len(reasons) > governance.MaxReasons {
				t.Fatalf("allowed %v with %d reasons", ok, len(reasons))
			}
			ok2, reasons2, err := set.DecideCommand(ctx, in)
			if err != nil || ok2 != ok || !reflect.DeepEqual(reasons2, reasons) {
				t.Fatalf("the same command input decided twice: %v %v, then %v %v (%v)", ok, reasons, ok2, reasons2, err)
			}
		}
		var doc policy.ProposalDoc
		if json.Unmarshal(payload, &doc) != nil {
			return
		}
		in := &policy.ProposalInput{Actor: actor, Proposal: doc}
		d, err := set.DecideProposal(ctx, in)
		if err != nil {
			if !limited(err) {
				t.Fatalf("proposal decision: %v", err)
			}
			return
		}
		if d.Allowed != (len(d.Reasons) == 0) || len(d.Reasons) > governance.MaxReasons {
			t.Fatalf("allowed %v with %d reasons", d.Allowed, len(d.Reasons))
		}
		for _, r := range d.Reasons {
			if len(r) > governance.MaxReason {
				t.Fatalf("a reason of %d bytes", len(r))
			}
		}
		d2, err := set.DecideProposal(ctx, in)
		if err != nil || !reflect.DeepEqual(d, d2) {
			t.Fatalf("the same proposal input decided twice: %+v, then %+v (%v)", d, d2, err)
		}
	})
}
