package main

// coopera init: create a ledger from a genesis file.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/coopera/coopera/ledger"
)

var cmdInit = &command{
	name:     "init",
	synopsis: "-genesis FILE DIR | -example-genesis",
	summary:  "create a ledger in a new directory from a genesis file",
	help: `Init creates a ledger in DIR, which must not exist or be empty, from the
genesis JSON FILE: the chain's identity, assets, accounts and allocations
(amounts are strings of base units). The genesis is checked in full before
anything is written.

With -example-genesis it prints an example genesis file instead, whose
genesis_time is today (UTC midnight), to edit and pass to -genesis.`,
	run: runInit,
}

func runInit(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	file := f.fs.String("genesis", "", "the genesis JSON `FILE`")
	example := f.fs.Bool("example-genesis", false, "print an example genesis file and exit")
	pos, code, done := c.parse(cmd, f, args, 0, 1)
	if done {
		return code
	}
	if *example {
		if len(pos) > 0 || *file != "" {
			return c.usageError(cmd, f.fs, "-example-genesis takes no other argument")
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		fmt.Fprint(c.stdout, exampleGenesis("coopera-local", today))
		return exitOK
	}
	if *file == "" || len(pos) != 1 {
		return c.usageError(cmd, f.fs, "init needs -genesis FILE and a directory")
	}
	dir := pos[0]
	data, err := os.ReadFile(*file)
	if err != nil {
		return c.failInput(err)
	}
	g, err := ledger.ParseGenesis(data)
	if err == nil {
		err = checkGenesis(g)
	}
	if err != nil {
		return c.failInput(fmt.Errorf("%s: %s", *file, errText(err)))
	}
	eng, err := createLedger(dir, g)
	if err != nil {
		return c.fail(err)
	}
	h := eng.Head()
	if err := eng.Close(); err != nil {
		return c.fail(err)
	}
	if f.json {
		return c.writeJSON(map[string]any{
			"dir": dir, "chain_id": g.ChainID, "height": h.Height,
			"hash": h.Hash, "state_root": h.StateRoot,
			"assets": len(g.Assets), "accounts": len(g.Accounts),
		})
	}
	fmt.Fprintf(c.stdout, "created ledger %q in %s: %d assets, %d accounts\n", g.ChainID, dir, len(g.Assets), len(g.Accounts))
	fmt.Fprintf(c.stdout, "  genesis block  %s\n  state root     %s\n", h.Hash, h.StateRoot)
	fmt.Fprintf(c.stdout, "next: coopera submit %s COMMAND.json  (coopera submit -example shows one)\n", dir)
	return exitOK
}

func (c *cli) usageError(cmd *command, fs *flag.FlagSet, msg string) int {
	fmt.Fprintf(c.stderr, "coopera: %s: %s\n\n", cmd.name, msg)
	c.commandUsage(c.stderr, cmd, fs)
	return exitUsage
}

// checkGenesis builds the genesis block in memory, which runs every check
// (the modules' too) without touching the disk.
func checkGenesis(g *ledger.Genesis) error {
	if err := fillPolicyHash(g); err != nil {
		return err
	}
	m, err := ledger.NewMachine(defaultModules()...)
	if err != nil {
		return err
	}
	var acc ledger.LtHash
	_, err = m.GenesisBlock(ledger.NewState(ledger.NewMemStore()), g, &acc)
	return err
}

// exampleGenesis returns the demo genesis: asset COOP with 6 decimals,
// accounts alice, bob, carol and the oracle feed, 1,000,000 COOP allocated
// to alice, the tokenomics defaults (a 1% fee on transfers) and the
// built-in example governance policies in force.
func exampleGenesis(chainID string, t time.Time) string {
	return fmt.Sprintf(`{
  "chain_id": %q,
  "genesis_time": %q,
  "epoch_length": "24h",
  "assets": [
    {"id": "COOP", "name": "Coopera", "decimals": 6}
  ],
  "accounts": [
    {"id": "alice"},
    {"id": "bob"},
    {"id": "carol"},
    {"id": "oracle"}
  ],
  "allocations": [
    {"account": "alice", "asset": "COOP", "amount": "1000000000000"}
  ],
  "params": {
    "tokenomics": {"oracle_feeds": ["oracle"]},
    "governance": {"policy_hash": %q}
  }
}
`, chainID, t.UTC().Format(time.RFC3339), examplePolicyHash())
}
