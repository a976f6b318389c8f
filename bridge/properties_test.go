package bridge_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

const propGenesis = `{"chain_id": "prop", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1m",
 "assets": [{"id": "USDC", "decimals": 6}],
 "accounts": [{"id": "a"}, {"id": "b"}, {"id": "relayer"}, {"id": "anchorer"}],
 "params": {"bridge": {"chain_id": 5, "vault": "0x0000000000000000000000000000000000000001",
   "relayers": ["relayer"], "anchorers": ["anchorer"], "anchor_interval": 2, "max_anchor_withdrawals": 3,
   "tokens": [{"asset": "USDC", "contract": "0x00000000000000000000000000000000000000aa"}]}}}`

// TestPropertyConservationNoDoubleCredit drives random deposits (nonces
// drawn from a small range, so repeats are common, from relayers and
// others), withdrawals and anchors, and checks after every block: each
// deposit nonce is credited at most once and exactly when the model
// says; USDC's supply equals deposits − withdrawals and the sum of the
// balances (conservation with bridge flows counted); the suspense
// account (booked) holds exactly the deposits whose Deposited events
// credit it; every anchored withdrawal has a proof that verifies against
// its anchor's root.
func TestPropertyConservationNoDoubleCredit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h, err := ledgertest.New(bridge.Module{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := ledger.ParseGenesis([]byte(propGenesis))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Genesis(g); err != nil {
			t.Fatal(err)
		}
		credited := map[uint64]bool{}
		var deposited, withdrawn uint64
		bal := map[string]uint64{}
		var suspenseRecords uint64 // the Deposited events credited to the suspense account
		now := h.Time
		blocks := rapid.IntRange(1, 12).Draw(t, "blocks")
		for range blocks {
			n := rapid.IntRange(1, 6).Draw(t, "cmds")
			var cmds []string
			type expect struct {
				nonce  uint64
				to     string
				amount uint64
				ok     bool
			}
			var exp []*expect
			pendingNonce := map[uint64]bool{}
			for range n {
				switch rapid.IntRange(0, 2).Draw(t, "op") {
				case 0:
					nonce := rapid.Uint64Range(1, 8).Draw(t, "nonce")
					actor := rapid.SampledFrom([]string{"relayer", "relayer", "a"}).Draw(t, "actor")
					to := rapid.SampledFrom([]string{"a", "b", "nobody"}).Draw(t, "to")
					amt := rapid.Uint64Range(1, 1_000_000).Draw(t, "amount")
					ok := actor == "relayer" && !credited[nonce] && !pendingNonce[nonce]
					if ok {
						pendingNonce[nonce] = true
					}
					cmds = append(cmds, fmt.Sprintf(`{"type": "bridge_deposit", "actor": %q, "payload": {"chain_id": 5, "contract": "0x0000000000000000000000000000000000000001", "nonce": %d, "token": "0x00000000000000000000000000000000000000aa", "from": "0x00000000000000000000000000000000000000f1", "to": %q, "amount": "%d"}}`, actor, nonce, to, amt))
					exp = append(exp, &expect{nonce: nonce, to: to, amount: amt, ok: ok})
				case 1:
					actor := rapid.SampledFrom([]string{"a", "b"}).Draw(t, "wactor")
					amt := rapid.Uint64Range(1, 1_500_000).Draw(t, "wamount")
					cmds = append(cmds, fmt.Sprintf(`{"type": "bridge_withdraw", "actor": %q, "payload": {"asset": "USDC", "recipient": "0x0000000000000000000000000000000000000b0b", "amount": "%d"}}`, actor, amt))
					exp = append(exp, nil)
				case 2:
					cmds = append(cmds, `{"type": "bridge_anchor", "actor": "anchorer", "payload": {}}`)
					exp = append(exp, nil)
				}
			}
			parsed := make([]*ledger.Command, len(cmds))
			for i, js := range cmds {
				c, err := h.M.Registry().ParseCommandJSON([]byte(js))
				if err != nil {
					t.Fatal(err)
				}
				parsed[i] = c
			}
			now = now.Add(time.Second)
			b, err := h.Apply(now, parsed)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range b.Events {
				if d, ok := ev.(*bridge.Deposited); ok && d.CreditedTo == bridge.SuspenseAccount {
					a, _ := d.Amount.Uint64()
					suspenseRecords += a
				}
			}
			for i, r := range b.Results {
				e := exp[i]
				switch p := parsed[i].Payload.(type) {
				case *bridge.Deposit:
					if (r.Code == "") != e.ok {
						t.Fatalf("deposit nonce %d: result %q, model says ok=%v", p.Nonce, r.Code, e.ok)
					}
					if e.ok {
						credited[e.nonce] = true
						deposited += e.amount
						if e.to == "nobody" {
							bal[string(bridge.SuspenseAccount)] += e.amount
						} else {
							bal[e.to] += e.amount
						}
					}
				case *bridge.Withdraw:
					a, _ := p.Amount.Uint64()
					okModel := bal[string(parsed[i].Actor)] >= a
					if (r.Code == "") != okModel {
						t.Fatalf("withdraw %d by %s: result %q, model balance %d", a, parsed[i].Actor, r.Code, bal[string(parsed[i].Actor)])
					}
					if okModel {
						bal[string(parsed[i].Actor)] -= a
						withdrawn += a
					}
				}
			}
			tot, err := bridge.GetTotals(h, "USDC")
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := tot.Deposited.Uint64(); d != deposited {
				t.Fatalf("deposited %d, model %d", d, deposited)
			}
			if w, _ := tot.Withdrawn.Uint64(); w != withdrawn {
				t.Fatalf("withdrawn %d, model %d", w, withdrawn)
			}
			if err := bridge.CheckBacked(h, "USDC"); err != nil {
				t.Fatal(err)
			}
			var sum uint64
			for _, acct := range []string{"a", "b", string(bridge.SuspenseAccount)} {
				v, _ := h.Balance(t, ledger.AccountID(acct), "USDC").Uint64()
				if v != bal[acct] {
					t.Fatalf("%s holds %d, model %d", acct, v, bal[acct])
				}
				sum += v
			}
			if v, _ := h.Balance(t, bridge.SuspenseAccount, "USDC").Uint64(); v != suspenseRecords {
				t.Fatalf("the suspense account holds %d; the deposits credited to it add up to %d", v, suspenseRecords)
			}
			if sum != deposited-withdrawn {
				t.Fatalf("balances sum to %d; deposits − withdrawals = %d", sum, deposited-withdrawn)
			}
			cur, err := bridge.GetCursor(h)
			if err != nil {
				t.Fatal(err)
			}
			for nonce := uint64(1); nonce <= cur.Anchored; nonce++ {
				p, err := bridge.Prove(h, nonce)
				if err != nil {
					t.Fatal(err)
				}
				if !bridge.VerifyProof(p.Root, p.Withdrawal.Leaf(), p.Siblings) {
					t.Fatalf("withdrawal %d: proof does not verify", nonce)
				}
			}
		}
	})
}

