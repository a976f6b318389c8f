package chain_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/simchain"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
)

// A relayer credits a vault deposit on an embedded ledger once the
// deposit's block is one block deep; a second step credits nothing more.
func ExampleRelayer() {
	ctx := context.Background()
	evm, err := simchain.New(ctx, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	defer evm.Sim.Close()
	dir, err := os.MkdirTemp("", "chain-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	policy := sha256.Sum256([]byte("none"))
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "ex", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 6}], "accounts": [{"id": "alice"}, {"id": "relayer"}],
	 "params": {"governance": {"policy_hash": %q}, "bridge": {"chain_id": %d, "vault": %q, "relayers": ["relayer"],
	   "tokens": [{"asset": "USDC", "contract": %q}]}}}`,
		hex.EncodeToString(policy[:]), simchain.ChainID, bridge.Address(evm.Vault), bridge.Address(evm.Token))))
	if err != nil {
		panic(err)
	}
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g, Modules: economy.Modules()})
	if err != nil {
		panic(err)
	}
	defer eng.Close()

	if _, err := evm.Deposit(ctx, "alice", big.NewInt(42_000)); err != nil {
		panic(err)
	}
	r, err := chain.NewRelayer(chain.RelayerOptions{EVM: evm.Client, ChainID: simchain.ChainID, Vault: evm.Vault,
		Ledger: eng, Actor: "relayer", LedgerChainID: "ex", Confirmations: 1})
	if err != nil {
		panic(err)
	}
	for range 3 {
		res, err := r.Step(ctx)
		if err != nil {
			panic(err)
		}
		fmt.Printf("seen %d credited %d\n", res.Seen, res.Credited)
		evm.Commit(1)
	}
	bal, _ := eng.Balance(ctx, "alice", "USDC")
	fmt.Println("alice:", bal.Format(6), "USDC")
	// Output:
	// seen 1 credited 0
	// seen 0 credited 1
	// seen 0 credited 0
	// alice: 0.042 USDC
}
