package api_test

import (
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// testGenesis is a chain of two assets and three accounts; alice holds
// everything. Commands need no signatures unless signed is set.
func testGenesis(signed bool) string {
	req := "false"
	if signed {
		req = "true"
	}
	return `{
  "chain_id": "api-test",
  "genesis_time": "2026-01-01T00:00:00Z",
  "epoch_length": "87600h",
  "require_signatures": ` + req + `,
  "assets": [
    {"id": "COOP", "name": "Coopera", "decimals": 6},
    {"id": "USD", "name": "US dollar", "decimals": 2}
  ],
  "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "carol"}],
  "allocations": [
    {"account": "alice", "asset": "COOP", "amount": "1000000000000"},
    {"account": "alice", "asset": "USD", "amount": "50000"}
  ]
}`
}

// openEngine opens a new ledger from testGenesis in a temporary directory.
func openEngine(t testing.TB, signed bool) *coopera.Engine {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(testGenesis(signed)))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}
