// Package simchain deploys the bridge contracts on go-ethereum's simulated
// backend (ethclient/simulated) for tests, benchmarks and the runnable
// walk-through: a token, the CooperaBridge (which deploys its vault), and
// two funded keys. The chain runs mainnet's rules through Osaka, so gas
// figures measured on it are mainnet's.
package simchain

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"

	"github.com/coopera/coopera/adapters/chain/bindings"
)

// ChainID is the simulated backend's chain id.
const ChainID = 1337

// Chain is a simulated EVM chain with the bridge deployed.
type Chain struct {
	Sim    *simulated.Backend
	Client simulated.Client
	// Owner deployed the contracts and is the bridge's anchorer key; User
	// holds tokens and has approved the vault for all of them.
	Owner, User *ecdsa.PrivateKey
	Token       common.Address
	Bridge      common.Address
	Vault       common.Address

	TokenABI  *bindings.TestToken
	BridgeABI *bindings.CooperaBridge
	VaultABI  *bindings.CooperaVault
}

// osaka runs mainnet's rules (through Osaka), not the dev chain's
// unscheduled forks.
func osaka(_ *node.Config, ec *ethconfig.Config) {
	cfg := *ec.Genesis.Config
	cfg.BogotaTime = nil
	ec.Genesis.Config = &cfg
}

// New starts a simulated chain and deploys a 6-decimal token (minting
// userTokens to User), the bridge and its vault. Close it with c.Sim.Close.
func New(ctx context.Context, userTokens *big.Int) (*Chain, error) {
	c := &Chain{TokenABI: bindings.NewTestToken(), BridgeABI: bindings.NewCooperaBridge(), VaultABI: bindings.NewCooperaVault()}
	var err error
	if c.Owner, err = crypto.GenerateKey(); err != nil {
		return nil, err
	}
	if c.User, err = crypto.GenerateKey(); err != nil {
		return nil, err
	}
	eth := new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)
	c.Sim = simulated.NewBackend(types.GenesisAlloc{Addr(c.Owner): {Balance: eth}, Addr(c.User): {Balance: eth}},
		simulated.WithBlockGasLimit(60_000_000), osaka)
	c.Client = c.Sim.Client()
	fail := func(err error) (*Chain, error) { c.Sim.Close(); return nil, err }
	if c.Token, err = c.deploy(ctx, bindings.TestTokenMetaData.Bin, c.TokenABI.PackConstructor("USD Coin", "USDC", 6)); err != nil {
		return fail(err)
	}
	if c.Bridge, err = c.deploy(ctx, bindings.CooperaBridgeMetaData.Bin, c.BridgeABI.PackConstructor(Addr(c.Owner))); err != nil {
		return fail(err)
	}
	if c.Vault, err = bind.Call(c.BridgeABI.Instance(c.Client, c.Bridge), nil, c.BridgeABI.PackVault(), c.BridgeABI.UnpackVault); err != nil {
		return fail(err)
	}
	if _, err := c.Mine(ctx, c.Owner, c.Token, c.TokenABI.PackMint(Addr(c.User), userTokens)); err != nil {
		return fail(err)
	}
	maxU := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	if _, err := c.Mine(ctx, c.User, c.Token, c.TokenABI.PackApprove(c.Vault, maxU)); err != nil {
		return fail(err)
	}
	return c, nil
}

// Addr returns a key's address.
func Addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// Opts returns transaction options signed by k.
func (c *Chain) Opts(ctx context.Context, k *ecdsa.PrivateKey) *bind.TransactOpts {
	o := bind.NewKeyedTransactor(k, big.NewInt(ChainID))
	o.Context = ctx
	return o
}

func (c *Chain) deploy(ctx context.Context, bin string, ctor []byte) (common.Address, error) {
	a, tx, err := bind.DeployContract(c.Opts(ctx, c.Owner), common.FromHex(bin), c.Client, ctor)
	if err != nil {
		return common.Address{}, err
	}
	c.Sim.Commit()
	_, err = bind.WaitDeployed(ctx, c.Client, tx.Hash())
	return a, err
}

// Send sends a transaction to a contract without mining it.
func (c *Chain) Send(ctx context.Context, k *ecdsa.PrivateKey, to common.Address, data []byte) (*types.Transaction, error) {
	return bind.Transact(bind.NewBoundContract(to, c.TokenABI.GetABI(), c.Client, c.Client, c.Client), c.Opts(ctx, k), data)
}

// Mine sends a transaction, mines a block and checks that it succeeded.
func (c *Chain) Mine(ctx context.Context, k *ecdsa.PrivateKey, to common.Address, data []byte) (*types.Receipt, error) {
	tx, err := c.Send(ctx, k, to, data)
	if err != nil {
		return nil, err
	}
	c.Sim.Commit()
	return c.Receipt(ctx, tx)
}

// Receipt waits for a mined transaction and checks that it succeeded.
func (c *Chain) Receipt(ctx context.Context, tx *types.Transaction) (*types.Receipt, error) {
	rc, err := bind.WaitMined(ctx, c.Client, tx.Hash())
	if err != nil {
		return nil, err
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		return rc, fmt.Errorf("simchain: transaction %s reverted", tx.Hash())
	}
	return rc, nil
}

// Deposit deposits amount of the token for ledger account `to`, from User,
// in a block of its own.
func (c *Chain) Deposit(ctx context.Context, to string, amount *big.Int) (*types.Receipt, error) {
	return c.Mine(ctx, c.User, c.Vault, c.VaultABI.PackDeposit(c.Token, amount, to))
}

// TokenBalance returns an address's token balance.
func (c *Chain) TokenBalance(a common.Address) (*big.Int, error) {
	return bind.Call(c.TokenABI.Instance(c.Client, c.Token), nil, c.TokenABI.PackBalanceOf(a), c.TokenABI.UnpackBalanceOf)
}

// Commit mines n empty blocks.
func (c *Chain) Commit(n int) {
	for range n {
		c.Sim.Commit()
	}
}

// WaitCommit is an anchorer's Wait on the simulated chain: it mines the
// block that holds tx.
func (c *Chain) WaitCommit(ctx context.Context, tx *types.Transaction) (*types.Receipt, error) {
	c.Sim.Commit()
	return bind.WaitMined(ctx, c.Client, tx.Hash())
}
