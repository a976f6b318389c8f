package adaptertest_test

import (
	"fmt"
	"os"

	"github.com/coopera/coopera/adapters/internal/adaptertest"
)

// Open creates the standard economy from a genesis; governance's params
// are filled in when the genesis has none.
func Example() {
	dir, _ := os.MkdirTemp("", "adaptertest")
	defer os.RemoveAll(dir)
	eng, clock, err := adaptertest.Open(dir, `{"chain_id": "t", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	  "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "meter", "public_key": "`+adaptertest.PublicHex("meter")+`"}]}`)
	if err != nil {
		panic(err)
	}
	defer eng.Close()
	fmt.Println(eng.ChainID(), eng.Head().Height, clock.Time().Format("15:04:05"))
	fmt.Println(len(adaptertest.Key("meter")), adaptertest.PublicHex("meter")[:16])
	// Output:
	// t 0 00:00:01
	// 64 2ffb3fdc74101168
}
