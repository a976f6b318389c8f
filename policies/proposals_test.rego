package coopera.proposals_test

import rego.v1

import data.coopera.proposals

fee_change(value, current) := {
	"actor": "alice",
	"proposal": {
		"title": "Fee", "description": "Adjust the platform fee a little.", "deposit": "100",
		"kinds": ["parameter_change"],
		"actions": [{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": value, "current": current}],
	},
	"params": {},
}

test_small_fee_change_allowed if {
	proposals.allow with input as fee_change(120, 100)
}

test_fee_above_five_percent_denied if {
	not proposals.allow with input as fee_change(501, 400)
	some msg in proposals.deny with input as fee_change(501, 400)
	contains(msg, "may never exceed 500 bps")
}

test_move_above_half_denied if {
	not proposals.allow with input as fee_change(160, 100)
	some msg in proposals.deny with input as fee_change(160, 100)
	contains(msg, "moves from 100 to 160")
}

test_parameter_change_rules if {
	r := proposals.rules with input as fee_change(120, 100)
	r.quorum_bps == 3340
	r.timelock == "172800s"
}

upgrade(actor) := {
	"actor": actor,
	"proposal": {
		"title": "v2", "description": "Move to the second policy set.", "deposit": "100",
		"kinds": ["policy_upgrade"],
		"actions": [{"kind": "policy_upgrade", "policy_hash": "00"}],
	},
	"params": {},
}

test_only_council_upgrades if {
	proposals.allow with input as upgrade("council")
	not proposals.allow with input as upgrade("alice")
}

test_mixed_kinds_take_the_strictest if {
	inp := {
		"actor": "council",
		"proposal": {
			"title": "Both", "description": "List an asset and upgrade the policy.", "deposit": "0",
			"kinds": ["asset_listing", "policy_upgrade"], "actions": [],
		},
		"params": {},
	}
	r := proposals.rules with input as inp
	r.quorum_bps == 5000
	r.threshold_bps == 6670
	r.veto_bps == 2500
	r.timelock == "604800s"
}

test_big_spend_denied if {
	inp := {
		"actor": "alice",
		"proposal": {
			"title": "Spend", "description": "A very large grant to the grants pool.", "deposit": "0",
			"kinds": ["treasury_spend"],
			"actions": [
				{"kind": "treasury_spend", "to": "grants", "asset": "COOP", "amount": "600000000000"},
				{"kind": "treasury_spend", "to": "grants", "asset": "COOP", "amount": "600000000000"},
			],
		},
		"params": {},
	}
	not proposals.allow with input as inp
}

test_text_needs_no_description if {
	proposals.allow with input as {"actor": "bob", "proposal": {"title": "Hi", "description": "", "deposit": "0", "kinds": ["text"], "actions": []}, "params": {}}
}
