package governance

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/coopera/coopera/ledger"
)

// Execution is all or nothing. The ledger gives a module no savepoint
// inside a command, so execute first checks every action against the
// state (a dry run: each parameter change through its module's SetParam,
// treasury spends against the treasury's balances, listings against the
// registry) and, if any would fail, records the proposal as failed with
// the reason and changes nothing else. Only then does it apply them:
// parameter changes first (one params_changed per module, folding that
// module's changes in action order), then the other actions in order,
// then proposal_closed. Should an effect still fail to apply, the command
// is rejected as a whole and the proposal stays queued.

func execute(ctx *ledger.Context, id uint64) error {
	p, err := mustProposal(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case p.Status == StatusSucceeded:
		return ledger.Errorf(ErrWrongStatus, "proposal %d has succeeded but is not queued; queue it first", p.ID)
	case p.Status != StatusQueued:
		return ledger.Errorf(ErrWrongStatus, "proposal %d is %s; only queued proposals are executed", p.ID, p.Status)
	case ctx.Time >= p.Deadline:
		return ctx.Emit(&ProposalClosed{Proposal: p.ID, Status: StatusExpired, Reason: "not executed before " + fmtTime(p.Deadline)})
	case ctx.Time < p.ETA:
		return ledger.Errorf(ErrTimelocked, "proposal %d is timelocked until %s", p.ID, fmtTime(p.ETA))
	}
	plan, err := preflight(ctx, p)
	if err != nil {
		if le, ok := err.(*ledger.Error); ok && le.Code == ErrInvalidProposal.Code {
			return ctx.Emit(&ProposalClosed{Proposal: p.ID, Status: StatusFailed, Reason: le.Msg})
		}
		return err
	}
	for _, pc := range plan.params {
		if err := ctx.Emit(&ledger.ParamsChanged{Module: pc.module, Params: pc.encoded, EffectiveHeight: ctx.Height + 1}); err != nil {
			return err
		}
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		switch a.Kind {
		case TreasurySpend:
			if err := ledger.Move(ctx, plan.treasury, a.To, a.Asset, a.amount()); err != nil {
				return err
			}
		case AssetListing:
			if _, ok := ctx.Get(ledger.AssetKey(a.Asset)); !ok {
				if err := ctx.Emit(&ledger.AssetRegistered{Asset: a.Asset, Name: a.AssetName, Decimals: a.Decimals}); err != nil {
					return err
				}
			}
			if err := ctx.Emit(&AssetListed{Proposal: p.ID, Asset: a.Asset, CollateralWeightBps: a.CollateralWeightBps}); err != nil {
				return err
			}
		case PolicyUpgrade:
			h, _ := ParseHash(a.PolicyHash)
			if err := ctx.Emit(&PolicySet{Proposal: p.ID, Hash: h}); err != nil {
				return err
			}
		}
	}
	return ctx.Emit(&ProposalClosed{Proposal: p.ID, Status: StatusExecuted})
}

type paramChange struct {
	module  string
	encoded []byte
}

type plan struct {
	params   []paramChange
	treasury ledger.AccountID
}

// preflight checks every action against the current state and returns
// what to apply. An ErrInvalidProposal error fails the proposal; any other
// error rejects the command.
func preflight(ctx *ledger.Context, p *Proposal) (*plan, error) {
	params, err := ReadParams(ctx)
	if err != nil {
		return nil, err
	}
	pl := &plan{treasury: params.Treasury}
	spend := map[ledger.AssetID]ledger.Amount{}
	var spendOrder []ledger.AssetID
	for i := range p.Actions {
		a := &p.Actions[i]
		fail := func(format string, args ...any) error {
			return ledger.Errorf(ErrInvalidProposal, "action %d (%s): %s", i, a.Kind, fmt.Sprintf(format, args...))
		}
		switch a.Kind {
		case ParameterChange:
			pm, ok := ctx.Machine().Parameterized(a.Module)
			if !ok {
				return nil, fail("module %q has no governable parameters", a.Module)
			}
			j := -1
			for k := range pl.params {
				if pl.params[k].module == a.Module {
					j = k
				}
			}
			if j < 0 {
				// A change made earlier in this block is still pending;
				// building on it here would show it to this block.
				now, err := ledger.ParamsAt(ctx, a.Module, ctx.Height)
				if err != nil {
					return nil, fail("%v", err)
				}
				next, err := ledger.ParamsAt(ctx, a.Module, ctx.Height+1)
				if err != nil {
					return nil, fail("%v", err)
				}
				if !bytes.Equal(now, next) {
					return nil, ledger.Errorf(ErrParamChangePending, "module %s already has a parameter change taking effect at height %d; execute proposal %d in a later block", a.Module, ctx.Height+1, p.ID)
				}
				pl.params = append(pl.params, paramChange{module: a.Module, encoded: now})
				j = len(pl.params) - 1
			}
			next, err := pm.SetParam(pl.params[j].encoded, a.Name, json.RawMessage(a.Value))
			if err != nil {
				if le, ok := err.(*ledger.Error); ok {
					return nil, fail("%s", le.Msg)
				}
				return nil, fail("%v", err)
			}
			if sc, ok := pm.(ledger.ParamsStateChecker); ok {
				if err := sc.CheckParamsState(withListings(ctx, p.Actions), next); err != nil {
					return nil, fail("%s", message(err))
				}
			}
			pl.params[j].encoded = next
		case TreasurySpend:
			if err := checkRecipient(ctx, a.To); err != nil {
				return nil, fail("%s", message(err))
			}
			if _, ok := ctx.Get(ledger.AccountKey(a.To)); !ok {
				return nil, fail("recipient %s does not exist", a.To)
			}
			cur, seen := spend[a.Asset]
			if !seen {
				spendOrder = append(spendOrder, a.Asset)
			}
			sum, ok := cur.Add(a.amount())
			if !ok {
				return nil, fail("spends overflow")
			}
			spend[a.Asset] = sum
		case AssetListing:
			if _, ok, err := Listing(ctx, a.Asset); err != nil {
				return nil, err
			} else if ok {
				return nil, fail("asset %s is already listed", a.Asset)
			}
			if asset, ok, err := ledger.GetAsset(ctx, a.Asset); err != nil {
				return nil, err
			} else if ok && asset.Decimals != a.Decimals {
				return nil, fail("asset %s is registered with %d decimals, not %d", a.Asset, asset.Decimals, a.Decimals)
			}
		case PolicyUpgrade:
			if _, err := ParseHash(a.PolicyHash); err != nil {
				return nil, fail("%v", err)
			}
		}
	}
	if len(spendOrder) > 0 {
		// A treasury that an earlier release let become a booked
		// account: it pays nothing out.
		if err := checkTreasury(ctx, pl.treasury); err != nil {
			return nil, err
		}
	}
	for _, asset := range spendOrder {
		if _, ok := ctx.Get(ledger.AssetKey(asset)); !ok {
			return nil, ledger.Errorf(ErrInvalidProposal, "treasury spend of unregistered asset %s", asset)
		}
		bal, err := ledger.BalanceOf(ctx, pl.treasury, asset)
		if err != nil {
			return nil, err
		}
		if bal.Cmp(spend[asset]) < 0 {
			return nil, ledger.Errorf(ErrInvalidProposal, "treasury %s holds %s %s; the proposal spends %s", pl.treasury, bal, asset, spend[asset])
		}
	}
	return pl, nil
}
