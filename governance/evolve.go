package governance

import (
	"github.com/coopera/coopera/ledger"
)

// Evolve applies the governance events.
func (Module) Evolve(st *ledger.State, ev ledger.Event) error {
	switch e := ev.(type) {
	case *ProposalSubmitted:
		next, err := NextID(st)
		if err != nil {
			return err
		}
		if e.ID != next {
			return ledger.Errorf(ledger.ErrCorrupt, "proposal_submitted with ID %d, but the next ID is %d", e.ID, next)
		}
		p := &Proposal{
			ID: e.ID, Proposer: e.Proposer, Title: e.Title, Description: e.Description, Actions: e.Actions, Kinds: Kinds(e.Actions),
			DepositAsset: e.DepositAsset, Deposit: e.Deposit, DepositHeld: !e.Deposit.IsZero(), Rules: e.Rules, PolicyHash: e.PolicyHash,
			SnapshotHeight: e.SnapshotHeight, TotalStake: e.TotalStake, PowerInputs: e.PowerInputs,
			Created: e.Created, VotingStart: e.VotingStart, VotingEnd: e.VotingEnd, Status: StatusOpen,
		}
		putProposal(st, p)
		st.Set(nextKey, uvarint(e.ID+1))
		st.Set(openKey(p.VotingEnd, p.ID), []byte{})
		return addLive(st, p.Proposer, 1)

	case *VoteCast:
		p, err := mustProposal(st, e.Proposal)
		if err != nil {
			return err
		}
		if p.Status != StatusOpen {
			return ledger.Errorf(ErrVotingClosed, "vote on proposal %d, which is %s", p.ID, p.Status)
		}
		if _, ok := st.Get(VoteKey(p.ID, e.Voter)); ok {
			return ledger.Errorf(ErrAlreadyVoted, "%s has already voted on proposal %d", e.Voter, p.ID)
		}
		if err := validateSplit(e.Options); err != nil || len(e.Options) == 0 {
			return ledger.Errorf(ErrInvalidVote, "vote_cast with an invalid split")
		}
		rec := VoteRecord{Voter: e.Voter, Options: e.Options, Stake: e.Stake, Power: e.Power,
			DelegatedStake: e.DelegatedStake, DelegatedPower: e.DelegatedPower, Height: e.Height}
		st.Set(VoteKey(p.ID, e.Voter), rec.encode())
		counted := add(e.Stake, e.DelegatedStake)
		if e.Override != "" {
			d, ok, err := GetVote(st, p.ID, e.Override)
			if err != nil {
				return err
			}
			if !ok {
				return ledger.Errorf(ledger.ErrCorrupt, "vote_cast overrides %s, who has not voted on proposal %d", e.Override, p.ID)
			}
			var ok1, ok2 bool
			d.DelegatedStake, ok1 = d.DelegatedStake.Sub(e.Stake)
			d.DelegatedPower, ok2 = d.DelegatedPower.Sub(e.Power)
			if !ok1 || !ok2 {
				return ledger.Errorf(ledger.ErrCorrupt, "vote_cast takes back more power from %s than it was delegated", e.Override)
			}
			st.Set(VoteKey(p.ID, e.Override), d.encode())
			counted, _ = counted.Sub(e.Stake)
		}
		p.VotedStake = add(p.VotedStake, counted)
		if !p.TotalStake.IsZero() && atLeastBps(p.VotedStake, p.TotalStake, p.Rules.QuorumBps) {
			p.QuorumReached = true
		}
		putProposal(st, p)
		return nil

	case *VotingExtended:
		p, err := mustProposal(st, e.Proposal)
		if err != nil {
			return err
		}
		if p.Status != StatusOpen || e.VotingEnd <= p.VotingEnd {
			return ledger.Errorf(ledger.ErrCorrupt, "voting_extended on proposal %d (%s) to %d, before its end %d", p.ID, p.Status, e.VotingEnd, p.VotingEnd)
		}
		st.Delete(openKey(p.VotingEnd, p.ID))
		p.VotingEnd, p.Extended = e.VotingEnd, true
		st.Set(openKey(p.VotingEnd, p.ID), []byte{})
		putProposal(st, p)
		return nil

	case *ProposalTallied:
		p, err := mustProposal(st, e.Proposal)
		if err != nil {
			return err
		}
		if p.Status != StatusOpen {
			return ledger.Errorf(ErrWrongStatus, "proposal_tallied on proposal %d, which is %s", p.ID, p.Status)
		}
		st.Delete(openKey(p.VotingEnd, p.ID))
		t := e.Tally
		p.Tally, p.Status, p.DepositHeld = &t, e.Outcome, false
		if e.Outcome == StatusSucceeded {
			p.Deadline = e.Deadline
			st.Set(deadlineKey(p.Deadline, p.ID), []byte{})
		} else if err := addLive(st, p.Proposer, -1); err != nil {
			return err
		}
		putProposal(st, p)
		return nil

	case *ProposalQueued:
		p, err := mustProposal(st, e.Proposal)
		if err != nil {
			return err
		}
		if p.Status != StatusSucceeded {
			return ledger.Errorf(ErrWrongStatus, "proposal_queued on proposal %d, which is %s", p.ID, p.Status)
		}
		st.Delete(deadlineKey(p.Deadline, p.ID))
		p.Status, p.ETA, p.Deadline = StatusQueued, e.ETA, e.Deadline
		st.Set(deadlineKey(p.Deadline, p.ID), []byte{})
		putProposal(st, p)
		return nil

	case *ProposalClosed:
		p, err := mustProposal(st, e.Proposal)
		if err != nil {
			return err
		}
		if p.Status.Terminal() {
			return ledger.Errorf(ErrWrongStatus, "proposal_closed on proposal %d, which is %s", p.ID, p.Status)
		}
		switch p.Status {
		case StatusOpen:
			if e.Status != StatusCanceled {
				return ledger.Errorf(ErrWrongStatus, "open proposal %d cannot become %s", p.ID, e.Status)
			}
			st.Delete(openKey(p.VotingEnd, p.ID))
		case StatusSucceeded, StatusQueued:
			st.Delete(deadlineKey(p.Deadline, p.ID))
		}
		p.Status, p.FailReason, p.DepositHeld = e.Status, e.Reason, false
		putProposal(st, p)
		return addLive(st, p.Proposer, -1)

	case *VotesDelegated:
		cps, err := readCheckpoints(st, e.Delegator)
		if err != nil {
			return err
		}
		if n := len(cps); n > 0 && cps[n-1].height == e.Height {
			cps[n-1].delegate = e.Delegate
		} else if n > 0 && cps[n-1].height > e.Height {
			return ledger.Errorf(ledger.ErrCorrupt, "votes_delegated at height %d after a change at %d", e.Height, cps[n-1].height)
		} else {
			cps = append(cps, checkpoint{height: e.Height, delegate: e.Delegate})
		}
		writeCheckpoints(st, e.Delegator, cps)
		if e.Delegate != "" {
			st.Set(delegatorKey(e.Delegate, e.Delegator), []byte{})
		}
		return nil

	case *PolicySet:
		e2 := ledger.NewEncoder(make([]byte, 0, 34))
		e2.Blob(e.Hash)
		st.Set(policyKey, e2.Bytes())
		return nil

	case *AssetListed:
		if _, ok := st.Get(listingKey(e.Asset)); ok {
			return ledger.Errorf(ErrInvalidProposal, "asset %s is already listed", e.Asset)
		}
		e2 := ledger.NewEncoder(make([]byte, 0, 4))
		e2.Uint(uint64(e.CollateralWeightBps))
		st.Set(listingKey(e.Asset), e2.Bytes())
		return nil
	}
	return ledger.Errorf(ledger.ErrUnknownEvent, "governance cannot apply %s", ev.EventType())
}

func addLive(st *ledger.State, a ledger.AccountID, delta int) error {
	n, err := readUint(st, liveKey(a), "live proposals")
	if err != nil {
		return err
	}
	switch {
	case delta > 0:
		n++
	case n == 0:
		return ledger.Errorf(ledger.ErrCorrupt, "live proposal count of %s would go below zero", a)
	default:
		n--
	}
	if n == 0 {
		st.Delete(liveKey(a))
	} else {
		st.Set(liveKey(a), uvarint(n))
	}
	return nil
}
