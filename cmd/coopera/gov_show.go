package main

// coopera gov show: proposals and votes, read from a ledger's state.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
	"github.com/coopera/coopera/tokenomics"
)

var cmdGovShow = &command{
	name:     "gov show",
	synopsis: "LEDGER [N]",
	summary:  "list proposals, or show one with its votes",
	help: `Show lists the ledger's proposals with their status as of the last block,
or shows proposal N: its actions, rules, voting window, tally and votes.
It opens the ledger read-only.`,
	run: runGovShow,
}

type proposalJSON struct {
	*governance.Proposal
	StatusNow string                  `json:"status_now"`
	Votes     []governance.VoteRecord `json:"votes,omitempty"`
}

// proposalTimes are the proposal fields that hold block times.
var proposalTimes = map[string]bool{"created": true, "voting_start": true, "voting_end": true, "eta": true, "deadline": true}

func runGovShow(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	pos, code, done := c.parse(cmd, f, args, 1, 2)
	if done {
		return code
	}
	var id uint64
	if len(pos) == 2 {
		n, err := strconv.ParseUint(pos[1], 10, 64)
		if err != nil || n == 0 {
			return c.usageError(cmd, f.fs, "N is a proposal ID, from 1")
		}
		id = n
	}
	var out []proposalJSON
	var policyHash string
	var now int64
	decimals := map[ledger.AssetID]uint8{}
	var native ledger.AssetID
	err := readView(pos[0], func(v *stateView, head *store.Head) error {
		now = head.Time
		tp, err := tokenomics.ParamsAt(v, head.Height)
		if err != nil {
			return err
		}
		native = tp.NativeAsset
		if a, ok, err := ledger.GetAsset(v, native); err == nil && ok {
			decimals[native] = a.Decimals
		}
		h, err := governance.PolicyHash(v)
		if err != nil {
			return err
		}
		policyHash = governance.HexBytes(h).String()
		var ps []*governance.Proposal
		if id != 0 {
			p, ok, err := governance.GetProposal(v, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("no proposal %d", id)
			}
			ps = []*governance.Proposal{p}
		} else if ps, err = governance.Proposals(v, 1, 0); err != nil {
			return err
		}
		for _, p := range ps {
			if a, ok, err := ledger.GetAsset(v, p.DepositAsset); err == nil && ok {
				decimals[p.DepositAsset] = a.Decimals
			}
			pj := proposalJSON{Proposal: p, StatusNow: p.StatusAt(now).String()}
			if id != 0 {
				if pj.Votes, err = governance.Votes(v, p.ID); err != nil {
					return err
				}
			}
			out = append(out, pj)
		}
		return nil
	})
	if err != nil {
		return c.fail(err)
	}
	if f.json {
		// Times as RFC 3339 (the ledger keeps Unix nanoseconds).
		raw, err := json.Marshal(out)
		if err == nil {
			raw, err = api.RFC3339Times(raw, proposalTimes)
		}
		if err != nil {
			return c.fail(err)
		}
		return c.writeJSON(map[string]any{"policy_hash": policyHash, "proposals": json.RawMessage(raw)})
	}
	if id == 0 {
		fmt.Fprintf(c.stdout, "policy in force %s\n", policyHash)
		if len(out) == 0 {
			fmt.Fprintln(c.stdout, "no proposals")
			return exitOK
		}
		tw := newTab(c.stdout)
		fmt.Fprintln(tw, "ID\tSTATUS\tKINDS\tPROPOSER\tVOTING ENDS\tTITLE")
		for _, p := range out {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.StatusNow, strings.Join(p.Kinds, ","), p.Proposer, formatTime(p.VotingEnd), p.Title)
		}
		tw.Flush()
		return exitOK
	}
	p := out[0]
	w := c.stdout
	stake := func(a ledger.Amount) string { return formatTokens(a, decimals[native], native) }
	fmt.Fprintf(w, "proposal %d: %s\n  status %s (as of %s)\n  proposer %s, deposit %s\n", p.ID, p.Title, p.StatusNow, formatTime(now), p.Proposer, formatTokens(p.Deposit, decimals[p.DepositAsset], p.DepositAsset))
	if p.Description != "" {
		fmt.Fprintf(w, "  %s\n", p.Description)
	}
	for i := range p.Actions {
		fmt.Fprintf(w, "  action %d: %s\n", i, p.Actions[i].String())
	}
	r := p.Rules
	fmt.Fprintf(w, "  rules: quorum %d bps, threshold %d bps, veto %d bps, timelock %s, execution window %s\n", r.QuorumBps, r.ThresholdBps, r.VetoBps, time.Duration(r.Timelock), time.Duration(r.ExecutionWindow))
	fmt.Fprintf(w, "  voting %s to %s; snapshot height %d\n  total stake %s, voted stake %s\n", formatTime(p.VotingStart), formatTime(p.VotingEnd), p.SnapshotHeight, stake(p.TotalStake), stake(p.VotedStake))
	if t := p.Tally; t != nil {
		fmt.Fprintf(w, "  tally (%d votes, voting power in %s):\n    yes %s\n    no %s\n    abstain %s\n    veto %s\n", t.Votes, native, stake(t.Yes), stake(t.No), stake(t.Abstain), stake(t.Veto))
	}
	if p.ETA != 0 {
		fmt.Fprintf(w, "  executable from %s until %s\n", formatTime(p.ETA), formatTime(p.Deadline))
	}
	if p.FailReason != "" {
		fmt.Fprintf(w, "  reason: %s\n", p.FailReason)
	}
	if len(p.Votes) > 0 {
		tw := newTab(w)
		fmt.Fprintf(tw, "  VOTER\tOPTIONS (bps)\tSTAKE (%[1]s)\tPOWER (%[1]s)\tDELEGATED STAKE (%[1]s)\tDELEGATED POWER (%[1]s)\n", native)
		tok := func(a ledger.Amount) string { return a.Format(decimals[native]) }
		for _, v := range p.Votes {
			var opts []string
			for _, o := range v.Options {
				opts = append(opts, fmt.Sprintf("%s %d", o.Option, o.WeightBps))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", v.Voter, strings.Join(opts, ", "), tok(v.Stake), tok(v.Power), tok(v.DelegatedStake), tok(v.DelegatedPower))
		}
		tw.Flush()
	}
	return exitOK
}
