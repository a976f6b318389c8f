package main

// coopera gov propose | vote | delegate | tally | queue | execute | cancel:
// the governance commands, submitted through the policy admitter.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
)

var cmdGovPropose = &command{
	name:     "gov propose",
	synopsis: "-actor A [-policies DIR] LEDGER [FILE|-]",
	summary:  "submit a proposal",
	help: `Propose submits a proposal: FILE (or standard input) is its payload,
  {"title": "...", "description": "...", "deposit": "100", "actions": [...]}
with actions of kinds parameter_change {module, name, value},
treasury_spend {to, asset, amount}, asset_listing {asset, asset_name,
decimals, collateral_weight_bps} and policy_upgrade {policy_hash}; none
makes a text proposal. The policy admitter decides it and records the
decision in the command; a denial refuses it with the policy's reasons.`,
	run: runGovPropose,
}

func runGovPropose(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newGovFlags(cmd)
	pos, code, done := c.parse(cmd, f.flags, args, 1, 2)
	if done {
		return code
	}
	src := ""
	if len(pos) == 2 {
		src = pos[1]
	}
	data, err := c.readFileOrStdin(src)
	if err != nil {
		return c.failInput(err)
	}
	var p governance.Propose
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return c.failInput(fmt.Errorf("%s: %v", inputName(src), err))
	}
	return c.submitGov(ctx, f, pos[0], &p)
}

var cmdGovVote = &command{
	name:     "gov vote",
	synopsis: "-actor A -proposal N (-option yes|no|abstain|veto | -split yes=7000,no=3000) LEDGER",
	summary:  "vote on a proposal",
	help: `Vote casts the actor's vote, final once recorded: one option with all of
its power, or a split by weights in basis points that sum to 10000.`,
	run: runGovVote,
}

func runGovVote(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newGovFlags(cmd)
	id := f.fs.Uint64("proposal", 0, "the proposal `N`")
	option := f.fs.String("option", "", "the `OPTION`: yes, no, abstain or veto")
	split := f.fs.String("split", "", "weighted options `O=BPS,...`, such as yes=7000,no=3000")
	pos, code, done := c.parse(cmd, f.flags, args, 1, 1)
	if done {
		return code
	}
	v := &governance.Vote{Proposal: *id}
	if *option != "" {
		o, err := governance.ParseOption(*option)
		if err != nil {
			return c.failInput(err)
		}
		v.Option = &o
	}
	if *split != "" {
		for _, part := range strings.Split(*split, ",") {
			name, w, ok := strings.Cut(part, "=")
			o, err := governance.ParseOption(strings.TrimSpace(name))
			if err != nil {
				return c.failInput(err)
			}
			n, err := strconv.ParseUint(strings.TrimSpace(w), 10, 32)
			if !ok || err != nil {
				return c.failInput(fmt.Errorf("-split %q: write option=weight_bps, such as yes=7000", part))
			}
			v.Options = append(v.Options, governance.WeightedOption{Option: o, WeightBps: uint32(n)})
		}
	}
	return c.submitGov(ctx, f, pos[0], v)
}

var cmdGovDelegate = &command{
	name:     "gov delegate",
	synopsis: "-actor A -to B LEDGER",
	summary:  "delegate voting power",
	help: `Delegate gives the actor's voting power to B for proposals whose snapshot
is taken after this block; -to "" takes it back. The actor's own vote on a
proposal always takes its power back from B's.`,
	run: runGovDelegate,
}

func runGovDelegate(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newGovFlags(cmd)
	to := f.fs.String("to", "", "the delegate `B`, or \"\" to end delegation")
	pos, code, done := c.parse(cmd, f.flags, args, 1, 1)
	if done {
		return code
	}
	return c.submitGov(ctx, f, pos[0], &governance.Delegate{To: ledger.AccountID(*to)})
}

// govRefCommand is a subcommand whose payload names a proposal.
func govRefCommand(name, summary string) *command {
	return &command{
		name:     "gov " + name,
		synopsis: "-actor A -proposal N LEDGER",
		summary:  summary,
		help:     strings.ToUpper(summary[:1]) + summary[1:] + ".",
		run: func(c *cli, ctx context.Context, cmd *command, args []string) int {
			f := c.newGovFlags(cmd)
			id := f.fs.Uint64("proposal", 0, "the proposal `N`")
			pos, code, done := c.parse(cmd, f.flags, args, 1, 1)
			if done {
				return code
			}
			ref := governance.ProposalRef{Proposal: *id}
			var p ledger.Payload
			switch name {
			case "tally":
				p = &governance.TallyVotes{ProposalRef: ref}
			case "queue":
				p = &governance.Queue{ProposalRef: ref}
			case "execute":
				p = &governance.Execute{ProposalRef: ref}
			default:
				p = &governance.Cancel{ProposalRef: ref}
			}
			return c.submitGov(ctx, f, pos[0], p)
		},
	}
}

var cmdGovSubmit = &command{
	name:     "gov submit",
	synopsis: "[-policies DIR] LEDGER [FILE|-]",
	summary:  "submit any commands to a governed ledger, through the policy admitter",
	help: `Submit is "coopera submit" for a ledger created by "coopera gov init": it
opens it with the governance modules and the policy admitter and submits
one command JSON, or a JSON array of them as one batch, from FILE or
standard input, for example the stand-in stake command:
  {"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "500"}}`,
	run: runGovSubmit,
}

func runGovSubmit(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	policies := f.fs.String("policies", "", policyDirsUsage)
	pos, code, done := c.parse(cmd, f, args, 1, 2)
	if done {
		return code
	}
	src := ""
	if len(pos) == 2 {
		src = pos[1]
	}
	data, err := c.readFileOrStdin(src)
	if err != nil {
		return c.failInput(err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return c.failInput(fmt.Errorf("%s is empty; give a command as JSON", inputName(src)))
	}
	eng, code := c.openGov(ctx, pos[0], *policies)
	if eng == nil {
		return code
	}
	defer func() {
		if err := eng.Close(); err != nil && code == exitOK {
			code = c.fail(err)
		}
	}()
	cmds, batch, err := parseCommands(eng, data)
	if err != nil {
		return c.failInput(err)
	}
	rcs, err := eng.SubmitBatch(ctx, cmds)
	if err != nil {
		if api.IsInputError(err) {
			return c.failInput(err)
		}
		return c.fail(err)
	}
	return c.printReceipts(ctx, eng, cmds, rcs, batch, f.json)
}
