package governance_test

import (
	"bytes"
	"testing"

	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
)

// FuzzProposalActions: a gov_propose payload (its actions above all) as a
// client posts it is parsed strictly and validated, or refused with an
// error, never a panic; an accepted one round-trips through the binary
// encoding, names its action kinds, and carries no decision (only the
// admitter writes one). `go test` runs the seeds (and testdata/fuzz); fuzz
// longer with
//
//	go test ./governance -run '^$' -fuzz FuzzProposalActions -fuzztime 10m
func FuzzProposalActions(f *testing.F) {
	for _, s := range []string{
		`{"title": "t", "description": "d", "deposit": "1000000"}`,
		`{"title": "Fee", "deposit": "1", "actions": [{"kind": "parameter_change", "module": "tokenomics", "name": "fee_bps", "value": 120}]}`,
		`{"title": "Pay", "deposit": "1", "actions": [{"kind": "treasury_spend", "to": "bob", "asset": "COOP", "amount": "1000"}]}`,
		`{"title": "List", "deposit": "1", "actions": [{"kind": "asset_listing", "asset": "USDC", "decimals": 6}]}`,
		`{"title": "Up", "deposit": "1", "actions": [{"kind": "policy_upgrade", "policy_hash": "00"}]}`,
		`{"title": "Both", "deposit": "1", "actions": [{"kind": "parameter_change", "module": "governance", "name": "voting_period", "value": "48h"}, {"kind": "treasury_spend", "to": "bob", "asset": "COOP", "amount": "1"}]}`,
		`{"title": "t", "deposit": "1", "decision": {"allowed": true, "policy_hash": "00"}}`,
		`{"title": "t", "deposit": "1", "actions": [{"kind": "parameter_change", "value": {"a": [1, 2, {"b": null}]}}]}`,
	} {
		f.Add([]byte(s))
	}
	m, err := ledger.NewMachine(economy.Modules()...)
	if err != nil {
		f.Fatal(err)
	}
	reg := m.Registry()
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := reg.ParseCommandJSON([]byte(`{"type": "gov_propose", "actor": "alice", "payload": ` + string(payload) + `}`))
		if err != nil {
			return
		}
		p, ok := c.Payload.(*governance.Propose)
		if !ok {
			t.Fatalf("a gov_propose parses to %T", c.Payload)
		}
		c.ClearAnnotations()
		if p.Decision != nil {
			t.Fatal("a cleared proposal keeps a client's decision")
		}
		if err := p.Validate(); err != nil {
			return
		}
		_ = governance.Kinds(p.Actions)
		back, err := reg.DecodeCommand(ledger.EncodeCommand(c))
		if err != nil {
			t.Fatalf("an accepted proposal does not decode from its own encoding: %v", err)
		}
		if !bytes.Equal(ledger.EncodeCommand(back), ledger.EncodeCommand(c)) {
			t.Fatal("an accepted proposal does not round-trip")
		}
	})
}
