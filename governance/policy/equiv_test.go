package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// The decisions before the admission path read ast values: the input
// encoded to JSON and parsed, the package query's document converted to Go
// values, allow, deny and rules read from those and rules decoded through
// JSON. The tests below hold the new path to them, byte for byte.

// toValue is the input as the legacy path built it: encoded and parsed.
func toValue(v any) (ast.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonValue(b)
}

func legacyEval(ctx context.Context, q rego.PreparedEvalQuery, name string, input ast.Value) (map[string]any, []string, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input), rego.EvalGenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return ast.JSON(t.Value) }))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, []string{"policy evaluation failed: " + err.Error()}, nil
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, []string{name + " is undefined: the policy set has no such package"}, nil
	}
	doc, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, []string{name + " is " + typeName(rs[0].Expressions[0].Value) + ", not a package"}, nil
	}
	var reasons []string
	if raw, ok := doc["deny"]; ok {
		list, ok := raw.([]any)
		if !ok {
			reasons = append(reasons, name+".deny is "+typeName(raw)+"; it must be a set of reasons")
		}
		for _, r := range list {
			if str, ok := r.(string); ok {
				reasons = append(reasons, str)
			} else {
				b, _ := json.Marshal(r)
				reasons = append(reasons, string(b))
			}
		}
	}
	allow, ok := doc["allow"]
	switch {
	case !ok:
		reasons = append(reasons, name+".allow is undefined for this input; define it for every input, for example with `default allow := false`")
	case allow != true:
		if _, isBool := allow.(bool); isBool {
			if len(reasons) == 0 {
				reasons = append(reasons, name+".allow is false")
			}
		} else {
			reasons = append(reasons, name+".allow is "+typeName(allow)+", not a boolean")
		}
	}
	return doc, reasons, nil
}

func legacyDecideProposal(ctx context.Context, s *Set, in *ProposalInput) (*governance.Decision, error) {
	val, err := toValue(in)
	if err != nil {
		return nil, err
	}
	d := &governance.Decision{PolicyHash: s.hash}
	doc, reasons, err := legacyEval(ctx, s.proposals, ProposalsQuery, val)
	if err != nil {
		return nil, err
	}
	if doc != nil {
		if raw, ok := doc["rules"]; ok {
			if err := decodeRulesJSON(raw, &d.Rules); err != nil {
				reasons = append(reasons, ProposalsQuery+".rules: "+err.Error())
			}
		}
	}
	d.Reasons = clip(reasons)
	d.Allowed = len(reasons) == 0
	return d, nil
}

func legacyDecideCommand(ctx context.Context, s *Set, in *CommandInput) (bool, []string, error) {
	val, err := toValue(in)
	if err != nil {
		return false, nil, err
	}
	_, reasons, err := legacyEval(ctx, s.commands, CommandsQuery, val)
	if err != nil {
		return false, nil, err
	}
	return len(reasons) == 0, clip(reasons), nil
}

// recorded is the decision as a block records it.
func recorded(d *governance.Decision) []byte {
	return ledger.EncodeCommand(&ledger.Command{Actor: "alice", Payload: &governance.Propose{Title: "t", Decision: d}})
}

func action(kind, module, name, value, current string) ActionDoc {
	a := ActionDoc{Action: governance.Action{Kind: governance.ActionKind(kind), Module: module, Name: name}}
	if value != "" {
		a.Value = json.RawMessage(value)
	}
	if current != "" {
		a.Current = json.RawMessage(current)
	}
	return a
}

func amount(s string) *ledger.Amount {
	a, err := ledger.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return &a
}

