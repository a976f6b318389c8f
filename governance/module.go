package governance

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/coopera/coopera/ledger"
)

// ModuleName is the governance module's name.
const ModuleName = "governance"

// Module is the governance reducer. Create it with New.
type Module struct {
	stakes StakeSource
}

// New returns the governance module reading stake from stakes.
func New(stakes StakeSource) Module { return Module{stakes: stakes} }

var (
	_ ledger.Module             = Module{}
	_ ledger.Parameterized      = Module{}
	_ ledger.GenesisInitializer = Module{}
	_ ledger.EpochEnder         = Module{}
	_ ledger.ParamsStateChecker = Module{}
	_ ledger.Bookkeeper         = Module{}
)

func (Module) Name() string { return ModuleName }

func (Module) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: CmdPropose, New: func() ledger.Payload { return new(Propose) }},
		{Type: CmdVote, New: func() ledger.Payload { return new(Vote) }},
		{Type: CmdDelegate, New: func() ledger.Payload { return new(Delegate) }},
		{Type: CmdTally, New: func() ledger.Payload { return new(TallyVotes) }},
		{Type: CmdQueue, New: func() ledger.Payload { return new(Queue) }},
		{Type: CmdExecute, New: func() ledger.Payload { return new(Execute) }},
		{Type: CmdCancel, New: func() ledger.Payload { return new(Cancel) }},
	}
}

func (Module) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "proposal_submitted", Version: 1, New: func() ledger.Event { return new(ProposalSubmitted) }},
		{Type: "vote_cast", Version: 1, New: func() ledger.Event { return new(VoteCast) }},
		{Type: "voting_extended", Version: 1, New: func() ledger.Event { return new(VotingExtended) }},
		{Type: "proposal_tallied", Version: 1, New: func() ledger.Event { return new(ProposalTallied) }},
		{Type: "proposal_queued", Version: 1, New: func() ledger.Event { return new(ProposalQueued) }},
		{Type: "proposal_closed", Version: 1, New: func() ledger.Event { return new(ProposalClosed) }},
		{Type: "votes_delegated", Version: 1, New: func() ledger.Event { return new(VotesDelegated) }},
		{Type: "policy_set", Version: 1, New: func() ledger.Event { return new(PolicySet) }},
		{Type: "asset_listed", Version: 1, New: func() ledger.Event { return new(AssetListed) }},
	}
}

// BookedAccounts lists the module's booked accounts (ledger.Bookkeeper):
// the deposit escrow, whose balance is the deposits the open proposals
// hold.
func (Module) BookedAccounts() []ledger.AccountID { return []ledger.AccountID{DepositsAccount} }

// InitGenesis sets the parameters and the policy hash, and creates the
// deposit escrow (and the treasury, if it is a module account).
func (Module) InitGenesis(ctx *ledger.Context, raw []byte) error {
	g, err := ParseGenesis(raw)
	if err != nil {
		return err
	}
	if _, ok := ctx.Get(ledger.AssetKey(g.Params.DepositAsset)); !ok {
		return ledger.Errorf(ledger.ErrInvalidGenesis, "deposit_asset %s is not declared in assets", g.Params.DepositAsset)
	}
	if err := checkTreasury(ctx, g.Params.Treasury); err != nil {
		return ledger.Errorf(ledger.ErrInvalidGenesis, "%s", message(err))
	}
	if err := ledger.EnsureModuleAccount(ctx, DepositsAccount); err != nil {
		return err
	}
	if g.Params.Treasury.IsModule() {
		if err := ledger.EnsureModuleAccount(ctx, g.Params.Treasury); err != nil {
			return err
		}
	} else if _, ok := ctx.Get(ledger.AccountKey(g.Params.Treasury)); !ok {
		return ledger.Errorf(ledger.ErrInvalidGenesis, "treasury %s is not declared in accounts", g.Params.Treasury)
	}
	if err := ledger.InitParams(ctx, ModuleName, EncodeParams(&g.Params)); err != nil {
		return err
	}
	return ctx.Emit(&PolicySet{Hash: g.PolicyHash})
}

