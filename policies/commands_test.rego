package coopera.commands_test

import rego.v1

import data.coopera.commands

test_governed_types if {
	commands.governed == {"gov_propose", "gov_delegate"}
}

test_blocked_account_denied if {
	not commands.allow with input as {"actor": "mallory", "command": "gov_propose", "payload": {}}
}

test_others_allowed if {
	commands.allow with input as {"actor": "alice", "command": "gov_delegate", "payload": {"to": "bob"}}
}

test_delegation_needs_a_delegate if {
	not commands.allow with input as {"actor": "alice", "command": "gov_delegate", "payload": {}}
}
