package governance

import (
	"github.com/coopera/coopera/ledger"
)

// Command types of the governance module.
const (
	CmdPropose  = "gov_propose"
	CmdVote     = "gov_vote"
	CmdDelegate = "gov_delegate"
	CmdTally    = "gov_tally"
	CmdQueue    = "gov_queue"
	CmdExecute  = "gov_execute"
	CmdCancel   = "gov_cancel"
)

// Propose submits a proposal with a deposit. Decision is written by the
// policy admitter; the state machine refuses a propose without one, or
// with one made by another policy set than the one in force.
//
//	{"title": "Raise the fee", "deposit": "1000000",
//	 "actions": [{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": 150}]}
type Propose struct {
	Title       string        `json:"title"`
	Description string        `json:"description,omitempty"`
	Actions     []Action      `json:"actions,omitempty"`
	Deposit     ledger.Amount `json:"deposit"`
	Decision    *Decision     `json:"decision,omitempty"`
}

func (*Propose) Type() string { return CmdPropose }

func (p *Propose) Encode(e *ledger.Encoder) {
	p.EncodeSigned(e)
	e.Bool(p.Decision != nil)
	if p.Decision != nil {
		p.Decision.encode(e)
	}
}

// EncodeSigned implements ledger.AnnotatedPayload: the proposal without the
// admitter's decision, which is what a proposer signs.
func (p *Propose) EncodeSigned(e *ledger.Encoder) {
	e.String(p.Title)
	e.String(p.Description)
	encodeActions(e, p.Actions)
	e.Amount(p.Deposit)
}

// ClearAnnotations implements ledger.AnnotatedPayload: it drops the
// decision, which only the policy admitter writes.
func (p *Propose) ClearAnnotations() { p.Decision = nil }

func (p *Propose) Decode(d *ledger.Decoder) {
	p.Title, p.Description = d.String(), d.String()
	p.Actions = decodeActions(d)
	p.Deposit = d.Amount()
	if d.Bool() {
		p.Decision = new(Decision)
		p.Decision.decode(d)
	}
}

// Validate checks the proposal's shape; Decide checks it against state.
func (p *Propose) Validate() error {
	if p.Title == "" {
		return ledger.Errorf(ErrInvalidProposal, `a proposal needs a "title"`)
	}
	if len(p.Title) > MaxTitle {
		return invalid("title is %d bytes; the limit is %d", len(p.Title), MaxTitle)
	}
	if len(p.Description) > MaxDescription {
		return invalid("description is %d bytes; the limit is %d", len(p.Description), MaxDescription)
	}
	if len(p.Actions) > MaxActionsLimit {
		return invalid("%d actions; the limit is %d", len(p.Actions), MaxActionsLimit)
	}
	for i := range p.Actions {
		if err := p.Actions[i].Validate(); err != nil {
			return ledger.Errorf(ErrInvalidProposal, "action %d: %s", i, err.(*ledger.Error).Msg)
		}
	}
	if p.Decision != nil {
		return p.Decision.Validate()
	}
	return nil
}

// Vote casts the actor's vote: one option with all its power, or a split
// over several options with weights in bps summing to 10000.
//
//	{"proposal": 1, "option": "yes"}
//	{"proposal": 1, "options": [{"option": "yes", "weight_bps": 7000}, {"option": "no", "weight_bps": 3000}]}
type Vote struct {
	Proposal uint64           `json:"proposal"`
	Option   *Option          `json:"option,omitempty"`
	Options  []WeightedOption `json:"options,omitempty"`
}

func (*Vote) Type() string { return CmdVote }

func (v *Vote) Encode(e *ledger.Encoder) {
	e.Uint(v.Proposal)
	e.Bool(v.Option != nil)
	if v.Option != nil {
		e.Uint(uint64(*v.Option))
	}
	encodeOptions(e, v.Options)
}

func (v *Vote) Decode(d *ledger.Decoder) {
	v.Proposal = d.Uint()
	if d.Bool() {
		o := Option(d.Uint())
		v.Option = &o
	}
	v.Options = decodeOptions(d)
}

func encodeOptions(e *ledger.Encoder, opts []WeightedOption) {
	e.Uint(uint64(len(opts)))
	for _, o := range opts {
		e.Uint(uint64(o.Option))
		e.Uint(uint64(o.WeightBps))
	}
}

