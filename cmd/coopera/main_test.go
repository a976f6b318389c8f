package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// result is the outcome of one in-process run of the CLI.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the CLI in-process with args.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// cooperaStdin runs the CLI in-process with args and stdin.
func cooperaStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code := c.run(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// want checks the exit status and returns r.
func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func (r result) contains(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.stdout, p) {
			t.Errorf("stdout lacks %q:\n%s", p, r.stdout)
		}
	}
}

func (r result) stderrContains(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr lacks %q:\n%s", p, r.stderr)
		}
	}
}

func decodeJSON(t *testing.T, r result, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
}

// newLedger creates a ledger from testdata/genesis.json.
func newLedger(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	runCLI(t, "init", "-genesis", filepath.Join("testdata", "genesis.json"), dir).want(t, exitOK).
		contains(t, `created ledger "coopera-test"`, "2 assets, 3 accounts")
	return dir
}

func TestQuickstart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q")
	r := runCLI(t, "quickstart", "-dir", dir).want(t, exitOK)
	r.contains(t,
		"applied at height 1, index 0",
		"insufficient_funds: account bob has 350000000 base units of COOP",
		"duplicate of the command applied at height 1, index 0",
		// Each transfer pays the 1% platform fee on top: 2.5 + 1 + 0.5025.
		"the 1% fee, 2.5 COOP, is charged to alice on top",
		"alice                    999595.7475 COOP  (999595747500 base units)",
		"bob                      350 COOP          (350000000 base units)",
		"carol                    50.25 COOP        (50250000 base units)",
		"mod:tokenomics/treasury  2.80175 COOP      (2801750 base units)",
		"burned by the fees: 1.20075 COOP (1200750 base units)",
		"together: 1000000 COOP (1000000000000 base units), alice's allocation at genesis",
		"head: height 3",
		"verified 4 blocks (genesis to height 3): 3 commands, 1 rejected",
	)
	// The ledger stays and the other commands open it.
	runCLI(t, "verify", dir).want(t, exitOK).contains(t, "verified 4 blocks")
}

func TestQuickstartJSON(t *testing.T) {
	r := runCLI(t, "quickstart", "-dir", filepath.Join(t.TempDir(), "q"), "--json").want(t, exitOK)
	var doc quickstartJSON
	decodeJSON(t, r, &doc)
	if !doc.Verify.OK || doc.Verify.Report.Blocks != 4 || doc.Head.Height != 3 {
		t.Errorf("verify %+v, head %+v", doc.Verify, doc.Head)
	}
	if len(doc.Steps) != 4 {
		t.Fatalf("%d steps, want 4", len(doc.Steps))
	}
	if e := doc.Steps[2].Receipt.Error; e == nil || e.Code != ledger.ErrInsufficientFunds.Code {
		t.Errorf("step 3 error %+v, want insufficient_funds", e)
	}
	if !doc.Steps[3].Receipt.Duplicate {
		t.Errorf("step 4 is not a duplicate")
	}
	got := map[ledger.AccountID]string{}
	for _, b := range doc.Balances {
		got[b.Account] = b.Units
	}
	if got["alice"] != "999595.7475" || got["bob"] != "350" || got["carol"] != "50.25" || got["mod:tokenomics/treasury"] != "2.80175" {
		t.Errorf("balances %v", got)
	}
	// The fees are shown: the balances and what they burned add up to
	// alice's allocation.
	total := doc.Burned
	for _, b := range doc.Balances {
		total, _ = total.Add(b.Amount)
	}
	if doc.Burned.String() != "1200750" || total.String() != "1000000000000" {
		t.Errorf("burned %s, total %s; want 1200750 and 1000000000000", doc.Burned, total)
	}
}

