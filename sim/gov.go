package sim

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/coopera/coopera/sim/scenario"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// Governance in a simulation. A parameter change scheduled with
// "via: governance" is proposed by the operator account at its epoch, voted
// on by the staker populations' agents while voting is open, tallied at
// the first epoch close after voting ends, then queued and executed by the
// operator as soon as the governance rules let it; the change takes effect from the block after execution, exactly as
// on a real ledger. The policy set is a permissive one embedded here
// (allow every proposal), evaluated by the same policy admitter the engine
// runs, so proposals carry a real decision.
//
// Voting power comes from the standard economy's stake source
// (economy.GovernanceStake: the tokenomics protocol pool's checkpoints at
// the proposal's snapshot). Voters are the agents that had protocol-pool
// units at the snapshot.

// simPolicy is the embedded policy set: every proposal is admitted, with
// the governance parameters' own rules.
const simPolicy = `package coopera.proposals

import rego.v1

default allow := true
`

var (
	simPolicyOnce sync.Once
	simPolicySet  *policy.Set
	simPolicyErr  error
)

func loadSimPolicy() (*policy.Set, error) {
	simPolicyOnce.Do(func() {
		simPolicySet, simPolicyErr = policy.Compile(context.Background(), []policy.File{{Name: "sim.rego", Src: []byte(simPolicy)}}, "sim")
	})
	return simPolicySet, simPolicyErr
}

type govSetup struct {
	set     *policy.Set
	admOnce sync.Once // runs share one admitter; they start in parallel
	adm     *policy.Admitter
	admErr  error
}

func newGovSetup(c *compiled, params *yaml.Node, bad func(path, format string, args ...any)) *govSetup {
	set, err := loadSimPolicy()
	if err != nil {
		bad("modules", "the simulator's governance policy does not load: %v", err)
		return nil
	}
	gp := mapValue(params, "governance")
	if gp == nil {
		gp = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "governance"}, gp)
	}
	if gp.Kind != yaml.MappingNode {
		if !scenario.IsNull(gp) {
			bad("genesis.params.governance", "want a mapping of parameters, got %s", scenario.Describe(gp))
			return nil
		}
		*gp = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	if mapValue(gp, "policy_hash") != nil {
		bad("genesis.params.governance.policy_hash", "is set by the simulator (its embedded policy admits every proposal); remove it")
		return nil
	}
	gp.Content = append(gp.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "policy_hash"},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: set.HashHex()})
	return &govSetup{set: set}
}

func (g *govSetup) module() ledger.Module { return governance.New(economy.GovernanceStake{}) }

// admitter returns the policy admitter for the chain's modules.
func (g *govSetup) admitter(mods []ledger.Module) (*policy.Admitter, error) {
	g.admOnce.Do(func() {
		g.adm, g.admErr = policy.NewAdmitter(policy.NewLibrary(g.set), mods...)
	})
	return g.adm, g.admErr
}

// proposalRun follows one governance parameter change through a run.
type proposalRun struct {
	ev      *EventSpec
	id      uint64 // 0 until proposed
	done    bool
	voted   map[ledger.AccountID]bool // the agents that drew their turnout, voting or not
	outcome string
}

