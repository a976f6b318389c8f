package governance

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/coopera/coopera/ledger"
)

// ActionKind names what an action does.
type ActionKind string

// The action kinds. A proposal with no actions is a text proposal.
const (
	// ParameterChange sets Module's parameter Name to Value (JSON), through
	// the module's own validation (ledger.Parameterized.SetParam), in
	// effect from the block after execution.
	ParameterChange ActionKind = "parameter_change"
	// TreasurySpend moves Amount of Asset from the treasury to To.
	TreasurySpend ActionKind = "treasury_spend"
	// AssetListing registers Asset (AssetName, Decimals) if it is new and
	// records its collateral weight (0: listed, not collateral).
	AssetListing ActionKind = "asset_listing"
	// PolicyUpgrade puts the policy set with hash PolicyHash in force.
	PolicyUpgrade ActionKind = "policy_upgrade"
	// Text is the kind of a proposal without actions.
	Text ActionKind = "text"
)

// Action is one effect of a proposal. Only the fields of its Kind may be
// set; the others must be zero.
//
//	{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": 150}
//	{"kind": "treasury_spend", "to": "grants", "asset": "COOP", "amount": "5000000"}
//	{"kind": "asset_listing", "asset": "USDC", "asset_name": "USD Coin", "decimals": 6, "collateral_weight_bps": 8000}
//	{"kind": "policy_upgrade", "policy_hash": "9f2c..."}
type Action struct {
	Kind ActionKind `json:"kind"`
	// parameter_change
	Module string          `json:"module,omitempty"`
	Name   string          `json:"name,omitempty"`
	Value  json.RawMessage `json:"value,omitempty"`
	// treasury_spend
	To     ledger.AccountID `json:"to,omitempty"`
	Amount *ledger.Amount   `json:"amount,omitempty"`
	// treasury_spend and asset_listing
	Asset ledger.AssetID `json:"asset,omitempty"`
	// asset_listing
	AssetName           string `json:"asset_name,omitempty"`
	Decimals            uint8  `json:"decimals,omitempty"`
	CollateralWeightBps uint32 `json:"collateral_weight_bps,omitempty"`
	// policy_upgrade
	PolicyHash string `json:"policy_hash,omitempty"`
}

// Limits on proposal content.
const (
	MaxTitle       = 200
	MaxDescription = 10000
	MaxValue       = 2048
	MaxReasons     = 32
	MaxReason      = 512
)

func invalid(format string, args ...any) error {
	return ledger.Errorf(ErrInvalidProposal, format, args...)
}

func (a *Action) amount() ledger.Amount {
	if a.Amount == nil {
		return ledger.Amount{}
	}
	return *a.Amount
}

