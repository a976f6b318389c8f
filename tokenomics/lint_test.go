package tokenomics_test

import (
	"testing"

	"github.com/coopera/coopera/ledger/ledgertest"
)

// TestReducerIsPure applies the core's purity lint (ledgertest.CheckPure):
// no clock, randomness, I/O, logging, synchronisation, floats, goroutines
// or map-order iteration in this reducer package.
func TestReducerIsPure(t *testing.T) { ledgertest.CheckPure(t, ".") }