// Decide decides the governance commands.
func (m Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	switch p := cmd.Payload.(type) {
	case *Propose:
		return m.propose(ctx, cmd.Actor, p)
	case *Vote:
		return m.vote(ctx, cmd.Actor, p)
	case *Delegate:
		return delegate(ctx, cmd.Actor, p)
	case *TallyVotes:
		pr, err := mustProposal(ctx, p.Proposal)
		if err != nil {
			return err
		}
		return tally(ctx, pr)
	case *Queue:
		return queue(ctx, p.Proposal)
	case *Execute:
		return execute(ctx, p.Proposal)
	case *Cancel:
		return cancel(ctx, cmd.Actor, p.Proposal)
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "governance cannot decide %s", cmd.Payload.Type())
}

// EndEpoch runs at each epoch's close, in this order: it tallies every
// open proposal whose voting has ended (by voting end, then ID), then
// expires every succeeded or queued proposal past its deadline (by
// deadline, then ID). Both read an index ordered by time, so the work is
// proportional to the proposals due.
func (Module) EndEpoch(ctx *ledger.Context, epoch uint64) error {
	for _, id := range dueIDs(ctx, openPrefix, ctx.Time) {
		p, err := mustProposal(ctx, id)
		if err != nil {
			return err
		}
		if err := tally(ctx, p); err != nil {
			return err
		}
	}
	for _, id := range dueIDs(ctx, deadlinePrefix, ctx.Time) {
		if err := ctx.Emit(&ProposalClosed{Proposal: id, Status: StatusExpired, Reason: "deadline passed"}); err != nil {
			return err
		}
	}
	return nil
}

// dueIDs lists the IDs in a time index with a time at or before t.
func dueIDs(ctx *ledger.Context, prefix []byte, t int64) []uint64 {
	var ids []uint64
	limit := timeKey(t)
	ctx.Scan(prefix, func(k, _ []byte) bool {
		if len(k) != len(prefix)+16 {
			return true
		}
		if binary.BigEndian.Uint64(k[len(prefix):]) > limit {
			return false
		}
		ids = append(ids, idAt(k))
		return true
	})
	return ids
}

func (m Module) propose(ctx *ledger.Context, actor ledger.AccountID, p *Propose) error {
	if p.Decision == nil {
		return ledger.Errorf(ErrNoDecision, "the proposal carries no policy decision; submit it through an engine with the governance policy admitter")
	}
	current, err := PolicyHash(ctx)
	if err != nil {
		return err
	}
	if !equalHash(p.Decision.PolicyHash, current) {
		return ledger.Errorf(ErrPolicyMismatch, "the decision was made by policy set %s, but %s is in force; submit the proposal again",
			HexBytes(p.Decision.PolicyHash).String(), HexBytes(current).String())
	}
	if !p.Decision.Allowed {
		return ledger.Errorf(ErrPolicyDenied, "the policy denies the proposal: %s", strings.Join(p.Decision.Reasons, "; "))
	}
	params, err := ReadParams(ctx)
	if err != nil {
		return err
	}
	if len(p.Actions) > int(params.MaxActions) {
		return invalid("%d actions; max_actions is %d", len(p.Actions), params.MaxActions)
	}
	listed := map[ledger.AssetID]bool{}
	for i := range p.Actions {
		a := &p.Actions[i]
		if a.Kind == AssetListing {
			if listed[a.Asset] {
				return invalid("action %d lists %s a second time", i, a.Asset)
			}
			listed[a.Asset] = true
		}
		if err := checkAction(ctx, a, withListings(ctx, p.Actions)); err != nil {
			return ledger.Errorf(ErrInvalidProposal, "action %d: %s", i, err.(*ledger.Error).Msg)
		}
	}
	rules := p.Decision.Rules.Apply(RulesFromParams(&params))
	if err := rules.Validate(); err != nil {
		return err
	}
	if p.Deposit.Cmp(rules.MinDeposit) < 0 {
		return ledger.Errorf(ErrDepositTooSmall, "deposit %s %s is below the minimum of %s for this proposal", p.Deposit, params.DepositAsset, rules.MinDeposit)
	}
	if params.MaxLiveProposals > 0 {
		live, err := readUint(ctx, liveKey(actor), "live proposals")
		if err != nil {
			return err
		}
		if live >= uint64(params.MaxLiveProposals) {
			return ledger.Errorf(ErrTooManyLive, "%s has %d live proposals; max_live_proposals is %d", actor, live, params.MaxLiveProposals)
		}
	}
	if m.stakes == nil {
		return ledger.Errorf(ledger.ErrInvalidParameter, "the governance module was built without a StakeSource")
	}
	id, err := NextID(ctx)
	if err != nil {
		return err
	}
	snapshot := ctx.Height - 1
	total, err := m.stakes.TotalStakeAt(ctx, snapshot)
	if err != nil {
		return err
	}
	if err := ledger.Move(ctx, actor, DepositsAccount, params.DepositAsset, p.Deposit); err != nil {
		return err
	}
	start := ctx.Time + int64(rules.VotingDelay)
	return ctx.Emit(&ProposalSubmitted{
		ID: id, Proposer: actor, Title: p.Title, Description: p.Description, Actions: p.Actions,
		DepositAsset: params.DepositAsset, Deposit: p.Deposit, Rules: rules, PolicyHash: current,
		SnapshotHeight: snapshot, TotalStake: total, PowerInputs: powerInputs(&params),
		Created: ctx.Time, VotingStart: start, VotingEnd: start + int64(rules.VotingPeriod),
	})
}