// TestPropertyMerkle checks every proof of random trees, and that a
// changed leaf, a changed sibling or another leaf's proof fails.
func TestPropertyMerkle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 70).Draw(t, "n")
		leaves := make([]bridge.Hash32, n)
		for i := range leaves {
			leaves[i] = bridge.WithdrawalLeaf(1, bridge.Address{1}, uint64(i+1), bridge.Address{2}, bridge.Address{3}, ledger.NewAmount(rapid.Uint64().Draw(t, "amt")))
		}
		root := bridge.MerkleRoot(leaves)
		for i := range leaves {
			p := bridge.MerkleProof(leaves, i)
			if !bridge.VerifyProof(root, leaves[i], p) {
				t.Fatalf("leaf %d of %d: proof fails", i, n)
			}
			bad := leaves[i]
			bad[0] ^= 1
			if bridge.VerifyProof(root, bad, p) {
				t.Fatalf("leaf %d of %d: a forged leaf verifies", i, n)
			}
			if len(p) > 0 {
				q := append([]bridge.Hash32(nil), p...)
				q[len(q)-1][31] ^= 1
				if bridge.VerifyProof(root, leaves[i], q) {
					t.Fatalf("leaf %d of %d: a forged sibling verifies", i, n)
				}
			}
			if j := (i + 1) % n; j != i && leaves[j] != leaves[i] && bridge.VerifyProof(root, leaves[j], p) {
				t.Fatalf("leaf %d verifies with leaf %d's proof", j, i)
			}
		}
	})
}
