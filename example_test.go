package coopera_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

func Example() {
	dir, _ := os.MkdirTemp("", "coopera-example")
	defer os.RemoveAll(dir)

	genesis, _ := ledger.ParseGenesis([]byte(`{
	  "chain_id": "example",
	  "genesis_time": "2026-01-01T00:00:00Z",
	  "epoch_length": "24h",
	  "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "alice"}, {"id": "bob"}],
	  "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000"}]
	}`))
	// A fixed clock keeps the example's hashes the same on every run.
	clock := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC) }
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: genesis, Clock: clock})
	if err != nil {
		panic(err)
	}
	defer eng.Close()

	ctx := context.Background()
	cmd, err := eng.ParseCommand([]byte(`{"type": "transfer", "actor": "alice", "key": "invoice-1",
	  "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "2500000"}]}}`))
	if err != nil {
		panic(err)
	}
	rc, err := eng.Submit(ctx, cmd)
	if err != nil {
		panic(err)
	}
	fmt.Println("height", rc.Height)
	for _, b := range rc.Balances {
		fmt.Println(b.Account, b.Amount.Format(6), b.Asset)
	}

	// The same idempotency key and content: answered, not applied again.
	again, _ := eng.Submit(ctx, cmd)
	fmt.Println("duplicate", again.Duplicate, "height", again.Height)

	// Overdrafts are rejected with a typed error and change nothing.
	over, _ := eng.ParseCommand([]byte(`{"type": "transfer", "actor": "bob",
	  "payload": {"legs": [{"to": "alice", "asset": "COOP", "amount": "999999999"}]}}`))
	_, err = eng.Submit(ctx, over)
	fmt.Println(err)

	rep, err := eng.Verify(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("verified blocks", rep.Blocks)
	// Output:
	// height 1
	// alice 997.5 COOP
	// bob 2.5 COOP
	// duplicate true height 1
	// coopera: insufficient_funds: account bob has 2500000 base units of COOP, needs 999999999
	// verified blocks 3
}