func TestLedgerCommands(t *testing.T) {
	dir := newLedger(t)

	// A command from a file: two legs in two assets.
	runCLI(t, "submit", dir, filepath.Join("testdata", "transfer.json")).want(t, exitOK).contains(t,
		"applied at height 1, index 0",
		`event transferred/v1 {"from":"alice","to":"bob","asset":"COOP","amount":"2500000"}`,
		"bob    2.5 COOP",
		"bob    12.5 USD",
	)
	// The same again: the first receipt, nothing applied.
	runCLI(t, "submit", dir, filepath.Join("testdata", "transfer.json")).want(t, exitOK).
		contains(t, "duplicate of the command applied at height 1, index 0")

	// A command on stdin, with -json.
	r := cooperaStdin(t, `{"type": "transfer", "actor": "bob", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "1000000"}]}}`,
		"submit", "--json", dir).want(t, exitOK)
	var rc receiptJSON
	decodeJSON(t, r, &rc)
	if !rc.Applied || rc.Height != 2 || len(rc.Events) != 1 || len(rc.Balances) != 2 {
		t.Errorf("receipt %+v", rc)
	}
	if b := rc.Balances[1]; b.Account != "carol" || b.Amount.String() != "1000000" || b.Units != "1" {
		t.Errorf("carol's balance in the receipt: %+v", b)
	}

	// A batch on stdin ("-"): one applied, one rejected.
	batch, err := os.ReadFile(filepath.Join("testdata", "batch.json"))
	if err != nil {
		t.Fatal(err)
	}
	r = cooperaStdin(t, string(batch), "submit", dir, "-").want(t, exitFail)
	r.contains(t, "command 0: transfer by bob", "applied at height 3, index 0", "rejected at height 3, index 1")
	r.stderrContains(t, "1 of 2 commands rejected")

	// Balances: bob got 2.5, sent 1 and 0.5.
	runCLI(t, "balance", dir, "bob", "COOP").want(t, exitOK).contains(t, "bob  1 COOP  (1000000 base units)")
	runCLI(t, "balance", dir, "alice").want(t, exitOK).contains(t, "999997.5 COOP", "487.5 USD")
	r = runCLI(t, "balance", dir, "alice", "--json").want(t, exitOK)
	var acct struct {
		Account  ledger.AccountID `json:"account"`
		Balances []balanceJSON    `json:"balances"`
	}
	decodeJSON(t, r, &acct)
	if acct.Account != "alice" || len(acct.Balances) != 2 ||
		acct.Balances[0].Asset != "COOP" || acct.Balances[0].Amount.String() != "999997500000" ||
		acct.Balances[1].Asset != "USD" || acct.Balances[1].Units != "487.5" || acct.Balances[1].Decimals != 2 {
		t.Errorf("alice's balances: %+v", acct)
	}
	r = runCLI(t, "balance", "-json", dir, "carol", "COOP").want(t, exitOK)
	var one balanceJSON
	decodeJSON(t, r, &one)
	if one.Units != "1.5" || one.Amount.String() != "1500000" {
		t.Errorf("carol's COOP: %+v", one)
	}
	runCLI(t, "balance", dir, "dave").want(t, exitFail).stderrContains(t, "account dave does not exist")

	// Blocks: genesis and three blocks; flags after the directory.
	r = runCLI(t, "blocks", dir).want(t, exitOK)
	r.contains(t, "HEIGHT  TIME", "0       2026-01-01T00:00:00Z")
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Errorf("blocks printed %d lines, want 5:\n%s", n, r.stdout)
	}
	r = runCLI(t, "blocks", dir, "-from", "3", "-limit", "5", "--json").want(t, exitOK)
	var blocks []blockJSON
	decodeJSON(t, r, &blocks)
	if len(blocks) != 1 || blocks[0].Height != 3 || blocks[0].Commands != 2 || blocks[0].Rejected != 1 || blocks[0].Events != 1 {
		t.Errorf("blocks from 3: %+v", blocks)
	}

	// Events of carol: created at genesis, then two credits.
	r = runCLI(t, "events", dir, "-account", "carol").want(t, exitOK)
	r.contains(t, `account_created/v1 {"account":"carol"}`, `"to":"carol","asset":"COOP","amount":"1000000"`)
	r = runCLI(t, "events", dir, "-account", "carol", "-from", "1", "-json").want(t, exitOK)
	var evs []eventJSON
	decodeJSON(t, r, &evs)
	if len(evs) != 2 || evs[0].Height != 2 || evs[1].Height != 3 {
		t.Errorf("carol's events from 1: %+v", evs)
	}
	var ev ledger.EventJSON
	if err := json.Unmarshal(evs[0].Event, &ev); err != nil || ev.Type != "transferred" || ev.Version != 1 {
		t.Errorf("event %s: %+v, %v", evs[0].Event, ev, err)
	}
	r = runCLI(t, "events", dir, "-from", "1", "-limit", "2", "-json").want(t, exitOK)
	decodeJSON(t, r, &evs)
	if len(evs) != 2 || evs[0].Height != 1 || evs[1].Index != 1 {
		t.Errorf("all events from 1, limit 2: %+v", evs)
	}

	runCLI(t, "verify", dir).want(t, exitOK).contains(t, "verified 4 blocks (genesis to height 3): 4 commands, 1 rejected")

	// A snapshot is a ledger of its own.
	snap := filepath.Join(t.TempDir(), "snap")
	runCLI(t, "snapshot", dir, snap).want(t, exitOK).contains(t, "at height 3 written to")
	runCLI(t, "verify", snap).want(t, exitOK).contains(t, "verified 4 blocks")
	runCLI(t, "snapshot", dir, snap).want(t, exitFail).stderrContains(t, "exists")

	// So is a replay, with the same head.
	rep := filepath.Join(t.TempDir(), "replay")
	r = runCLI(t, "replay", dir, rep, "--json").want(t, exitOK)
	var vj verifyJSON
	decodeJSON(t, r, &vj)
	r = runCLI(t, "verify", rep, "--json").want(t, exitOK)
	var vj2 verifyJSON
	decodeJSON(t, r, &vj2)
	if !vj.OK || !vj2.OK || vj.Report.Head != vj2.Report.Head || vj.Report.StateRoot != vj2.Report.StateRoot || vj2.Report.Blocks != 4 {
		t.Errorf("replay %+v, verify of the replay %+v", vj.Report, vj2.Report)
	}
	runCLI(t, "balance", rep, "carol", "COOP").want(t, exitOK).contains(t, "carol  1.5 COOP")
}

