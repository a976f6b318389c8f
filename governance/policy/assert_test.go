package policy_test

import (
	"github.com/coopera/coopera"
	"github.com/coopera/coopera/governance/policy"
)

// The admitter plugs into the engine (coopera.Options.Admitters). The
// assertion lives in a test so that the package does not import the
// engine, its storage and replication for one line.
var _ coopera.Admitter = (*policy.Admitter)(nil)
