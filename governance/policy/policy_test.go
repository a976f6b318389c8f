package policy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
)

func compile(t *testing.T, src string) (*policy.Set, error) {
	t.Helper()
	return policy.Compile(context.Background(), []policy.File{{Name: "p.rego", Src: []byte(src)}}, "pol")
}

func mustCompile(t *testing.T, src string) *policy.Set {
	t.Helper()
	s, err := compile(t, src)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decide(t *testing.T, s *policy.Set) *governance.Decision {
	t.Helper()
	d, err := s.DecideProposal(context.Background(), &policy.ProposalInput{
		Actor:    "alice",
		Proposal: policy.ProposalDoc{Title: "t", Deposit: "0", Kinds: []string{"text"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSyntaxErrorNamesFileAndLine(t *testing.T) {
	_, err := compile(t, "package coopera.proposals\n\nimport rego.v1\n\nallow if {\n\tinput.actor ==\n}\n")
	if !errors.Is(err, policy.ErrPolicy) {
		t.Fatalf("err = %v, want ErrPolicy", err)
	}
	if !strings.Contains(err.Error(), "pol/p.rego:6:") && !strings.Contains(err.Error(), "pol/p.rego:7:") {
		t.Fatalf("error does not name pol/p.rego and the line: %v", err)
	}
	if !strings.Contains(err.Error(), "rego_parse_error") {
		t.Fatalf("not reported as a parse error: %v", err)
	}
	// Rego v0 syntax is refused too: policies are Rego v1.
	_, err = compile(t, "package coopera.proposals\n\nallow { true }\n")
	if err == nil || !strings.Contains(err.Error(), "pol/p.rego:3:") {
		t.Fatalf("v0 syntax: %v", err)
	}
}

func TestTypeErrorNamesFileAndLine(t *testing.T) {
	_, err := compile(t, "package coopera.proposals\n\nimport rego.v1\n\nallow if {\n\tcount(1) > 0\n}\n")
	if !errors.Is(err, policy.ErrPolicy) || !strings.Contains(err.Error(), "pol/p.rego:6:") {
		t.Fatalf("err = %v", err)
	}
}

func TestForbiddenBuiltinsRefusedAtLoad(t *testing.T) {
	for _, call := range []string{
		`http.send({"method": "get", "url": "http://example.com"})`,
		`time.now_ns()`,
		`rand.intn("x", 10)`,
		`uuid.rfc4122("x")`,
		`opa.runtime()`,
		`net.lookup_ip_addr("example.com")`,
		`net.cidr_contains("10.0.0.0/8", "10.1.1.1")`,
	} {
		name := call[:strings.IndexByte(call, '(')]
		t.Run(name, func(t *testing.T) {
			src := "package coopera.proposals\n\nimport rego.v1\n\nx := " + call + "\n\nallow if x\n"
			_, err := compile(t, src)
			if !errors.Is(err, policy.ErrPolicy) {
				t.Fatalf("a policy using %s loaded: %v", name, err)
			}
			want := "pol/p.rego:5:"
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name %s at %s: %v", name, want, err)
			}
			// Nested inside a comprehension in a function it is found too.
			src = "package coopera.proposals\n\nimport rego.v1\n\nf(y) := [z | z := " + call + "]\n"
			if _, err := compile(t, src); err == nil || !strings.Contains(err.Error(), "pol/p.rego:5:") {
				t.Fatalf("nested use of %s: %v", name, err)
			}
		})
	}
}

func TestUndefinedOrNonBooleanDenies(t *testing.T) {
	for _, c := range []struct {
		name, src, reason string
	}{
		{"no package", "package other\n\nimport rego.v1\n\nallow := true\n", "data.coopera.proposals is undefined"},
		{"allow undefined", "package coopera.proposals\n\nimport rego.v1\n\nallow if input.actor == \"bob\"\n", "allow is undefined for this input"},
		{"allow a string", "package coopera.proposals\n\nimport rego.v1\n\nallow := \"yes\"\n", "allow is a string, not a boolean"},
		{"allow a number", "package coopera.proposals\n\nimport rego.v1\n\nallow := 1\n", "allow is a number, not a boolean"},
		{"allow false", "package coopera.proposals\n\nimport rego.v1\n\nallow := false\n", "allow is false"},
		{"deny not a set", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\ndeny := \"no\"\n", "deny is a string"},
		{"eval error", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\nrules := {\"x\": to_number(\"abc\")}\n", "policy evaluation failed"},
		{"conflict", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\nallow := false if input.actor == \"alice\"\n", "policy evaluation failed"},
		{"rules not an object", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\nrules := 5\n", "rules: is a number"},
		{"rules out of bounds", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\nrules := {\"quorum_bps\": 20000}\n", "above 10000"},
		{"rules unknown field", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\nrules := {\"quorum\": 1}\n", "unknown field"},
		{"rules bad duration", "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n\nrules := {\"timelock\": 5}\n", "durations are strings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := compile(t, c.src)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			d := decide(t, s)
			if d.Allowed {
				t.Fatal("allowed")
			}
			if !strings.Contains(strings.Join(d.Reasons, "; "), c.reason) {
				t.Fatalf("reasons %q do not say %q", d.Reasons, c.reason)
			}
		})
	}
	// And the well-formed case.
	d := decide(t, mustCompile(t, "package coopera.proposals\n\nimport rego.v1\n\ndefault allow := false\n\nallow if count(deny) == 0\n\ndeny contains \"x\" if false\n\nrules := {\"quorum_bps\": 4000, \"timelock\": \"1h\"}\n"))
	if !d.Allowed || len(d.Reasons) != 0 || *d.Rules.QuorumBps != 4000 || d.Rules.Timelock == nil || d.Rules.ThresholdBps != nil {
		t.Fatalf("decision %+v", d)
	}
}

func TestHashDependsOnFilesOnly(t *testing.T) {
	a := []policy.File{{Name: "a.rego", Src: []byte("package a\n")}, {Name: "b.rego", Src: []byte("package b\n")}}
	b := []policy.File{a[1], a[0]}
	if string(policy.HashFiles(a)) != string(policy.HashFiles(b)) {
		t.Fatal("hash depends on file order")
	}
	c := []policy.File{{Name: "a.rego", Src: []byte("package a\n ")}, a[1]}
	if string(policy.HashFiles(a)) == string(policy.HashFiles(c)) {
		t.Fatal("a changed byte keeps the hash")
	}
	// Moving content between names changes the hash (lengths are framed).
	d := []policy.File{{Name: "a.regopackage", Src: []byte(" a\n")}, a[1]}
	if string(policy.HashFiles(a)) == string(policy.HashFiles(d)) {
		t.Fatal("name/content boundary is ambiguous")
	}
	// Two directories with the same files hash alike; tests are left out.
	src := "package coopera.proposals\n\nimport rego.v1\n\nallow := true\n"
	var hashes []string
	for i, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "elsewhere")} {
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "p.rego"), []byte(src), 0o644)
		if i == 1 {
			os.WriteFile(filepath.Join(dir, "p_test.rego"), []byte("package coopera.proposals_test\n"), 0o644)
		}
		s, err := policy.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, s.HashHex())
	}
	if hashes[0] != hashes[1] {
		t.Fatalf("hash depends on the directory or its tests: %v", hashes)
	}
}

func TestCommandGovernance(t *testing.T) {
	s := mustCompile(t, `package coopera.commands

import rego.v1

governed := {"gov_vote"}

default allow := false

allow if input.actor != "mallory"
`)
	if !s.Governs("gov_vote") || s.Governs("transfer") {
		t.Fatalf("governed %v", s.Governed())
	}
	ok, reasons, err := s.DecideCommand(context.Background(), &policy.CommandInput{Actor: "mallory", Command: "gov_vote", Payload: []byte(`{}`)})
	if err != nil || ok || len(reasons) == 0 {
		t.Fatalf("mallory: %v %v %v", ok, reasons, err)
	}
	ok, _, err = s.DecideCommand(context.Background(), &policy.CommandInput{Actor: "alice", Command: "gov_vote", Payload: []byte(`{}`)})
	if err != nil || !ok {
		t.Fatalf("alice: %v %v", ok, err)
	}
	// governed must be a set of names, fixed at load.
	if _, err := compile(t, "package coopera.commands\n\nimport rego.v1\n\ngoverned := \"gov_vote\"\n"); !errors.Is(err, policy.ErrPolicy) {
		t.Fatalf("governed as a string: %v", err)
	}
}

func TestEmptyDirectory(t *testing.T) {
	if _, err := policy.Load(context.Background(), t.TempDir()); !errors.Is(err, policy.ErrPolicy) || !strings.Contains(err.Error(), "no .rego") {
		t.Fatalf("err = %v", err)
	}
}

// A governed set that reads input, directly or through another rule, is
// refused at load: it is evaluated once, with no input, and came out
// empty, so a commands policy meant to deny governed nothing.
func TestGovernedMustNotReadInput(t *testing.T) {
	for _, src := range []string{
		"package coopera.commands\n\nimport rego.v1\n\ngoverned contains \"transfer\" if input.actor != \"treasurer\"\n\ndefault allow := false\n",
		"package coopera.commands\n\nimport rego.v1\n\ngoverned contains t if some t in types\n\ntypes contains \"transfer\" if input.payload\n\ndefault allow := false\n",
	} {
		_, err := compile(t, src)
		if !errors.Is(err, policy.ErrPolicy) || !strings.Contains(err.Error(), "data.coopera.commands.governed reads input") || !strings.Contains(err.Error(), "pol/p.rego:") {
			t.Errorf("a governed set reading input:\n%s\n%v", src, err)
		}
	}
	s := mustCompile(t, "package coopera.commands\n\nimport rego.v1\n\ngoverned contains \"transfer\"\n\nallow if input.actor != \"mallory\"\n")
	if !s.Governs("transfer") {
		t.Fatal("a constant governed set governs nothing")
	}
}

// Calls whose result depends on the host, or whose one step can allocate
// without bound, are refused at load with file and line: a time zone of
// "Local" (two hosts in other zones decided otherwise) or not constant, a
// layout parsing a zone abbreviation, constant sprintf formats with widths
// past 64 or taken from the arguments, json.marshal_with_options (an indent of 20,000 spaces
// allocated gigabytes before the deadline fired).
func TestHostDependentAndUnboundedCallsRefused(t *testing.T) {
	for _, tc := range []struct{ body, says string }{
		{`time.clock([0, "Local"])[0] == 0`, `time.clock: the time zone "Local" is the host's`},
		{`time.weekday([0, input.zone]) == "Monday"`, "time.weekday: its time zone must be a constant string"},
		{`time.parse_ns("2006-01-02 15:04 MST", input.at) > 0`, "time.parse_ns: a layout with a zone abbreviation"},
		{`sprintf("%01000000d", [1]) != ""`, "sprintf: a width or precision of 1000000; at most 64"},
		{`sprintf("%*d", [1000000, 1]) != ""`, "sprintf: a width or precision of"},
		{`json.marshal_with_options([1], {"indent": "  "}) != ""`, "json.marshal_with_options: its indent and prefix"},
	} {
		_, err := compile(t, "package coopera.proposals\n\nimport rego.v1\n\nallow if "+tc.body+"\n")
		if !errors.Is(err, policy.ErrPolicy) || !strings.Contains(err.Error(), "pol/p.rego:5:") || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("allow if %s: %v, want a load error saying %q", tc.body, err, tc.says)
		}
	}
	// Named zones, numbers, numeric offsets and short widths are fine.
	mustCompile(t, "package coopera.proposals\n\nimport rego.v1\n\nallow if {\n\ttime.clock([0, \"Europe/Paris\"])[0] == 1\n\ttime.clock(0)[0] == 0\n\ttime.parse_ns(\"2006-01-02 15:04 -0700\", \"2026-01-01 00:00 +0000\") > 0\n\tsprintf(\"%08.3f %s\", [1.5, \"x\"]) != \"\"\n}\n")
}