// CheckParamsState checks governance parameters (encoded) against state,
// as InitGenesis does (ledger.ParamsStateChecker): a deposit asset that
// does not exist would refuse every later proposal, leaving no way to
// change it back; a treasury that does not exist could pay nothing, and
// a booked account as treasury (the deposit escrow, a staking module's
// stake) would let a treasury spend take what its records owe.
func (Module) CheckParamsState(v ledger.ParamsView, encoded []byte) error {
	p, err := DecodeParams(encoded)
	if err != nil {
		return err
	}
	if _, ok := v.Get(ledger.AssetKey(p.DepositAsset)); !ok {
		return ledger.Errorf(ErrInvalidProposal, "deposit_asset %s is not a registered asset", p.DepositAsset)
	}
	if v.Rules() < ledger.RulesV2 {
		// As decided before booked accounts (ledger.RulesV2).
		if p.Treasury == DepositsAccount {
			return ledger.Errorf(ErrInvalidProposal, "treasury %s is the proposals' deposit escrow; name another account", p.Treasury)
		}
	} else if err := checkTreasury(v, p.Treasury); err != nil {
		return err
	}
	if _, ok := v.Get(ledger.AccountKey(p.Treasury)); !ok {
		return ledger.Errorf(ErrInvalidProposal, "treasury %s does not exist", p.Treasury)
	}
	return nil
}

// checkTreasury refuses a booked account (ledger.Bookkeeper) as the
// treasury: a treasury spend would pay out what the account's records
// owe (proposers' deposits, stakers' principal).
func checkTreasury(v ledger.ParamsView, id ledger.AccountID) error {
	if mod, ok := v.Booked(id); ok {
		return ledger.Errorf(ErrInvalidProposal, "treasury %s is booked by module %s: its balance is what that module's records owe, and treasury spends would pay it out; name an account that is not booked", id, mod)
	}
	return nil
}

// checkRecipient refuses a booked account as a treasury spend's
// recipient: the funds would land where no record covers them, stranded.
func checkRecipient(v ledger.ParamsView, id ledger.AccountID) error {
	if mod, ok := v.Booked(id); ok {
		return ledger.Errorf(ErrInvalidProposal, "recipient %s is booked by module %s: its balance is what that module's records owe, and funds paid there would be stranded; pay an account that is not booked", id, mod)
	}
	return nil
}

// message is an error's message without its code.
func message(err error) string {
	if le, ok := err.(*ledger.Error); ok {
		return le.Msg
	}
	return err.Error()
}

// checkAction checks an action against state when it is proposed.
// withListings reads g as it will be once the proposal's listings are
// registered, so that a parameter change of the same proposal may name a
// listed asset (the listing registers it when the proposal executes, and
// the change takes effect from the next block).
func withListings(g ledger.ParamsView, actions []Action) ledger.ParamsView {
	listed := map[string][]byte{}
	for i := range actions {
		if a := &actions[i]; a.Kind == AssetListing {
			listed[string(ledger.AssetKey(a.Asset))] = ledger.EncodeAsset(ledger.Asset{ID: a.Asset, Name: a.AssetName, Decimals: a.Decimals})
		}
	}
	if len(listed) == 0 {
		return g
	}
	return listingView{g, listed}
}

type listingView struct {
	ledger.ParamsView
	listed map[string][]byte
}

func (v listingView) Get(key []byte) ([]byte, bool) {
	if val, ok := v.ParamsView.Get(key); ok {
		return val, true
	}
	val, ok := v.listed[string(key)]
	return val, ok
}