// Validate checks the action's fields for its kind.
func (a *Action) Validate() error {
	stray := func(fields ...string) error {
		if len(fields) > 0 {
			return invalid("a %s action takes no %v", a.Kind, fields)
		}
		return nil
	}
	var set []string
	add := func(ok bool, name string) {
		if ok {
			set = append(set, name)
		}
	}
	switch a.Kind {
	case ParameterChange:
		add(a.To != "", "to")
		add(a.Amount != nil, "amount")
		add(a.Asset != "", "asset")
		add(a.AssetName != "", "asset_name")
		add(a.Decimals != 0, "decimals")
		add(a.CollateralWeightBps != 0, "collateral_weight_bps")
		add(a.PolicyHash != "", "policy_hash")
		if err := stray(set...); err != nil {
			return err
		}
		if a.Module == "" || a.Name == "" {
			return invalid(`a parameter_change needs "module" and "name"`)
		}
		if len(a.Value) == 0 || !json.Valid(a.Value) {
			return invalid(`parameter_change %s.%s needs a JSON "value"`, a.Module, a.Name)
		}
		if bytes.Equal(bytes.TrimSpace(a.Value), []byte("null")) {
			// A module decodes null as the zero value, and a policy that
			// bounds numbers does not see it.
			return invalid("parameter_change %s.%s: value is null; give the new value", a.Module, a.Name)
		}
		if len(a.Value) > MaxValue {
			return invalid("parameter_change %s.%s: value is %d bytes; the limit is %d", a.Module, a.Name, len(a.Value), MaxValue)
		}
	case TreasurySpend:
		add(a.Module != "", "module")
		add(a.Name != "", "name")
		add(len(a.Value) != 0, "value")
		add(a.AssetName != "", "asset_name")
		add(a.Decimals != 0, "decimals")
		add(a.CollateralWeightBps != 0, "collateral_weight_bps")
		add(a.PolicyHash != "", "policy_hash")
		if err := stray(set...); err != nil {
			return err
		}
		if err := a.To.Validate(); err != nil {
			return invalid("treasury_spend to: %v", err)
		}
		if err := a.Asset.Validate(); err != nil {
			return invalid("treasury_spend asset: %v", err)
		}
		if a.amount().IsZero() {
			return invalid("treasury_spend of zero %s; give a positive amount", a.Asset)
		}
	case AssetListing:
		add(a.Module != "", "module")
		add(a.Name != "", "name")
		add(len(a.Value) != 0, "value")
		add(a.To != "", "to")
		add(a.Amount != nil, "amount")
		add(a.PolicyHash != "", "policy_hash")
		if err := stray(set...); err != nil {
			return err
		}
		if err := a.Asset.Validate(); err != nil {
			return invalid("asset_listing asset: %v", err)
		}
		if len(a.AssetName) > 64 {
			return invalid("asset_listing asset_name is %d bytes; the limit is 64", len(a.AssetName))
		}
		if a.Decimals > ledger.MaxDecimals {
			return invalid("asset_listing decimals %d; at most %d", a.Decimals, ledger.MaxDecimals)
		}
		if a.CollateralWeightBps > BpsDenominator {
			return invalid("asset_listing collateral_weight_bps %d is above 10000", a.CollateralWeightBps)
		}
	case PolicyUpgrade:
		add(a.Module != "", "module")
		add(a.Name != "", "name")
		add(len(a.Value) != 0, "value")
		add(a.To != "", "to")
		add(a.Amount != nil, "amount")
		add(a.Asset != "", "asset")
		add(a.AssetName != "", "asset_name")
		add(a.Decimals != 0, "decimals")
		add(a.CollateralWeightBps != 0, "collateral_weight_bps")
		if err := stray(set...); err != nil {
			return err
		}
		if _, err := ParseHash(a.PolicyHash); err != nil {
			return invalid("policy_upgrade: %v", err.(*ledger.Error).Msg)
		}
	case "":
		return invalid(`an action needs a "kind": one of parameter_change, treasury_spend, asset_listing, policy_upgrade`)
	default:
		return invalid("unknown action kind %q: use parameter_change, treasury_spend, asset_listing or policy_upgrade (a proposal without actions is a text proposal)", a.Kind)
	}
	return nil
}

// Encode appends the canonical encoding: the kind, then its fields.
func (a *Action) Encode(e *ledger.Encoder) {
	e.String(string(a.Kind))
	switch a.Kind {
	case ParameterChange:
		e.String(a.Module)
		e.String(a.Name)
		e.Blob(a.Value)
	case TreasurySpend:
		e.String(string(a.To))
		e.String(string(a.Asset))
		e.Amount(a.amount())
	case AssetListing:
		e.String(string(a.Asset))
		e.String(a.AssetName)
		e.Uint(uint64(a.Decimals))
		e.Uint(uint64(a.CollateralWeightBps))
	case PolicyUpgrade:
		e.String(a.PolicyHash)
	}
}

// Decode reads the canonical encoding.
func (a *Action) Decode(d *ledger.Decoder) {
	a.Kind = ActionKind(d.String())
	switch a.Kind {
	case ParameterChange:
		a.Module, a.Name = d.String(), d.String()
		if v := d.Blob(); v != nil {
			a.Value = v
		}
	case TreasurySpend:
		a.To, a.Asset = ledger.AccountID(d.String()), ledger.AssetID(d.String())
		amt := d.Amount()
		a.Amount = &amt
	case AssetListing:
		a.Asset, a.AssetName = ledger.AssetID(d.String()), d.String()
		dec := d.Uint()
		if dec > ledger.MaxDecimals {
			d.Fail(invalid("asset_listing decimals %d", dec))
		}
		a.Decimals = uint8(dec)
		a.CollateralWeightBps = decodeU32(d)
	case PolicyUpgrade:
		a.PolicyHash = d.String()
	default:
		d.Fail(invalid("unknown action kind %q", a.Kind))
	}
}

// String describes the action in one line.
func (a *Action) String() string {
	switch a.Kind {
	case ParameterChange:
		return fmt.Sprintf("set %s.%s = %s", a.Module, a.Name, a.Value)
	case TreasurySpend:
		return fmt.Sprintf("pay %s %s from the treasury to %s", a.amount(), a.Asset, a.To)
	case AssetListing:
		return fmt.Sprintf("list %s (%d decimals, collateral weight %d bps)", a.Asset, a.Decimals, a.CollateralWeightBps)
	case PolicyUpgrade:
		return "upgrade the policy set to " + a.PolicyHash
	}
	return string(a.Kind)
}

