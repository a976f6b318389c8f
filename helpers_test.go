package coopera_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

const testGenesisJSON = `{
  "chain_id": "test",
  "genesis_time": "2026-01-01T00:00:00Z",
  "epoch_length": "1h",
  "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 6}],
  "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "carol"}],
  "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000"},
                  {"account": "bob", "asset": "USDC", "amount": "5000000"}]
}`

func testGenesis(t testing.TB) *ledger.Genesis {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(testGenesisJSON))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// stepClock advances one millisecond per reading, from genesis time.
func stepClock() func() time.Time {
	var n atomic.Int64
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

func openTest(t testing.TB, dir string, mod ...func(*coopera.Options)) *coopera.Engine {
	t.Helper()
	o := &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), CheckInvariants: true}
	for _, m := range mod {
		m(o)
	}
	e, err := coopera.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func transfer(from, to ledger.AccountID, asset ledger.AssetID, amt uint64) *ledger.Command {
	return &ledger.Command{Actor: from, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: to, Asset: asset, Amount: ledger.NewAmount(amt)}}}}
}

func balance(t testing.TB, e *coopera.Engine, a ledger.AccountID, asset ledger.AssetID) uint64 {
	t.Helper()
	v, err := e.Balance(context.Background(), a, asset)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := v.Uint64()
	if !ok {
		t.Fatalf("balance %s does not fit uint64", v)
	}
	return u
}

func mustVerify(t testing.TB, e *coopera.Engine) *coopera.VerifyReport {
	t.Helper()
	rep, err := e.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

// checkFor polls cond until it returns nil or the timeout passes.
func checkFor(t testing.TB, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = cond(); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("after %v: %v", timeout, err)
}

type timeT = time.Time

const (
	hour   = time.Hour
	minute = time.Minute
)