func decodeOptions(d *ledger.Decoder) []WeightedOption {
	n := d.Len(2)
	if n == 0 {
		return nil
	}
	out := make([]WeightedOption, n)
	for i := range out {
		o := d.Uint()
		if o > uint64(Veto) {
			d.Fail(ledger.Errorf(ErrInvalidVote, "option %d", o))
		}
		out[i] = WeightedOption{Option: Option(o), WeightBps: decodeU32(d)}
	}
	return out
}

// Split returns the vote as weighted options.
func (v *Vote) Split() []WeightedOption {
	if v.Option != nil {
		return []WeightedOption{{Option: *v.Option, WeightBps: BpsDenominator}}
	}
	return v.Options
}

// Validate checks the vote's shape.
func (v *Vote) Validate() error {
	if v.Proposal == 0 {
		return ledger.Errorf(ErrInvalidVote, `a vote needs "proposal", the proposal ID (from 1)`)
	}
	if (v.Option == nil) == (len(v.Options) == 0) {
		return ledger.Errorf(ErrInvalidVote, `give either "option" or "options" (a split with weights)`)
	}
	if v.Option != nil && *v.Option > Veto {
		return ledger.Errorf(ErrInvalidVote, "unknown option %d", *v.Option)
	}
	return validateSplit(v.Options)
}

func validateSplit(opts []WeightedOption) error {
	var sum uint64
	var seen [4]bool
	for _, o := range opts {
		if o.Option > Veto {
			return ledger.Errorf(ErrInvalidVote, "unknown option %d", o.Option)
		}
		if seen[o.Option] {
			return ledger.Errorf(ErrInvalidVote, "option %s appears twice in the split", o.Option)
		}
		seen[o.Option] = true
		if o.WeightBps == 0 {
			return ledger.Errorf(ErrInvalidVote, "option %s has weight 0; leave it out", o.Option)
		}
		sum += uint64(o.WeightBps)
	}
	if len(opts) > 0 && sum != BpsDenominator {
		return ledger.Errorf(ErrInvalidVote, "split weights sum to %d bps; they must sum to 10000", sum)
	}
	return nil
}

// Delegate gives the actor's voting power to another account for
// proposals whose snapshot is taken from the next block on; To "" takes it
// back. The actor's own vote on a proposal always overrides its delegate's
// use of its power there.
type Delegate struct {
	To ledger.AccountID `json:"to"`
}

func (*Delegate) Type() string               { return CmdDelegate }
func (p *Delegate) Encode(e *ledger.Encoder) { e.String(string(p.To)) }
func (p *Delegate) Decode(d *ledger.Decoder) { p.To = ledger.AccountID(d.String()) }
func (p *Delegate) Validate() error {
	if p.To == "" {
		return nil
	}
	if err := p.To.Validate(); err != nil {
		return err
	}
	if p.To.IsModule() {
		return ledger.Errorf(ledger.ErrUnauthorized, "cannot delegate to module account %s", p.To)
	}
	return nil
}

// ProposalRef names a proposal; it is the payload of tally, queue,
// execute and cancel.
type ProposalRef struct {
	Proposal uint64 `json:"proposal"`
}

func (p *ProposalRef) Encode(e *ledger.Encoder) { e.Uint(p.Proposal) }
func (p *ProposalRef) Decode(d *ledger.Decoder) { p.Proposal = d.Uint() }
func (p *ProposalRef) Validate() error {
	if p.Proposal == 0 {
		return ledger.Errorf(ErrUnknownProposal, `give "proposal", the proposal ID (from 1)`)
	}
	return nil
}

// TallyVotes counts the votes of a proposal whose voting period has ended
// and decides it. Anyone may submit it; epoch ends tally due proposals too.
type TallyVotes struct{ ProposalRef }

func (*TallyVotes) Type() string { return CmdTally }

// Queue queues a succeeded proposal: it may execute once its timelock has
// passed. Anyone may submit it.
type Queue struct{ ProposalRef }

func (*Queue) Type() string { return CmdQueue }

// Execute executes a queued proposal after its timelock: all of its
// actions apply, or none does and the proposal is recorded as failed.
// Anyone may submit it.
type Execute struct{ ProposalRef }

func (*Execute) Type() string { return CmdExecute }

// Cancel cancels a proposal: its proposer may while it is pending, the
// guardian may until it is executed. An escrowed deposit is refunded.
type Cancel struct{ ProposalRef }

func (*Cancel) Type() string { return CmdCancel }
