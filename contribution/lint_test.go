package contribution_test

import (
	"testing"

	"github.com/coopera/coopera/ledger/ledgertest"
)

func TestReducerIsPure(t *testing.T) { ledgertest.CheckPure(t, ".") }
