package bridge_test

import (
	"testing"

	"github.com/coopera/coopera/ledger/ledgertest"
)

func TestPure(t *testing.T) { ledgertest.CheckPure(t, ".") }
