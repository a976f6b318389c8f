package main

// coopera init: create a ledger from a genesis file.

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
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
genesis_time is today (UTC midnight), to edit and pass to -genesis. With
-keys DIR its accounts get signing keys (written to DIR) and the chain
requires signed commands; -insecure-unsigned prints a chain that takes
unsigned commands instead, for throwaway demos.`,
	run: runInit,
}

func runInit(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	file := f.fs.String("genesis", "", "the genesis JSON `FILE`")
	example := f.fs.Bool("example-genesis", false, "print an example genesis file and exit (with -keys or -insecure-unsigned)")
	keysDir := f.fs.String("keys", "", "with -example-genesis: write the example accounts' signing keys to `DIR` (new)")
	unsigned := f.fs.Bool("insecure-unsigned", false, "with -example-genesis: a chain that takes unsigned commands, for throwaway demos")
	pos, code, done := c.parse(cmd, f, args, 0, 1)
	if done {
		return code
	}
	if *example {
		if len(pos) > 0 || *file != "" {
			return c.usageError(cmd, f.fs, "-example-genesis takes no other argument")
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		switch {
		case *keysDir != "" && *unsigned:
			return c.usageError(cmd, f.fs, "-keys and -insecure-unsigned exclude each other")
		case *keysDir != "":
			if _, err := os.Stat(*keysDir); err == nil {
				return c.failInput(fmt.Errorf("-keys %s exists; give a new directory", *keysDir))
			}
			keys, err := genKeys(exampleAccounts...)
			if err == nil {
				err = saveKeys(*keysDir, keys)
			}
			if err != nil {
				return c.fail(err)
			}
			fmt.Fprint(c.stdout, exampleGenesis("coopera-local", today, publicKeys(keys)))
			fmt.Fprintf(c.stderr, "coopera: the accounts' signing keys are in %s; sign with coopera submit -sign %s\n", *keysDir, filepath.Join(*keysDir, "alice.key"))
		case *unsigned:
			fmt.Fprint(c.stdout, exampleGenesis("coopera-local", today))
			fmt.Fprintln(c.stderr, "coopera: WARNING: this genesis takes UNSIGNED commands: anyone who can submit may move any keyless account's funds. For throwaway demos only.")
		default:
			return c.usageError(cmd, f.fs, "-example-genesis needs -keys DIR (the example accounts get signing keys, written to DIR) or -insecure-unsigned (a throwaway chain without signatures)")
		}
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
// built-in example governance policies in force. With keys (public keys by
// account) the accounts have them and the chain requires signed commands;
// without, any client may act for any account: for throwaway demos only.
func exampleGenesis(chainID string, t time.Time, keys ...map[string]ed25519.PublicKey) string {
	var ks map[string]ed25519.PublicKey
	if len(keys) > 0 {
		ks = keys[0]
	}
	acct := func(id string) string {
		if k, ok := ks[id]; ok {
			return fmt.Sprintf(`{"id": %q, "public_key": %q}`, id, hex.EncodeToString(k))
		}
		return fmt.Sprintf(`{"id": %q}`, id)
	}
	return fmt.Sprintf(`{
  "chain_id": %q,
  "genesis_time": %q,
  "epoch_length": "24h",
  "require_signatures": %v,
  "assets": [
    {"id": "COOP", "name": "Coopera", "decimals": 6}
  ],
  "accounts": [
    %s,
    %s,
    %s,
    %s
  ],
  "allocations": [
    {"account": "alice", "asset": "COOP", "amount": "1000000000000"}
  ],
  "params": {
    "ledger": {"max_time_step": "24h"},
    "tokenomics": {"oracle_feeds": ["oracle"]},
    "governance": {"policy_hash": %q}
  }
}
`, chainID, t.UTC().Format(time.RFC3339), ks != nil, acct("alice"), acct("bob"), acct("carol"), acct("oracle"), examplePolicyHash())
}