// exampleInputs are the inputs of policies/proposals_test.rego, and a few
// more.
func exampleInputs() []*ProposalInput {
	fee := func(value, current string) *ProposalInput {
		return &ProposalInput{Actor: "alice", Proposal: ProposalDoc{Title: "Fee", Description: "Adjust the platform fee a little.", Deposit: "100",
			Kinds: []string{"parameter_change"}, Actions: []ActionDoc{action("parameter_change", "tokenomics", "fee_bps", value, current)}}, Params: map[string]json.RawMessage{}}
	}
	upgrade := func(actor string) *ProposalInput {
		a := action("policy_upgrade", "", "", "", "")
		a.PolicyHash = "00"
		return &ProposalInput{Actor: actor, Proposal: ProposalDoc{Title: "v2", Description: "Move to the second policy set.", Deposit: "100",
			Kinds: []string{"policy_upgrade"}, Actions: []ActionDoc{a}}, Params: map[string]json.RawMessage{}}
	}
	spend := action("treasury_spend", "", "", "", "")
	spend.To, spend.Asset, spend.Amount = "grants", "COOP", amount("600000000000")
	listing := action("asset_listing", "", "", "", "")
	listing.Asset, listing.AssetName, listing.Decimals, listing.CollateralWeightBps = "GOLD", "Gold", 6, 5000
	return []*ProposalInput{
		fee("120", "100"), fee("501", "400"), fee("160", "100"), fee("90", "null"), fee(`{"a": [1, 2.5, "x"]}`, `"s"`), fee("120", ""),
		upgrade("council"), upgrade("alice"),
		{Actor: "council", Proposal: ProposalDoc{Title: "Both", Description: "List an asset and upgrade the policy.", Deposit: "0",
			Kinds: []string{"asset_listing", "policy_upgrade"}, Actions: []ActionDoc{}}, Params: map[string]json.RawMessage{}},
		{Actor: "alice", Proposal: ProposalDoc{Title: "Spend", Description: "A very large grant to the grants pool.", Deposit: "0",
			Kinds: []string{"treasury_spend"}, Actions: []ActionDoc{spend, spend}}, Params: map[string]json.RawMessage{}},
		{Actor: "bob", Proposal: ProposalDoc{Title: "Hi", Deposit: "0", Kinds: []string{"text"}, Actions: []ActionDoc{}}, Params: map[string]json.RawMessage{}},
		{Actor: "bob", Proposal: ProposalDoc{Title: "List", Description: "short", Deposit: "5", Kinds: []string{"asset_listing"}, Actions: []ActionDoc{listing}},
			Params: map[string]json.RawMessage{"governance": json.RawMessage(`{"quorum_bps": 3340, "voting_period": "120h"}`)}},
		// Nil slices and maps encode as null.
		{Actor: "bob", Proposal: ProposalDoc{Title: "Nil", Deposit: "0"}},
	}
}

// edgePolicies are proposals packages whose decisions take the unusual
// paths: undefined, non-boolean, evaluation errors, malformed rules, and
// rules a narrow query would not evaluate.
var edgePolicies = []string{
	"package other\n\nallow := true\n",
	"package coopera.proposals\n\nallow if input.actor == \"bob\"\n",
	"package coopera.proposals\n\nallow := \"yes\"\n",
	"package coopera.proposals\n\nallow := 1\n",
	"package coopera.proposals\n\nallow := false\n",
	"package coopera.proposals\n\nallow := true\n\ndeny := \"no\"\n",
	"package coopera.proposals\n\nallow := true\n\ndeny := [\"a\", {\"b\": 1}, 2]\n",
	"package coopera.proposals\n\nallow := true\n\ndeny contains {\"b\": [1, 2]}\n\ndeny contains \"z\"\n\ndeny contains 3\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"x\": to_number(\"abc\")}\n",
	"package coopera.proposals\n\nallow := true\n\nallow := false if input.actor == \"alice\"\n",
	"package coopera.proposals\n\nallow := true\n\nrules := 5\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": 20000}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum\": 1}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"timelock\": 5}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"timelock\": \"5 days\"}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"QUORUM_BPS\": 4000}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": 4000.5}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": 4000.0}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": 4e3}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": -1}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": 5000, \"threshold_bps\": 6000, \"veto_bps\": 3000, \"voting_delay\": \"1h\", \"voting_period\": \"72h\", \"late_quorum_extension\": \"12h\", \"timelock\": \"48h\", \"execution_window\": \"96h\", \"min_deposit\": \"1000\"}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"min_deposit\": 1000}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"min_deposit\": \"-5\"}\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": 4000, \"timelock\": 5}\n",
	// A helper nothing reads fails: the package query fails.
	"package coopera.proposals\n\nallow := true\n\nhelper := to_number(\"abc\")\n",
	// A helper read only for some input.
	"package coopera.proposals\n\nallow := true\n\ndeny contains \"h\" if { input.actor == \"nobody\"; helper > 0 }\n\nhelper := to_number(\"abc\")\n",
	// A helper read first thing by rules.
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": h} if h > 0\n\nh := count(input.proposal.kinds) * 1000\n",
	"package coopera.proposals\n\nallow := true\n\nrules := {\"quorum_bps\": h} if h > 0\n\nh := to_number(\"abc\") if input.actor == \"bob\"\n",
	// Subpackages are part of the package document.
	"package coopera.proposals.sub\n\nx := to_number(\"abc\")\n",
	"package coopera.proposals\n\nallow := true\n\nf(x) := to_number(x)\n\nconst := {\"a\": [1, 2]}\n",
	"package coopera.proposals\n\ndefault allow := true\n",
	"package coopera.proposals\n\ndefault allow := false\n\nallow if input.actor == \"alice\"\n\nallow := 5 if input.actor == \"alice\"\n",
	"package coopera.proposals\n\ndefault allow := false\n\nallow if input.actor == \"alice\"\n\ndeny contains x if { some a in input.proposal.actions; x := a.value }\n",
	"package coopera.proposals\n\ndefault allow := false\n\nallow if count(deny) == 0\n\ndeny contains sprintf(\"%d reasons\", [n]) if { n := count(input.proposal.actions); n > 0 }\n",
}

