package governance

import (
	"github.com/coopera/coopera/ledger"
)

// Events of the governance module. Each is version 1; its Encode/Decode is
// its canonical form, fixed forever. Deposits and treasury spends move
// funds with the accounts module's events (transferred, burned), parameter
// changes are the chain module's params_changed, asset listings add the
// accounts module's asset_registered.

// ProposalSubmitted records a new proposal, open for voting from
// VotingStart to VotingEnd.
type ProposalSubmitted struct {
	ID             uint64           `json:"id"`
	Proposer       ledger.AccountID `json:"proposer"`
	Title          string           `json:"title"`
	Description    string           `json:"description,omitempty"`
	Actions        []Action         `json:"actions,omitempty"`
	DepositAsset   ledger.AssetID   `json:"deposit_asset"`
	Deposit        ledger.Amount    `json:"deposit"`
	Rules          Rules            `json:"rules"`
	PolicyHash     HexBytes         `json:"policy_hash"`
	SnapshotHeight uint64           `json:"snapshot_height"`
	TotalStake     ledger.Amount    `json:"total_stake"`
	PowerInputs    PowerInputs      `json:"power_inputs"`
	Created        int64            `json:"created"`
	VotingStart    int64            `json:"voting_start"`
	VotingEnd      int64            `json:"voting_end"`
}

func (*ProposalSubmitted) EventType() string    { return "proposal_submitted" }
func (*ProposalSubmitted) EventVersion() uint16 { return 1 }
func (e *ProposalSubmitted) Accounts() []ledger.AccountID {
	return []ledger.AccountID{e.Proposer}
}
func (e *ProposalSubmitted) Encode(enc *ledger.Encoder) {
	enc.Uint(e.ID)
	enc.String(string(e.Proposer))
	enc.String(e.Title)
	enc.String(e.Description)
	encodeActions(enc, e.Actions)
	enc.String(string(e.DepositAsset))
	enc.Amount(e.Deposit)
	e.Rules.encode(enc)
	enc.Blob(e.PolicyHash)
	enc.Uint(e.SnapshotHeight)
	enc.Amount(e.TotalStake)
	e.PowerInputs.encode(enc)
	enc.Int(e.Created)
	enc.Int(e.VotingStart)
	enc.Int(e.VotingEnd)
}
func (e *ProposalSubmitted) Decode(d *ledger.Decoder) {
	e.ID = d.Uint()
	e.Proposer = ledger.AccountID(d.String())
	e.Title, e.Description = d.String(), d.String()
	e.Actions = decodeActions(d)
	e.DepositAsset = ledger.AssetID(d.String())
	e.Deposit = d.Amount()
	e.Rules.decode(d)
	e.PolicyHash = d.Blob()
	e.SnapshotHeight = d.Uint()
	e.TotalStake = d.Amount()
	e.PowerInputs.decode(d)
	e.Created, e.VotingStart, e.VotingEnd = d.Int(), d.Int(), d.Int()
}

// VoteCast records a vote with the stake and power it counts: the voter's
// own, and that of its delegators who had not voted. If the voter's own
// delegate had already voted with the voter's power, Override names it and
// the stake and power moved back from its vote to this one.
type VoteCast struct {
	Proposal       uint64           `json:"proposal"`
	Voter          ledger.AccountID `json:"voter"`
	Options        []WeightedOption `json:"options"`
	Stake          ledger.Amount    `json:"stake"`
	Power          ledger.Amount    `json:"power"`
	DelegatedStake ledger.Amount    `json:"delegated_stake"`
	DelegatedPower ledger.Amount    `json:"delegated_power"`
	Override       ledger.AccountID `json:"override,omitempty"`
	Height         uint64           `json:"height"`
}

func (*VoteCast) EventType() string              { return "vote_cast" }
func (*VoteCast) EventVersion() uint16           { return 1 }
func (e *VoteCast) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Voter} }
func (e *VoteCast) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	enc.String(string(e.Voter))
	encodeOptions(enc, e.Options)
	enc.Amount(e.Stake)
	enc.Amount(e.Power)
	enc.Amount(e.DelegatedStake)
	enc.Amount(e.DelegatedPower)
	enc.String(string(e.Override))
	enc.Uint(e.Height)
}
func (e *VoteCast) Decode(d *ledger.Decoder) {
	e.Proposal = d.Uint()
	e.Voter = ledger.AccountID(d.String())
	e.Options = decodeOptions(d)
	e.Stake, e.Power, e.DelegatedStake, e.DelegatedPower = d.Amount(), d.Amount(), d.Amount(), d.Amount()
	e.Override = ledger.AccountID(d.String())
	e.Height = d.Uint()
}

// VotingExtended records a late-quorum extension of the voting period.
type VotingExtended struct {
	Proposal  uint64 `json:"proposal"`
	VotingEnd int64  `json:"voting_end"`
}

func (*VotingExtended) EventType() string    { return "voting_extended" }
func (*VotingExtended) EventVersion() uint16 { return 1 }
func (e *VotingExtended) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	enc.Int(e.VotingEnd)
}
func (e *VotingExtended) Decode(d *ledger.Decoder) { e.Proposal, e.VotingEnd = d.Uint(), d.Int() }

