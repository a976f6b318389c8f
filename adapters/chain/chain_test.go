package chain_test

import (
	"context"
	"errors"
	"math/big"
	"path/filepath"
	"testing"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// A deposit is credited once: not before it is deep enough, once when it
// is, never again by later steps or by a second relayer that rescans the
// chain from the start.
func TestDepositCreditedOnce(t *testing.T) {
	e := newEnv(t)
	e.deposit("alice", 5_000_000)
	r := e.relayer(chain.RelayerOptions{Confirmations: 2})
	if res := e.step(r); res.Credited != 0 || res.Seen != 1 {
		t.Fatalf("at depth 0: %+v", res)
	}
	e.commit(2)
	if res := e.step(r); res.Credited != 1 {
		t.Fatalf("at depth 2: %+v", res)
	}
	if res := e.step(r); res.Credited != 0 || res.Duplicates != 0 {
		t.Fatalf("again: %+v", res)
	}
	again := e.relayer(chain.RelayerOptions{Confirmations: 2})
	if res := e.step(again); res.Credited != 0 || res.Duplicates != 1 {
		t.Fatalf("a second relayer from scratch: %+v", res)
	}
	if got := e.balance("alice", "USDC"); got != 5_000_000 {
		t.Fatalf("alice holds %d USDC units, want 5000000", got)
	}
	if err := bridge.CheckBacked(e.eng.View(), "USDC"); err != nil {
		t.Fatal(err)
	}
}

// At the finalized tag, a deposit waits for the simulated beacon's
// finalized block (every 32 blocks).
func TestDepositAtFinalized(t *testing.T) {
	e := newEnv(t)
	e.deposit("alice", 7)
	r := e.relayer(chain.RelayerOptions{Finalized: true})
	if res := e.step(r); res.Credited != 0 || res.Seen != 1 {
		t.Fatalf("before finality: %+v", res)
	}
	e.commit(40)
	if res := e.step(r); res.Credited != 1 || res.Safe < 32 {
		t.Fatalf("after finality: %+v", res)
	}
	if got := e.balance("alice", "USDC"); got != 7 {
		t.Fatalf("alice holds %d, want 7", got)
	}
}

// A reorg that removes a deposit before it reaches its depth credits
// nothing: the relayer rewinds to the common ancestor and scans the new
// branch, where the deposit is not.
func TestReorgBeforeFinalityCreditsNothing(t *testing.T) {
	e := newEnv(t)
	parent, err := e.cl.HeaderByNumber(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc := e.deposit("alice", 5_000_000)
	e.commit(1)
	r := e.relayer(chain.RelayerOptions{Confirmations: 3})
	if res := e.step(r); res.Seen != 1 || res.Credited != 0 {
		t.Fatalf("before the reorg: %+v", res)
	}
	// The new branch from the deposit's parent: the depositor's nonce is
	// taken by another transaction, so the deposit cannot come back.
	o := e.forkReplacing(parent.Hash(), rc.TxHash)
	if _, err := bind.Transact(e.tok.Instance(e.cl, e.token), o, e.tok.PackApprove(e.vault, big.NewInt(1))); err != nil {
		t.Fatal(err)
	}
	e.commit(6)
	if n, _ := bind.Call(e.vt.Instance(e.cl, e.vault), nil, e.vt.PackDepositCount(), e.vt.UnpackDepositCount); n != 0 {
		t.Fatalf("the new branch has %d deposits", n)
	}
	res := e.step(r)
	if res.Rewound == 0 || res.Credited != 0 {
		t.Fatalf("after the reorg: %+v", res)
	}
	if got := len(r.Cursor().Pending); got != 0 {
		t.Fatalf("%d deposits still pending after the reorg", got)
	}
	if got := e.balance("alice", "USDC"); got != 0 {
		t.Fatalf("alice holds %d after a reorged-out deposit", got)
	}
}

// A reorg that moves a deposit to another block credits it once: its key
// is the vault's deposit nonce, not the block.
func TestReorgMovesDepositCreditedOnce(t *testing.T) {
	e := newEnv(t)
	parent, err := e.cl.HeaderByNumber(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.deposit("alice", 42)
	r := e.relayer(chain.RelayerOptions{Confirmations: 0})
	if res := e.step(r); res.Credited != 1 {
		t.Fatalf("%+v", res)
	}
	if err := e.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	e.commit(3) // the reinjected deposit lands in the new branch
	for range 3 {
		e.step(r)
		e.commit(1)
	}
	if n, _ := bind.Call(e.vt.Instance(e.cl, e.vault), nil, e.vt.PackDepositCount(), e.vt.UnpackDepositCount); n != 1 {
		t.Fatalf("the new branch has %d deposits, want the moved one", n)
	}
	if got := e.balance("alice", "USDC"); got != 42 {
		t.Fatalf("alice holds %d, want 42 once", got)
	}
}

// flakyCursor stops saving after a number of saves: the relayer
// "crashes" with an older cursor on disk.
type flakyCursor struct {
	chain.FileCursor
	saves int
}

func (f *flakyCursor) Save(c chain.Cursor) error {
	if f.saves == 0 {
		return nil
	}
	f.saves--
	return f.FileCursor.Save(c)
}

// A relayer restarted mid-stream from an older cursor credits nothing
// twice: it resubmits byte-identical commands, answered as duplicates.
func TestRestartMidStreamNoDoubleCredit(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "cursor.json")
	for i := range 3 {
		e.deposit("alice", int64(100+i))
	}
	first := e.relayer(chain.RelayerOptions{Cursor: &flakyCursor{FileCursor: chain.FileCursor{Path: path}, saves: 1}})
	if res := e.step(first); res.Credited != 3 {
		t.Fatalf("first step: %+v", res)
	}
	for i := range 3 {
		e.deposit("alice", int64(200+i))
	}
	if res := e.step(first); res.Credited != 3 {
		t.Fatalf("second step: %+v", res)
	} // its cursor was not saved: a crash right after the credits
	restarted := e.relayer(chain.RelayerOptions{Cursor: chain.FileCursor{Path: path}})
	res := e.step(restarted)
	if res.Credited != 0 || res.Duplicates != 3 {
		t.Fatalf("after the restart: %+v", res)
	}
	e.deposit("alice", 1)
	if res := e.step(restarted); res.Credited != 1 {
		t.Fatalf("after the restart, a new deposit: %+v", res)
	}
	if got, want := e.balance("alice", "USDC"), uint64(100+101+102+200+201+202+1); got != want {
		t.Fatalf("alice holds %d, want %d", got, want)
	}
	if err := bridge.CheckBacked(e.eng.View(), "USDC"); err != nil {
		t.Fatal(err)
	}
}

// withdrawals credits alice through the relayer, then records two
// withdrawals and anchors them on the EVM chain.
func withdrawals(t *testing.T, e *env, recipient common.Address) {
	e.deposit("alice", 10_000_000)
	e.step(e.relayer(chain.RelayerOptions{}))
	alice := e.signer("alice")
	for _, amt := range []uint64{3_000_000, 1_000_000, 5} {
		if err := e.submit(alice.Command("", &bridge.Withdraw{Asset: "USDC", Recipient: bridge.Address(recipient), Amount: ledger.NewAmount(amt)})); err != nil {
			t.Fatal(err)
		}
	}
	st, err := e.anchorer().Step(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Sealed || len(st.Posted) != 1 {
		t.Fatalf("anchorer: %+v", st)
	}
	t.Logf("postAnchor gas: %d", st.GasUsed[0])
}

func (e *env) release(p *bridge.Proof) (*types.Receipt, error) {
	tx, err := chain.Release(e.cl, e.bridgeA, e.opts(e.user), p)
	if err != nil {
		return nil, err
	}
	e.sim.Commit()
	rc, err := bind.WaitMined(e.ctx, e.cl, tx.Hash())
	if err != nil {
		return nil, err
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		return rc, errReverted
	}
	return rc, nil
}

// A withdrawal is released with a valid proof, once; a forged proof, a
// forged amount or a replay is refused.
func TestWithdrawalReleasedOnce(t *testing.T) {
	e := newEnv(t)
	recipient := common.HexToAddress("0x00000000000000000000000000000000000b0b00")
	withdrawals(t, e, recipient)
	p, err := bridge.Prove(e.eng.View(), 1)
	if err != nil {
		t.Fatal(err)
	}
	// The contract computes the same leaf as the ledger.
	leaf, err := bind.Call(e.bc.Instance(e.cl, e.bridgeA), nil, e.bc.PackLeaf(1, recipient, e.token, big.NewInt(3_000_000)), e.bc.UnpackLeaf)
	if err != nil {
		t.Fatal(err)
	}
	if bridge.Hash32(leaf) != p.Leaf {
		t.Fatalf("contract leaf %x, ledger leaf %s", leaf, p.Leaf)
	}
	forged := p
	forged.Withdrawal.Amount = ledger.NewAmount(3_000_001)
	if _, err := e.release(&forged); err == nil {
		t.Fatal("a forged amount was released")
	}
	forged = p
	forged.Siblings = append([]bridge.Hash32(nil), p.Siblings...)
	forged.Siblings[0][0] ^= 1
	if _, err := e.release(&forged); err == nil {
		t.Fatal("a forged proof was released")
	}
	rc, err := e.release(&p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("withdraw of an anchor of 3: proof %d siblings (%d bytes), gas %d", len(p.Siblings), 32*len(p.Siblings), rc.GasUsed)
	if got := e.tokenBalance(recipient); got.Cmp(big.NewInt(3_000_000)) != 0 {
		t.Fatalf("recipient holds %s, want 3000000", got)
	}
	if _, err := e.release(&p); err == nil {
		t.Fatal("a replayed withdrawal was released twice")
	}
	p3, err := bridge.Prove(e.eng.View(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.release(&p3); err != nil {
		t.Fatal(err)
	}
	if got := e.tokenBalance(recipient); got.Cmp(big.NewInt(3_000_005)) != 0 {
		t.Fatalf("recipient holds %s, want 3000005", got)
	}
	if got := e.tokenBalance(e.vault); got.Cmp(big.NewInt(10_000_000-3_000_005)) != 0 {
		t.Fatalf("vault holds %s", got)
	}
}

// The relayer's key cannot act as anyone else: commands it signs for
// alice are refused, it cannot spend alice's funds, and alice (not a
// relayer) cannot credit deposits.
func TestRelayerKeyCannotActAsAnyoneElse(t *testing.T) {
	e := newEnv(t)
	e.deposit("alice", 1_000)
	e.step(e.relayer(chain.RelayerOptions{}))
	relayer := e.signer("relayer")
	asAlice := e.signer("alice")
	asAlice.PrivateKey = relayer.PrivateKey // alice's actor, the relayer's key
	for _, p := range []ledger.Payload{
		&ledger.Transfer{Legs: []ledger.Leg{{To: "relayer", Asset: "USDC", Amount: ledger.NewAmount(1)}}},
		&bridge.Withdraw{Asset: "USDC", Recipient: bridge.Address{1}, Amount: ledger.NewAmount(1)},
	} {
		if err := e.submit(asAlice.Command("", p)); !errors.Is(err, ledger.ErrBadSignature) {
			t.Fatalf("%s as alice with the relayer's key: %v", p.Type(), err)
		}
	}
	if err := e.submit(relayer.Command("", &bridge.Withdraw{Asset: "USDC", Recipient: bridge.Address{1}, Amount: ledger.NewAmount(1)})); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("the relayer withdrawing: %v", err)
	}
	dep := &bridge.Deposit{ChainID: simChainID, Contract: bridge.Address(e.vault), Nonce: 99, Token: bridge.Address(e.token), From: bridge.Address{2}, To: "alice", Amount: ledger.NewAmount(1)}
	if err := e.submit(e.signer("alice").Command("", dep)); !errors.Is(err, bridge.ErrNotRelayer) {
		t.Fatalf("alice crediting a deposit: %v", err)
	}
	if got := e.balance("alice", "USDC"); got != 1_000 {
		t.Fatalf("alice holds %d, want 1000", got)
	}
}

// The anchorer seals only when a withdrawal waits (unless Empty), and
// posts each anchor once.
func TestAnchorerSealsWhenDue(t *testing.T) {
	e := newEnv(t)
	a := e.anchorer()
	st, err := a.Step(e.ctx)
	if err != nil || st.Sealed || len(st.Posted) != 0 {
		t.Fatalf("nothing to anchor: %+v %v", st, err)
	}
	withdrawals(t, e, common.HexToAddress("0x0000000000000000000000000000000000000b0b"))
	if st, err = a.Step(e.ctx); err != nil || st.Sealed || len(st.Posted) != 0 {
		t.Fatalf("again: %+v %v", st, err)
	}
	n, err := bind.Call(e.bc.Instance(e.cl, e.bridgeA), nil, e.bc.PackAnchorCount(), e.bc.UnpackAnchorCount)
	if err != nil || n != 1 {
		t.Fatalf("anchors on the EVM chain: %d %v", n, err)
	}
}

// A relayer the ledger refuses (here: not in params.bridge.relayers)
// keeps its deposits and fails its steps; once it is allowed it credits
// them.
func TestRelayerRefusedKeepsDeposits(t *testing.T) {
	e := newEnv(t)
	e.deposit("alice", 77)
	o := chain.RelayerOptions{EVM: e.cl, ChainID: simChainID, Vault: e.vault, Ledger: e.eng,
		Actor: "alice", Key: adaptertest.Key("alice"), LedgerChainID: e.ledgerID}
	r, err := chain.NewRelayer(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Step(e.ctx); !errors.Is(err, chain.ErrRefused) || !errors.Is(err, bridge.ErrNotRelayer) {
		t.Fatalf("a relayer that is not one: %v", err)
	}
	if n := len(r.Cursor().Pending); n != 1 {
		t.Fatalf("%d deposits pending after the refusal, want 1", n)
	}
	// The real relayer, resuming from the refused one's position.
	o.Actor, o.Key, o.Cursor = "relayer", adaptertest.Key("relayer"), &chain.MemCursor{}
	if err := o.Cursor.Save(r.Cursor()); err != nil {
		t.Fatal(err)
	}
	if res := e.step(e.relayer(o)); res.Credited != 1 {
		t.Fatalf("%+v", res)
	}
	if got := e.balance("alice", "USDC"); got != 77 {
		t.Fatalf("alice holds %d, want 77", got)
	}
}

// cappedEVM refuses eth_getLogs over more than max blocks, as providers do.
type cappedEVM struct {
	chain.EVM
	max   uint64
	calls int
}

func (c *cappedEVM) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	c.calls++
	if q.ToBlock.Uint64()-q.FromBlock.Uint64()+1 > c.max {
		return nil, errors.New("query exceeds max block range")
	}
	return c.EVM.FilterLogs(ctx, q)
}

// A provider that caps the log range: the relayer halves its range and
// still sees every deposit.
func TestRelayerHalvesRangeForProvider(t *testing.T) {
	e := newEnv(t)
	for i := range 5 {
		e.deposit("alice", int64(i+1))
	}
	capped := &cappedEVM{EVM: e.cl, max: 3}
	o := chain.RelayerOptions{EVM: capped, ChainID: simChainID, Vault: e.vault, Ledger: e.eng,
		Actor: "relayer", Key: adaptertest.Key("relayer"), LedgerChainID: e.ledgerID, MaxRange: 1000}
	r, err := chain.NewRelayer(o)
	if err != nil {
		t.Fatal(err)
	}
	res := e.step(r)
	if res.Credited != 5 || capped.calls < 3 {
		t.Fatalf("%+v after %d eth_getLogs", res, capped.calls)
	}
	if got := e.balance("alice", "USDC"); got != 1+2+3+4+5 {
		t.Fatalf("alice holds %d, want 15", got)
	}
}
