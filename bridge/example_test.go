package bridge_test

import (
	"fmt"

	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// Three withdrawals, their root and the proof of the second, as the
// contract checks it.
func Example() {
	vault := bridge.Address{19: 1}
	var leaves []bridge.Hash32
	for n := uint64(1); n <= 3; n++ {
		leaves = append(leaves, bridge.WithdrawalLeaf(1337, vault, n, bridge.Address{19: 0xb0}, bridge.Address{19: 0xaa}, ledger.NewAmount(n*1000)))
	}
	root := bridge.MerkleRoot(leaves)
	proof := bridge.MerkleProof(leaves, 1)
	fmt.Println("siblings:", len(proof))
	fmt.Println("verifies:", bridge.VerifyProof(root, leaves[1], proof))
	fmt.Println("forged amount verifies:", bridge.VerifyProof(root, bridge.WithdrawalLeaf(1337, vault, 2, bridge.Address{19: 0xb0}, bridge.Address{19: 0xaa}, ledger.NewAmount(9999)), proof))
	// Output:
	// siblings: 2
	// verifies: true
	// forged amount verifies: false
}
