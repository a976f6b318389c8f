# METADATA
# title: Who may submit which commands
# description: |
#   The engine evaluates data.coopera.commands for commands of the types
#   listed in governed, with input = {"actor", "command", "payload"};
#   commands of other types (transfers, for example) are never slowed
#   down by a policy.
package coopera.commands

import rego.v1

# The command types this policy decides. It must not depend on input.
governed := {"gov_propose", "gov_delegate"}

# Accounts barred from proposing and delegating.
blocked := {"mallory"}

default allow := false

allow if count(deny) == 0

deny contains msg if {
	input.actor in blocked
	msg := sprintf("%s may not submit %s", [input.actor, input.command])
}

deny contains "a delegation must name a delegate or \"\"" if {
	input.command == "gov_delegate"
	not is_string(object.get(input.payload, "to", null))
}
