package chain_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/bindings"
	"github.com/coopera/coopera/adapters/chain/simchain"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

const simChainID = simchain.ChainID

// env is a simulated EVM chain with the token, bridge and vault deployed,
// and an embedded ledger (the standard economy, signatures required)
// whose bridge credits that vault.
type env struct {
	t        testing.TB
	ctx      context.Context
	c        *simchain.Chain
	sim      *simulated.Backend
	cl       simulated.Client
	owner    *ecdsa.PrivateKey
	user     *ecdsa.PrivateKey
	token    common.Address
	bridgeA  common.Address
	vault    common.Address
	tok      *bindings.TestToken
	bc       *bindings.CooperaBridge
	vt       *bindings.CooperaVault
	eng      *coopera.Engine
	ledgerID string
}

func newEnv(t testing.TB) *env { return newEnvWith(t, envConfig{}) }

// envConfig varies an env's ledger.
type envConfig struct {
	// interval is params.bridge.anchor_interval. Default 1.
	interval int
	// bridgeChain is params.bridge.chain_id, the EVM chain the ledger
	// credits. Default the simulated chain's, simChainID.
	bridgeChain uint64
}

func newEnvWith(t testing.TB, cfg envConfig) *env {
	t.Helper()
	if cfg.interval == 0 {
		cfg.interval = 1
	}
	if cfg.bridgeChain == 0 {
		cfg.bridgeChain = simChainID
	}
	e := &env{t: t, ctx: context.Background()}
	c, err := simchain.New(e.ctx, new(big.Int).Lsh(big.NewInt(1), 100))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Sim.Close() })
	e.c, e.sim, e.cl, e.owner, e.user = c, c.Sim, c.Client, c.Owner, c.User
	e.token, e.bridgeA, e.vault = c.Token, c.Bridge, c.Vault
	e.tok, e.bc, e.vt = c.TokenABI, c.BridgeABI, c.VaultABI

	e.ledgerID = "bridgetest"
	genesis := fmt.Sprintf(`{"chain_id": %q, "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h", "require_signatures": true,
	 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 6}],
	 "accounts": [{"id": "alice", "public_key": %q}, {"id": "relayer", "public_key": %q}, {"id": "anchorer", "public_key": %q}],
	 "params": {"bridge": {"chain_id": %d, "vault": %q, "relayers": ["relayer"], "anchorers": ["anchorer"], "anchor_interval": %d,
	   "tokens": [{"asset": "USDC", "contract": %q}]}}}`,
		e.ledgerID, adaptertest.PublicHex("alice"), adaptertest.PublicHex("relayer"), adaptertest.PublicHex("anchorer"),
		cfg.bridgeChain, lower(e.vault), cfg.interval, lower(e.token))
	e.eng, _, err = adaptertest.Open(t.TempDir(), genesis)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.eng.Close() })
	return e
}

func lower(a common.Address) string { return bridge.Address(a).String() }

func (e *env) opts(k *ecdsa.PrivateKey) *bind.TransactOpts { return e.c.Opts(e.ctx, k) }

// mine sends a transaction, mines a block and checks its receipt.
func (e *env) mine(k *ecdsa.PrivateKey, to common.Address, data []byte) *types.Receipt {
	e.t.Helper()
	rc, err := e.c.Mine(e.ctx, k, to, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return rc
}

// deposit deposits amount for a ledger account, in a block of its own.
func (e *env) deposit(to string, amount int64) *types.Receipt {
	e.t.Helper()
	return e.mine(e.user, e.vault, e.vt.PackDeposit(e.token, big.NewInt(amount), to))
}

func (e *env) commit(n int) { e.c.Commit(n) }

// forkReplacing forks the chain at parent and returns the sender's
// options for a transaction in tx's slot (same nonce, three times its
// fees), so that on the new branch tx cannot come back.
func (e *env) forkReplacing(parent, tx common.Hash) *bind.TransactOpts {
	e.t.Helper()
	dep, _, err := e.cl.TransactionByHash(e.ctx, tx)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.sim.Fork(parent); err != nil {
		e.t.Fatal(err)
	}
	o := e.opts(e.user)
	o.Nonce = new(big.Int).SetUint64(dep.Nonce())
	o.GasFeeCap = new(big.Int).Mul(dep.GasFeeCap(), big.NewInt(3))
	o.GasTipCap = new(big.Int).Mul(dep.GasTipCap(), big.NewInt(3))
	return o
}

// relayer returns the ledger's relayer on the simulated chain; o's
// Ledger, if set, replaces the embedded engine.
func (e *env) relayer(o chain.RelayerOptions) *chain.Relayer {
	e.t.Helper()
	o.EVM, o.ChainID, o.Vault = e.cl, simChainID, e.vault
	if o.Ledger == nil {
		o.Ledger = e.eng
	}
	o.Actor, o.Key, o.LedgerChainID = "relayer", adaptertest.Key("relayer"), e.ledgerID
	r, err := chain.NewRelayer(o)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) step(r *chain.Relayer) chain.StepResult {
	e.t.Helper()
	res, err := r.Step(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) balance(acct ledger.AccountID, asset ledger.AssetID) uint64 {
	e.t.Helper()
	v, err := e.eng.Balance(e.ctx, acct, asset)
	if err != nil {
		e.t.Fatal(err)
	}
	n, _ := v.Uint64()
	return n
}

func (e *env) tokenBalance(a common.Address) *big.Int {
	e.t.Helper()
	v, err := e.c.TokenBalance(a)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *env) signer(name string) *submit.Signer {
	return &submit.Signer{Actor: ledger.AccountID(name), PrivateKey: adaptertest.Key(name), ChainID: e.ledgerID}
}

// submit submits one command and returns its rejection, if any.
func (e *env) submit(c *ledger.Command) error {
	e.t.Helper()
	rc, err := e.eng.Submit(e.ctx, c)
	if err != nil {
		return err
	}
	return rc.Err
}

func (e *env) anchorer() *chain.Anchorer {
	e.t.Helper()
	a, err := chain.NewAnchorer(chain.AnchorerOptions{
		Ledger: e.eng, Reader: chain.EngineReader(e.eng), Signer: e.signer("anchorer"),
		Backend: e.cl, Bridge: e.bridgeA, Transact: e.opts(e.owner), Wait: e.c.WaitCommit,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

var errReverted = errors.New("reverted")
