package main

// coopera quickstart: a tour of the embedded engine on a demo ledger.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

var cmdQuickstart = &command{
	name:     "quickstart",
	synopsis: "[-dir DIR]",
	summary:  "create a demo ledger, submit transfers, show balances and verify",
	help: `Quickstart creates a ledger in a new temporary directory (or DIR, which
must be new or empty) from a demo genesis: asset COOP with 6 decimals,
accounts alice, bob and carol with signing keys (in DIR/keys, where the
CLI finds them to sign their commands), 1,000,000 COOP allocated to alice,
the 1% platform fee on transfers. It then
submits a transfer, a multi-leg transfer, an overdraft (rejected) and the
first transfer again (a duplicate), printing each receipt, and ends with
the balances, the head, and a full verification of the log.

The ledger is kept: explore it with the other commands.`,
	run: runQuickstart,
}

// quickstartStep is one command of the tour.
type quickstartStep struct {
	Say     string          `json:"description"`
	Command json.RawMessage `json:"command"`
	Receipt *receiptJSON    `json:"receipt"`
}

var quickstartSteps = []quickstartStep{
	{Say: "alice pays bob 250 COOP, with the idempotency key invoice-1; the 1% fee, 2.5 COOP, is charged to alice on top\n   (70% to the treasury, 30% burned)",
		Command: json.RawMessage(`{"type": "transfer", "actor": "alice", "key": "invoice-1",
		  "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "250000000"}]}}`)},
	{Say: "alice pays bob 100 COOP and carol 50.25 COOP in one transfer: both legs apply or neither;\n   the fee is 1% of 150.25 COOP, 1.5025 COOP",
		Command: json.RawMessage(`{"type": "transfer", "actor": "alice", "key": "payout-1",
		  "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "100000000"},
		                       {"to": "carol", "asset": "COOP", "amount": "50250000"}], "memo": "team payout"}}`)},
	{Say: "bob tries to pay carol 1000 COOP, more than he holds: rejected; no funds move and no fee is paid, only his signed command's nonce is used (nobody can replay it later)",
		Command: json.RawMessage(`{"type": "transfer", "actor": "bob",
		  "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "1000000000"}]}}`)},
	{Say: "alice sends invoice-1 again: answered with the first receipt, not applied twice",
		Command: json.RawMessage(`{"type": "transfer", "actor": "alice", "key": "invoice-1",
		  "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "250000000"}]}}`)},
}

// quickstartJSON is the JSON document of quickstart.
type quickstartJSON struct {
	Dir      string           `json:"dir"`
	ChainID  string           `json:"chain_id"`
	Genesis  headJSON         `json:"genesis"`
	Steps    []quickstartStep `json:"steps"`
	Balances []balanceJSON    `json:"balances"`
	Head     headJSON         `json:"head"`
	// Burned is the COOP the fees burned, in base units: with the
	// balances (the treasury's included) it makes alice's allocation.
	Burned ledger.Amount `json:"burned"`
	Verify verifyJSON    `json:"verify"`
}

func runQuickstart(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	dir := f.fs.String("dir", "", "create the ledger in `DIR` instead of a new temporary directory")
	if _, code, done := c.parse(cmd, f, args, 0, 0); done {
		return code
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "coopera-quickstart-")
		if err != nil {
			return c.fail(err)
		}
		*dir = d
	}
	// Genesis is now, so that no epoch ends during the tour.
	// The accounts get signing keys and the chain requires signatures; the
	// keys go to the ledger's keyring, where the CLI finds them.
	keys, err := genKeys(exampleAccounts...)
	if err != nil {
		return c.fail(err)
	}
	g, err := ledger.ParseGenesis([]byte(exampleGenesis("coopera-quickstart", time.Now().Truncate(time.Second), publicKeys(keys))))
	if err != nil {
		return c.fail(err)
	}
	eng, err := createLedger(*dir, g)
	if err != nil {
		return c.fail(err)
	}
	if err := saveKeys(keyringDir(*dir), keys); err != nil {
		eng.Close()
		return c.fail(err)
	}
	code := c.tour(ctx, eng, *dir, f.json)
	if err := eng.Close(); err != nil && code == exitOK {
		return c.fail(err)
	}
	return code
}