// ProposalTallied records the count and the outcome: succeeded or
// defeated (Vetoed: by veto, and the deposit is burned). Deadline is when
// a succeeded proposal must be queued by.
type ProposalTallied struct {
	Proposal uint64 `json:"proposal"`
	Tally    Tally  `json:"tally"`
	Outcome  Status `json:"outcome"`
	Vetoed   bool   `json:"vetoed,omitempty"`
	Reason   string `json:"reason"`
	Deadline int64  `json:"deadline,omitempty"`
}

func (*ProposalTallied) EventType() string    { return "proposal_tallied" }
func (*ProposalTallied) EventVersion() uint16 { return 1 }
func (e *ProposalTallied) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	e.Tally.encode(enc)
	enc.Uint(uint64(e.Outcome))
	enc.Bool(e.Vetoed)
	enc.String(e.Reason)
	enc.Int(e.Deadline)
}
func (e *ProposalTallied) Decode(d *ledger.Decoder) {
	e.Proposal = d.Uint()
	e.Tally.decode(d)
	o := d.Uint()
	if o != uint64(StatusSucceeded) && o != uint64(StatusDefeated) {
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "proposal_tallied outcome %d", o))
	}
	e.Outcome = Status(o)
	e.Vetoed = d.Bool()
	e.Reason = d.String()
	e.Deadline = d.Int()
}

// ProposalQueued records a queued proposal: executable from ETA until
// Deadline.
type ProposalQueued struct {
	Proposal uint64 `json:"proposal"`
	ETA      int64  `json:"eta"`
	Deadline int64  `json:"deadline"`
}

func (*ProposalQueued) EventType() string    { return "proposal_queued" }
func (*ProposalQueued) EventVersion() uint16 { return 1 }
func (e *ProposalQueued) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	enc.Int(e.ETA)
	enc.Int(e.Deadline)
}
func (e *ProposalQueued) Decode(d *ledger.Decoder) {
	e.Proposal, e.ETA, e.Deadline = d.Uint(), d.Int(), d.Int()
}

// ProposalClosed records a terminal outcome other than a tally's:
// executed, failed (Reason says why; none of its actions applied),
// expired or canceled (By is the canceling account).
type ProposalClosed struct {
	Proposal uint64           `json:"proposal"`
	Status   Status           `json:"status"`
	Reason   string           `json:"reason,omitempty"`
	By       ledger.AccountID `json:"by,omitempty"`
}

func (*ProposalClosed) EventType() string    { return "proposal_closed" }
func (*ProposalClosed) EventVersion() uint16 { return 1 }
func (e *ProposalClosed) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	enc.Uint(uint64(e.Status))
	enc.String(e.Reason)
	enc.String(string(e.By))
}
func (e *ProposalClosed) Decode(d *ledger.Decoder) {
	e.Proposal = d.Uint()
	s := Status(d.Uint())
	switch s {
	case StatusExecuted, StatusFailed, StatusExpired, StatusCanceled:
	default:
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "proposal_closed status %d", s))
	}
	e.Status = s
	e.Reason = d.String()
	e.By = ledger.AccountID(d.String())
}

// VotesDelegated records a delegation (Delegate "" ends it), in effect for
// snapshots at Height and later.
type VotesDelegated struct {
	Delegator ledger.AccountID `json:"delegator"`
	Delegate  ledger.AccountID `json:"delegate"`
	Height    uint64           `json:"height"`
}

func (*VotesDelegated) EventType() string    { return "votes_delegated" }
func (*VotesDelegated) EventVersion() uint16 { return 1 }
func (e *VotesDelegated) Accounts() []ledger.AccountID {
	if e.Delegate == "" {
		return []ledger.AccountID{e.Delegator}
	}
	return []ledger.AccountID{e.Delegator, e.Delegate}
}
func (e *VotesDelegated) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Delegator))
	enc.String(string(e.Delegate))
	enc.Uint(e.Height)
}
func (e *VotesDelegated) Decode(d *ledger.Decoder) {
	e.Delegator, e.Delegate = ledger.AccountID(d.String()), ledger.AccountID(d.String())
	e.Height = d.Uint()
}

// PolicySet records the policy set in force: at genesis (Proposal 0) and
// on each executed policy upgrade.
type PolicySet struct {
	Proposal uint64   `json:"proposal"`
	Hash     HexBytes `json:"hash"`
}

func (*PolicySet) EventType() string    { return "policy_set" }
func (*PolicySet) EventVersion() uint16 { return 1 }
func (e *PolicySet) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	enc.Blob(e.Hash)
}
func (e *PolicySet) Decode(d *ledger.Decoder) {
	e.Proposal = d.Uint()
	e.Hash = d.Blob()
	if len(e.Hash) != HashSize {
		d.Fail(ledger.Errorf(ledger.ErrMalformed, "policy hash of %d bytes", len(e.Hash)))
	}
}

// AssetListed records an asset listed by governance, with its collateral
// weight (0: not collateral). Staking modules read it with Listing.
type AssetListed struct {
	Proposal            uint64         `json:"proposal"`
	Asset               ledger.AssetID `json:"asset"`
	CollateralWeightBps uint32         `json:"collateral_weight_bps"`
}

func (*AssetListed) EventType() string    { return "asset_listed" }
func (*AssetListed) EventVersion() uint16 { return 1 }
func (e *AssetListed) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Proposal)
	enc.String(string(e.Asset))
	enc.Uint(uint64(e.CollateralWeightBps))
}
func (e *AssetListed) Decode(d *ledger.Decoder) {
	e.Proposal = d.Uint()
	e.Asset = ledger.AssetID(d.String())
	e.CollateralWeightBps = decodeU32(d)
}
