package tokenomics_test

import (
	"errors"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// A slash that takes all of a pool's stake of an asset closes the asset's
// positions: their holders get the rewards pending before the slash, their
// units stop earning, and the pool takes the asset again. Such positions
// used to stay: worth nothing, impossible to unstake, still earning, and
// the pool refused the asset for good (pool_wiped).
func TestSlashToZeroClosesPositions(t *testing.T) {
	h := harness(t, badGenesis,
		`{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "10000000"}}`,
		`{"type": "stake", "actor": "bob", "payload": {"pool": "protocol", "asset": "COOP", "amount": "30000000"}}`,
		// A fee: the stakers' part is alice's and bob's to claim.
		`{"type": "transfer", "actor": "bob", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "10000000"}]}}`,
	)
	stake := func(a ledger.AccountID) tokenomics.AccountStake {
		s, err := tokenomics.StakeOf(ledger.NewState(h.Store), "protocol", a)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pending := stake("alice").Pending
	if pending.IsZero() {
		t.Fatal("setup: alice has no rewards pending")
	}
	before := h.Balance(t, "alice", "COOP")
	apply(t, h, h.Time.Add(time.Second), `{"type": "gov_slash", "actor": "bob", "payload": {"pool": "protocol", "bps": 10000}}`)
	if s := stake("alice"); len(s.Positions) != 0 || !s.Pending.IsZero() {
		t.Fatalf("alice after the slash: %+v; want no position and nothing pending", s)
	}
	if got, want := h.Balance(t, "alice", "COOP"), mustAdd(t, before, pending); got != want {
		t.Fatalf("alice holds %s after the slash, want %s (her pending rewards paid)", got, want)
	}
	if pi, err := tokenomics.PoolOf(ledger.NewState(h.Store), "protocol"); err != nil || !pi.Units.IsZero() || len(pi.Assets) != 0 {
		t.Fatalf("the pool after the slash: %+v %v; want no units and no stake recorded", pi, err)
	}
	// The pool takes the asset again, and only the new stake earns.
	apply(t, h, h.Time.Add(time.Second), `{"type": "stake", "actor": "bob", "payload": {"pool": "protocol", "asset": "COOP", "amount": "1000000"}}`)
	apply(t, h, h.Time.Add(time.Second), `{"type": "transfer", "actor": "bob", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "10000000"}]}}`)
	if s := stake("bob"); len(s.Positions) != 1 || s.Positions[0].Value != ledger.NewAmount(1000000) || s.Pending.IsZero() {
		t.Fatalf("bob's new stake: %+v", s)
	}
	b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{cmd(t, h, `{"type": "claim_rewards", "actor": "alice", "payload": {"pool": "protocol"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Results[0].Err(); !errors.Is(err, tokenomics.ErrNothingToClaim) {
		t.Fatalf("alice claims after the slash: %v; want nothing to claim", err)
	}
}

func mustAdd(t *testing.T, a, b ledger.Amount) ledger.Amount {
	t.Helper()
	s, ok := a.Add(b)
	if !ok {
		t.Fatal("overflow")
	}
	return s
}
