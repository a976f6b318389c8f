package tokenomics_test

import (
	"strings"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// TestTransferIntoBookedByRules: a transfer into the stake account is
// refused under either rules, but a block decided by ledger.RulesV1 (below
// StepOptions.RulesFrom) is refused as the builds before RulesV2 refused
// it, by tokenomics with its message, so that a follower re-executes it
// to the same block; from RulesV2 on the accounts module refuses it.
func TestTransferIntoBookedByRules(t *testing.T) {
	m, err := ledger.NewMachine(tokenomics.Module{}, govStub{})
	if err != nil {
		t.Fatal(err)
	}
	g := ledgertest.ParseGenesis(t, badGenesis)
	for _, tc := range []struct {
		from uint64
		msg  string
	}{
		{5, "holds what the tokenomics records say"},
		{0, "is booked by module tokenomics"},
	} {
		c := ledgertest.NewChain(t, m, ledger.StepOptions{RulesFrom: tc.from}, g)
		b := c.Next(t, &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: tokenomics.StakeAccount, Asset: "COOP", Amount: ledger.NewAmount(7)}}}})
		if r := b.Results[0]; r.Code != ledger.ErrUnauthorized.Code || !strings.Contains(r.Msg, tc.msg) {
			t.Errorf("RulesFrom %d: %+v, want unauthorized saying %q", tc.from, r, tc.msg)
		}
	}
}