func checkAction(ctx *ledger.Context, a *Action, withListed ledger.ParamsView) error {
	switch a.Kind {
	case ParameterChange:
		pm, ok := ctx.Machine().Parameterized(a.Module)
		if !ok {
			return invalid("module %q has no governable parameters; modules: %v", a.Module, ctx.Machine().ModuleNames())
		}
		cur, err := ledger.ParamsAt(ctx, a.Module, math.MaxUint64)
		if err != nil {
			return invalid("%s", err.(*ledger.Error).Msg)
		}
		next, err := pm.SetParam(cur, a.Name, a.Value)
		if err != nil {
			if le, ok := err.(*ledger.Error); ok {
				return invalid("%s", le.Msg)
			}
			return invalid("%v", err)
		}
		if sc, ok := pm.(ledger.ParamsStateChecker); ok {
			if err := sc.CheckParamsState(withListed, next); err != nil {
				return invalid("%s", message(err))
			}
		}
	case TreasurySpend:
		if _, ok := ctx.Get(ledger.AssetKey(a.Asset)); !ok {
			return invalid("asset %s is not registered", a.Asset)
		}
		if err := checkRecipient(ctx, a.To); err != nil {
			return err
		}
		if _, ok := ctx.Get(ledger.AccountKey(a.To)); !ok {
			return invalid("recipient %s does not exist", a.To)
		}
	case AssetListing:
		if _, ok, err := Listing(ctx, a.Asset); err != nil {
			return err
		} else if ok {
			return invalid("asset %s is already listed", a.Asset)
		}
		if asset, ok, err := ledger.GetAsset(ctx, a.Asset); err != nil {
			return err
		} else if ok && asset.Decimals != a.Decimals {
			return invalid("asset %s is registered with %d decimals, not %d", a.Asset, asset.Decimals, a.Decimals)
		}
	}
	return nil
}

func (m Module) vote(ctx *ledger.Context, voter ledger.AccountID, v *Vote) error {
	p, err := mustProposal(ctx, v.Proposal)
	if err != nil {
		return err
	}
	switch {
	case p.Status != StatusOpen:
		return ledger.Errorf(ErrVotingClosed, "proposal %d is %s; voting is over", p.ID, p.Status)
	case ctx.Time < p.VotingStart:
		return ledger.Errorf(ErrVotingClosed, "voting on proposal %d opens at %s", p.ID, fmtTime(p.VotingStart))
	case ctx.Time >= p.VotingEnd:
		return ledger.Errorf(ErrVotingClosed, "voting on proposal %d ended at %s", p.ID, fmtTime(p.VotingEnd))
	}
	if _, ok := ctx.Get(VoteKey(p.ID, voter)); ok {
		return ledger.Errorf(ErrAlreadyVoted, "%s has already voted on proposal %d; votes are final", voter, p.ID)
	}
	if m.stakes == nil {
		return ledger.Errorf(ledger.ErrInvalidParameter, "the governance module was built without a StakeSource")
	}
	calc := &powerCalc{g: ctx, stakes: m.stakes, p: p}
	ev := &VoteCast{Proposal: p.ID, Voter: voter, Options: v.Split(), Height: ctx.Height}
	if ev.Stake, ev.Power, err = calc.of(voter); err != nil {
		return err
	}
	// The power of delegators who have not voted themselves.
	var delegators []ledger.AccountID
	prefix := delegatorsPrefix(voter)
	ctx.Scan(prefix, func(k, _ []byte) bool {
		delegators = append(delegators, ledger.AccountID(k[len(prefix):]))
		return true
	})
	for _, d := range delegators {
		to, err := DelegateAt(ctx, d, p.SnapshotHeight)
		if err != nil {
			return err
		}
		if to != voter {
			continue
		}
		if _, voted := ctx.Get(VoteKey(p.ID, d)); voted {
			continue
		}
		s, pw, err := calc.of(d)
		if err != nil {
			return err
		}
		ev.DelegatedStake, _ = ev.DelegatedStake.Add(s)
		ev.DelegatedPower, _ = ev.DelegatedPower.Add(pw)
	}
	if ev.Power.IsZero() && ev.DelegatedPower.IsZero() {
		return ledger.Errorf(ErrNoVotingPower, "%s had no stake at the snapshot of proposal %d (height %d) and no delegated power", voter, p.ID, p.SnapshotHeight)
	}
	// If the voter's own delegate already voted with the voter's power,
	// the voter's vote takes it back.
	if !ev.Stake.IsZero() {
		del, err := DelegateAt(ctx, voter, p.SnapshotHeight)
		if err != nil {
			return err
		}
		if del != "" {
			if _, voted := ctx.Get(VoteKey(p.ID, del)); voted {
				ev.Override = del
			}
		}
	}
	reached := p.QuorumReached
	if err := ctx.Emit(ev); err != nil {
		return err
	}
	if reached || p.Rules.LateQuorumExtension == 0 {
		return nil
	}
	p, err = mustProposal(ctx, p.ID)
	if err != nil {
		return err
	}
	if p.QuorumReached {
		// Quorum reached late: leave at least the extension to react.
		if end := ctx.Time + int64(p.Rules.LateQuorumExtension); end > p.VotingEnd {
			return ctx.Emit(&VotingExtended{Proposal: p.ID, VotingEnd: end})
		}
	}
	return nil
}