// Kinds returns the sorted, distinct kinds of actions, or ["text"] for
// a proposal without actions.
func Kinds(actions []Action) []string {
	if len(actions) == 0 {
		return []string{string(Text)}
	}
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		if !slices.Contains(out, string(a.Kind)) {
			out = append(out, string(a.Kind))
		}
	}
	slices.Sort(out)
	return out
}

// Rules decide a proposal. They are fixed on the proposal when it is
// created: the module parameters, overlaid with the policy's rules for the
// proposal's kind.
type Rules struct {
	QuorumBps           uint32          `json:"quorum_bps"`
	ThresholdBps        uint32          `json:"threshold_bps"`
	VetoBps             uint32          `json:"veto_bps"`
	VotingDelay         ledger.Duration `json:"voting_delay"`
	VotingPeriod        ledger.Duration `json:"voting_period"`
	LateQuorumExtension ledger.Duration `json:"late_quorum_extension"`
	Timelock            ledger.Duration `json:"timelock"`
	ExecutionWindow     ledger.Duration `json:"execution_window"`
	MinDeposit          ledger.Amount   `json:"min_deposit"`
}

// RulesFromParams returns the rules the parameters give.
func RulesFromParams(p *Params) Rules {
	return Rules{
		QuorumBps: p.QuorumBps, ThresholdBps: p.ThresholdBps, VetoBps: p.VetoBps,
		VotingDelay: p.VotingDelay, VotingPeriod: p.VotingPeriod, LateQuorumExtension: p.LateQuorumExtension,
		Timelock: p.Timelock, ExecutionWindow: p.ExecutionWindow, MinDeposit: p.MinDeposit,
	}
}

// Validate checks the rules' bounds (the same as the parameters').
func (r *Rules) Validate() error {
	p := DefaultParams()
	p.QuorumBps, p.ThresholdBps, p.VetoBps = r.QuorumBps, r.ThresholdBps, r.VetoBps
	p.VotingDelay, p.VotingPeriod, p.LateQuorumExtension = r.VotingDelay, r.VotingPeriod, r.LateQuorumExtension
	p.Timelock, p.ExecutionWindow = r.Timelock, r.ExecutionWindow
	if err := p.Validate(); err != nil {
		e := err.(*ledger.Error)
		return ledger.Errorf(ErrInvalidProposal, "rules: %s", e.Msg)
	}
	return nil
}

func (r *Rules) encode(e *ledger.Encoder) {
	e.Uint(uint64(r.QuorumBps))
	e.Uint(uint64(r.ThresholdBps))
	e.Uint(uint64(r.VetoBps))
	e.Int(int64(r.VotingDelay))
	e.Int(int64(r.VotingPeriod))
	e.Int(int64(r.LateQuorumExtension))
	e.Int(int64(r.Timelock))
	e.Int(int64(r.ExecutionWindow))
	e.Amount(r.MinDeposit)
}

func (r *Rules) decode(d *ledger.Decoder) {
	r.QuorumBps, r.ThresholdBps, r.VetoBps = decodeU32(d), decodeU32(d), decodeU32(d)
	r.VotingDelay, r.VotingPeriod = ledger.Duration(d.Int()), ledger.Duration(d.Int())
	r.LateQuorumExtension, r.Timelock = ledger.Duration(d.Int()), ledger.Duration(d.Int())
	r.ExecutionWindow = ledger.Duration(d.Int())
	r.MinDeposit = d.Amount()
}

// RuleOverrides are the rules a policy sets for a proposal; an absent
// field keeps the module parameter's value.
type RuleOverrides struct {
	QuorumBps           *uint32          `json:"quorum_bps,omitempty"`
	ThresholdBps        *uint32          `json:"threshold_bps,omitempty"`
	VetoBps             *uint32          `json:"veto_bps,omitempty"`
	VotingDelay         *ledger.Duration `json:"voting_delay,omitempty"`
	VotingPeriod        *ledger.Duration `json:"voting_period,omitempty"`
	LateQuorumExtension *ledger.Duration `json:"late_quorum_extension,omitempty"`
	Timelock            *ledger.Duration `json:"timelock,omitempty"`
	ExecutionWindow     *ledger.Duration `json:"execution_window,omitempty"`
	MinDeposit          *ledger.Amount   `json:"min_deposit,omitempty"`
}

