# METADATA
# title: Proposal admission and pass rules
# description: |
#   The engine evaluates data.coopera.proposals for every gov_propose
#   command, with input = {"actor", "proposal", "params"} (see
#   governance/README.md), and records the decision in the command.
#   allow must be true and deny empty for the proposal to be admitted;
#   rules (optional) sets the pass rules for the proposal's kind.
package coopera.proposals

import rego.v1

# Accounts that may propose policy upgrades.
council := {"council"}

# A fee parameter (any parameter whose name ends in fee_bps) may never
# exceed 5%.
max_fee_bps := 500

# No numeric parameter moves by more than half of its current value in
# one proposal.
max_move_bps := 5000

# A treasury spend proposal may spend at most this many base units in all.
max_spend := 1000000000000

default allow := false

allow if count(deny) == 0

deny contains msg if {
	some a in input.proposal.actions
	a.kind == "parameter_change"
	endswith(a.name, "fee_bps")
	is_number(a.value)
	a.value > max_fee_bps
	msg := sprintf("%s.%s may never exceed %d bps; the proposal sets %v", [a.module, a.name, max_fee_bps, a.value])
}

deny contains msg if {
	some a in input.proposal.actions
	a.kind == "parameter_change"
	is_number(a.value)
	is_number(a.current)
	a.current != 0
	abs(a.value - a.current) * 10000 > max_move_bps * abs(a.current)
	msg := sprintf("%s.%s moves from %v to %v, more than %d bps of its value in one proposal", [a.module, a.name, a.current, a.value, max_move_bps])
}

deny contains msg if {
	total := sum([to_number(a.amount) | some a in input.proposal.actions; a.kind == "treasury_spend"])
	total > max_spend
	msg := sprintf("the proposal spends %d base units from the treasury; at most %d per proposal", [total, max_spend])
}

deny contains msg if {
	"policy_upgrade" in input.proposal.kinds
	not input.actor in council
	msg := sprintf("only %v may propose a policy upgrade, not %s", [council, input.actor])
}

deny contains "a proposal needs a description of at least 20 characters" if {
	count(input.proposal.actions) > 0
	count(input.proposal.description) < 20
}

# Pass rules per kind. A proposal with actions of several kinds takes the
# strictest: the highest quorum and threshold, the lowest veto, the
# longest timelock. Kinds not listed keep the module parameters.
kind_rules := {
	"text": {"quorum_bps": 3340, "threshold_bps": 5000, "veto_bps": 3340, "timelock_s": 0},
	"parameter_change": {"quorum_bps": 3340, "threshold_bps": 5000, "veto_bps": 3340, "timelock_s": 172800},
	"treasury_spend": {"quorum_bps": 4000, "threshold_bps": 5000, "veto_bps": 3340, "timelock_s": 172800},
	"asset_listing": {"quorum_bps": 4000, "threshold_bps": 6670, "veto_bps": 3340, "timelock_s": 172800},
	"policy_upgrade": {"quorum_bps": 5000, "threshold_bps": 6670, "veto_bps": 2500, "timelock_s": 604800},
}

known := [kind_rules[k] | some k in input.proposal.kinds; kind_rules[k]]

rules := {
	"quorum_bps": max([r.quorum_bps | some r in known]),
	"threshold_bps": max([r.threshold_bps | some r in known]),
	"veto_bps": min([r.veto_bps | some r in known]),
	"timelock": sprintf("%ds", [max([r.timelock_s | some r in known])]),
} if count(known) > 0