func delegate(ctx *ledger.Context, actor ledger.AccountID, d *Delegate) error {
	if d.To == actor {
		return ledger.Errorf(ErrInvalidDelegation, `%s cannot delegate to itself; delegate to "" to take delegation back`, actor)
	}
	if d.To != "" {
		if _, ok := ctx.Get(ledger.AccountKey(d.To)); !ok {
			return ledger.Errorf(ErrInvalidDelegation, "delegate %s does not exist", d.To)
		}
	}
	return ctx.Emit(&VotesDelegated{Delegator: actor, Delegate: d.To, Height: ctx.Height})
}

// atLeastBps reports whether part*10000 >= bps*whole.
func atLeastBps(part, whole ledger.Amount, bps uint32) bool {
	return ledger.CmpBps(part, whole, bps) >= 0
}

func add(a, b ledger.Amount) ledger.Amount {
	s, ok := a.Add(b)
	if !ok {
		return ledger.MaxAmount
	}
	return s
}

// Count sums votes into a tally: each vote's counted power (its own plus
// delegated) is split over its options by weight, rounding each part down;
// the remainder of a split counts for no option.
func Count(votes []VoteRecord) Tally {
	var t Tally
	for i := range votes {
		t.add(&votes[i])
	}
	return t
}

func (t *Tally) add(v *VoteRecord) {
	counted := add(v.Power, v.DelegatedPower)
	t.VotedStake = add(t.VotedStake, add(v.Stake, v.DelegatedStake))
	t.Votes++
	for _, o := range v.Options {
		part, _, _ := counted.MulDiv(uint64(o.WeightBps), BpsDenominator)
		switch o.Option {
		case Yes:
			t.Yes = add(t.Yes, part)
		case No:
			t.No = add(t.No, part)
		case Abstain:
			t.Abstain = add(t.Abstain, part)
		case Veto:
			t.Veto = add(t.Veto, part)
		}
	}
}

// Decide applies the pass rules to a tally:
//
//   - quorum: voted stake (all options, abstain included) is at least
//     quorum_bps of the total stake at the snapshot;
//   - veto: veto power above veto_bps of all power cast defeats the
//     proposal and burns its deposit;
//   - threshold: yes power above threshold_bps of yes + no + veto passes.
//
// It returns the outcome, whether it was a veto, and the reason.
func (r *Rules) Decide(t *Tally, totalStake ledger.Amount) (outcome Status, vetoed bool, reason string) {
	if totalStake.IsZero() || !atLeastBps(t.VotedStake, totalStake, r.QuorumBps) {
		return StatusDefeated, false, "quorum not reached: " + t.VotedStake.String() + " of " + totalStake.String() + " stake voted, quorum is " + bpsString(r.QuorumBps)
	}
	all := add(add(t.Yes, t.No), add(t.Abstain, t.Veto))
	if !all.IsZero() && ledger.CmpBps(t.Veto, all, r.VetoBps) > 0 {
		return StatusDefeated, true, "vetoed: veto " + t.Veto.String() + " of " + all.String() + " power is above " + bpsString(r.VetoBps)
	}
	nonAbstain := add(add(t.Yes, t.No), t.Veto)
	if nonAbstain.IsZero() || ledger.CmpBps(t.Yes, nonAbstain, r.ThresholdBps) <= 0 {
		return StatusDefeated, false, "threshold not reached: yes " + t.Yes.String() + " of " + nonAbstain.String() + " non-abstain power, needs more than " + bpsString(r.ThresholdBps)
	}
	return StatusSucceeded, false, "passed: yes " + t.Yes.String() + " of " + nonAbstain.String() + " non-abstain power is above " + bpsString(r.ThresholdBps)
}