func TestDecisionsAsBefore(t *testing.T) {
	ctx := context.Background()
	sets := map[string]*Set{}
	ex, err := Load(ctx, "../../policies")
	if err != nil {
		t.Fatal(err)
	}
	sets["examples"] = ex
	for i, src := range edgePolicies {
		s, err := Compile(ctx, []File{{Name: "p.rego", Src: []byte(src)}}, "")
		if err != nil {
			t.Fatalf("edge policy %d: %v", i, err)
		}
		sets[fmt.Sprint("edge ", i)] = s
	}
	for name, s := range sets {
		for i, in := range exampleInputs() {
			old, err := legacyDecideProposal(ctx, s, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.DecideProposal(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(recorded(old), recorded(got)) {
				o, _ := json.Marshal(old)
				g, _ := json.Marshal(got)
				t.Errorf("%s, input %d: decision\n%s\nwas\n%s", name, i, g, o)
			}
		}
	}
}

func TestJSONValueOfNumbers(t *testing.T) {
	for _, js := range []string{"90", " 90\n", "-1", "0", "1.5", "1e3", "-0.0", "12345678901234567890123", "01", "1.", "1 2", "-", "2\u00a0"} {
		got, gerr := jsonValue([]byte(js))
		var x any
		werr := util.UnmarshalJSON([]byte(js), &x)
		var want ast.Value
		if werr == nil {
			want, werr = ast.InterfaceToValue(x)
		}
		if (gerr == nil) != (werr == nil) || (gerr == nil && got.Compare(want) != 0) {
			t.Errorf("%q: %v %v, want %v %v", js, got, gerr, want, werr)
		}
	}
}

func TestInputValuesAsJSON(t *testing.T) {
	for i, in := range exampleInputs() {
		want, err := toValue(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := in.value()
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(want) != 0 {
			t.Errorf("input %d:\n%v\nwant\n%v", i, got, want)
		}
	}
}

func TestCommandDecisionsAsBefore(t *testing.T) {
	ctx := context.Background()
	var srcs []string
	for _, f := range []string{"../../policies"} {
		files, err := ReadDir(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasPrefix(f.Name, "commands") {
				srcs = append(srcs, string(f.Src))
			}
		}
	}
	head := "package coopera.commands\n\ngoverned := {\"gov_propose\", \"gov_delegate\"}\n\n"
	srcs = append(srcs,
		head+"allow := \"yes\"\n",
		head+"allow if input.actor == \"alice\"\n",
		head+"allow := true\n\ndeny contains input.payload\n",
		head+"allow := true\n\nhelper := to_number(input.actor)\n",
	)
	inputs := []*CommandInput{
		{Actor: "alice", Command: "gov_propose", Payload: json.RawMessage(`{"title": "t", "deposit": "0"}`)},
		{Actor: "mallory", Command: "gov_propose", Payload: json.RawMessage(`{"title": "t", "deposit": "0"}`)},
		{Actor: "alice", Command: "gov_delegate", Payload: json.RawMessage(`{"to": "bob"}`)},
		{Actor: "alice", Command: "gov_delegate", Payload: json.RawMessage(`{}`)},
		{Actor: "mallory", Command: "gov_delegate", Payload: json.RawMessage(`{"to": 5}`)},
	}
	for i, src := range srcs {
		s, err := Compile(ctx, []File{{Name: "c.rego", Src: []byte(src)}}, "")
		if err != nil {
			t.Fatalf("policy %d: %v", i, err)
		}
		for j, in := range inputs {
			ok0, r0, err := legacyDecideCommand(ctx, s, in)
			if err != nil {
				t.Fatal(err)
			}
			ok1, r1, err := s.DecideCommand(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if ok0 != ok1 || strings.Join(r0, "\n") != strings.Join(r1, "\n") || len(r0) != len(r1) {
				t.Errorf("policy %d, input %d: %v %q, was %v %q", i, j, ok1, r1, ok0, r0)
			}
		}
	}
}

// TestAdmitterInputsAsJSON holds the admitter's inputs, built from state
// and the parameters cache, to BuildProposalInput's encoded and parsed,
// and a gov_propose's payload to its JSON encoding without the decision.
func TestAdmitterInputsAsJSON(t *testing.T) {
	mods := []ledger.Module{govtest.Module{}, governance.New(govtest.Module{})}
	h, err := ledgertest.New(mods...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id": "eq", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
	 "params": {"governance": {"policy_hash": "` + strings.Repeat("ab", 32) + `"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	adm, err := NewAdmitter(NewLibrary(), mods...)
	if err != nil {
		t.Fatal(err)
	}
	listing := governance.Action{Kind: governance.AssetListing, Asset: "GOLD", AssetName: "Gold", Decimals: 6, CollateralWeightBps: 5000}
	spend := governance.Action{Kind: governance.TreasurySpend, To: "grants", Asset: "COOP", Amount: amount("25")}
	for i, p := range []*governance.Propose{
		{Title: "Text"},
		{Title: "Fee", Description: "Lower the fee.", Deposit: *amount("10"), Actions: []governance.Action{
			{Kind: governance.ParameterChange, Module: "govtest", Name: "fee_bps", Value: []byte("90")},
			{Kind: governance.ParameterChange, Module: "governance", Name: "quorum_bps", Value: []byte("3500")},
			{Kind: governance.ParameterChange, Module: "governance", Name: "no_such", Value: []byte(`{"x": [1, "<&>"]}`)},
			{Kind: governance.ParameterChange, Module: "nobody", Name: "x", Value: []byte("1")},
		}},
		{Title: "Mixed", Actions: []governance.Action{listing, spend, {Kind: governance.PolicyUpgrade, PolicyHash: "ab"}}},
	} {
		for round := range 2 { // the second from the cache
			in, err := BuildProposalInput(adm.machine, h, "alice", p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := toValue(in)
			if err != nil {
				t.Fatal(err)
			}
			got, payload, err := adm.params.proposalValue(adm.machine, h, "alice", p, true)
			if err != nil {
				t.Fatal(err)
			}
			if got.Compare(want) != 0 {
				t.Errorf("proposal %d, round %d:\n%v\nwant\n%v", i, round, got, want)
			}
			wantPayload, err := toValue(p)
			if err != nil {
				t.Fatal(err)
			}
			if payload.Compare(wantPayload) != 0 {
				t.Errorf("proposal %d payload:\n%v\nwant\n%v", i, payload, wantPayload)
			}
		}
	}
}
