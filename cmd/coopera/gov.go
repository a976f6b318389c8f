package main

// coopera gov: governance from the command line. Policy evaluation
// (eval, hash), ledgers with the governance module (init), the governance
// commands submitted through the policy admitter (propose, vote, delegate,
// tally, queue, execute, cancel) and a read of proposals (show).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// govLedgerModules are the modules of a governed ledger: the CLI's default
// modules, whose governance reads voting power from tokenomics' protocol
// staking pool (package economy).
func govLedgerModules() []ledger.Module { return defaultModules() }

// govAdmitters returns the admitter for the policies in dirs (one
// directory, or several separated by commas: the set in force and, while
// an upgrade is pending, the set it names), to give the engine in
// Options.Admitters; the library watches them, so a policy upgrade finds
// its new set there. An empty dirs means the policies built into the
// binary (package policies).
func govAdmitters(ctx context.Context, dirs string) ([]coopera.Admitter, error) {
	if dirs == "" {
		return defaultAdmitters()
	}
	list := strings.Split(dirs, ",")
	for _, dir := range list {
		if err := checkPolicyDir(dir); err != nil {
			return nil, err
		}
	}
	lib, err := policy.LoadLibrary(ctx, list...)
	if err != nil {
		return nil, err
	}
	adm, err := policy.NewAdmitter(lib, govLedgerModules()...)
	if err != nil {
		return nil, err
	}
	return []coopera.Admitter{adm}, nil
}

// loadPolicySet loads the policy set in dir, or the one built into the
// binary when dir is empty.
func loadPolicySet(ctx context.Context, dir string) (*policy.Set, error) {
	if dir == "" {
		return builtinPolicies()
	}
	if err := checkPolicyDir(dir); err != nil {
		return nil, err
	}
	return policy.Load(ctx, dir)
}

// checkPolicyDir checks that a policy directory given on the command line
// is there, naming it when it is not.
func checkPolicyDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("policy directory %s does not exist (leave -policies out for the policies built into coopera)", dir)
	case err != nil:
		return fmt.Errorf("policy directory %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("policy directory %s is not a directory", dir)
	}
	return nil
}

// policiesUsage is the help of the -policies flags that take one set.
const policiesUsage = "the policy `DIR` in force (default: the policies built into coopera, those of the repository's policies/)"

// policyDirsUsage is the help of the -policies flags of the commands that
// submit: the admitter may need two sets during an upgrade.
const policyDirsUsage = "the policy `DIRS`, comma-separated: the set in force and, while a policy upgrade is pending, the set it names, in a directory of its own (default: the policies built into coopera)"

var cmdGov = &command{
	name:     "gov",
	synopsis: "<subcommand> [arguments]",
	summary:  "governance: evaluate policies, propose, vote, tally, execute, show proposals",
	help: `Gov drives governance. Subcommands:

  hash DIR                          the policy-set hash of a policy directory
  eval -proposal FILE [-policies DIR] [-actor A] [-ledger DIR]
                                    the admission decision for a proposal, with reasons
  init -genesis FILE [-policies DIR] LEDGER
                                    create a ledger with the governance modules
  propose -actor A LEDGER [FILE|-]  submit a proposal (its payload JSON)
  vote -actor A -proposal N (-option O | -split yes=7000,no=3000) LEDGER
  delegate -actor A -to B LEDGER    delegate voting power ("" takes it back)
  tally | queue | execute | cancel -actor A -proposal N LEDGER
  submit LEDGER [FILE|-]            submit any command JSON to a governed ledger
  show LEDGER [N]                   list proposals, or one with its votes

Every subcommand that reads policies takes -policies DIR; without it, the
policies built into the binary (the repository's policies/ directory) are
used, wherever coopera runs. The subcommands that submit run the policy
admitter on the sets of -policies DIRS (comma-separated), which must hold
the set in force; a policy_upgrade is admitted only if the set it names is
one of them too, and from its proposal until it executes both sets must be
given, each in its own directory. Every subcommand accepts -json for
one JSON document on standard output. Run "coopera gov <subcommand> -h"
for its flags.`,
}

func init() {
	cmdGov.subcommands = []*command{cmdGovHash, cmdGovEval, cmdGovInit, cmdGovPropose, cmdGovVote, cmdGovDelegate,
		govRefCommand("tally", "count the votes of a proposal whose voting has ended and decide it"),
		govRefCommand("queue", "queue a succeeded proposal; it may execute after its timelock"),
		govRefCommand("execute", "execute a queued proposal after its timelock: all actions or none"),
		govRefCommand("cancel", "cancel a proposal (its proposer while pending, the guardian until executed)"),
		cmdGovSubmit, cmdGovShow}
}

// govFlags are the flags of the submitting subcommands.
type govFlags struct {
	*flags
	policies string
	actor    string
	key      string
	nonce    uint64
	sign     string
}

func (c *cli) newGovFlags(cmd *command) *govFlags {
	f := &govFlags{flags: c.newFlags(cmd)}
	f.fs.StringVar(&f.policies, "policies", "", policyDirsUsage)
	f.fs.StringVar(&f.actor, "actor", "", "the account `A` submitting the command (required)")
	f.fs.StringVar(&f.key, "key", "", "an idempotency `KEY`")
	f.fs.Uint64Var(&f.nonce, "nonce", 0, "a nonce `N` above the actor's last one (optional)")
	f.fs.StringVar(&f.sign, "sign", "", "sign with the ed25519 key in `FILE` (default: the actor's key in DIR/keys, if there)")
	return f
}

