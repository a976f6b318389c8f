package main

// coopera gov hash | eval | init: policy sets, admission decisions, and
// governed ledgers.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

var cmdGovHash = &command{
	name:     "gov hash",
	synopsis: "DIR",
	summary:  "print the policy-set hash of a policy directory",
	help: `Hash loads the policy set in DIR (its *.rego files, tests excluded) as the
engine does, refusing syntax errors and non-deterministic built-ins with
file and line, and prints its hash: the value of "policy_hash" in a
genesis, or of a policy_upgrade action.`,
	run: runGovHash,
}

func runGovHash(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	set, err := loadPolicySet(ctx, pos[0])
	if err != nil {
		return c.failInput(err)
	}
	if f.json {
		return c.writeJSON(map[string]any{"hash": set.HashHex(), "files": set.Files(), "governed": set.Governed()})
	}
	fmt.Fprintln(c.stdout, set.HashHex())
	return exitOK
}

var cmdGovEval = &command{
	name:     "gov eval",
	synopsis: "-proposal FILE [-policies DIR] [-actor A] [-ledger DIR]",
	summary:  "print the admission decision for a proposal, with reasons",
	help: `Eval evaluates the policy set in DIR (default: the policies built into
coopera) for a proposal, as the admitter would, and prints the decision:
admitted or denied, the reasons, the policy hash and the pass rules the
policy sets for the proposal.

FILE (or - for standard input) is a gov_propose payload:
  {"title": "...", "deposit": "100",
   "actions": [{"kind": "parameter_change", "module": "governance", "name": "quorum_bps", "value": 4000}]}

With -ledger the policy sees the ledger's current parameters (and the
check reports whether DIR is the set in force there); without it, the
governance defaults. Exit status 1 if the proposal is denied.`,
	run: runGovEval,
}

func runGovEval(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	dir := f.fs.String("policies", "", policiesUsage)
	file := f.fs.String("proposal", "", "the proposal payload JSON `FILE`, or - for standard input")
	actor := f.fs.String("actor", "", "the proposing account `A`")
	ledgerDir := f.fs.String("ledger", "", "a ledger `DIR` whose parameters the policy sees")
	if _, code, done := c.parse(cmd, f, args, 0, 0); done {
		return code
	}
	if *file == "" {
		return c.usageError(cmd, f.fs, "eval needs -proposal FILE")
	}
	data, err := c.readFileOrStdin(*file)
	if err != nil {
		return c.failInput(err)
	}
	var p governance.Propose
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return c.failInput(fmt.Errorf("%s: %v", inputName(*file), err))
	}
	p.Decision = nil
	if err := p.Validate(); err != nil {
		return c.failInput(err)
	}
	set, err := loadPolicySet(ctx, *dir)
	if err != nil {
		return c.failInput(err)
	}
	m, err := ledger.NewMachine(govLedgerModules()...)
	if err != nil {
		return c.fail(err)
	}
	inForce := ""
	var in *policy.ProposalInput
	build := func(view ledger.Getter) error {
		var err error
		in, err = policy.BuildProposalInput(m, view, ledger.AccountID(*actor), &p)
		return err
	}
	if *ledgerDir != "" {
		err = readView(*ledgerDir, func(v *stateView, _ *store.Head) error {
			h, err := governance.PolicyHash(v)
			if err != nil {
				return err
			}
			inForce = governance.HexBytes(h).String()
			return build(v)
		})
	} else {
		err = build(defaultParamsView())
	}
	if err != nil {
		return c.fail(err)
	}
	d, err := set.DecideProposal(ctx, in)
	if err != nil {
		return c.fail(err)
	}
	if f.json {
		doc := map[string]any{"decision": d, "input": in}
		if inForce != "" {
			doc["policy_in_force"] = inForce
		}
		if c.writeJSON(doc) != exitOK {
			return exitFail
		}
	} else {
		verdict := "admitted"
		if !d.Allowed {
			verdict = "denied"
		}
		fmt.Fprintf(c.stdout, "%s by policy %s (%s)\n", verdict, d.PolicyHash, strings.Join(set.Files(), ", "))
		for _, r := range d.Reasons {
			fmt.Fprintf(c.stdout, "  reason: %s\n", r)
		}
		if rules := describeRules(&d.Rules); rules != "" {
			fmt.Fprintf(c.stdout, "  %s\n", strings.TrimPrefix(rules, "; "))
		}
		if inForce != "" && inForce != set.HashHex() {
			fmt.Fprintf(c.stdout, "note: the ledger's policy in force is %s, not this set; the engine would decide with that one\n", inForce)
		}
	}
	if !d.Allowed {
		return exitFail
	}
	return exitOK
}

