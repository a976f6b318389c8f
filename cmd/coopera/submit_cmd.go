package main

// coopera submit: submit commands and print their receipts.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

var cmdSubmit = &command{
	name:     "submit",
	synopsis: "DIR [FILE|-] | -node URL [FILE|-] | -example",
	summary:  "submit a command (or a JSON array of commands) and print the receipts",
	help: `Submit reads one command as JSON from FILE, or from standard input if FILE
is "-" or absent, submits it to the ledger in DIR and prints its receipt:
its place in the log, its events, the balances it touched, or why it was
rejected. A JSON array of commands is submitted as one batch, in order.

A command is {"type", "actor", "nonce", "key", "payload", "signature"};
"key" is an idempotency key: the same key and content again is answered
with the first receipt and not applied twice. -example prints a transfer.

An unsigned command is signed with -sign FILE, or with its actor's key in
the ledger's keyring (DIR/keys/ACTOR.key, which quickstart fills), taking
the actor's next nonce if it has none.

With -node URL, the commands go to a node's HTTP API (coopera node -http)
instead, one at a time and in order, as written: sign them beforehand
(-sign needs the ledger directory); -api-token-file gives the node's
token.

Exit status 1 if any command was rejected (it is recorded in its block and
changed nothing but, if signed, its nonce), 2 if the input is malformed (nothing was submitted).`,
	run: runSubmit,
}

const exampleCommand = `{
  "type": "transfer",
  "actor": "alice",
  "key": "example-1",
  "payload": {
    "legs": [
      {"to": "bob", "asset": "COOP", "amount": "2500000"}
    ],
    "memo": "2.5 COOP, base units: 2.5 * 10^6"
  }
}
`

func runSubmit(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	example := f.fs.Bool("example", false, "print an example command and exit")
	sign := f.fs.String("sign", "", "sign the commands with the ed25519 key in `FILE` (default: the actor's key in DIR/keys, if there)")
	var remote remoteFlags
	remote.register(f, "submit to")
	pos, code, done := c.parse(cmd, f, args, 0, 2)
	if done {
		return code
	}
	if *example {
		fmt.Fprint(c.stdout, exampleCommand)
		return exitOK
	}
	if remote.node != "" {
		switch {
		case len(pos) > 1:
			return c.usageError(cmd, f.fs, "with -node, give at most the command FILE (no directory)")
		case *sign != "":
			return c.usageError(cmd, f.fs, "-sign needs the ledger directory; with -node, send signed commands")
		}
		src := "-"
		if len(pos) == 1 {
			src = pos[0]
		}
		data, err := c.readInput(src)
		if err != nil {
			return c.failInput(err)
		}
		return c.submitRemote(ctx, &remote, data, f.json)
	}
	if len(pos) == 0 {
		return c.usageError(cmd, f.fs, "submit needs the ledger directory")
	}
	dir, src := pos[0], "-"
	if len(pos) == 2 {
		src = pos[1]
	}
	data, err := c.readInput(src)
	if err != nil {
		return c.failInput(err)
	}
	return c.withLedger(dir, func(eng *coopera.Engine) int {
		cmds, batch, err := parseCommands(eng, data)
		if err != nil {
			return c.failInput(fmt.Errorf("%s: %s", inputName(src), errText(err)))
		}
		if err := signCommands(ctx, eng, dir, *sign, cmds); err != nil {
			return c.failInput(err)
		}
		rcs, err := eng.SubmitBatch(ctx, cmds)
		if err != nil {
			if api.IsInputError(err) {
				return c.failInput(fmt.Errorf("refused: %s", errText(err)))
			}
			return c.fail(err)
		}
		return c.printReceipts(ctx, eng, cmds, rcs, batch, f.json)
	})
}

func inputName(src string) string {
	if src == "-" {
		return "standard input"
	}
	return src
}

// readInput reads the named file, or standard input for "-".
func (c *cli) readInput(src string) ([]byte, error) {
	var data []byte
	var err error
	if src == "-" {
		if f, ok := c.stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprintln(c.stderr, "coopera: reading a command as JSON from the terminal; end it with Ctrl-D")
			}
		}
		data, err = readStdin(c.stdin)
	} else {
		data, err = os.ReadFile(src)
	}
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s is empty; give a command as JSON (coopera submit -example shows one)", inputName(src))
	}
	return data, nil
}

// parseCommands parses one command, or a JSON array of them (batch true).
func parseCommands(eng *coopera.Engine, data []byte) (cmds []*ledger.Command, batch bool, err error) {
	data = bytes.TrimSpace(data)
	if data[0] != '[' {
		cmd, err := eng.ParseCommand(data)
		if err != nil {
			return nil, false, err
		}
		return []*ledger.Command{cmd}, false, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, true, ledger.Errorf(ledger.ErrMalformed, "JSON: %v", err)
	}
	if len(raws) == 0 {
		return nil, true, ledger.Errorf(ledger.ErrMissingField, "the array holds no commands")
	}
	for i, raw := range raws {
		cmd, err := eng.ParseCommand(raw)
		if err != nil {
			return nil, true, fmt.Errorf("command %d: %s", i, errText(err))
		}
		cmds = append(cmds, cmd)
	}
	return cmds, true, nil
}

// printReceipts prints the receipts of cmds. If any command was rejected
// it says so on stderr too and returns exitFail.
func (c *cli) printReceipts(ctx context.Context, eng *coopera.Engine, cmds []*ledger.Command, rcs []*coopera.Receipt, batch bool, asJSON bool) int {
	a := newAssets(eng)
	out := make([]*receiptJSON, len(rcs))
	var rejected []error
	for i, rc := range rcs {
		r, err := a.Receipt(ctx, rc)
		if err != nil {
			return c.fail(err)
		}
		out[i] = r
		if rc.Err != nil {
			rejected = append(rejected, rc.Err)
		}
	}
	if asJSON {
		var doc any = out
		if !batch {
			doc = out[0]
		}
		if c.writeJSON(doc) != exitOK {
			return exitFail
		}
	} else {
		for i, rc := range rcs {
			indent := ""
			if batch {
				fmt.Fprintf(c.stdout, "command %d: %s\n", i, cmds[i])
				indent = "  "
			}
			writeReceipt(c.stdout, indent, rc, out[i])
		}
	}
	switch {
	case len(rejected) == 0:
		return exitOK
	case !batch:
		c.errorf("command rejected: %s", errText(rejected[0]))
	default:
		c.errorf("%d of %d commands rejected", len(rejected), len(rcs))
	}
	return exitFail
}
