package governance_test

import (
	"testing"

	"github.com/coopera/coopera/ledger/ledgertest"
)

// TestReducersArePure applies the core's purity lint (ledgertest.CheckPure:
// no clock, randomness, I/O, floats, goroutines or map-order iteration) to
// the pure governance packages, and keeps the shell out of them: policy
// evaluation (OPA, governance/policy) and the engine.
func TestReducersArePure(t *testing.T) {
	for _, dir := range []string{".", "govtest"} {
		ledgertest.CheckPure(t, dir,
			"github.com/open-policy-agent/opa/v1/ast",
			"github.com/coopera/coopera/governance/policy",
			"github.com/coopera/coopera")
	}
}
