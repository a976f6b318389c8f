package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Create a ledger from a genesis file, submit a transfer, read a balance
// and see an overdraft rejected, as the commands do from a shell.
func Example() {
	tmp, _ := os.MkdirTemp("", "coopera-cli-example")
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "ledger")

	// Their output holds hashes and times, which differ on every run.
	run([]string{"init", "-genesis", "testdata/genesis.json", dir}, io.Discard, os.Stderr)
	run([]string{"submit", dir, "testdata/transfer.json"}, io.Discard, os.Stderr)

	run([]string{"balance", dir, "bob"}, os.Stdout, os.Stderr)
	code := run([]string{"submit", dir, "testdata/overdraft.json"}, io.Discard, os.Stdout)
	fmt.Println("exit status", code)
	// Output:
	// bob  2.5 COOP  (2500000 base units)
	// bob  12.5 USD  (1250 base units)
	// coopera: command rejected: insufficient_funds: account bob has 2500000 base units of COOP, needs 999000000000
	// exit status 1
}
