package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coopera/coopera/adapters/chain/bindings"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// Backend is what the anchorer uses of the EVM chain: calls,
// transactions, receipts and eth_chainId. *ethclient.Client and the
// simulated backend's client have it.
type Backend interface {
	bind.ContractBackend
	bind.DeployBackend
	// ChainID is eth_chainId: each step checks it against the ledger's
	// params.bridge.chain_id (ChainIDError).
	ChainID(ctx context.Context) (*big.Int, error)
}

// AnchorerOptions configure an Anchorer.
type AnchorerOptions struct {
	// Ledger takes the bridge_anchor commands; Reader reads the anchors and
	// blocks back. Required.
	Ledger submit.Submitter
	Reader LedgerReader
	// Signer builds the anchorer account's commands (an account in
	// params.bridge.anchorers). Required.
	Signer *submit.Signer
	// Backend and Bridge reach the CooperaBridge contract; Transact signs
	// with the contract's anchorer key. Required. Every Step first checks
	// that Backend is on the chain the ledger's params.bridge.chain_id
	// names, and fails with a *ChainIDError, sealing and posting nothing,
	// if not (or if the bridge names no chain yet).
	Backend  Backend
	Bridge   common.Address
	Transact *bind.TransactOpts
	// Wait waits until a transaction is mined and returns its receipt.
	// Default bind.WaitMined.
	Wait func(ctx context.Context, tx *types.Transaction) (*types.Receipt, error)
	// Empty seals an anchor at every interval, withdrawals or not, so the
	// ledger's state root is anchored regularly (an EVM transaction each
	// time). Default false: an anchor is sealed only when a withdrawal
	// waits for one.
	Empty bool
	// Metrics, if set, is updated by every step.
	Metrics *Metrics
}

// Anchorer seals the ledger's withdrawals at the governed interval
// (bridge_anchor) and posts every sealed anchor on the EVM chain as
// (height, block hash, state root, withdrawals root), in index order.
// Before posting it checks that block `height` of the ledger really holds
// the AnchorSealed event with that root: it never posts an anchor that
// its ledger does not show.
type Anchorer struct {
	o  AnchorerOptions
	bc *bindings.CooperaBridge
	in *bind.BoundContract
}

// NewAnchorer returns an anchorer.
func NewAnchorer(o AnchorerOptions) (*Anchorer, error) {
	if o.Ledger == nil || o.Reader == nil || o.Signer == nil || o.Backend == nil || o.Transact == nil {
		return nil, fmt.Errorf("%w: an anchorer needs Ledger, Reader, Signer, Backend and Transact", ErrOptions)
	}
	if o.Wait == nil {
		o.Wait = func(ctx context.Context, tx *types.Transaction) (*types.Receipt, error) {
			return bind.WaitMined(ctx, o.Backend, tx.Hash())
		}
	}
	if o.Metrics == nil {
		o.Metrics = &Metrics{}
	}
	bc := bindings.NewCooperaBridge()
	return &Anchorer{o: o, bc: bc, in: bc.Instance(o.Backend, o.Bridge)}, nil
}

// AnchorStep says what an anchorer step did.
type AnchorStep struct {
	Sealed bool     // a bridge_anchor was applied
	Posted []uint64 // anchors posted on the EVM chain, by index
	// GasUsed is the gas of each postAnchor transaction.
	GasUsed []uint64
}

// ErrAnchorMismatch means the ledger's block does not hold the anchor its
// state records: the anchorer refuses to post it.
var ErrAnchorMismatch = errors.New("chain: ledger block does not hold the anchor")