// bpsString formats basis points as a percentage: 3340 is "33.4%".
func bpsString(b uint32) string {
	s := fmt.Sprintf("%d.%02d", b/100, b%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// tally counts an open proposal's votes after its voting period and
// decides it. Cost: one pass over its votes, in key order.
func tally(ctx *ledger.Context, p *Proposal) error {
	if p.Status != StatusOpen {
		return ledger.Errorf(ErrWrongStatus, "proposal %d is %s; only open proposals are tallied", p.ID, p.Status)
	}
	if ctx.Time < p.VotingEnd {
		return ledger.Errorf(ErrVotingNotOver, "voting on proposal %d ends at %s", p.ID, fmtTime(p.VotingEnd))
	}
	var t Tally
	var derr error
	prefix := VotePrefix(p.ID)
	ctx.Scan(prefix, func(k, v []byte) bool {
		var r VoteRecord
		r, derr = DecodeVote(ledger.AccountID(k[len(prefix):]), v)
		if derr != nil {
			return false
		}
		t.add(&r)
		return true
	})
	if derr != nil {
		return derr
	}
	outcome, vetoed, reason := p.Rules.Decide(&t, p.TotalStake)
	if p.DepositHeld {
		if vetoed {
			if err := ledger.Burn(ctx, DepositsAccount, p.DepositAsset, p.Deposit); err != nil {
				return err
			}
		} else if err := ledger.Move(ctx, DepositsAccount, p.Proposer, p.DepositAsset, p.Deposit); err != nil {
			return err
		}
	}
	ev := &ProposalTallied{Proposal: p.ID, Tally: t, Outcome: outcome, Vetoed: vetoed, Reason: reason}
	if outcome == StatusSucceeded {
		ev.Deadline = ctx.Time + int64(p.Rules.ExecutionWindow)
	}
	return ctx.Emit(ev)
}

func queue(ctx *ledger.Context, id uint64) error {
	p, err := mustProposal(ctx, id)
	if err != nil {
		return err
	}
	if p.Status != StatusSucceeded {
		return ledger.Errorf(ErrWrongStatus, "proposal %d is %s; only succeeded proposals are queued", p.ID, p.StatusAt(ctx.Time))
	}
	if ctx.Time >= p.Deadline {
		return ctx.Emit(&ProposalClosed{Proposal: p.ID, Status: StatusExpired, Reason: "not queued before " + fmtTime(p.Deadline)})
	}
	eta := ctx.Time + int64(p.Rules.Timelock)
	return ctx.Emit(&ProposalQueued{Proposal: p.ID, ETA: eta, Deadline: eta + int64(p.Rules.ExecutionWindow)})
}

func cancel(ctx *ledger.Context, actor ledger.AccountID, id uint64) error {
	p, err := mustProposal(ctx, id)
	if err != nil {
		return err
	}
	if p.Status.Terminal() {
		return ledger.Errorf(ErrWrongStatus, "proposal %d is %s; it can no longer be canceled", p.ID, p.Status)
	}
	params, err := ReadParams(ctx)
	if err != nil {
		return err
	}
	isGuardian := params.Guardian != "" && actor == params.Guardian
	isPendingProposer := actor == p.Proposer && p.Status == StatusOpen && ctx.Time < p.VotingStart
	if !isGuardian && !isPendingProposer {
		who := "no guardian is set"
		if params.Guardian != "" {
			who = "the guardian is " + string(params.Guardian)
		}
		return ledger.Errorf(ledger.ErrUnauthorized, "%s may not cancel proposal %d: its proposer may while it is pending, the guardian until it is executed (%s)", actor, p.ID, who)
	}
	if p.DepositHeld {
		if err := ledger.Move(ctx, DepositsAccount, p.Proposer, p.DepositAsset, p.Deposit); err != nil {
			return err
		}
	}
	return ctx.Emit(&ProposalClosed{Proposal: p.ID, Status: StatusCanceled, By: actor})
}