// Apply overlays o on r.
func (o *RuleOverrides) Apply(r Rules) Rules {
	set32 := func(dst *uint32, v *uint32) {
		if v != nil {
			*dst = *v
		}
	}
	setD := func(dst *ledger.Duration, v *ledger.Duration) {
		if v != nil {
			*dst = *v
		}
	}
	set32(&r.QuorumBps, o.QuorumBps)
	set32(&r.ThresholdBps, o.ThresholdBps)
	set32(&r.VetoBps, o.VetoBps)
	setD(&r.VotingDelay, o.VotingDelay)
	setD(&r.VotingPeriod, o.VotingPeriod)
	setD(&r.LateQuorumExtension, o.LateQuorumExtension)
	setD(&r.Timelock, o.Timelock)
	setD(&r.ExecutionWindow, o.ExecutionWindow)
	if o.MinDeposit != nil {
		r.MinDeposit = *o.MinDeposit
	}
	return r
}

func (o *RuleOverrides) encode(e *ledger.Encoder) {
	u := func(v *uint32) {
		e.Bool(v != nil)
		if v != nil {
			e.Uint(uint64(*v))
		}
	}
	dur := func(v *ledger.Duration) {
		e.Bool(v != nil)
		if v != nil {
			e.Int(int64(*v))
		}
	}
	u(o.QuorumBps)
	u(o.ThresholdBps)
	u(o.VetoBps)
	dur(o.VotingDelay)
	dur(o.VotingPeriod)
	dur(o.LateQuorumExtension)
	dur(o.Timelock)
	dur(o.ExecutionWindow)
	e.Bool(o.MinDeposit != nil)
	if o.MinDeposit != nil {
		e.Amount(*o.MinDeposit)
	}
}

func (o *RuleOverrides) decode(d *ledger.Decoder) {
	u := func() *uint32 {
		if !d.Bool() {
			return nil
		}
		v := decodeU32(d)
		return &v
	}
	dur := func() *ledger.Duration {
		if !d.Bool() {
			return nil
		}
		v := ledger.Duration(d.Int())
		return &v
	}
	o.QuorumBps, o.ThresholdBps, o.VetoBps = u(), u(), u()
	o.VotingDelay, o.VotingPeriod, o.LateQuorumExtension = dur(), dur(), dur()
	o.Timelock, o.ExecutionWindow = dur(), dur()
	if d.Bool() {
		a := d.Amount()
		o.MinDeposit = &a
	}
}

// Decision is a policy's verdict on a proposal, written into the propose
// command by the policy admitter (governance/policy) before sequencing and
// recorded with it in the block, so replay never evaluates a policy. The
// admitter always overwrites it: a decision a client wrote is discarded.
type Decision struct {
	Allowed bool     `json:"allowed"`
	Reasons []string `json:"reasons,omitempty"`
	// PolicyHash is the hash of the policy set that decided (hex in JSON).
	PolicyHash HexBytes `json:"policy_hash"`
	// Rules are the policy's rules for this proposal's kind.
	Rules RuleOverrides `json:"rules"`
}

func (dc *Decision) encode(e *ledger.Encoder) {
	e.Bool(dc.Allowed)
	e.Uint(uint64(len(dc.Reasons)))
	for _, r := range dc.Reasons {
		e.String(r)
	}
	e.Blob(dc.PolicyHash)
	dc.Rules.encode(e)
}

func (dc *Decision) decode(d *ledger.Decoder) {
	dc.Allowed = d.Bool()
	n := d.Len(1)
	if n > 0 {
		dc.Reasons = make([]string, n)
	}
	for i := range dc.Reasons {
		dc.Reasons[i] = d.String()
	}
	dc.PolicyHash = d.Blob()
	dc.Rules.decode(d)
}

// Validate checks the decision's shape (not its verdict).
func (dc *Decision) Validate() error {
	if len(dc.PolicyHash) != HashSize {
		return invalid("decision policy_hash is %d bytes; want %d", len(dc.PolicyHash), HashSize)
	}
	if len(dc.Reasons) > MaxReasons {
		return invalid("decision has %d reasons; the limit is %d", len(dc.Reasons), MaxReasons)
	}
	for _, r := range dc.Reasons {
		if len(r) > MaxReason {
			return invalid("a decision reason is %d bytes; the limit is %d", len(r), MaxReason)
		}
	}
	return nil
}

