// Command coopera-bridge reads a ledger's bridge state for the EVM side:
//
//	coopera-bridge prove -ledger DIR -nonce N
//	    the Merkle proof of withdrawal N against its anchor, as JSON: the
//	    arguments of CooperaBridge.withdraw(anchor, nonce, recipient, token,
//	    amount, siblings)
//	coopera-bridge anchors -ledger DIR [-from I]
//	    the anchors sealed from index I on, with the block hash and state
//	    root of the block that sealed each: the arguments of
//	    CooperaBridge.postAnchor
//
// It opens the ledger directory with the standard economy's modules, so
// the node that writes it must be stopped (or point it at a snapshot).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  coopera-bridge prove -ledger DIR -nonce N
  coopera-bridge anchors -ledger DIR [-from I]
`

// Proof is the JSON prove prints.
type Proof struct {
	Anchor    uint64          `json:"anchor"`
	Nonce     uint64          `json:"nonce"`
	Recipient bridge.Address  `json:"recipient"`
	Token     bridge.Address  `json:"token"`
	Amount    ledger.Amount   `json:"amount"`
	Siblings  []bridge.Hash32 `json:"siblings"`
	Root      bridge.Hash32   `json:"root"`
	Leaf      bridge.Hash32   `json:"leaf"`
	Height    uint64          `json:"height"`
}

// Anchor is the JSON anchors prints, one a line.
type Anchor struct {
	Index           uint64        `json:"index"`
	Height          uint64        `json:"height"`
	BlockHash       bridge.Hash32 `json:"block_hash"`
	StateRoot       bridge.Hash32 `json:"state_root"`
	WithdrawalsRoot bridge.Hash32 `json:"withdrawals_root"`
	FirstNonce      uint64        `json:"first_nonce"`
	LastNonce       uint64        `json:"last_nonce"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("ledger", "", "the ledger directory")
	nonce := fs.Uint64("nonce", 0, "the withdrawal nonce (prove)")
	from := fs.Uint64("from", 1, "the first anchor index (anchors)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "prove":
		err = withEngine(*dir, func(e *coopera.Engine) error { return prove(e, *nonce, stdout) })
	case "anchors":
		err = withEngine(*dir, func(e *coopera.Engine) error { return anchors(ctx, e, *from, stdout) })
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "coopera-bridge:", err)
		return 1
	}
	return 0
}

func withEngine(dir string, f func(*coopera.Engine) error) error {
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	e, err := coopera.Open(dir, &coopera.Options{Modules: economy.Modules()})
	if err != nil {
		return err
	}
	return errors.Join(f(e), e.Close())
}

func prove(e *coopera.Engine, nonce uint64, w io.Writer) error {
	v := e.View()
	p, err := bridge.Prove(v, nonce)
	if err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	siblings := p.Siblings
	if siblings == nil {
		siblings = []bridge.Hash32{}
	}
	out := Proof{Anchor: p.Anchor, Nonce: p.Withdrawal.Nonce, Recipient: p.Withdrawal.Recipient, Token: p.Withdrawal.Token,
		Amount: p.Withdrawal.Amount, Siblings: siblings, Root: p.Root, Leaf: p.Leaf, Height: p.Height}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func anchors(ctx context.Context, e *coopera.Engine, from uint64, w io.Writer) error {
	v := e.View()
	cur, err := bridge.GetCursor(v)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for i := max(from, 1); i <= cur.Anchors; i++ {
		a, ok, err := bridge.GetAnchor(v, i)
		if err != nil || !ok {
			return fmt.Errorf("anchor %d: %v (found %v)", i, err, ok)
		}
		b, err := e.Block(ctx, a.Height)
		if err != nil {
			return err
		}
		if err := enc.Encode(Anchor{Index: a.Index, Height: a.Height, BlockHash: bridge.Hash32(b.Header.Hash()), StateRoot: bridge.Hash32(b.StateRoot),
			WithdrawalsRoot: a.Root, FirstNonce: a.FirstNonce, LastNonce: a.LastNonce}); err != nil {
			return err
		}
	}
	return v.Err()
}
