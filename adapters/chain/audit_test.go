package chain_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/simchain"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// Tests from a read-only audit of the bridge: each failed before its fix.

// reorgingEVM runs hook once, right after the first eth_getLogs that
// returns logs: a reorg between the logs and whatever the relayer reads
// next (or an RPC that answers from two nodes).
type reorgingEVM struct {
	chain.EVM
	hook func()
}

func (r *reorgingEVM) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	logs, err := r.EVM.FilterLogs(ctx, q)
	if len(logs) > 0 && r.hook != nil {
		h := r.hook
		r.hook = nil
		h()
	}
	return logs, err
}

// A reorg right after a scan's logs, moving a deposit to another block of
// a longer branch, is rescanned from below that deposit's block: every
// deposit is credited once. The relayer used to rewind only to the scan's
// end, which was canonical, and stall for good with nothing credited.
func TestRelayerReorgBetweenLogsAndEnd(t *testing.T) {
	e := newEnv(t)
	parent, err := e.cl.HeaderByNumber(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.deposit("alice", 42)
	e.commit(3)
	evm := &reorgingEVM{EVM: e.cl, hook: func() {
		if err := e.sim.Fork(parent.Hash()); err != nil {
			t.Fatal(err)
		}
		e.commit(15) // the new branch, with the deposit again, is longer
	}}
	r, err := chain.NewRelayer(chain.RelayerOptions{EVM: evm, ChainID: simChainID, Vault: e.vault, Ledger: e.eng,
		Actor: "relayer", Key: adaptertest.Key("relayer"), LedgerChainID: e.ledgerID, Confirmations: 2})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		e.deposit("alice", 1)
		e.commit(3)
		if _, err := r.Step(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.commit(3)
	if _, err := r.Step(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got, vault := e.balance("alice", "USDC"), e.tokenBalance(e.vault); got != 46 || vault.Cmp(big.NewInt(46)) != 0 {
		t.Fatalf("alice holds %d on the ledger, the vault %s; want 46 and 46", got, vault)
	}
}

// A deposit to a string that is not valid UTF-8 goes to the suspense
// account like any deposit to no account, through a relayer that submits
// by the HTTP API too: its JSON used to alter the signed bytes, and the
// ledger's bad_signature stopped the relayer for good.
func TestRelayerInvalidUTF8Recipient(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(api.NewHandler(e.eng, nil))
	defer srv.Close()
	e.deposit("\xff", 1)
	e.deposit("alice", 5_000_000)
	r, err := chain.NewRelayer(chain.RelayerOptions{EVM: e.cl, ChainID: simChainID, Vault: e.vault, Ledger: &submit.Node{URL: srv.URL},
		Actor: "relayer", Key: adaptertest.Key("relayer"), LedgerChainID: e.ledgerID})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Step(e.ctx)
	if err != nil || res.Credited != 2 {
		t.Fatalf("step: %+v, %v; want both deposits credited", res, err)
	}
	if a, s := e.balance("alice", "USDC"), e.balance(bridge.SuspenseAccount, "USDC"); a != 5_000_000 || s != 1 {
		t.Fatalf("alice %d, suspense %d; want 5000000 and 1", a, s)
	}
}

// With no confirmations, a deposit credited at the head and then replaced
// by a reorg (another deposit under its vault nonce) stops the relayer
// with ErrConflict, for its operator: it used to count as a duplicate,
// hiding value the ledger credited and the vault does not hold.
func TestRelayerReorgConflictStops(t *testing.T) {
	e := newEnv(t)
	parent, err := e.cl.HeaderByNumber(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc := e.deposit("alice", 1_000_000)
	r := e.relayer(chain.RelayerOptions{})
	if res := e.step(r); res.Credited != 1 {
		t.Fatalf("step: %+v", res)
	}
	// The sender's same transaction slot, on the new branch, deposits 42:
	// vault nonce 1 again.
	o := e.forkReplacing(parent.Hash(), rc.TxHash)
	if _, err := bind.Transact(e.vt.Instance(e.cl, e.vault), o, e.vt.PackDeposit(e.token, big.NewInt(42), "alice")); err != nil {
		t.Fatal(err)
	}
	e.commit(3)
	if _, err := r.Step(e.ctx); !errors.Is(err, chain.ErrConflict) {
		t.Fatalf("a deposit replaced after its credit: %v; want ErrConflict", err)
	}
}

// Tests from a second read-only audit of the bridge: each failed before
// its fix.

// A relayer whose client reaches another chain than the one it is
// configured for (a wrong RPC URL, or DNS that an attacker controls)
// credits nothing and stops with a *ChainIDError naming both ids. Here
// the ledger and the relayer name chain 1 while the client reaches the
// simulated chain (1337), where a vault sits at the configured address:
// the relayer used to credit its deposit, which no vault on chain 1
// holds.
func TestRelayerRefusesAnotherChain(t *testing.T) {
	e := newEnvWith(t, envConfig{bridgeChain: 1})
	e.deposit("alice", 1_000)
	r, err := chain.NewRelayer(chain.RelayerOptions{EVM: e.cl, ChainID: 1, Vault: e.vault, Ledger: e.eng,
		Actor: "relayer", Key: adaptertest.Key("relayer"), LedgerChainID: e.ledgerID})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := r.Step(e.ctx)
		wrongChain(t, err, 1)
	}
	if got := e.balance("alice", "USDC"); got != 0 {
		t.Fatalf("alice holds %d USDC units credited from another chain", got)
	}
	if c := r.Cursor(); c.Next != 0 || len(c.Pending) != 0 {
		t.Fatalf("the relayer scanned another chain: %+v", c)
	}
}

// An anchorer whose backend reaches another chain than the ledger's
// params.bridge.chain_id neither seals nor posts: it stops with a
// *ChainIDError naming both ids. It used to post the ledger's anchors
// there.
func TestAnchorerRefusesAnotherChain(t *testing.T) {
	e := newEnvWith(t, envConfig{bridgeChain: 1})
	a, err := chain.NewAnchorer(chain.AnchorerOptions{
		Ledger: e.eng, Reader: chain.EngineReader(e.eng), Signer: e.signer("anchorer"),
		Backend: e.cl, Bridge: e.bridgeA, Transact: e.opts(e.owner), Wait: e.c.WaitCommit, Empty: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Step(e.ctx)
	wrongChain(t, err, 1)
	if st.Sealed || len(st.Posted) != 0 {
		t.Fatalf("anchorer on another chain: %+v", st)
	}
	if cur, err := bridge.GetCursor(e.eng.View()); err != nil || cur.Anchors != 0 {
		t.Fatalf("ledger anchors: %+v %v; want none", cur, err)
	}
	if n, err := bind.Call(e.bc.Instance(e.cl, e.bridgeA), nil, e.bc.PackAnchorCount(), e.bc.UnpackAnchorCount); err != nil || n != 0 {
		t.Fatalf("anchors posted on the other chain: %d %v", n, err)
	}
}

// wrongChain checks that err says the client is on the simulated chain
// instead of chain want.
func wrongChain(t *testing.T, err error, want uint64) {
	t.Helper()
	var ce *chain.ChainIDError
	if !errors.Is(err, chain.ErrWrongChain) || !errors.As(err, &ce) {
		t.Fatalf("on another chain: %v; want ErrWrongChain", err)
	}
	if ce.Want != want || ce.Got.Cmp(big.NewInt(simChainID)) != 0 {
		t.Fatalf("ChainIDError %+v; want %d, got %d", ce, want, simChainID)
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprint(want)) || !strings.Contains(msg, fmt.Sprint(simChainID)) {
		t.Fatalf("%q names not both chain ids", msg)
	}
}

// shortLedger answers a batch for its first command only, as a faulty
// node or proxy might: the commands after it were never applied.
type shortLedger struct{ submit.Submitter }

func (s shortLedger) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*coopera.Receipt, error) {
	return s.Submitter.SubmitBatch(ctx, cmds[:1])
}

// A ledger answering fewer receipts than the deposits sent stops the
// relayer with ErrReceipts, every deposit kept pending: resubmitted, the
// one applied is answered as a duplicate and the other credited. The
// relayer used to take the short answer as the whole one and drop the
// deposit never answered.
func TestRelayerShortAnswerKeepsDeposits(t *testing.T) {
	e := newEnv(t)
	e.deposit("alice", 1)
	e.deposit("alice", 2)
	cursor := &chain.MemCursor{}
	short := e.relayer(chain.RelayerOptions{Cursor: cursor, Ledger: shortLedger{e.eng}})
	if _, err := short.Step(e.ctx); !errors.Is(err, chain.ErrReceipts) {
		t.Fatalf("a short answer: %v; want ErrReceipts", err)
	}
	if n := len(short.Cursor().Pending); n != 2 {
		t.Fatalf("%d deposits pending after a short answer, want 2", n)
	}
	if err := cursor.Save(short.Cursor()); err != nil {
		t.Fatal(err)
	}
	if res := e.step(e.relayer(chain.RelayerOptions{Cursor: cursor})); res.Duplicates != 1 || res.Credited != 1 {
		t.Fatalf("resubmitted: %+v; want 1 duplicate, 1 credited", res)
	}
	if got := e.balance("alice", "USDC"); got != 3 {
		t.Fatalf("alice holds %d, want 3", got)
	}
}

// emptyLedger answers every batch with no receipt.
type emptyLedger struct{}

func (emptyLedger) SubmitBatch(context.Context, []*ledger.Command) ([]*coopera.Receipt, error) {
	return nil, nil
}

// An anchorer answered with no receipt for its bridge_anchor stops with
// ErrReceipts: it used to panic (index out of range).
func TestAnchorerEmptyAnswer(t *testing.T) {
	e := newEnv(t)
	a, err := chain.NewAnchorer(chain.AnchorerOptions{
		Ledger: emptyLedger{}, Reader: chain.EngineReader(e.eng), Signer: e.signer("anchorer"),
		Backend: e.cl, Bridge: e.bridgeA, Transact: e.opts(e.owner), Wait: e.c.WaitCommit, Empty: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Step(e.ctx); !errors.Is(err, chain.ErrReceipts) {
		t.Fatalf("no receipt: %v; want ErrReceipts", err)
	}
}

// A deposit whose credit would overflow the asset's supply counter (the
// ledger keeps amounts in 128 bits, and the vault takes up to 2^128-1
// per deposit) is refused by the ledger; the relayer stops with
// ErrDepositRefused, the deposit pending, and keeps stopping (its
// command's nonce is used by the refusal: replayed_nonce). It used to
// count it rejected and drop it.
func TestRelayerStopsOnOverflow(t *testing.T) {
	e := newEnv(t)
	maxU128 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	e.mine(e.owner, e.token, e.tok.PackMint(simchain.Addr(e.user), maxU128))
	e.mine(e.user, e.vault, e.vt.PackDeposit(e.token, maxU128, "alice"))
	e.deposit("alice", 1)
	var dropped []uint64
	r := e.relayer(chain.RelayerOptions{OnReject: func(d bridge.Deposit, _ error) { dropped = append(dropped, d.Nonce) }})
	// The refusal uses no command nonce (bridge.Deposit is OnceOnly): the
	// next step meets the same cause, not a replayed nonce.
	for i, cause := range []error{ledger.ErrAmountOverflow, ledger.ErrAmountOverflow} {
		res, err := r.Step(e.ctx)
		if !errors.Is(err, chain.ErrDepositRefused) || !errors.Is(err, cause) {
			t.Fatalf("step %d: %+v, %v; want ErrDepositRefused for %v", i, res, err, cause)
		}
		if p := r.Cursor().Pending; len(p) != 1 || p[0].Deposit.Nonce != 2 {
			t.Fatalf("step %d: pending %+v; want deposit 2", i, p)
		}
		if res.Rejected != 0 || len(dropped) != 0 {
			t.Fatalf("step %d: %+v, dropped %v; want nothing dropped", i, res, dropped)
		}
	}
	if bal, err := e.eng.Balance(e.ctx, "alice", "USDC"); err != nil || bal.Big().Cmp(maxU128) != 0 {
		t.Fatalf("alice holds %v (%v); want 2^128-1", bal, err)
	}
}
