package policy

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestExampleSetIsDecisionBlind(t *testing.T) {
	s, err := Load(context.Background(), "../../policies")
	if err != nil {
		t.Fatal(err)
	}
	if !s.blind {
		t.Fatal("the example set reads no decision, yet is not found blind")
	}
	if s.proposalsNarrow == nil || s.commandsNarrow == nil {
		t.Fatalf("the example packages are narrowable: proposals %v, commands %v", s.proposalsNarrow != nil, s.commandsNarrow != nil)
	}
	// BenchmarkAdmissionVsRaw measures this query raw.
	c := ast.NewCompiler().WithCapabilities(Capabilities())
	files, _ := ReadDir("../../policies")
	mods := map[string]*ast.Module{}
	for _, f := range files {
		mods[f.Name] = ast.MustParseModuleWithOpts(string(f.Src), ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	if c.Compile(mods); c.Failed() {
		t.Fatal(c.Errors)
	}
	q, _ := narrowQuery(c, ast.MustParseRef(ProposalsQuery), proposalRules)
	want := "allow := data.coopera.proposals.allow\ndeny := data.coopera.proposals.deny\nrules := [x | x := data.coopera.proposals.rules]\n"
	if q != want {
		t.Fatalf("narrow query\n%s\nwant\n%s", q, want)
	}
}

func TestDecisionBlind(t *testing.T) {
	head := "package coopera.commands\n\nimport rego.v1\n\ngoverned := {\"gov_propose\"}\n\ndefault allow := false\n\n"
	for _, c := range []struct {
		body  string
		blind bool
	}{
		{`allow if input.actor != "mallory"`, true},
		{`allow if input.payload.title != ""`, true},
		{`allow if object.get(input.payload, "title", "") != ""`, true},
		{`allow if object.get(input.payload, ["title"], "") != ""`, false},
		{`allow if input.payload.decision.allowed`, false},
		{`allow if object.get(input.payload, "decision", null) == null`, false},
		{`allow if count(input.payload) > 0`, false},
		{`allow if { some k, _ in input.payload; k == "title" }`, false},
		{`allow if { x := input; x.actor == "a" }`, false},
		{`allow if input[k] == "a"`, false},
		{`allow if input.payload[k] == "a"`, false},
		{"import input.payload as pl\n\nallow if pl.title != \"\"", false},
		{"f(x) := x.decision\n\nallow if f(input.payload)", false},
	} {
		s, err := Compile(context.Background(), []File{{Name: "c.rego", Src: []byte(head + c.body + "\n")}}, "")
		if err != nil {
			// An import must come before the rules: put it first.
			s, err = Compile(context.Background(), []File{{Name: "c.rego", Src: []byte("package coopera.commands\n\nimport rego.v1\n\n" + c.body + "\n\ngoverned := {\"gov_propose\"}\n")}}, "")
		}
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if got := s.blind; got != c.blind {
			t.Errorf("%s: blind %v, want %v", c.body, got, c.blind)
		}
	}
}
