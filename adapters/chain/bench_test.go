package chain_test

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"

	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/simchain"
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

// BenchmarkRelayerCredit measures deposits credited per second through
// the relayer: b.N deposits are mined beforehand (200 a block), then one
// relayer step scans them (eth_getLogs by range), checks their blocks and
// credits them on the embedded ledger (Pebble, signatures verified).
//
//	(cd adapters/chain && go test -run '^$' -bench RelayerCredit -benchtime 2000x)
func BenchmarkRelayerCredit(b *testing.B) {
	e := newEnv(b)
	const perBlock = 200
	nonce, err := e.cl.PendingNonceAt(e.ctx, simchain.Addr(e.user))
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		o := e.opts(e.user)
		o.Nonce, o.GasLimit = new(big.Int).SetUint64(nonce+uint64(i)), 200_000
		if _, err := bind.Transact(e.vt.Instance(e.cl, e.vault), o, e.vt.PackDeposit(e.token, big.NewInt(int64(i+1)), "alice")); err != nil {
			b.Fatal(err)
		}
		if (i+1)%perBlock == 0 {
			e.commit(1)
		}
	}
	e.commit(1)
	r := e.relayer(chain.RelayerOptions{})
	b.ResetTimer()
	res := e.step(r)
	b.StopTimer()
	if res.Credited != b.N {
		b.Fatalf("credited %d of %d: %+v", res.Credited, b.N, res)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deposits/s")
}

// BenchmarkWithdrawProof measures, for anchors of n withdrawals, the
// prover's time per proof (bridge.Prove on the engine's state), the
// proof's size and the gas of CooperaBridge.withdraw releasing one
// withdrawal (the first, whose path is the longest).
//
//	(cd adapters/chain && go test -run '^$' -bench WithdrawProof -benchtime 20x)
func BenchmarkWithdrawProof(b *testing.B) {
	for _, n := range []int{1, 16, 256, 1024} {
		b.Run(fmt.Sprintf("anchor=%d", n), func(b *testing.B) {
			e := newEnv(b)
			e.deposit("alice", 1_000_000_000)
			e.step(e.relayer(chain.RelayerOptions{}))
			alice := e.signer("alice")
			cmds := make([]*ledger.Command, n)
			for i := range cmds {
				cmds[i] = alice.Command("", &bridge.Withdraw{Asset: "USDC", Recipient: bridge.Address{19: 0xb0}, Amount: ledger.NewAmount(uint64(i + 1))})
			}
			rcs, err := e.eng.SubmitBatch(e.ctx, cmds)
			if err != nil {
				b.Fatal(err)
			}
			for _, rc := range rcs {
				if rc.Err != nil {
					b.Fatal(rc.Err)
				}
			}
			st, err := e.anchorer().Step(e.ctx)
			if err != nil || len(st.Posted) != 1 {
				b.Fatalf("anchorer: %+v %v", st, err)
			}
			view := e.eng.View()
			var p bridge.Proof
			b.ResetTimer()
			for i := range b.N {
				if p, err = bridge.Prove(view, uint64(i%n)+1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			p, err = bridge.Prove(view, 1)
			if err != nil {
				b.Fatal(err)
			}
			rc, err := e.release(&p)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(32*len(p.Siblings)), "proof-bytes")
			b.ReportMetric(float64(rc.GasUsed), "withdraw-gas")
			b.ReportMetric(float64(st.GasUsed[0]), "anchor-gas")
		})
	}
}