// tour runs the quickstart's commands on the new ledger and reports.
func (c *cli) tour(ctx context.Context, eng *coopera.Engine, dir string, asJSON bool) int {
	doc := quickstartJSON{Dir: dir, ChainID: eng.ChainID(), Genesis: newHeadJSON(eng.Head())}
	out := c.stdout
	if !asJSON {
		fmt.Fprintf(out, "created ledger %q in %s\n", doc.ChainID, dir)
		fmt.Fprintf(out, "  asset COOP (6 decimals); accounts alice, bob, carol; alice holds 1000000 COOP\n")
		fmt.Fprintf(out, "  genesis block %s\n", doc.Genesis.Hash.Short())
	}

	a := newAssets(eng)
	for i, st := range quickstartSteps {
		command, err := eng.ParseCommand(st.Command)
		if err != nil {
			return c.fail(fmt.Errorf("step %d: %w", i+1, err))
		}
		cmds := []*ledger.Command{command}
		if err := signCommands(ctx, eng, dir, "", cmds); err != nil {
			return c.fail(fmt.Errorf("step %d: %w", i+1, err))
		}
		command = cmds[0]
		rcs, err := eng.SubmitBatch(ctx, cmds)
		if err != nil {
			return c.fail(fmt.Errorf("step %d: %w", i+1, err))
		}
		r, err := a.Receipt(ctx, rcs[0])
		if err != nil {
			return c.fail(err)
		}
		canon, err := json.Marshal(command)
		if err != nil {
			return c.fail(err)
		}
		st.Command, st.Receipt = canon, r
		doc.Steps = append(doc.Steps, st)
		if !asJSON {
			fmt.Fprintf(out, "\n%d. %s\n", i+1, st.Say)
			fmt.Fprintf(out, "   command %s\n", canon)
			writeReceipt(out, "   ", rcs[0], r)
		}
	}

	// Every COOP of genesis is in a balance or was burned by a fee.
	var burned ledger.Amount
	for _, st := range doc.Steps {
		if !st.Receipt.Applied || st.Receipt.Duplicate {
			continue
		}
		for _, ev := range st.Receipt.Events {
			var e struct {
				Type string `json:"type"`
				Data struct {
					Amount ledger.Amount `json:"amount"`
				} `json:"data"`
			}
			if json.Unmarshal(ev, &e) == nil && e.Type == "burned" {
				burned, _ = burned.Add(e.Data.Amount)
			}
		}
	}
	doc.Burned = burned
	var total ledger.Amount
	for _, id := range []ledger.AccountID{"alice", "bob", "carol", tokenomics.Treasury} {
		amt, err := eng.Balance(ctx, id, "COOP")
		if err != nil {
			return c.fail(err)
		}
		b, err := a.Balance(ctx, id, "COOP", amt)
		if err != nil {
			return c.fail(err)
		}
		doc.Balances = append(doc.Balances, b)
		total, _ = total.Add(amt)
	}
	total, _ = total.Add(burned)
	doc.Head = newHeadJSON(eng.Head())
	rep, verr := eng.Verify(ctx)
	doc.Verify = verifyJSON{OK: verr == nil, Dir: dir, Report: rep, Error: newErrorJSON(verr)}

	if asJSON {
		if code := c.writeJSON(doc); code != exitOK {
			return code
		}
	} else {
		fmt.Fprintf(out, "\nbalances (the treasury holds 70%% of the fees):\n")
		writeBalances(out, "  ", doc.Balances)
		fmt.Fprintf(out, "  burned by the fees: %s\n", formatTokens(burned, 6, "COOP"))
		fmt.Fprintf(out, "  together: %s, alice's allocation at genesis\n", formatTokens(total, 6, "COOP"))
		fmt.Fprintf(out, "head: height %d, block %s\nstate root: %s\n\n", doc.Head.Height, doc.Head.Hash, doc.Head.StateRoot)
		if verr == nil {
			writeReport(out, "", "verified", rep)
		}
	}
	if verr != nil {
		c.errorf("verify failed: %s", errText(verr))
		return exitFail
	}
	if !asJSON {
		q := quoteArg(dir)
		fmt.Fprintf(out, "\nthe ledger stays in %s; explore it:\n", dir)
		fmt.Fprintf(out, "  coopera blocks %s\n  coopera events %s -account bob\n  coopera balance %s alice\n", q, q, q)
		fmt.Fprintf(out, "(coopera is this program: go install ./cmd/coopera puts it in $(go env GOPATH)/bin)\n")
	}
	return exitOK
}

// quoteArg quotes s for a shell if it needs it.
func quoteArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
