# Test policy for the golden files. Do not edit without rewriting them:
# its hash is in their genesis and state roots.
package coopera.proposals

import rego.v1

default allow := false

allow if count(deny) == 0

deny contains msg if {
	some a in input.proposal.actions
	a.kind == "parameter_change"
	a.name == "fee_bps"
	a.value > 500
	msg := sprintf("%s.fee_bps may never exceed 500 bps (5%%); the proposal sets %v", [a.module, a.value])
}

deny contains msg if {
	some a in input.proposal.actions
	a.kind == "parameter_change"
	is_number(a.value)
	is_number(a.current)
	a.current > 0
	abs(a.value - a.current) * 10000 > 5000 * a.current
	msg := sprintf("%s.%s moves from %v to %v: more than 50%% in one proposal", [a.module, a.name, a.current, a.value])
}

deny contains "only council may propose a policy upgrade" if {
	"policy_upgrade" in input.proposal.kinds
	input.actor != "council"
}

default rules := {}

rules := {"quorum_bps": 5000, "threshold_bps": 6670, "timelock": "2h"} if "policy_upgrade" in input.proposal.kinds
