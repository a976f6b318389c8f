package governance

import "github.com/coopera/coopera/ledger"

// Sentinel errors of the governance module. Match them with errors.Is; each
// rejection says what to fix. Codes are stored in blocks: never rename one.
var (
	// ErrInvalidProposal: a proposal's content is malformed (an empty
	// title, an action with missing or stray fields, a bad JSON value) or
	// cannot apply to this ledger (an unknown module or parameter, an
	// asset that is already listed).
	ErrInvalidProposal = ledger.NewCode("gov_invalid_proposal")
	// ErrInvalidVote: a vote names no option, an unknown option, or split
	// weights that do not sum to 10000 bps.
	ErrInvalidVote = ledger.NewCode("gov_invalid_vote")
	// ErrNoDecision: a propose command carries no policy decision. The
	// policy admitter writes it; submit through an engine that runs it.
	ErrNoDecision = ledger.NewCode("gov_no_decision")
	// ErrPolicyMismatch: the decision was made by another policy set than
	// the one in force (a policy upgrade happened, or it was forged).
	ErrPolicyMismatch = ledger.NewCode("gov_policy_mismatch")
	// ErrPolicyDenied: the policy does not admit the proposal or command.
	ErrPolicyDenied = ledger.NewCode("gov_policy_denied")
	// ErrUnknownProposal: no proposal has this ID.
	ErrUnknownProposal = ledger.NewCode("gov_unknown_proposal")
	// ErrVotingClosed: a vote before the voting period opens or after it
	// ends, or on a proposal that is no longer open.
	ErrVotingClosed = ledger.NewCode("gov_voting_closed")
	// ErrAlreadyVoted: the voter has voted on this proposal; votes are final.
	ErrAlreadyVoted = ledger.NewCode("gov_already_voted")
	// ErrNoVotingPower: the voter had no stake at the snapshot and no
	// delegated power.
	ErrNoVotingPower = ledger.NewCode("gov_no_voting_power")
	// ErrVotingNotOver: a tally before the voting period ends.
	ErrVotingNotOver = ledger.NewCode("gov_voting_not_over")
	// ErrWrongStatus: the command does not apply to a proposal in its
	// current status (queueing a defeated proposal, executing an open one).
	ErrWrongStatus = ledger.NewCode("gov_wrong_status")
	// ErrTimelocked: an execute before the queued proposal's ETA.
	ErrTimelocked = ledger.NewCode("gov_timelocked")
	// ErrDepositTooSmall: the deposit is below the proposal's minimum.
	ErrDepositTooSmall = ledger.NewCode("gov_deposit_too_small")
	// ErrTooManyLive: the proposer already has max_live_proposals live
	// proposals (open, succeeded or queued).
	ErrTooManyLive = ledger.NewCode("gov_too_many_live")
	// ErrInvalidDelegation: a delegation to oneself or to an unknown account.
	ErrInvalidDelegation = ledger.NewCode("gov_invalid_delegation")
	// ErrParamChangePending: the module already has a parameter change
	// taking effect at the next block, made earlier in this block; execute
	// the proposal in a later block.
	ErrParamChangePending = ledger.NewCode("gov_param_change_pending")
)
