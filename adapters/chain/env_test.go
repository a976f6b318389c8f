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
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/bindings"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

const simChainID = 1337 // the simulated backend's chain id

// env is a simulated EVM chain with the token, bridge and vault deployed,
// and an embedded ledger (the standard economy) whose bridge credits that
// vault.
type env struct {
	t        testing.TB
	ctx      context.Context
	sim      *simulated.Backend
	cl       simulated.Client
	owner    *ecdsa.PrivateKey // deploys; the bridge's anchorer key
	user     *ecdsa.PrivateKey // deposits
	token    common.Address
	bridgeA  common.Address
	vault    common.Address
	tok      *bindings.TestToken
	bc       *bindings.CooperaBridge
	vt       *bindings.CooperaVault
	eng      *coopera.Engine
	ledgerID string
}

// osaka runs the simulated chain under mainnet's rules (through Osaka),
// not the dev chain's unscheduled forks, so the gas figures are
// mainnet's.
func osaka(_ *node.Config, ec *ethconfig.Config) {
	cfg := *ec.Genesis.Config
	cfg.BogotaTime = nil
	ec.Genesis.Config = &cfg
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background()}
	var err error
	if e.owner, err = crypto.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	if e.user, err = crypto.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	eth := new(big.Int).Exp(big.NewInt(10), big.NewInt(21), nil)
	e.sim = simulated.NewBackend(types.GenesisAlloc{addr(e.owner): {Balance: eth}, addr(e.user): {Balance: eth}}, simulated.WithBlockGasLimit(60_000_000), osaka)
	t.Cleanup(func() { e.sim.Close() })
	e.cl = e.sim.Client()
	e.tok, e.bc, e.vt = bindings.NewTestToken(), bindings.NewCooperaBridge(), bindings.NewCooperaVault()
	e.token = e.deploy(bindings.TestTokenMetaData.Bin, e.tok.PackConstructor("USD Coin", "USDC", 6))
	e.bridgeA = e.deploy(bindings.CooperaBridgeMetaData.Bin, e.bc.PackConstructor(addr(e.owner)))
	e.vault, err = bind.Call(e.bc.Instance(e.cl, e.bridgeA), nil, e.bc.PackVault(), e.bc.UnpackVault)
	if err != nil {
		t.Fatal(err)
	}
	e.mine(e.owner, e.token, e.tok.PackMint(addr(e.user), big.NewInt(1_000_000_000_000)))
	e.mine(e.user, e.token, e.tok.PackApprove(e.vault, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))))

	e.ledgerID = "bridgetest"
	genesis := fmt.Sprintf(`{"chain_id": %q, "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h", "require_signatures": true,
	 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 6}],
	 "accounts": [{"id": "alice", "public_key": %q}, {"id": "relayer", "public_key": %q}, {"id": "anchorer", "public_key": %q}],
	 "params": {"bridge": {"chain_id": %d, "vault": %q, "relayers": ["relayer"], "anchorers": ["anchorer"], "anchor_interval": 1,
	   "tokens": [{"asset": "USDC", "contract": %q}]}}}`,
		e.ledgerID, adaptertest.PublicHex("alice"), adaptertest.PublicHex("relayer"), adaptertest.PublicHex("anchorer"),
		simChainID, lower(e.vault), lower(e.token))
	e.eng, _, err = adaptertest.Open(t.TempDir(), genesis)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.eng.Close() })
	return e
}

func lower(a common.Address) string { return bridge.Address(a).String() }

func (e *env) opts(k *ecdsa.PrivateKey) *bind.TransactOpts {
	o := bind.NewKeyedTransactor(k, big.NewInt(simChainID))
	o.Context = e.ctx
	return o
}

func (e *env) deploy(bin string, ctor []byte) common.Address {
	e.t.Helper()
	a, tx, err := bind.DeployContract(e.opts(e.owner), common.FromHex(bin), e.cl, ctor)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sim.Commit()
	if _, err := bind.WaitDeployed(e.ctx, e.cl, tx.Hash()); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// send sends a transaction without mining it.
func (e *env) send(k *ecdsa.PrivateKey, to common.Address, data []byte) *types.Transaction {
	e.t.Helper()
	tx, err := bind.Transact(bind.NewBoundContract(to, e.tok.GetABI(), e.cl, e.cl, e.cl), e.opts(k), data)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

// mine sends a transaction, mines a block and checks its receipt.
func (e *env) mine(k *ecdsa.PrivateKey, to common.Address, data []byte) *types.Receipt {
	e.t.Helper()
	tx := e.send(k, to, data)
	e.sim.Commit()
	rc, err := bind.WaitMined(e.ctx, e.cl, tx.Hash())
	if err != nil {
		e.t.Fatal(err)
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("transaction to %s reverted", to)
	}
	return rc
}

// deposit deposits amount for a ledger account, in a block of its own.
func (e *env) deposit(to string, amount int64) *types.Receipt {
	e.t.Helper()
	return e.mine(e.user, e.vault, e.vt.PackDeposit(e.token, big.NewInt(amount), to))
}

func (e *env) commit(n int) {
	for range n {
		e.sim.Commit()
	}
}

func (e *env) relayer(o chain.RelayerOptions) *chain.Relayer {
	e.t.Helper()
	o.EVM, o.ChainID, o.Vault, o.Ledger = e.cl, simChainID, e.vault, e.eng
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
	v, err := bind.Call(e.tok.Instance(e.cl, e.token), nil, e.tok.PackBalanceOf(a), e.tok.UnpackBalanceOf)
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
		Backend: e.cl, Bridge: e.bridgeA, Transact: e.opts(e.owner),
		Wait: func(ctx context.Context, tx *types.Transaction) (*types.Receipt, error) {
			e.sim.Commit()
			return bind.WaitMined(ctx, e.cl, tx.Hash())
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

var errReverted = errors.New("reverted")
