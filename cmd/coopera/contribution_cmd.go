package main

// coopera contribution: Proof-of-Intelligence results of a ledger.

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

var cmdContribution = &command{
	name:     "contribution",
	synopsis: "DIR (-provider ID | -validator ID)",
	summary:  "show a provider's or a validator's contribution scores and rewards per epoch",
	help: `Contribution prints, for each scored epoch, a provider's contribution value,
consensus weight, incentive, trust, reward and whether it was flagged as an
outlier or capped by the self-dealing cap, followed by its contribution in
the open epoch so far; or a validator's dividend, validator trust and
reward, and its bonds. See the README section "Contribution (Proof of
Intelligence)" for the formulas.

Shares (consensus, incentive, trust, dividend, vtrust) are shown in basis
points (the ledger keeps parts per billion: the -json document's *_ppb
fields); rewards in whole units of the reward asset.`,
	run: runContribution,
}

func runContribution(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	prov := f.fs.String("provider", "", "the provider `ID`")
	val := f.fs.String("validator", "", "the validator `ID`")
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if (*prov == "") == (*val == "") {
		return c.usageError(cmd, f.fs, "give exactly one of -provider and -validator")
	}
	return c.withLedger(pos[0], func(eng *coopera.Engine) int {
		v := eng.View()
		cp, err := contribution.ParamsAt(v, eng.Head().Height)
		if err != nil {
			return c.fail(err)
		}
		dec, err := newAssets(eng).Decimals(ctx, cp.RewardAsset)
		if err != nil {
			return c.fail(err)
		}
		tok := func(a ledger.Amount) string { return a.Format(dec) }
		if *prov != "" {
			id := ledger.AccountID(*prov)
			rs, err := contribution.ProviderResults(v, id)
			if err == nil {
				err = v.Err()
			}
			if err != nil {
				return c.fail(err)
			}
			chain, err := eng.Chain(ctx)
			if err != nil {
				return c.fail(err)
			}
			pend, err := contribution.PendingContribution(v, id, chain.Epoch)
			if err != nil {
				return c.fail(err)
			}
			if f.json {
				return c.writeJSON(map[string]any{"provider": id, "epochs": rs, "open_epoch": pend})
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "epoch\tcontribution\tconsensus\tincentive\ttrust\treward (%[1]s)\tflagged\tcapped (%[1]s)\n", cp.RewardAsset)
			for _, r := range rs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%v\t%s\n", r.Epoch, r.Contribution, formatPPB(r.Consensus), formatPPB(r.Incentive), formatPPB(r.Trust), tok(r.Reward), r.Flagged, tok(r.Capped))
			}
			tw.Flush()
			fmt.Fprintf(c.stdout, "open epoch %d: contribution %s from %d records, credits served %s USD (%d micro-USD)\n", pend.Epoch, pend.Contribution, pend.Records, ledger.NewAmount(pend.Credits).Format(6), pend.Credits)
			return exitOK
		}
		id := ledger.AccountID(*val)
		rs, err := contribution.ValidatorResults(v, id)
		if err != nil {
			return c.fail(err)
		}
		bonds, err := contribution.Bonds(v, id)
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			return c.fail(err)
		}
		if f.json {
			return c.writeJSON(map[string]any{"validator": id, "epochs": rs, "bonds": bonds})
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "epoch\tdividend\tvtrust\treward (%s)\n", cp.RewardAsset)
		for _, r := range rs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.Epoch, formatPPB(r.Dividend), formatPPB(r.VTrust), tok(r.Reward))
		}
		tw.Flush()
		fmt.Fprintf(c.stdout, "bonds with %d providers\n", len(bonds))
		return exitOK
	})
}
