// Package governance is coopera's governance reducer: proposals, votes,
// tallies and execution, as a pure ledger.Module named "governance".
//
// # Contract
//
// A proposal is submitted with gov_propose: a title, a deposit and up to
// max_actions actions (parameter_change, treasury_spend, asset_listing,
// policy_upgrade; none makes a text proposal). It must carry the
// decision of the policy set in force, which the policy admitter
// (package governance/policy, in the engine's shell) writes into the
// command before sequencing; the reducer refuses a proposal without a
// decision (ErrNoDecision), with a decision by another policy set
// (ErrPolicyMismatch: the hash in state changes with each policy upgrade,
// so a decision a client forged or kept is useless) or a denial
// (ErrPolicyDenied). The rules that decide the proposal — quorum,
// threshold, veto, voting delay and period, late-quorum extension,
// timelock, execution window, minimum deposit, the voting power formula's
// parameters — are the module parameters overlaid with the policy's rules
// for the proposal's kind, copied onto the proposal at creation.
//
// Lifecycle, by block time (never a clock):
//
//	pending   creation until voting_start (creation + voting_delay); the
//	          proposer may cancel
//	active    voting_start until voting_end (+ voting_period, extended when
//	          quorum is first reached less than late_quorum_extension
//	          before the end, to that much after the vote)
//	defeated  tallied: no quorum, vetoed (deposit burned), or threshold
//	          not met; otherwise succeeded. The deposit, escrowed in
//	          mod:governance/deposits, is refunded unless vetoed.
//	succeeded must be queued (gov_queue) within execution_window
//	queued    executable (gov_execute) from eta (queue time + timelock)
//	          until eta + execution_window
//	executed  every action applied; failed: none applied (an action would
//	          not apply, such as a spend the treasury cannot cover)
//	expired   not queued or not executed in time
//	canceled  by the guardian (a parameter) any time before execution
//
// Tallies happen on a gov_tally command by anyone in any block after
// voting_end, or at the next epoch close for proposals nobody tallied;
// expiries happen on the command that finds them due, or at the next
// epoch close. A tally reads each vote once, in key order: O(votes).
//
// Voting power is the stake a StakeSource reports at the snapshot (the
// block before the proposal's), times a bounded multiplier for staking
// duration and participation; see Power. Votes are final and may be split
// over yes, no, abstain and veto by weight. An account may delegate its
// power (gov_delegate); a delegate's vote carries the power of its
// delegators at the snapshot who do not vote themselves, and a
// delegator's own vote takes its power back, so each account's power is
// counted once.
//
// Executing a parameter change calls the owning module's SetParam and
// emits params_changed effective from the next block (ledger.ChangeParam's
// rule): no reducer sees the new value in the executing block.
//
// A booked account (ledger.Bookkeeper: a module account whose balance is
// what its module's records owe, such as DepositsAccount or a staking
// module's stake) is never the treasury nor a treasury_spend's recipient:
// a proposal naming one is refused (ErrInvalidProposal), fails when it
// executes, and a genesis naming one is refused; a treasury that is one
// spends nothing. The module's own booked account is DepositsAccount.
//
// # Determinism
//
// The package imports no clock, randomness, I/O or OPA (lint_test.go);
// maps are never iterated where order could reach state; all arithmetic
// is integer (basis points, 128-bit amounts, rounding down).
package governance