// govCommands returns the operator's governance commands for the start of
// an epoch (proposals due, queues and executions), admitted by the policy
// admitter. Tallies need none: the epoch close that comes first in the
// same block tallies every proposal whose voting has ended.
func (r *run) govCommands() ([]*ledger.Command, error) {
	var out []*ledger.Command
	g := r.getter()
	for _, pr := range r.proposals {
		if pr.done {
			continue
		}
		if pr.id == 0 {
			if r.epoch != pr.ev.At {
				continue
			}
			pe := pr.ev.Params
			var vb strings.Builder
			var p scenario.Problems
			if !scenario.NodeJSON(&p, &pe.Value, "value", &vb) {
				return nil, fmt.Errorf("sim: events: parameter value: %v", p.Err())
			}
			prop := &governance.Propose{
				Title:   fmt.Sprintf("sim: %s.%s = %s", pe.Module, pe.Name, vb.String()),
				Actions: []governance.Action{{Kind: governance.ParameterChange, Module: pe.Module, Name: pe.Name, Value: json.RawMessage(vb.String())}},
			}
			cmd := &ledger.Command{Actor: OperatorAccount, Payload: prop}
			if err := r.gov.Admit(context.Background(), g, cmd); err != nil {
				pr.done, pr.outcome = true, "refused: "+err.Error()
				continue
			}
			id, err := governance.NextID(g)
			if err != nil {
				return nil, err
			}
			// IDs are assigned in order within the block.
			id += uint64(countType(out, governance.CmdPropose))
			pr.id, pr.voted = id, map[ledger.AccountID]bool{}
			out = append(out, cmd)
			continue
		}
		p, ok, err := governance.GetProposal(g, pr.id)
		if err != nil {
			return nil, err
		}
		if !ok {
			pr.done, pr.outcome = true, "not created"
			continue
		}
		ref := governance.ProposalRef{Proposal: pr.id}
		switch st := p.StatusAt(r.blockTime); {
		case st.Terminal():
			pr.done, pr.outcome = true, st.String()
		case st == governance.StatusSucceeded:
			out = append(out, &ledger.Command{Actor: OperatorAccount, Payload: &governance.Queue{ProposalRef: ref}})
		case st == governance.StatusQueued && r.blockTime >= p.ETA:
			out = append(out, &ledger.Command{Actor: OperatorAccount, Payload: &governance.Execute{ProposalRef: ref}})
		}
	}
	return out, nil
}

func countType(cmds []*ledger.Command, typ string) int {
	n := 0
	for _, c := range cmds {
		if c.Payload.Type() == typ {
			n++
		}
	}
	return n
}

// govVotes returns the votes cast this epoch on open proposals: each agent
// of the voting populations with stake votes once, with probability
// turnout, yes with probability support.
func (r *run) govVotes(t int64) ([]*ledger.Command, error) {
	var out []*ledger.Command
	g := r.getter()
	for _, pr := range r.proposals {
		if pr.done || pr.id == 0 {
			continue
		}
		p, ok, err := governance.GetProposal(g, pr.id)
		if err != nil {
			return nil, err
		}
		if !ok || p.StatusAt(t) != governance.StatusActive || t >= p.VotingEnd {
			continue
		}
		pe := pr.ev.Params
		for _, pop := range r.pops {
			if !votes(pe, pop.spec) {
				continue
			}
			for _, acct := range pop.spec.accounts {
				if pr.voted[acct] {
					continue
				}
				// Each agent decides once per proposal whether it turns
				// out: a draw each epoch of the vote would make turnout
				// 1 - (1 - turnout)^epochs.
				pr.voted[acct] = true
				if !r.govRand.Chance(orOne(pe.Turnout)) {
					continue
				}
				stake, _, err := tokenomics.ProtocolStakeAt(g, acct, p.SnapshotHeight)
				if err != nil {
					return nil, err
				}
				if stake.IsZero() {
					continue
				}
				opt := governance.No
				if r.govRand.Chance(orOne(pe.Support)) {
					opt = governance.Yes
				}
				out = append(out, &ledger.Command{Actor: acct, Payload: &governance.Vote{Proposal: pr.id, Option: &opt}})
			}
		}
	}
	return out, nil
}

// orOne returns *d, or 1 when d is nil (a vote's default turnout and
// support).
func orOne(d *Dec) Dec {
	if d == nil {
		return One
	}
	return *d
}

// votes reports whether a population's agents vote on a proposal.
func votes(pe *ParamEvent, ps *popSpec) bool {
	if len(pe.Voters) == 0 {
		return ps.behaviour == "staker"
	}
	for _, v := range pe.Voters {
		if v == ps.pop.Name {
			return true
		}
	}
	return false
}

// PolicyHash returns the hash of the simulator's embedded governance
// policy set, which genesis names as governance.policy_hash.
func PolicyHash() (string, error) {
	s, err := loadSimPolicy()
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(s.Hash()), nil
}