// policyName names a -policies value in messages.
func policyName(dir string) string {
	if dir == "" {
		return "the built-in set"
	}
	return dir
}

// defaultParamsView is a state holding only the default governance
// parameters, for evaluating without a ledger.
func defaultParamsView() ledger.Getter {
	st := ledger.NewState(ledger.NewMemStore())
	p := governance.DefaultParams()
	ledger.Chain{}.Evolve(st, &ledger.ParamsChanged{Module: governance.ModuleName, Params: governance.EncodeParams(&p)})
	return st
}

var cmdGovInit = &command{
	name:     "gov init",
	synopsis: "-genesis FILE [-policies DIR] LEDGER",
	summary:  "create a ledger with the governance modules",
	help: `Init creates a ledger in LEDGER (a new or empty directory) from the genesis
file, running the governance modules after the default ones. The policy
set in DIR (default: the policies built into coopera) is the one in force:
its hash goes into the genesis params of "governance" as "policy_hash" if they have none, and must equal it if
they have one.`,
	run: runGovInit,
}

func runGovInit(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	genesisFile := f.fs.String("genesis", "", "the genesis JSON `FILE`")
	dir := f.fs.String("policies", "", policiesUsage)
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if *genesisFile == "" {
		return c.usageError(cmd, f.fs, "init needs -genesis FILE")
	}
	data, err := c.readFileOrStdin(*genesisFile)
	if err != nil {
		return c.failInput(err)
	}
	g, err := ledger.ParseGenesis(data)
	if err != nil {
		return c.failInput(err)
	}
	set, err := loadPolicySet(ctx, *dir)
	if err != nil {
		return c.failInput(err)
	}
	params := map[string]json.RawMessage{}
	if raw := g.Params[governance.ModuleName]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &params); err != nil {
			return c.failInput(fmt.Errorf("params.governance: %v", err))
		}
	}
	if h, ok := params["policy_hash"]; ok {
		var s string
		json.Unmarshal(h, &s)
		if s != set.HashHex() {
			return c.failInput(fmt.Errorf("params.governance.policy_hash is %s, but the policies in %s hash to %s", s, policyName(*dir), set.HashHex()))
		}
	}
	params["policy_hash"], _ = json.Marshal(set.HashHex())
	if g.Params == nil {
		g.Params = map[string]json.RawMessage{}
	}
	g.Params[governance.ModuleName], _ = json.Marshal(params)
	if err := g.Validate(); err != nil {
		return c.failInput(err)
	}
	existed, err := checkNewDir(pos[0])
	if err != nil {
		return c.failInput(err)
	}
	eng, err := coopera.Open(pos[0], &coopera.Options{Genesis: g, Modules: govLedgerModules()})
	if err != nil {
		if existed {
			clearDir(pos[0])
		}
		if errors.Is(err, ledger.ErrInvalidGenesis) {
			return c.failInput(err)
		}
		return c.fail(err)
	}
	h := eng.Head()
	if err := eng.Close(); err != nil {
		return c.fail(err)
	}
	if f.json {
		return c.writeJSON(map[string]any{"ledger": pos[0], "chain_id": g.ChainID, "policy_hash": set.HashHex(), "modules": moduleNames(govLedgerModules()), "genesis_hash": h.Hash})
	}
	fmt.Fprintf(c.stdout, "created %s: chain %q, modules %v, policy %s\n", pos[0], g.ChainID, moduleNames(govLedgerModules()), set.HashHex())
	return exitOK
}

func moduleNames(mods []ledger.Module) []string {
	out := make([]string, len(mods))
	for i, m := range mods {
		out[i] = m.Name()
	}
	return out
}
