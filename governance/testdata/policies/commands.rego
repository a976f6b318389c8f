package coopera.commands

import rego.v1

governed := {"gov_delegate"}

default allow := false

allow if not input.actor in {"mallory"}

deny contains "mallory may not delegate" if input.actor == "mallory"
