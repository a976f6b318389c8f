package coopera_test

// Attacks on the engine, each reproduced against the code before its fix
// and now refused, with the state root, the head and the balances as they
// were (issue: "Close the trust holes").

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
)

// economyEngine opens the standard economy with the example policies in
// force, with or without the policy admitter.
func economyEngine(t *testing.T, withAdmitter bool) *coopera.Engine {
	t.Helper()
	ctx := context.Background()
	set, err := policy.Load(ctx, "policies")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "attack", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "mallory"}, {"id": "bob"}],
	 "allocations": [{"account": "mallory", "asset": "COOP", "amount": "1000000000"}, {"account": "bob", "asset": "COOP", "amount": "1000000000"}],
	 "params": {"governance": {"policy_hash": %q, "min_deposit": "1000000"}}}`, hex.EncodeToString(set.Hash()))))
	if err != nil {
		t.Fatal(err)
	}
	o := &coopera.Options{Genesis: g, Modules: economy.Modules(), Clock: stepClock(), CheckInvariants: true}
	if withAdmitter {
		lib, err := policy.LoadLibrary(ctx, "policies")
		if err != nil {
			t.Fatal(err)
		}
		adm, err := policy.NewAdmitter(lib, o.Modules...)
		if err != nil {
			t.Fatal(err)
		}
		o.Admitters = []coopera.Admitter{adm}
	}
	e, err := coopera.Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// forgedSpend is a treasury spend to its proposer with a hand-written
// decision: allowed, no quorum, a one-second vote, no timelock, the policy
// hash in force.
func forgedSpend(t *testing.T, e *coopera.Engine) *ledger.Command {
	t.Helper()
	hash, err := governance.PolicyHash(e.View())
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.ParseCommand([]byte(fmt.Sprintf(`{"type": "gov_propose", "actor": "mallory", "payload": {"title": "Pay me", "description": "A treasury spend to the proposer.", "deposit": "1000000",
	  "actions": [{"kind": "treasury_spend", "to": "mallory", "asset": "COOP", "amount": "1000"}],
	  "decision": {"allowed": true, "policy_hash": %q, "rules": {"quorum_bps": 0, "voting_period": "1s", "timelock": "0s"}}}}`, hex.EncodeToString(hash))))
	if err != nil {
		t.Fatal(err)
	}
	if c.Payload.(*governance.Propose).Decision == nil {
		t.Fatal("the forged decision did not parse: the attack would test nothing")
	}
	return c
}

// TestAttackForgedGovernanceDecision: a client writes its own policy
// decision into a proposal. Without an admitter the engine refuses every
// annotated command; with one, the client's decision is discarded and the
// policy's own verdict applies (the example policy denies a treasury spend
// to its proposer).
func TestAttackForgedGovernanceDecision(t *testing.T) {
	for _, withAdmitter := range []bool{false, true} {
		t.Run(fmt.Sprintf("admitter=%v", withAdmitter), func(t *testing.T) {
			e := economyEngine(t, withAdmitter)
			head := e.Head()
			before := balance(t, e, "mallory", "COOP")
			_, err := e.Submit(context.Background(), forgedSpend(t, e))
			want := ledger.ErrUnauthorized
			if withAdmitter {
				want = governance.ErrPolicyDenied
			}
			if !errors.Is(err, want) {
				t.Fatalf("forged decision: %v, want %s", err, want.Code)
			}
			if e.Head() != head || balance(t, e, "mallory", "COOP") != before {
				t.Fatal("the forged proposal changed the ledger")
			}
		})
	}
}

// TestAttackUnsignedOnSignedChain: on a chain that requires signatures an
// unsigned command is refused before sequencing: no block records it.
func TestAttackUnsignedOnSignedChain(t *testing.T) {
	e := openTest(t, t.TempDir(), func(o *coopera.Options) { o.Genesis.RequireSignatures = true })
	defer e.Close()
	head := e.Head()
	for range 5 {
		if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); !errors.Is(err, ledger.ErrBadSignature) {
			t.Fatalf("unsigned command: %v, want bad_signature", err)
		}
	}
	if e.Head() != head {
		t.Fatalf("unsigned commands appended blocks: height %d -> %d", head.Height, e.Head().Height)
	}
}

// TestAttackKeyTakeover: on a chain that lets keyless accounts act
// unsigned, nobody can act unsigned for an account that has a key: not
// replace its key, not push its nonce out of reach.
func TestAttackKeyTakeover(t *testing.T) {
	pub, _ := hex.DecodeString("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29")
	e := openTest(t, t.TempDir(), func(o *coopera.Options) { o.Genesis.Accounts[0].PublicKey = ledger.PublicKey(pub) })
	defer e.Close()
	head := e.Head()
	attacks := []*ledger.Command{
		{Actor: "alice", Payload: &ledger.SetKey{PublicKey: make([]byte, 32)}},
		{Actor: "alice", Nonce: 1<<64 - 1, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(1)}}}},
	}
	for _, c := range attacks {
		if _, err := e.Submit(context.Background(), c); !errors.Is(err, ledger.ErrBadSignature) {
			t.Fatalf("unsigned %s for a keyed account: %v, want bad_signature", c.Payload.Type(), err)
		}
	}
	if e.Head() != head {
		t.Fatal("an unsigned command of a keyed account reached a block")
	}
}

// TestAttackReplayOfARejectedSignedCommand: a signed transfer rejected for
// want of funds is public, signature and all, in its block. Before its
// nonce was used on rejection, anyone could submit those bytes again once
// the signer had the funds, and move them without the signer's say. Now
// the rejection uses the nonce (nonce_used) and the copy is refused.
func TestAttackReplayOfARejectedSignedCommand(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	e := openTest(t, t.TempDir(), func(o *coopera.Options) {
		o.Genesis.Accounts[0].PublicKey = ledger.PublicKey(pub) // alice signs
	})
	defer e.Close()
	ctx := context.Background()
	big := transfer("alice", "carol", "USDC", 1000) // alice has none

	big.Nonce = 7
	big.Sign(e.ChainID(), priv)
	rc, err := e.Submit(ctx, big)
	if !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("the first submission: %v, want insufficient funds", err)
	}
	if len(rc.Events) != 1 || rc.Events[0].EventType() != "nonce_used" {
		t.Fatalf("the rejection's events %v, want its nonce's use", rc.Events)
	}
	if last, err := ledger.LastNonce(e.View(), "alice"); err != nil || last != 7 {
		t.Fatalf("alice's last nonce %d (%v), want 7", last, err)
	}
	// The signer is funded; an attacker copies the signed bytes out of
	// the block and submits them.
	if _, err := e.Submit(ctx, transfer("bob", "alice", "USDC", 2000)); err != nil {
		t.Fatal(err)
	}
	blk, err := e.Block(ctx, rc.Height)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := blk.Commands[rc.Index].MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	copied, err := e.ParseCommand(raw)
	if err != nil {
		t.Fatal(err)
	}
	before := e.Head()
	carol := balance(t, e, "carol", "USDC")
	if _, err := e.Submit(ctx, copied); !errors.Is(err, ledger.ErrReplayedNonce) {
		t.Fatalf("the copy: %v, want replayed nonce", err)
	}
	if balance(t, e, "carol", "USDC") != carol || e.Head().StateRoot != before.StateRoot {
		t.Fatal("the copy moved funds")
	}
	// The signer goes on with its next nonce.
	next := transfer("alice", "carol", "COOP", 1)
	next.Nonce = 8
	next.Sign(e.ChainID(), priv)
	if _, err := e.Submit(ctx, next); err != nil {
		t.Fatalf("the signer's next command: %v", err)
	}
	mustVerify(t, e)
}