func TestSubmitRejected(t *testing.T) {
	dir := newLedger(t)
	r := runCLI(t, "submit", dir, filepath.Join("testdata", "overdraft.json")).want(t, exitFail)
	r.contains(t, "rejected at height 1, index 0", "insufficient_funds")
	r.stderrContains(t, "coopera: command rejected: insufficient_funds: account bob has 0 base units of COOP")

	r = runCLI(t, "submit", "-json", dir, filepath.Join("testdata", "overdraft.json")).want(t, exitFail)
	var rc receiptJSON
	decodeJSON(t, r, &rc)
	if rc.Applied || rc.Error == nil || rc.Error.Code != "insufficient_funds" || rc.Height != 2 {
		t.Errorf("receipt %+v", rc)
	}
}

func TestSubmitMalformed(t *testing.T) {
	dir := newLedger(t)
	for _, tc := range []struct {
		name, input, want string
	}{
		{"syntax", `{"type": "transfer",`, "malformed: JSON: unexpected EOF"},
		{"empty", "  \n", "standard input is empty"},
		{"number amount", `{"type": "transfer", "actor": "alice", "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": 5}]}}`,
			"amounts are JSON strings of base units"},
		{"unknown field", `{"type": "transfer", "actor": "alice", "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "5"}], "note": "x"}}`,
			`unknown field "note"`},
		{"unknown type", `{"type": "teleport", "actor": "alice", "payload": {}}`, `command type "teleport" is not registered`},
		{"no legs", `{"type": "transfer", "actor": "alice", "payload": {"legs": []}}`, "transfer has no legs"},
		{"batch", `[{"type": "transfer", "actor": "alice", "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "5"}]}}, {"type": "transfer"}]`,
			"command 1: missing_field"},
		{"empty batch", `[]`, "the array holds no commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cooperaStdin(t, tc.input, "submit", dir).want(t, exitUsage)
			r.stderrContains(t, "coopera: ", tc.want)
		})
	}
	// Nothing was submitted.
	runCLI(t, "blocks", dir, "-json").want(t, exitOK)
	runCLI(t, "verify", dir).want(t, exitOK).contains(t, "verified 1 blocks")
}

func TestNoLedger(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	runCLI(t, "balance", missing, "alice").want(t, exitFail).
		stderrContains(t, "coopera: "+missing+" holds no ledger; run coopera init first")
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("balance created %s: %v", missing, err)
	}
	empty := t.TempDir()
	for _, args := range [][]string{
		{"verify", empty}, {"blocks", empty}, {"events", empty}, {"snapshot", empty, filepath.Join(missing, "s")},
		{"replay", empty, filepath.Join(missing, "r")},
	} {
		runCLI(t, args...).want(t, exitFail).stderrContains(t, "holds no ledger; run coopera init first")
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("commands wrote into an empty directory: %v", ents)
	}
}

