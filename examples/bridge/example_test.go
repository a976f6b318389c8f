package main

import "os"

// The walk-through, checked: (cd examples/bridge && go test .)
func Example() {
	if err := run(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// EVM: deposit 1 of 250 USDC into the vault for alice
	// relayer step 1: EVM head 5, safe 3, seen 1, credited 0
	// relayer step 2: EVM head 6, safe 4, seen 0, credited 0
	// relayer step 3: EVM head 7, safe 5, seen 0, credited 1
	// ledger: alice holds 250 USDC
	// ledger: alice withdraws 100 USDC (withdrawal 1)
	// ledger: alice withdraws 25 USDC (withdrawal 2)
	// anchorer: sealed true, posted anchors [1]
	// proof: withdrawal 1 in anchor 1, 1 siblings
	// EVM: released 100 USDC to the recipient
	// EVM: the same proof again is refused
	// ledger USDC supply 125 = minted 250 - burned 125
	// vault holds 150 USDC = ledger supply 125 + withdrawal 2's 25 not yet released
}
