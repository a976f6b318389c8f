package submit_test

import (
	"context"
	"fmt"
	"os"

	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// An adapter's observation, keyed by its source's round, signed, queued
// and flushed into an embedded engine twice: the second time the ledger
// answers with the first receipt.
func Example() {
	dir, _ := os.MkdirTemp("", "submit-example")
	defer os.RemoveAll(dir)
	eng, _, err := adaptertest.Open(dir, `{"chain_id": "example", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	  "require_signatures": true, "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "feed", "public_key": "`+adaptertest.PublicHex("feed")+`"}],
	  "params": {"tokenomics": {"oracle_feeds": ["feed"]}}}`)
	if err != nil {
		panic(err)
	}
	defer eng.Close()

	signer := &submit.Signer{Actor: "feed", PrivateKey: adaptertest.Key("feed"), ChainID: eng.ChainID()}
	key := submit.Key("feed", "chainlink:coop-usd", "18446744073709564961")
	cmd := signer.CommandAt(key, &tokenomics.ObservePrice{Price: ledger.NewAmount(123_456)}, 1_767_229_200_000_000)
	fmt.Println(key, cmd.Nonce)

	q := submit.NewQueue(eng, 0)
	for range 2 {
		q.Add(cmd)
		res, err := q.Flush(context.Background())
		fmt.Printf("applied %d, duplicates %d, rejected %d, err %v\n", res.Applied, res.Duplicates, len(res.Rejected), err)
	}
	// Output:
	// feed:e5df115853a308ad0c8f56299364cede 1767229200000000
	// applied 1, duplicates 0, rejected 0, err <nil>
	// applied 0, duplicates 1, rejected 0, err <nil>
}
