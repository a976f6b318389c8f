package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
)

// ErrWrongChain means an adapter's EVM client answers for another chain
// than the one the adapter serves; errors.As finds the *ChainIDError
// with both ids.
var ErrWrongChain = errors.New("chain: the EVM client is on another chain")

// ChainIDError is the refusal to run against a client on another chain:
// a wrong RPC URL, or DNS or RPC configuration that someone else
// controls. There a contract may sit at the vault's or the bridge's
// address (the same deployer and nonce give the same address on every
// chain), and a relayer would credit deposits that the real vault does
// not hold, an anchorer post the ledger's anchors to a bridge that does
// not release its tokens. It unwraps to ErrWrongChain.
type ChainIDError struct {
	// Want is the chain the adapter serves: RelayerOptions.ChainID for
	// a relayer, the ledger's params.bridge.chain_id for an anchorer.
	Want uint64
	// Got is the client's eth_chainId.
	Got *big.Int
}

func (e *ChainIDError) Error() string {
	if e.Want == 0 {
		return fmt.Sprintf("chain: the ledger's bridge names no chain (params.bridge.chain_id 0); the EVM client is on chain %s", e.Got)
	}
	return fmt.Sprintf("chain: the EVM client is on chain %s, not chain %d: check its RPC URL", e.Got, e.Want)
}

func (e *ChainIDError) Unwrap() error { return ErrWrongChain }

// chainIDReader is eth_chainId: EVM and Backend have it.
type chainIDReader interface {
	ChainID(ctx context.Context) (*big.Int, error)
}

// checkChain reads c's chain id and refuses another than want.
//
// The adapters check it at the start of every step, before anything
// else reaches the chain: a client has no notion of a reconnection to
// hook (over HTTP each request may reach another server), so once per
// step, for one eth_chainId, is where a changed endpoint is caught
// before it is used.
func checkChain(ctx context.Context, c chainIDReader, want uint64) error {
	got, err := c.ChainID(ctx)
	if err != nil {
		return fmt.Errorf("chain: eth_chainId: %w", err)
	}
	if got == nil || !got.IsUint64() || got.Uint64() != want {
		return &ChainIDError{Want: want, Got: got}
	}
	return nil
}