func TestInit(t *testing.T) {
	dir := newLedger(t)
	runCLI(t, "init", "-genesis", filepath.Join("testdata", "genesis.json"), dir).want(t, exitFail).
		stderrContains(t, `already holds a ledger (chain "coopera-test", height 0)`)

	bad := filepath.Join(t.TempDir(), "genesis.json")
	os.WriteFile(bad, []byte(`{"chain_id": "x", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	  "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
	  "allocations": [{"account": "bob", "asset": "COOP", "amount": "1"}]}`), 0o644)
	target := filepath.Join(t.TempDir(), "new")
	runCLI(t, "init", "-genesis", bad, target).want(t, exitUsage).
		stderrContains(t, "invalid_genesis: allocations[0].account: account bob is not declared")
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a failed init left %s: %v", target, err)
	}

	// The example genesis needs a choice: keys, or no signatures at all.
	runCLI(t, "init", "-example-genesis").want(t, exitUsage).stderrContains(t, "-keys DIR", "-insecure-unsigned")
	runCLI(t, "init", "-example-genesis", "-insecure-unsigned").want(t, exitOK).stderrContains(t, "WARNING", "UNSIGNED")
	// With keys it is valid, requires signatures and creates a ledger.
	keys := filepath.Join(t.TempDir(), "keys")
	r := runCLI(t, "init", "-example-genesis", "-keys", keys).want(t, exitOK)
	g, err := ledger.ParseGenesis([]byte(r.stdout))
	if err == nil && (!g.RequireSignatures || len(g.Accounts[0].PublicKey) != 32) {
		t.Errorf("the example genesis with keys: require_signatures %v, alice's key %x", g.RequireSignatures, g.Accounts[0].PublicKey)
	}
	if fi, err := os.Stat(filepath.Join(keys, "alice.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("alice's key file: %v %v", fi, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := checkGenesis(g); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "example.json")
	os.WriteFile(file, []byte(r.stdout), 0o644)
	r = runCLI(t, "init", filepath.Join(t.TempDir(), "ex"), "-genesis", file, "-json").want(t, exitOK)
	var doc struct {
		ChainID string `json:"chain_id"`
		Height  uint64 `json:"height"`
	}
	decodeJSON(t, r, &doc)
	if doc.ChainID != "coopera-local" || doc.Height != 0 {
		t.Errorf("init -json: %+v", doc)
	}
}

func TestExampleCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	runCLI(t, "quickstart", "-dir", dir).want(t, exitOK)
	r := runCLI(t, "submit", "-example").want(t, exitOK)
	cooperaStdin(t, r.stdout, "submit", dir).want(t, exitOK).contains(t, "352.5 COOP        (352500000 base units)")
	// The same key for another command is a conflict, answered without a block.
	other := strings.Replace(r.stdout, `"2500000"`, `"2500001"`, 1)
	r = cooperaStdin(t, other, "submit", dir).want(t, exitFail)
	r.contains(t, "rejected: idempotency_conflict")
	r.stderrContains(t, "command rejected: idempotency_conflict")
}

func TestUsage(t *testing.T) {
	runCLI(t).want(t, exitUsage).stderrContains(t, "Usage:\n  coopera", "Available Commands:")
	runCLI(t, "help").want(t, exitOK).contains(t, "quickstart", "snapshot", "-json")
	runCLI(t, "frobnicate").want(t, exitUsage).stderrContains(t, `coopera: unknown command "frobnicate"`, "coopera help")
	for _, cmd := range commands {
		r := runCLI(t, cmd.name, "-h").want(t, exitOK)
		r.contains(t, "Usage:\n  coopera "+cmd.name, "Examples:\n  coopera "+cmd.name)
		if cmd.subcommands == nil {
			r.contains(t, "--json")
		}
		runCLI(t, "help", cmd.name).want(t, exitOK).contains(t, r.stdout)
		for _, sub := range cmd.subcommands {
			args := strings.Fields(sub.name)
			r := runCLI(t, append(args, "-h")...).want(t, exitOK)
			r.contains(t, "Usage:\n  coopera "+sub.name, "--json", "Examples:\n  coopera "+sub.name)
		}
	}
	runCLI(t, "help", "events").want(t, exitOK).contains(t, "-account A", "-limit N")
	runCLI(t, "blocks").want(t, exitUsage).stderrContains(t, "blocks needs 1 argument")
	runCLI(t, "blocks", "a", "b").want(t, exitUsage).stderrContains(t, "at most 1 argument")
	runCLI(t, "blocks", "a", "-limit", "x").want(t, exitUsage).stderrContains(t, `invalid argument "x" for "--limit" flag`)
	runCLI(t, "verify", "--bogus", "a").want(t, exitUsage).stderrContains(t, "unknown flag: --bogus")
	runCLI(t, "balance", "d", "Alice").want(t, exitUsage).stderrContains(t, "invalid_id")
}

