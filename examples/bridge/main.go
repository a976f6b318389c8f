// Command bridge is a walk-through of the EVM bridge: a simulated EVM
// chain (go-ethereum's simulated backend) runs the token, the vault and
// the bridge contract; an embedded ledger runs the standard economy with
// the bridge configured for that vault. A deposit on the EVM chain is
// credited on the ledger once it is two blocks deep; a withdrawal on the
// ledger is sealed in an anchor, posted on the EVM chain, and released
// there with its Merkle proof, once.
//
// It is its own Go module (go-ethereum is large); run it with:
//
//	cd examples/bridge && go run .
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/simchain"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// key returns a fixed ed25519 key for a name (a walk-through, not a wallet).
func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("coopera/examples/bridge/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pub(name string) string { return hex.EncodeToString(key(name).Public().(ed25519.PublicKey)) }

func usdc(a ledger.Amount) string { return a.Format(6) }

func run(w io.Writer) error {
	ctx := context.Background()
	evm, err := simchain.New(ctx, big.NewInt(1_000_000_000)) // 1,000 USDC for the EVM user
	if err != nil {
		return err
	}
	defer evm.Sim.Close()

	dir, err := os.MkdirTemp("", "coopera-bridge-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	policy := sha256.Sum256([]byte("no policy set in this walk-through"))
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "bridge-demo", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h", "require_signatures": true,
	 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "name": "USD Coin (bridged)", "decimals": 6}],
	 "accounts": [{"id": "alice", "public_key": %q}, {"id": "relayer", "public_key": %q}, {"id": "anchorer", "public_key": %q}],
	 "params": {"governance": {"policy_hash": %q},
	   "bridge": {"chain_id": %d, "vault": %q, "relayers": ["relayer"], "anchorers": ["anchorer"], "anchor_interval": 1,
	              "tokens": [{"asset": "USDC", "contract": %q}]}}}`,
		pub("alice"), pub("relayer"), pub("anchorer"), hex.EncodeToString(policy[:]),
		simchain.ChainID, bridge.Address(evm.Vault), bridge.Address(evm.Token))))
	if err != nil {
		return err
	}
	now := g.GenesisTime
	clock := func() time.Time { now = now.Add(time.Second); return now }
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g, Modules: economy.Modules(), Clock: clock, CheckInvariants: true})
	if err != nil {
		return err
	}
	defer eng.Close()

	// 1. A deposit of 250 USDC into the vault, for ledger account alice.
	if _, err := evm.Deposit(ctx, "alice", big.NewInt(250_000_000)); err != nil {
		return err
	}
	fmt.Fprintln(w, "EVM: deposit 1 of 250 USDC into the vault for alice")

	// 2. The relayer credits it once it is two blocks deep.
	relayer, err := chain.NewRelayer(chain.RelayerOptions{EVM: evm.Client, ChainID: simchain.ChainID, Vault: evm.Vault,
		Ledger: eng, Actor: "relayer", Key: key("relayer"), LedgerChainID: g.ChainID, Confirmations: 2})
	if err != nil {
		return err
	}
	for i := range 3 {
		res, err := relayer.Step(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "relayer step %d: EVM head %d, safe %d, seen %d, credited %d\n", i+1, res.Head, res.Safe, res.Seen, res.Credited)
		evm.Commit(1)
	}
	bal, err := eng.Balance(ctx, "alice", "USDC")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ledger: alice holds %s USDC\n", usdc(bal))

	// 3. alice withdraws 100 USDC, then 25, to an EVM address: burned on
	// the ledger, recorded as withdrawals 1 and 2.
	recipient := simchain.Addr(evm.User)
	alice := &submit.Signer{Actor: "alice", PrivateKey: key("alice"), ChainID: g.ChainID, Clock: clock}
	for i, amt := range []uint64{100_000_000, 25_000_000} {
		rc, err := eng.Submit(ctx, alice.Command("", &bridge.Withdraw{Asset: "USDC", Recipient: bridge.Address(recipient), Amount: ledger.NewAmount(amt)}))
		if err != nil {
			return err
		}
		if rc.Err != nil {
			return rc.Err
		}
		fmt.Fprintf(w, "ledger: alice withdraws %s USDC (withdrawal %d)\n", usdc(ledger.NewAmount(amt)), i+1)
	}

	// 4. The anchorer seals it under a Merkle root and posts the anchor.
	anchorer, err := chain.NewAnchorer(chain.AnchorerOptions{Ledger: eng, Reader: chain.EngineReader(eng),
		Signer:  &submit.Signer{Actor: "anchorer", PrivateKey: key("anchorer"), ChainID: g.ChainID, Clock: clock},
		Backend: evm.Client, Bridge: evm.Bridge, Transact: evm.Opts(ctx, evm.Owner), Wait: evm.WaitCommit})
	if err != nil {
		return err
	}
	st, err := anchorer.Step(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "anchorer: sealed %v, posted anchors %v\n", st.Sealed, st.Posted)

	// 5. The proof, released on the EVM chain; a replay is refused.
	p, err := bridge.Prove(eng.View(), 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "proof: withdrawal %d in anchor %d, %d siblings\n", p.Withdrawal.Nonce, p.Anchor, len(p.Siblings))
	before, err := evm.TokenBalance(recipient)
	if err != nil {
		return err
	}
	tx, err := chain.Release(evm.Client, evm.Bridge, evm.Opts(ctx, evm.User), &p)
	if err != nil {
		return err
	}
	evm.Commit(1)
	if _, err := evm.Receipt(ctx, tx); err != nil {
		return err
	}
	after, err := evm.TokenBalance(recipient)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "EVM: released %s USDC to the recipient\n", usdc(mustAmount(new(big.Int).Sub(after, before))))
	if _, err := chain.Release(evm.Client, evm.Bridge, evm.Opts(ctx, evm.User), &p); err != nil {
		fmt.Fprintln(w, "EVM: the same proof again is refused")
	}

	// 6. The vault holds the ledger's USDC and withdrawal 2, which is
	// proven but not yet released.
	a, err := eng.Asset(ctx, "USDC")
	if err != nil {
		return err
	}
	vault, err := evm.TokenBalance(evm.Vault)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ledger USDC supply %s = minted %s - burned %s\n", usdc(a.Supply()), usdc(a.Minted), usdc(a.Burned))
	fmt.Fprintf(w, "vault holds %s USDC = ledger supply %s + withdrawal 2's 25 not yet released\n", usdc(mustAmount(vault)), usdc(a.Supply()))
	return nil
}

func mustAmount(b *big.Int) ledger.Amount {
	a, _ := ledger.AmountFromBig(b)
	return a
}
