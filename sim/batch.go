package sim

import (
	"fmt"
	"slices"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// Batched usage.
//
// Consumers' behaviours return one record_usage per service they use. The
// run submits the records of each trading block as one tokenomics
// settle_usage command from the operator (a usage reporter of every
// simulated chain), at the end of the block; a block takes block_size
// commands, the settlement counting as one. The reducers decide each item
// exactly as the record_usage it comes from, and a settlement leaves the
// state its items leave one by one (package tokenomics, settle_usage), so
// the economics are those of the separate commands:
//
//   - Moving a block's usage records to its end changes no outcome: a
//     usage record reads the parameters, the accounts it names, its agent
//     and its consumer's credits, and writes credits and usage weights,
//     which no other trading command reads or writes except the
//     consumer's own purchase, which still comes first (buy_credits adds
//     to the same epoch totals, a sum). A consumer's records keep their
//     order, so which of them its credits cover is unchanged.
//   - A settlement is atomic: one item refused (a consumer whose purchase
//     the oracle's breaker refused, say) refuses it whole. The run then
//     drops the block and plays its commands again with that settlement's
//     items as the separate record_usage commands they came from (in
//     blocks of block_size), so each is decided, applied or refused, and
//     counted on its own, as before.
//
// What changes is the number of commands: the built-in metric commands
// counts a settlement once. A consumer's purchase and its usage are
// decided in the same block, so the block reads the consumer's account
// and credits once, and a consumer that spends what it bought leaves no
// change of its credits to commit.

// batchItem is one record_usage a settlement batches.
type batchItem struct {
	cmd   *ledger.Command // the behaviour's command
	owner *popRun
}

// batchable reports whether a population's command can be an item of a
// settlement: a record_usage of the actor's own usage, with nothing that
// ties it to its actor's signature, nonce or keys, and that Options.refuse
// left alone.
func batchable(cmd *ledger.Command) bool {
	u, ok := cmd.Payload.(*tokenomics.RecordUsage)
	return ok && (u.Consumer == "" || u.Consumer == cmd.Actor) && cmd.Actor != refusedAccount &&
		cmd.Key == "" && cmd.Nonce == 0 && cmd.Signature == nil
}

// trading plays the epoch's trading commands all (owner[i] is the
// population of all[i], nil for the run's own) in blocks at time tt,
// noting in filled what the applied market orders moved and giving the
// populations their outcomes.
func (r *run) trading(tt int64, all []*ledger.Command, owner []*popRun, filled map[*ledger.Command]ledger.Amount) error {
	batch := !r.opts.noBatch && slices.Contains(r.params.UsageReporters, OperatorAccount)
	size := r.c.sc.BlockSize
	for pos := 0; pos < len(all); {
		var cmds []*ledger.Command
		var owners []*popRun
		var items []batchItem
		for ; pos < len(all); pos++ {
			cmd, p := all[pos], owner[pos]
			used := len(cmds)
			if len(items) > 0 {
				used++ // the settlement
			}
			if batch && p != nil && batchable(cmd) {
				if len(items) == 0 && used == size || len(items) == tokenomics.MaxSettleItems {
					break
				}
				items = append(items, batchItem{cmd: cmd, owner: p})
				continue
			}
			if used == size {
				break
			}
			cmds, owners = append(cmds, cmd), append(owners, p)
		}
		if err := r.tradingBlock(tt, cmds, owners, items, filled); err != nil {
			return err
		}
	}
	return nil
}

// tradingBlock plays one trading block: cmds, then items as a settlement
// (one item as itself). A refused settlement's block is dropped and its
// commands played again with the items as themselves.
func (r *run) tradingBlock(tt int64, cmds []*ledger.Command, owners []*popRun, items []batchItem, filled map[*ledger.Command]ledger.Amount) error {
	block := slices.Clip(cmds)
	blockOwners := slices.Clip(owners)
	var settle *ledger.Command
	switch len(items) {
	case 0:
	case 1:
		block, blockOwners = append(block, items[0].cmd), append(blockOwners, items[0].owner)
	default:
		set := &tokenomics.SettleUsage{Items: make([]tokenomics.RecordUsage, len(items))}
		for i, it := range items {
			set.Items[i] = *it.cmd.Payload.(*tokenomics.RecordUsage)
			set.Items[i].Consumer = it.cmd.Actor
		}
		settle = &ledger.Command{Actor: OperatorAccount, Payload: set}
		block, blockOwners = append(block, settle), append(blockOwners, nil)
	}
	rd, err := r.execute(tt, block)
	if err != nil {
		return err
	}
	if settle != nil && rd.Block.Results[rd.Closes+len(block)-1].Code != "" {
		// A settlement refuses all its items when one is refused: the
		// block is dropped and played again with the records as the
		// record_usage commands they are, each decided on its own.
		again, againOwners := slices.Clip(cmds), slices.Clip(owners)
		for _, it := range items {
			again, againOwners = append(again, it.cmd), append(againOwners, it.owner)
		}
		size := r.c.sc.BlockSize
		for start := 0; start < len(again); start += size {
			end := min(start+size, len(again))
			if err := r.tradingBlock(tt, again[start:end], againOwners[start:end], nil, filled); err != nil {
				return err
			}
		}
		return nil
	}
	x, err := r.commit(&r.cur, rd)
	if err != nil {
		return err
	}
	next := 0
	for i, res := range x.results {
		n := int(res.Events)
		cmd := block[i]
		evs := x.events[next : next+n : next+n]
		next += n
		if res.Code == "" {
			if t, ok := r.marketFill(cmd, evs); ok {
				filled[cmd] = t
			}
		}
		if p := blockOwners[i]; p != nil {
			if _, ok := p.b.(Observer); ok {
				p.outcomes = append(p.outcomes, Outcome{Command: cmd, Result: res, Events: evs})
			}
		} else if cmd == settle && res.Code == "" {
			if err := r.settled(items, evs); err != nil {
				return err
			}
		}
	}
	return nil
}

// settled gives each item of an applied settlement, whose events are evs
// (its usage_settled), the outcome of its own record_usage: applied, with
// its usage_recorded event.
func (r *run) settled(items []batchItem, evs []ledger.Event) error {
	var set *tokenomics.UsageSettled
	for _, ev := range evs {
		if e, ok := ev.(*tokenomics.UsageSettled); ok {
			set = e
		}
	}
	if set == nil || len(set.Items) != len(items) {
		return fmt.Errorf("sim: run %d: an applied settlement of %d usage records has no usage_settled event for them", r.index, len(items))
	}
	one := make([]ledger.Event, len(items))
	for i, it := range items {
		if _, ok := it.owner.b.(Observer); ok {
			one[i] = &set.Items[i]
			it.owner.outcomes = append(it.owner.outcomes, Outcome{Command: it.cmd, Result: ledger.Result{Events: 1}, Events: one[i : i+1 : i+1]})
		}
	}
	return nil
}
