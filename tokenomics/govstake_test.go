package tokenomics_test

import (
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// "Staked since" is the average age of an account's protocol-pool units:
// topping up a year-old dust stake does not give the new units a year
// (the governance audit: 1 COOP staked a year ago and 299 more today
// counted the full duration bonus on all 300).
func TestTopUpDoesNotAgeNewStake(t *testing.T) {
	h := harness(t, badGenesis, `{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "1000000"}}`)
	_, staked, err := tokenomics.ProtocolStakeAt(ledger.NewState(h.Store), "alice", h.Height)
	if err != nil || staked == 0 {
		t.Fatalf("after the first stake: since %d, %v", staked, err)
	}
	year := 365 * 24 * time.Hour
	apply(t, h, h.Time.Add(year), `{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "29000000"}}`)
	units, since, err := tokenomics.ProtocolStakeAt(ledger.NewState(h.Store), "alice", h.Height)
	if err != nil {
		t.Fatal(err)
	}
	// 1 of 30 units is a year old: the average age is a year / 30.
	age := time.Duration(h.Time.UnixNano() - since)
	if units != ledger.NewAmount(30000000) || age < year/30-time.Second || age > year/30+time.Second {
		t.Fatalf("after the top-up: %s units, age %s; want 30000000 units of age %s", units, age, year/30)
	}
}
