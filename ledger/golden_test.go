package ledger_test

import (
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// TestGolden runs the datadriven files in testdata/ against the built-in
// modules (and the test-only faucet for mint and burn). Rewrite the
// expected output with: go test ./ledger -run TestGolden -rewrite
func TestGolden(t *testing.T) {
	for _, f := range []string{"testdata/accounts.txt", "testdata/epochs.txt"} {
		t.Run(f, func(t *testing.T) {
			ledgertest.Run(t, f, []ledger.Module{ledgertest.Faucet{}}, nil)
		})
	}
}
