# The upgraded test policy: fee bounds tighten to 2%.
package coopera.proposals

import rego.v1

default allow := false

allow if count(deny) == 0

deny contains msg if {
	some a in input.proposal.actions
	a.kind == "parameter_change"
	a.name == "fee_bps"
	a.value > 200
	msg := sprintf("%s.fee_bps may never exceed 200 bps (2%%) since the upgrade; the proposal sets %v", [a.module, a.value])
}
