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
// run submits them as tokenomics' settle_usage commands instead, from the
// operator (a usage reporter of every simulated chain), up to
// tokenomics.MaxSettleItems items each, after the epoch's other trading
// commands. The reducers decide each item exactly as the record_usage it
// comes from, and a settlement leaves the state its items leave one by one
// (package tokenomics, settle_usage), so the economics are those of the
// separate commands:
//
//   - Moving the usage after the epoch's other trading commands changes no
//     outcome: a usage record reads the parameters, the accounts it names,
//     its agent and its consumer's credits, and writes credits and usage
//     weights, which no other trading command reads or writes except the
//     consumer's own purchase, which still comes first (buy_credits adds
//     to the same epoch totals, a sum). A consumer's records keep their
//     order, so which of them its credits cover is unchanged.
//   - A settlement is atomic: one item refused (a consumer whose purchase
//     the oracle's breaker refused, say) refuses it whole. The run then
//     drops the block and plays it again with that settlement's items as
//     the separate record_usage commands they came from, so each is
//     decided, applied or refused, and counted on its own, as before.
//
// What changes is the number of commands: the built-in metric commands
// counts a settlement once.

// batchItem is one record_usage a settlement batches.
type batchItem struct {
	cmd   *ledger.Command // the behaviour's command
	owner *popRun
}

// batchUsage moves the population commands that are record_usage by their
// own consumer into settlements at the end of all; owner follows all.
// Commands with an idempotency key, a nonce or a signature, or that
// Options.refuse changed, stay as they are.
func (r *run) batchUsage(all []*ledger.Command, owner []*popRun) ([]*ledger.Command, []*popRun) {
	if r.opts.noBatch || !slices.Contains(r.params.UsageReporters, OperatorAccount) {
		return all, owner
	}
	var items []batchItem
	n := 0
	for i, cmd := range all {
		if p := owner[i]; p != nil && batchable(cmd) {
			items = append(items, batchItem{cmd: cmd, owner: p})
			continue
		}
		all[n], owner[n] = cmd, owner[i]
		n++
	}
	all, owner = all[:n], owner[:n]
	if len(items) < 2 {
		// One record is cheaper as itself.
		for _, it := range items {
			all, owner = append(all, it.cmd), append(owner, it.owner)
		}
		return all, owner
	}
	if r.batches == nil {
		r.batches = map[*ledger.Command][]batchItem{}
	}
	for len(items) > 0 {
		part := items[:min(len(items), tokenomics.MaxSettleItems)]
		items = items[len(part):]
		set := &tokenomics.SettleUsage{Items: make([]tokenomics.RecordUsage, len(part))}
		for i, it := range part {
			set.Items[i] = *it.cmd.Payload.(*tokenomics.RecordUsage)
			set.Items[i].Consumer = it.cmd.Actor
		}
		cmd := &ledger.Command{Actor: OperatorAccount, Payload: set}
		r.batches[cmd] = part
		all, owner = append(all, cmd), append(owner, nil)
	}
	return all, owner
}

// batchable reports whether a population's command can be an item of a
// settlement: a record_usage of the actor's own usage, with nothing that
// ties it to its actor's signature, nonce or keys.
func batchable(cmd *ledger.Command) bool {
	u, ok := cmd.Payload.(*tokenomics.RecordUsage)
	return ok && (u.Consumer == "" || u.Consumer == cmd.Actor) && cmd.Actor != refusedAccount &&
		cmd.Key == "" && cmd.Nonce == 0 && cmd.Signature == nil
}

// refusedSettlements returns the settlements of cmds (a block's submitted
// commands) that the block rd refused, or nil.
func (r *run) refusedSettlements(rd *ledger.Ready, cmds []*ledger.Command) map[*ledger.Command]bool {
	if len(r.batches) == 0 {
		return nil
	}
	var out map[*ledger.Command]bool
	res := rd.Block.Results[rd.Closes:]
	for i, cmd := range cmds {
		if _, ok := r.batches[cmd]; ok && res[i].Code != "" {
			if out == nil {
				out = map[*ledger.Command]bool{}
			}
			out[cmd] = true
		}
	}
	return out
}

// unbatch replaces the refused settlements in all[start:end] by the
// commands they batch, in place; owner follows all.
func (r *run) unbatch(all []*ledger.Command, owner []*popRun, start, end int, refused map[*ledger.Command]bool) ([]*ledger.Command, []*popRun) {
	outC := slices.Clone(all[:start])
	outO := slices.Clone(owner[:start])
	for i := start; i < end; i++ {
		cmd := all[i]
		if !refused[cmd] {
			outC, outO = append(outC, cmd), append(outO, owner[i])
			continue
		}
		for _, it := range r.batches[cmd] {
			outC, outO = append(outC, it.cmd), append(outO, it.owner)
		}
		delete(r.batches, cmd)
	}
	return append(outC, all[end:]...), append(outO, owner[end:]...)
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