// openGov opens the governed ledger in dir with the policy admitter.
func (c *cli) openGov(ctx context.Context, dir, policies string) (*coopera.Engine, int) {
	ok, err := hasStore(dir)
	if err != nil {
		return nil, c.fail(err)
	}
	if !ok {
		return nil, c.fail(&errNoLedger{dir})
	}
	adm, err := govAdmitters(ctx, policies)
	if err != nil {
		return nil, c.failInput(err)
	}
	eng, err := coopera.Open(dir, &coopera.Options{Modules: govLedgerModules(), Admitters: adm})
	if err != nil {
		return nil, c.fail(inUse(dir, err))
	}
	return eng, exitOK
}

// submitGov submits one governance command and prints its receipt. A
// policy's refusal fails the command (status 1); bad input is status 2.
func (c *cli) submitGov(ctx context.Context, f *govFlags, dir string, payload ledger.Payload) int {
	if f.actor == "" {
		return c.failInput(errors.New("-actor is required: the account that submits the command"))
	}
	cmd := &ledger.Command{Actor: ledger.AccountID(f.actor), Key: f.key, Nonce: f.nonce, Payload: payload}
	if err := cmd.Validate(); err != nil {
		return c.failInput(err)
	}
	eng, code := c.openGov(ctx, dir, f.policies)
	if eng == nil {
		return code
	}
	cmds := []*ledger.Command{cmd}
	err := signCommands(ctx, eng, dir, f.sign, cmds)
	var rcs []*coopera.Receipt
	if err == nil {
		cmd = cmds[0]
		rcs, err = eng.SubmitBatch(ctx, cmds)
	}
	switch {
	case errors.Is(err, governance.ErrPolicyDenied) || errors.Is(err, governance.ErrPolicyMismatch):
		code = c.fail(err)
	case err != nil && api.IsInputError(err):
		code = c.failInput(err)
	case err != nil:
		code = c.fail(err)
	default:
		if p, ok := payload.(*governance.Propose); ok && p.Decision != nil && !f.json {
			fmt.Fprintf(c.stdout, "admitted by policy %s%s\n", p.Decision.PolicyHash, describeRules(&p.Decision.Rules))
		}
		code = c.printReceipts(ctx, eng, cmds, rcs, false, f.json)
	}
	if err := eng.Close(); err != nil && code == exitOK {
		return c.fail(fmt.Errorf("closing %s: %w", dir, err))
	}
	return code
}

// describeRules lists the rules a policy set, if any.
func describeRules(r *governance.RuleOverrides) string {
	var parts []string
	add := func(name string, set bool, v any) {
		if set {
			parts = append(parts, fmt.Sprintf("%s %v", name, v))
		}
	}
	deref32 := func(p *uint32) any {
		if p == nil {
			return nil
		}
		return *p
	}
	derefD := func(p *ledger.Duration) any {
		if p == nil {
			return nil
		}
		b, _ := p.MarshalJSON()
		return strings.Trim(string(b), `"`)
	}
	add("quorum_bps", r.QuorumBps != nil, deref32(r.QuorumBps))
	add("threshold_bps", r.ThresholdBps != nil, deref32(r.ThresholdBps))
	add("veto_bps", r.VetoBps != nil, deref32(r.VetoBps))
	add("voting_delay", r.VotingDelay != nil, derefD(r.VotingDelay))
	add("voting_period", r.VotingPeriod != nil, derefD(r.VotingPeriod))
	add("late_quorum_extension", r.LateQuorumExtension != nil, derefD(r.LateQuorumExtension))
	add("timelock", r.Timelock != nil, derefD(r.Timelock))
	add("execution_window", r.ExecutionWindow != nil, derefD(r.ExecutionWindow))
	if r.MinDeposit != nil {
		parts = append(parts, "min_deposit "+r.MinDeposit.String())
	}
	if len(parts) == 0 {
		return ""
	}
	return "; rules: " + strings.Join(parts, ", ")
}

// readView opens the ledger in dir read-only for f, which reads its
// committed state. The caller must not hold an engine on dir.
func readView(dir string, f func(v *stateView, head *store.Head) error) error {
	ok, err := hasStore(dir)
	if err != nil {
		return err
	}
	if !ok {
		return &errNoLedger{dir}
	}
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	head, ok, err := db.Head()
	if err != nil {
		return err
	}
	if !ok {
		return &errNoLedger{dir}
	}
	v := &stateView{r: db.State()}
	if err := f(v, head); err != nil {
		return err
	}
	return v.err
}

// stateView is committed state as a governance.Scanner; the first read
// error is kept in err.
type stateView struct {
	r   store.StateReader
	err error
}

func (v *stateView) Get(k []byte) ([]byte, bool) {
	val, ok, err := v.r.Get(k)
	if err != nil && v.err == nil {
		v.err = err
	}
	return val, ok
}

func (v *stateView) Scan(prefix []byte, fn func(k, val []byte) bool) {
	if err := v.r.Scan(prefix, fn); err != nil && v.err == nil {
		v.err = err
	}
}

func newTab(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// readFileOrStdin reads a named file, or standard input for "-" or "".
func (c *cli) readFileOrStdin(name string) ([]byte, error) {
	if name == "" || name == "-" {
		return readStdin(c.stdin)
	}
	return os.ReadFile(name)
}

// maxStdin bounds what the CLI reads from standard input: a command, a
// proposal or a scenario is far smaller.
const maxStdin = 16 << 20

// readStdin reads standard input, refusing more than maxStdin bytes.
func readStdin(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStdin+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStdin {
		return nil, ledger.Errorf(ledger.ErrPayloadTooLarge, "standard input is over the limit of %d MiB; give a file", maxStdin>>20)
	}
	return data, nil
}
