package bridge_test

import (
	"fmt"
	"testing"

	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// TestRefusedDepositKeepsItsNonce: a relayer's command nonce is the
// deposit's, so a refused deposit must not use it (bridge.Deposit is
// ledger.OnceOnly, credited once by its own record): after a refusal the
// relayer can still submit its command with that nonce. A refused
// withdrawal, which nothing else makes once-only, uses its nonce.
func TestRefusedDepositKeepsItsNonce(t *testing.T) {
	h := ledgertest.Start(t, propGenesis, bridge.Module{})
	parse := func(js string) *ledger.Command {
		t.Helper()
		c, err := h.M.Registry().ParseCommandJSON([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	deposit := func(token string) *ledger.Command {
		return parse(fmt.Sprintf(`{"type": "bridge_deposit", "actor": "relayer", "nonce": 7, "payload": {"chain_id": 5, "contract": "0x0000000000000000000000000000000000000001", "nonce": 7, "token": %q, "from": "0x00000000000000000000000000000000000000f1", "to": "a", "amount": "100"}}`, token))
	}
	next := func(c *ledger.Command) ledger.Result {
		t.Helper()
		h.Time = h.Time.Add(1)
		b, err := h.Next(h.Time, []*ledger.Command{c})
		if err != nil {
			t.Fatal(err)
		}
		return b.Results[0]
	}
	// An unmapped token: refused after the nonce check, with no event.
	if r := next(deposit("0x00000000000000000000000000000000000000bb")); r.Code == "" || r.Events != 0 {
		t.Fatalf("a deposit of an unmapped token: %+v, want a rejection with no event", r)
	}
	if last, err := ledger.LastNonce(h, "relayer"); err != nil || last != 0 {
		t.Fatalf("the relayer's last nonce %d (%v) after a refused deposit, want 0", last, err)
	}
	if r := next(deposit("0x00000000000000000000000000000000000000aa")); r.Code != "" {
		t.Fatalf("the relayer's command with nonce 7 after the refusal: %v", r.Err())
	}
	// A refused withdrawal (over a's balance) uses its nonce.
	w := parse(`{"type": "bridge_withdraw", "actor": "a", "nonce": 3, "payload": {"asset": "USDC", "recipient": "0x0000000000000000000000000000000000000b0b", "amount": "1000"}}`)
	if r := next(w); r.Code == "" || r.Events != 1 {
		t.Fatalf("an overdrawn withdrawal: %+v, want a rejection with its nonce's use", r)
	}
	if last, err := ledger.LastNonce(h, "a"); err != nil || last != 3 {
		t.Fatalf("a's last nonce %d (%v) after a refused withdrawal, want 3", last, err)
	}
}
