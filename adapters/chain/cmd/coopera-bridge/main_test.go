package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// TestProveAndAnchors writes a ledger with three anchored withdrawals,
// closes it, and reads the proof and the anchor back through the CLI.
func TestProveAndAnchors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	eng, _, err := adaptertest.Open(dir, `{"chain_id": "cli", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 6}],
	 "accounts": [{"id": "alice"}, {"id": "relayer"}, {"id": "anchorer"}],
	 "params": {"bridge": {"chain_id": 1, "vault": "0x0000000000000000000000000000000000000001", "relayers": ["relayer"],
	   "anchorers": ["anchorer"], "anchor_interval": 1, "tokens": [{"asset": "USDC", "contract": "0x00000000000000000000000000000000000000aa"}]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	cmds := []*ledger.Command{{Actor: "relayer", Payload: &bridge.Deposit{ChainID: 1, Contract: bridge.Address{19: 1}, Nonce: 1,
		Token: bridge.Address{19: 0xaa}, From: bridge.Address{19: 2}, To: "alice", Amount: ledger.NewAmount(100)}}}
	for i := range 3 {
		cmds = append(cmds, &ledger.Command{Actor: "alice", Payload: &bridge.Withdraw{Asset: "USDC", Recipient: bridge.Address{19: 0xb0}, Amount: ledger.NewAmount(uint64(10 + i))}})
	}
	cmds = append(cmds, &ledger.Command{Actor: "anchorer", Payload: &bridge.Anchor{}})
	rcs, err := eng.SubmitBatch(ctx, cmds)
	if err != nil {
		t.Fatal(err)
	}
	for i, rc := range rcs {
		if rc.Err != nil {
			t.Fatalf("command %d: %v", i, rc.Err)
		}
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	if rc := run(ctx, []string{"prove", "-ledger", dir, "-nonce", "2"}, &out, &errb); rc != 0 {
		t.Fatalf("prove: %d %s", rc, errb.String())
	}
	var p Proof
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	leaf := bridge.WithdrawalLeaf(1, bridge.Address{19: 1}, p.Nonce, p.Recipient, p.Token, p.Amount)
	if p.Anchor != 1 || p.Amount.String() != "11" || leaf != p.Leaf || !bridge.VerifyProof(p.Root, leaf, p.Siblings) {
		t.Fatalf("proof: %s", out.String())
	}

	out.Reset()
	if rc := run(ctx, []string{"anchors", "-ledger", dir}, &out, &errb); rc != 0 {
		t.Fatalf("anchors: %d %s", rc, errb.String())
	}
	var a Anchor
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if a.Index != 1 || a.WithdrawalsRoot != p.Root || a.BlockHash.IsZero() || a.StateRoot.IsZero() || a.LastNonce != 3 {
		t.Fatalf("anchors: %s", out.String())
	}

	errb.Reset()
	if rc := run(ctx, []string{"prove", "-ledger", dir, "-nonce", "9"}, &out, &errb); rc != 1 || !strings.Contains(errb.String(), "bridge_unknown_withdrawal") {
		t.Fatalf("prove 9: %d %s", rc, errb.String())
	}
}