// TestOneDashFlags checks that the one-dash long flags of the README
// (-json, -from 3, -limit=2) are cobra's two-dash ones, anywhere among the
// arguments, and that "--" ends the flags.
func TestOneDashFlags(t *testing.T) {
	c := &cli{stdout: io.Discard, stderr: io.Discard}
	root := c.newRoot(context.Background())
	got := c.normalise(root, []string{"events", "dir", "-from", "3", "-limit=2", "-json", "-h", "--", "-x", "y"})
	want := "events dir --from 3 --limit=2 --json -h -- -x y"
	if strings.Join(got, " ") != want {
		t.Errorf("normalise: %q, want %q", strings.Join(got, " "), want)
	}
	if strings.Join(c.leafArgs, " ") != strings.TrimPrefix(want, "events ") {
		t.Errorf("leafArgs %q", c.leafArgs)
	}
	got = c.normalise(root, []string{"sim", "run", "s.yaml", "-o", "out", "-q", "-bogus"})
	if want := "sim run s.yaml --o out --q -bogus"; strings.Join(got, " ") != want {
		t.Errorf("normalise: %q, want %q", strings.Join(got, " "), want)
	}
}

// TestJSONErrors checks that a command run with -json that fails writes
// one {"code", "message", "details"} document on stdout, with the exit
// status, for a usage error, bad input and a failed operation.
func TestJSONErrors(t *testing.T) {
	dir := newLedger(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate", "-json"}, exitUsage, "usage"},
		{[]string{"blocks", "--json"}, exitUsage, "usage"},
		{[]string{"balance", dir, "Alice", "-json"}, exitUsage, "invalid_id"},
		{[]string{"balance", filepath.Join(t.TempDir(), "none"), "alice", "-json"}, exitFail, "failed"},
		{[]string{"gov", "eval", "-proposal", "-", "-policies", filepath.Join(t.TempDir(), "nope"), "-json"}, exitUsage, "bad_input"},
	} {
		r := cooperaStdin(t, `{"title": "t", "deposit": "0"}`, tc.args...).want(t, tc.code)
		var doc struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		}
		decodeJSON(t, r, &doc)
		if doc.Code != tc.want || doc.Message == "" || doc.Details["exit_status"] != float64(tc.code) {
			t.Errorf("%q: %+v, want code %s", tc.args, doc, tc.want)
		}
	}
}

// TestVersion checks the version command's document.
func TestVersion(t *testing.T) {
	r := runCLI(t, "version", "-json").want(t, exitOK)
	var v versionJSON
	decodeJSON(t, r, &v)
	if v.Module != "github.com/coopera/coopera" || v.Version == "" || !strings.HasPrefix(v.Go, "go") {
		t.Errorf("version: %+v", v)
	}
	runCLI(t, "version").want(t, exitOK).contains(t, "coopera github.com/coopera/coopera")
}

// TestCompletion checks that cobra's shell completion is there and
// completes commands and flags.
func TestCompletion(t *testing.T) {
	runCLI(t, "completion", "bash").want(t, exitOK).contains(t, "__start_coopera")
	runCLI(t, "__complete", "ba").want(t, exitOK).contains(t, "balance")
	runCLI(t, "__complete", "events", "--li").want(t, exitOK).contains(t, "--limit")
}

func TestVerifyFailure(t *testing.T) {
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb}
	rep := &coopera.VerifyReport{Blocks: 3}
	err := ledger.Errorf(ledger.ErrDivergence, "block 3: replay gives state root aa, the block records bb")
	if code := c.printVerify("d", "verified", rep, err, false); code != exitFail {
		t.Errorf("exit status %d, want %d", code, exitFail)
	}
	if want := "coopera: d failed after 3 good blocks: divergence: block 3: replay gives state root aa, the block records bb\n"; errb.String() != want || out.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want stderr %q", out.String(), errb.String(), want)
	}
	out.Reset()
	c.printVerify("d", "verified", rep, err, true)
	var doc verifyJSON
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.OK || doc.Error.Code != "divergence" {
		t.Errorf("JSON %s: %+v, %v", out.String(), doc, err)
	}
}