// HexBytes is a byte string written as hex in JSON.
type HexBytes []byte

func (h HexBytes) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

func (h *HexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ledger.Errorf(ledger.ErrMalformed, "expected a hex string: %v", err)
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return ledger.Errorf(ledger.ErrMalformed, "not hex: %v", err)
	}
	*h = v
	return nil
}

// String returns the hex form.
func (h HexBytes) String() string { return hex.EncodeToString(h) }

// Status is where a proposal stands.
type Status uint8

// The statuses. A proposal is recorded as open until it is tallied or
// canceled; StatusAt reports it as pending before voting starts and
// active from then until it is tallied.
const (
	StatusOpen Status = iota
	StatusPending
	StatusActive
	StatusCanceled
	StatusDefeated
	StatusSucceeded
	StatusQueued
	StatusExpired
	StatusExecuted
	StatusFailed
)

var statusNames = []string{"open", "pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed", "failed"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// MarshalJSON writes the status name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Terminal reports whether nothing more can happen to the proposal.
func (s Status) Terminal() bool {
	switch s {
	case StatusCanceled, StatusDefeated, StatusExpired, StatusExecuted, StatusFailed:
		return true
	}
	return false
}

// Proposal is a proposal's record in state.
type Proposal struct {
	ID          uint64           `json:"id"`
	Proposer    ledger.AccountID `json:"proposer"`
	Title       string           `json:"title"`
	Description string           `json:"description,omitempty"`
	Actions     []Action         `json:"actions,omitempty"`
	Kinds       []string         `json:"kinds"`
	// Deposit is escrowed in DepositsAccount while DepositHeld.
	DepositAsset ledger.AssetID `json:"deposit_asset"`
	Deposit      ledger.Amount  `json:"deposit"`
	DepositHeld  bool           `json:"deposit_held"`
	Rules        Rules          `json:"rules"`
	PolicyHash   HexBytes       `json:"policy_hash"`
	// SnapshotHeight is the height whose state gives voting power: the
	// block before the proposal's. TotalStake is all stake then.
	SnapshotHeight uint64        `json:"snapshot_height"`
	TotalStake     ledger.Amount `json:"total_stake"`
	// PowerInputs are the voting power formula's parameters, fixed at
	// creation like the rules.
	PowerInputs PowerInputs `json:"power_inputs"`
	Created     int64       `json:"created"`
	VotingStart int64       `json:"voting_start"`
	VotingEnd   int64       `json:"voting_end"`
	// Status is the recorded status; see StatusAt.
	Status        Status        `json:"status"`
	VotedStake    ledger.Amount `json:"voted_stake"`
	QuorumReached bool          `json:"quorum_reached"`
	Extended      bool          `json:"extended"`
	Tally         *Tally        `json:"tally,omitempty"`
	// ETA is the earliest execution time of a queued proposal. Deadline is
	// when a succeeded proposal must be queued by, or a queued one
	// executed by, before it expires.
	ETA        int64  `json:"eta,omitempty"`
	Deadline   int64  `json:"deadline,omitempty"`
	FailReason string `json:"fail_reason,omitempty"`
}

// StatusAt returns the status as of block time t: an open proposal is
// pending before voting starts and active after (until tallied); a
// succeeded or queued one past its deadline is expired even before a
// command records it.
func (p *Proposal) StatusAt(t int64) Status {
	switch p.Status {
	case StatusOpen:
		if t < p.VotingStart {
			return StatusPending
		}
		return StatusActive
	case StatusSucceeded, StatusQueued:
		if t >= p.Deadline {
			return StatusExpired
		}
	}
	return p.Status
}

// Tally is the count of a proposal's votes at the end of voting.
type Tally struct {
	Yes        ledger.Amount `json:"yes"`
	No         ledger.Amount `json:"no"`
	Abstain    ledger.Amount `json:"abstain"`
	Veto       ledger.Amount `json:"veto"`
	VotedStake ledger.Amount `json:"voted_stake"`
	Votes      uint64        `json:"votes"`
}

func (t *Tally) encode(e *ledger.Encoder) {
	e.Amount(t.Yes)
	e.Amount(t.No)
	e.Amount(t.Abstain)
	e.Amount(t.Veto)
	e.Amount(t.VotedStake)
	e.Uint(t.Votes)
}

func (t *Tally) decode(d *ledger.Decoder) {
	t.Yes, t.No, t.Abstain, t.Veto, t.VotedStake = d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount()
	t.Votes = d.Uint()
}

func encodeActions(e *ledger.Encoder, actions []Action) {
	e.Uint(uint64(len(actions)))
	for i := range actions {
		actions[i].Encode(e)
	}
}

func decodeActions(d *ledger.Decoder) []Action {
	n := d.Len(1)
	if n == 0 {
		return nil
	}
	out := make([]Action, n)
	for i := range out {
		out[i].Decode(d)
	}
	return out
}

func (p *Proposal) encode() []byte {
	e := ledger.NewEncoder(make([]byte, 0, 256))
	e.Uint(p.ID)
	e.String(string(p.Proposer))
	e.String(p.Title)
	e.String(p.Description)
	encodeActions(e, p.Actions)
	e.String(string(p.DepositAsset))
	e.Amount(p.Deposit)
	e.Bool(p.DepositHeld)
	p.Rules.encode(e)
	e.Blob(p.PolicyHash)
	e.Uint(p.SnapshotHeight)
	e.Amount(p.TotalStake)
	p.PowerInputs.encode(e)
	e.Int(p.Created)
	e.Int(p.VotingStart)
	e.Int(p.VotingEnd)
	e.Uint(uint64(p.Status))
	e.Amount(p.VotedStake)
	e.Bool(p.QuorumReached)
	e.Bool(p.Extended)
	e.Bool(p.Tally != nil)
	if p.Tally != nil {
		p.Tally.encode(e)
	}
	e.Int(p.ETA)
	e.Int(p.Deadline)
	e.String(p.FailReason)
	return e.Bytes()
}

func decodeProposal(b []byte) (*Proposal, error) {
	d := ledger.NewDecoder(b, "proposal")
	p := &Proposal{}
	p.ID = d.Uint()
	p.Proposer = ledger.AccountID(d.String())
	p.Title, p.Description = d.String(), d.String()
	p.Actions = decodeActions(d)
	p.Kinds = Kinds(p.Actions)
	p.DepositAsset = ledger.AssetID(d.String())
	p.Deposit = d.Amount()
	p.DepositHeld = d.Bool()
	p.Rules.decode(d)
	p.PolicyHash = d.Blob()
	p.SnapshotHeight = d.Uint()
	p.TotalStake = d.Amount()
	p.PowerInputs.decode(d)
	p.Created, p.VotingStart, p.VotingEnd = d.Int(), d.Int(), d.Int()
	st := d.Uint()
	if st >= uint64(len(statusNames)) {
		d.Fail(ledger.Errorf(ledger.ErrCorrupt, "proposal status %d", st))
	}
	p.Status = Status(st)
	p.VotedStake = d.Amount()
	p.QuorumReached, p.Extended = d.Bool(), d.Bool()
	if d.Bool() {
		p.Tally = new(Tally)
		p.Tally.decode(d)
	}
	p.ETA, p.Deadline = d.Int(), d.Int()
	p.FailReason = d.String()
	return p, d.Finish()
}

// Option is a vote option.
type Option uint8

// The vote options. Abstain counts toward quorum only; veto counts as a
// no and, above the veto share, defeats the proposal and burns its deposit.
const (
	Yes Option = iota
	No
	Abstain
	Veto
)

var optionNames = []string{"yes", "no", "abstain", "veto"}

func (o Option) String() string {
	if int(o) < len(optionNames) {
		return optionNames[o]
	}
	return fmt.Sprintf("option(%d)", uint8(o))
}

// ParseOption parses "yes", "no", "abstain" or "veto".
func ParseOption(s string) (Option, error) {
	i := slices.Index(optionNames, s)
	if i < 0 {
		return 0, ledger.Errorf(ErrInvalidVote, "unknown option %q: use yes, no, abstain or veto", s)
	}
	return Option(i), nil
}

// MarshalJSON writes the option's name.
func (o Option) MarshalJSON() ([]byte, error) { return json.Marshal(o.String()) }

// UnmarshalJSON reads an option's name.
func (o *Option) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ledger.Errorf(ErrInvalidVote, "an option is a string: yes, no, abstain or veto")
	}
	v, err := ParseOption(s)
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// WeightedOption is one part of a split vote.
type WeightedOption struct {
	Option    Option `json:"option"`
	WeightBps uint32 `json:"weight_bps"`
}

// fmtTime formats block time for messages.
func fmtTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }

// equalHash compares two hashes.
func equalHash(a, b []byte) bool { return bytes.Equal(a, b) }