// Step seals an anchor if the interval has passed, then posts the anchors
// the contract does not have yet.
func (a *Anchorer) Step(ctx context.Context) (AnchorStep, error) {
	var st AnchorStep
	cur, err := bridge.GetCursor(a.o.Reader)
	if err != nil {
		return st, err
	}
	h := a.o.Reader.Height()
	p, err := bridge.ParamsAt(a.o.Reader, h+1)
	if err != nil {
		return st, err
	}
	if err := checkChain(ctx, a.o.Backend, p.ChainID); err != nil {
		return st, err
	}
	due := cur.Anchors == 0 || h+1-cur.AnchorHeight >= p.AnchorInterval // a difference: a sum could wrap
	if due && (a.o.Empty || cur.Pending() > 0) {
		rcs, err := a.o.Ledger.SubmitBatch(ctx, []*ledger.Command{a.o.Signer.Command("", &bridge.Anchor{})})
		if err == nil {
			err = checkReceipts(rcs, 1)
		}
		if err != nil {
			return st, fmt.Errorf("chain: bridge_anchor: %w", err)
		}
		switch err := rcs[0].Err; {
		case err == nil:
			st.Sealed = true
		case errors.Is(err, bridge.ErrTooEarly):
		default:
			return st, fmt.Errorf("chain: bridge_anchor refused: %w", err)
		}
		if cur, err = bridge.GetCursor(a.o.Reader); err != nil {
			return st, err
		}
	}
	posted, err := bind.Call(a.in, &bind.CallOpts{Context: ctx}, a.bc.PackAnchorCount(), a.bc.UnpackAnchorCount)
	if err != nil {
		return st, fmt.Errorf("chain: anchorCount: %w", err)
	}
	var lastNonce uint64
	for idx := posted + 1; idx <= cur.Anchors; idx++ {
		an, ok, err := bridge.GetAnchor(a.o.Reader, idx)
		if err != nil || !ok {
			return st, fmt.Errorf("chain: ledger anchor %d: %v (found %v)", idx, err, ok)
		}
		b, err := a.o.Reader.Block(ctx, an.Height)
		if err != nil {
			return st, fmt.Errorf("chain: ledger block %d: %w", an.Height, err)
		}
		if !holds(b, &an) {
			return st, fmt.Errorf("%w: block %d, anchor %d", ErrAnchorMismatch, an.Height, idx)
		}
		hash := b.Header.Hash()
		tx, err := bind.Transact(a.in, a.o.Transact, a.bc.PackPostAnchor(idx, an.Height, hash, b.StateRoot, an.Root))
		if err != nil {
			return st, fmt.Errorf("chain: postAnchor %d: %w", idx, err)
		}
		rc, err := a.o.Wait(ctx, tx)
		if err != nil {
			return st, fmt.Errorf("chain: postAnchor %d: %w", idx, err)
		}
		if rc.Status != types.ReceiptStatusSuccessful {
			return st, fmt.Errorf("chain: postAnchor %d reverted", idx)
		}
		st.Posted = append(st.Posted, idx)
		st.GasUsed = append(st.GasUsed, rc.GasUsed)
		a.o.Metrics.Anchors.Add(1)
		lastNonce = an.LastNonce
	}
	if len(st.Posted) == 0 && posted > 0 {
		if an, ok, err := bridge.GetAnchor(a.o.Reader, posted); err == nil && ok {
			lastNonce = an.LastNonce
		}
	}
	a.o.Metrics.PendingWithdraws.Store(cur.Withdrawals - min(lastNonce, cur.Withdrawals))
	return st, nil
}

// holds reports whether b carries the AnchorSealed event an.
func holds(b *ledger.Block, an *bridge.AnchorSealed) bool {
	for _, ev := range b.Events {
		if e, ok := ev.(*bridge.AnchorSealed); ok && *e == *an {
			return true
		}
	}
	return false
}

// Release sends the CooperaBridge.withdraw transaction for a proof (from
// bridge.Prove, or `coopera-bridge prove`). Anyone may send it: the
// tokens go to the recipient the proof names.
func Release(backend bind.ContractBackend, bridgeAddr common.Address, opts *bind.TransactOpts, p *bridge.Proof) (*types.Transaction, error) {
	bc := bindings.NewCooperaBridge()
	sib := make([][32]byte, len(p.Siblings))
	for i, s := range p.Siblings {
		sib[i] = s
	}
	w := &p.Withdrawal
	data := bc.PackWithdraw(p.Anchor, w.Nonce, common.Address(w.Recipient), common.Address(w.Token), w.Amount.Big(), sib)
	return bind.Transact(bc.Instance(backend, bridgeAddr), opts, data)
}
