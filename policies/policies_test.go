package policies_test

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/policies"
)

// TestRego runs the Rego tests in this directory, as `opa test .` does.
func TestRego(t *testing.T) {
	results, err := tester.Run(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests found")
	}
	for _, r := range results {
		if r.Fail || r.Error != nil {
			t.Errorf("%s.%s: fail=%v error=%v", r.Package, r.Name, r.Fail, r.Error)
		}
	}
	t.Logf("%d Rego tests", len(results))
}

// TestLoad loads the example set as the engine does: deterministic
// built-ins only, queries prepared.
func TestLoad(t *testing.T) {
	files, err := policy.ReadFS(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("policy files %v, want proposals.rego and commands.rego (tests excluded)", files)
	}
	set, err := policy.Compile(context.Background(), files, "policies")
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Governed(); len(got) != 2 || got[0] != "gov_delegate" || got[1] != "gov_propose" {
		t.Fatalf("governed %v", got)
	}
	dirSet, err := policy.Load(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if dirSet.HashHex() != set.HashHex() {
		t.Fatalf("the embedded files and the directory hash differently: %s, %s", set.HashHex(), dirSet.HashHex())
	}
}
