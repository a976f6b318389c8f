package simchain_test

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"

	"github.com/coopera/coopera/adapters/chain/simchain"
)

// Two deposits into the vault of a fresh simulated chain.
func Example() {
	ctx := context.Background()
	c, err := simchain.New(ctx, big.NewInt(1_000))
	if err != nil {
		panic(err)
	}
	defer c.Sim.Close()
	for _, amt := range []int64{300, 200} {
		if _, err := c.Deposit(ctx, "alice", big.NewInt(amt)); err != nil {
			panic(err)
		}
	}
	n, _ := bind.Call(c.VaultABI.Instance(c.Client, c.Vault), nil, c.VaultABI.PackDepositCount(), c.VaultABI.UnpackDepositCount)
	vault, _ := c.TokenBalance(c.Vault)
	user, _ := c.TokenBalance(simchain.Addr(c.User))
	fmt.Println("deposits:", n, "vault:", vault, "user:", user)
	// Output:
	// deposits: 2 vault: 500 user: 500
}
