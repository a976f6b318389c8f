package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// govCLI runs the CLI in-process with args and stdin.
func govCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code = c.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func govMust(t *testing.T, want int, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := govCLI(t, stdin, args...)
	if code != want {
		t.Fatalf("coopera %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errs)
	}
	return out + errs
}

const (
	examplePolicies = "../../policies"
	testPolicies    = "../../governance/testdata/policies"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGovHashAndEval(t *testing.T) {
	dir := t.TempDir()
	hash := strings.TrimSpace(govMust(t, exitOK, "", "gov", "hash", examplePolicies))
	if len(hash) != 64 {
		t.Fatalf("hash %q", hash)
	}
	ok := writeFile(t, dir, "ok.json", `{"title": "Quorum", "description": "Raise the quorum a little.", "deposit": "0",
	 "actions": [{"kind": "parameter_change", "module": "governance", "name": "quorum_bps", "value": 4000}]}`)
	out := govMust(t, exitOK, "", "gov", "eval", "-policies", examplePolicies, "-proposal", ok)
	if !strings.Contains(out, "admitted by policy "+hash) || !strings.Contains(out, "quorum_bps 3340") {
		t.Fatalf("eval: %s", out)
	}
	bad := writeFile(t, dir, "bad.json", `{"title": "Quorum", "description": "Raise the quorum a lot, now.", "deposit": "0",
	 "actions": [{"kind": "parameter_change", "module": "governance", "name": "quorum_bps", "value": 9000}]}`)
	out = govMust(t, exitFail, "", "gov", "eval", "-policies", examplePolicies, "-proposal", bad, "-actor", "alice")
	if !strings.Contains(out, "denied") || !strings.Contains(out, "reason: governance.quorum_bps moves from 3340 to 9000") {
		t.Fatalf("eval: %s", out)
	}
	// JSON, from standard input.
	out = govMust(t, exitOK, `{"title": "t", "deposit": "0"}`, "gov", "eval", "-json", "-policies", examplePolicies, "-proposal", "-")
	var doc struct {
		Decision struct {
			Allowed bool   `json:"allowed"`
			Hash    string `json:"policy_hash"`
		} `json:"decision"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || !doc.Decision.Allowed || doc.Decision.Hash != hash {
		t.Fatalf("eval -json: %v %s", err, out)
	}
	// Broken policies are bad input, with file and line.
	broken := filepath.Join(dir, "broken")
	os.Mkdir(broken, 0o755)
	writeFile(t, broken, "p.rego", "package coopera.proposals\n\nimport rego.v1\n\nallow if {\n\tinput.actor ==\n}\n")
	out = govMust(t, exitUsage, "", "gov", "eval", "-policies", broken, "-proposal", ok)
	if !strings.Contains(out, "p.rego:6") && !strings.Contains(out, "p.rego:7") {
		t.Fatalf("syntax error without file and line: %s", out)
	}
	writeFile(t, broken, "p.rego", "package coopera.proposals\n\nimport rego.v1\n\nallow if time.now_ns() > 0\n")
	out = govMust(t, exitUsage, "", "gov", "hash", broken)
	if !strings.Contains(out, "p.rego:5:10: forbidden built-in time.now_ns") {
		t.Fatalf("forbidden built-in: %s", out)
	}
	govMust(t, exitUsage, "", "gov", "eval", "-policies", examplePolicies)
	govMust(t, exitUsage, "", "gov", "nosuch")
}

// TestGovLifecycle creates a governed ledger and takes a parameter change
// through every step with the CLI.
func TestGovLifecycle(t *testing.T) {
	dir := t.TempDir()
	led := filepath.Join(dir, "ledger")
	start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	genesis := writeFile(t, dir, "genesis.json", fmt.Sprintf(`{"chain_id": "govcli", "genesis_time": %q, "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 0}],
	 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "mallory"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000"}, {"account": "bob", "asset": "COOP", "amount": "400"}],
	 "params": {"governance": {"voting_period": "1s", "late_quorum_extension": "0s", "timelock": "0s", "min_deposit": "10"}}}`, start))
	out := govMust(t, exitOK, "", "gov", "init", "-genesis", genesis, "-policies", testPolicies, led)
	if !strings.Contains(out, "modules [tokenomics contribution governance bridge]") {
		t.Fatalf("init: %s", out)
	}
	pol := "-policies=" + testPolicies
	// Voting power is stake in the tokenomics protocol pool.
	govMust(t, exitOK, `[{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "600"}},
	 {"type": "stake", "actor": "bob", "payload": {"pool": "protocol", "asset": "COOP", "amount": "400"}}]`, "gov", "submit", pol, led)
	prop := writeFile(t, dir, "p.json", `{"title": "Quorum to 40%", "deposit": "10",
	 "actions": [{"kind": "parameter_change", "module": "governance", "name": "quorum_bps", "value": 4000}]}`)
	out = govMust(t, exitOK, "", "gov", "propose", pol, "-actor", "alice", led, prop)
	if !strings.Contains(out, "admitted by policy") || !strings.Contains(out, `"id":1`) {
		t.Fatalf("propose: %s", out)
	}
	// The test policy refuses mallory's delegation before sequencing.
	out = govMust(t, exitFail, "", "gov", "delegate", pol, "-actor", "mallory", "-to", "bob", led)
	if !strings.Contains(out, "mallory may not delegate") {
		t.Fatalf("delegate: %s", out)
	}
	govMust(t, exitOK, "", "gov", "vote", pol, "-actor", "alice", "-proposal", "1", "-option", "yes", led)
	govMust(t, exitOK, "", "gov", "vote", pol, "-actor", "bob", "-proposal", "1", "-split", "no=6000,abstain=4000", led)
	out = govMust(t, exitFail, "", "gov", "vote", pol, "-actor", "bob", "-proposal", "1", "-option", "yes", led)
	if !strings.Contains(out, "gov_already_voted") {
		t.Fatalf("second vote: %s", out)
	}
	govMust(t, exitUsage, "", "gov", "vote", pol, "-actor", "bob", "-proposal", "1", "-split", "no=6000", led)
	time.Sleep(1100 * time.Millisecond)
	govMust(t, exitOK, "", "gov", "tally", pol, "-actor", "bob", "-proposal", "1", led)
	govMust(t, exitOK, "", "gov", "queue", pol, "-actor", "bob", "-proposal", "1", led)
	govMust(t, exitOK, "", "gov", "execute", pol, "-actor", "bob", "-proposal", "1", led)
	out = govMust(t, exitOK, "", "gov", "show", led, "1")
	for _, want := range []string{"status executed", "set governance.quorum_bps = 4000", "deposit 10 COOP (10 base units)", "yes 600 COOP (600 base units)", "no 240 COOP (240 base units)", "abstain 160 COOP (160 base units)", "alice  yes 10000"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show lacks %q:\n%s", want, out)
		}
	}
	out = govMust(t, exitOK, "", "gov", "show", led)
	if !strings.Contains(out, "1   executed") {
		t.Fatalf("show list:\n%s", out)
	}
	// Its JSON has RFC 3339 times.
	out = govMust(t, exitOK, "", "gov", "show", led, "1", "-json")
	var shown struct {
		Proposals []struct {
			VotingEnd string `json:"voting_end"`
			ETA       string `json:"eta"`
		} `json:"proposals"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || len(shown.Proposals) != 1 {
		t.Fatalf("show -json: %v\n%s", err, out)
	}
	for _, ts := range []string{shown.Proposals[0].VotingEnd, shown.Proposals[0].ETA} {
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			t.Errorf("show -json: time %q: %v", ts, err)
		}
	}
	// The new quorum is what a policy now sees.
	out = govMust(t, exitOK, `{"title": "t", "deposit": "10"}`, "gov", "eval", "-json", "-policies", testPolicies, "-ledger", led, "-proposal", "-")
	if !strings.Contains(out, `"quorum_bps": 4000`) {
		t.Fatalf("eval -ledger does not see the executed change:\n%s", out)
	}
	// A policy directory that is not the set in force is refused.
	govMust(t, exitFail, "", "gov", "tally", "-policies", examplePolicies, "-actor", "bob", "-proposal", "1", led)
}

// TestBuiltinPolicies: without -policies, gov eval uses the policies built
// into the binary, wherever it runs.
func TestBuiltinPolicies(t *testing.T) {
	t.Chdir(t.TempDir()) // no policies/ here
	r := cooperaStdin(t, `{"title": "t", "deposit": "0"}`, "gov", "eval", "-proposal", "-", "-json").want(t, exitOK)
	var doc struct {
		Decision struct {
			Allowed bool   `json:"allowed"`
			Hash    string `json:"policy_hash"`
		} `json:"decision"`
	}
	decodeJSON(t, r, &doc)
	if !doc.Decision.Allowed || doc.Decision.Hash != examplePolicyHash() {
		t.Errorf("decision %+v, want allowed by %s", doc.Decision, examplePolicyHash())
	}
}

// TestGovPolicyUpgrade takes a policy upgrade through the CLI: it is
// admitted only while the set it names can be loaded (else, executed, it
// would leave governance with no set to evaluate), and both sets are
// given while it is pending.
func TestGovPolicyUpgrade(t *testing.T) {
	dir := t.TempDir()
	led := filepath.Join(dir, "ledger")
	start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	genesis := writeFile(t, dir, "genesis.json", fmt.Sprintf(`{"chain_id": "govup", "genesis_time": %q, "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 0}],
	 "accounts": [{"id": "council"}, {"id": "alice"}],
	 "allocations": [{"account": "council", "asset": "COOP", "amount": "1000"}],
	 "params": {"governance": {"voting_period": "1s", "late_quorum_extension": "0s", "timelock": "0s", "min_deposit": "0"}}}`, start))
	govMust(t, exitOK, "", "gov", "init", "-genesis", genesis, "-policies", testPolicies, led)
	v2 := filepath.Join(dir, "v2")
	if err := os.CopyFS(v2, os.DirFS(testPolicies)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, v2, "v2.rego", "package coopera.v2\n\nimport rego.v1\n\nversion := 2\n")
	hash := strings.TrimSpace(govMust(t, exitOK, "", "gov", "hash", v2))
	govMust(t, exitOK, `{"type": "stake", "actor": "council", "payload": {"pool": "protocol", "asset": "COOP", "amount": "1000"}}`, "gov", "submit", "-policies", testPolicies, led)
	prop := writeFile(t, dir, "up.json", fmt.Sprintf(`{"title": "v2", "deposit": "0", "actions": [{"kind": "policy_upgrade", "policy_hash": %q}]}`, hash))
	// The new set is not given: refused before sequencing.
	out := govMust(t, exitFail, "", "gov", "propose", "-policies", testPolicies, "-actor", "council", led, prop)
	if !strings.Contains(out, "cannot load") {
		t.Fatalf("an upgrade to a set not given: %s", out)
	}
	both := "-policies=" + testPolicies + "," + v2
	govMust(t, exitOK, "", "gov", "propose", both, "-actor", "council", led, prop)
	// While it is pending, the set in force still admits.
	govMust(t, exitOK, "", "gov", "propose", both, "-actor", "alice", led, writeFile(t, dir, "text.json", `{"title": "t", "deposit": "0"}`))
	govMust(t, exitOK, "", "gov", "vote", both, "-actor", "council", "-proposal", "1", "-option", "yes", led)
	time.Sleep(1100 * time.Millisecond)
	// (The test policy's upgrade timelock is two hours: the test stops
	// at the queue.)
	for _, step := range []string{"tally", "queue"} {
		govMust(t, exitOK, "", "gov", step, both, "-actor", "council", "-proposal", "1", led)
	}
	out = govMust(t, exitOK, "", "gov", "show", led, "1")
	if !strings.Contains(out, "status queued") {
		t.Fatalf("the upgrade is not queued:\n%s", out)
	}
}
