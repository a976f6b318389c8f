package tokenomics_test

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

const f1Genesis = `{"chain_id": "f1", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1m",
 "assets": [{"id": "COOP", "decimals": 6}],
 "accounts": [{"id": "s0"}, {"id": "s1"}, {"id": "s2"}, {"id": "s3"}, {"id": "payer"}, {"id": "sink"}],
 "allocations": [{"account": "s0", "asset": "COOP", "amount": "1000000000"}, {"account": "s1", "asset": "COOP", "amount": "1000000000"},
                 {"account": "s2", "asset": "COOP", "amount": "1000000000"}, {"account": "s3", "asset": "COOP", "amount": "1000000000"},
                 {"account": "payer", "asset": "COOP", "amount": "1000000000000"}],
 "params": {"tokenomics": {"emission_initial": "1234567", "emission_halving_epochs": 1000, "remint_cap": "0", "unbonding_epochs": 0,
   "epoch_shares": {"providers": 0, "mining": 0, "creators": 0, "stakers": 10000, "treasury": 0}}}}`

// TestF1MatchesBruteForce checks the O(1) F1 rewards against a brute-force
// distribution: every reward the protocol pool receives (epoch emission,
// the stakers' share of transfer fees) is split among the stakers of that
// moment exactly, in rationals, pro rata to stake. After random stakes,
// unstakes, claims, restakes, fee-paying transfers and epoch closes, and a
// final claim by everyone, each staker was paid at most its exact share
// and less by under 1 base unit per settlement (each stake, unstake, claim
// or restake floors the pending rewards once, even when that makes zero),
// plus under 1 for a final pending amount that floors to zero (the
// increments' own flooring adds under units / 10^36 per reward, far below
// a base unit here).
func TestF1MatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h, err := ledgertest.New(tokenomics.Module{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := ledger.ParseGenesis([]byte(f1Genesis))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Genesis(g); err != nil {
			t.Fatal(err)
		}
		stakers := []ledger.AccountID{"s0", "s1", "s2", "s3"}
		units := map[ledger.AccountID]*big.Int{}
		owed := map[ledger.AccountID]*big.Rat{}
		paid := map[ledger.AccountID]*big.Int{}
		settlements := map[ledger.AccountID]int64{}
		for _, s := range stakers {
			units[s], owed[s], paid[s] = new(big.Int), new(big.Rat), new(big.Int)
		}
		observe := func(b *ledger.Block) {
			for _, ev := range b.Events {
				switch e := ev.(type) {
				case *tokenomics.PoolRewarded:
					total := new(big.Int)
					for _, s := range stakers {
						total.Add(total, units[s])
					}
					for _, s := range stakers {
						if units[s].Sign() == 0 {
							continue
						}
						share := new(big.Rat).SetFrac(new(big.Int).Mul(e.Amount.Big(), units[s]), total)
						owed[s].Add(owed[s], share)
					}
				case *tokenomics.StakeAdded:
					if e.Units != e.Amount {
						t.Fatalf("native stake of %s gave %s units", e.Amount, e.Units)
					}
					units[e.Account].Add(units[e.Account], e.Amount.Big())
				case *tokenomics.StakeRemoved:
					if e.Units != e.Amount {
						t.Fatalf("native unstake of %s removed %s units", e.Amount, e.Units)
					}
					units[e.Account].Sub(units[e.Account], e.Amount.Big())
				case *tokenomics.RewardsClaimed:
					paid[e.Account].Add(paid[e.Account], e.Amount.Big())
				}
			}
		}
		run := func(at time.Time, js ...string) {
			c, _ := ledger.GetChain(h)
			cmds := ledger.EpochCloses(c, at.UnixNano(), 100)
			for _, j := range js {
				cmds = append(cmds, cmd(t, h, j))
			}
			if len(cmds) == 0 {
				return
			}
			b, err := h.Apply(at, cmds)
			if err != nil {
				t.Fatal(err)
			}
			observe(b)
			for i, r := range b.Results {
				switch cmds[i].Payload.(type) {
				case *tokenomics.Stake, *tokenomics.Unstake, *tokenomics.ClaimRewards, *tokenomics.Restake:
					// Each settles the actor's rewards once, flooring.
					if r.Code == "" {
						settlements[cmds[i].Actor]++
					}
				}
				if r.Code == ledger.ErrInsufficientFunds.Code || r.Code == ledger.ErrInvariant.Code {
					if _, ok := cmds[i].Payload.(*ledger.Transfer); !ok {
						t.Fatalf("%s: %v", cmds[i], r.Err())
					}
				}
			}
		}
		at := h.Time
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			at = at.Add(time.Duration(rapid.IntRange(0, 70).Draw(t, "secs")) * time.Second)
			s := rapid.SampledFrom(stakers).Draw(t, "staker")
			amt := rapid.Uint64Range(1, 50_000_000).Draw(t, "amount")
			var js string
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0, 1:
				js = fmt.Sprintf(`{"type": "stake", "actor": %q, "payload": {"pool": "protocol", "asset": "COOP", "amount": "%d"}}`, s, amt)
			case 2:
				js = fmt.Sprintf(`{"type": "unstake", "actor": %q, "payload": {"pool": "protocol", "asset": "COOP", "amount": "%d"}}`, s, min(amt, units[s].Uint64()+1))
			case 3:
				js = fmt.Sprintf(`{"type": "claim_rewards", "actor": %q, "payload": {"pool": "protocol"}}`, s)
			case 4:
				js = fmt.Sprintf(`{"type": "restake", "actor": %q, "payload": {"pool": "protocol"}}`, s)
			case 5:
				js = fmt.Sprintf(`{"type": "transfer", "actor": "payer", "payload": {"legs": [{"to": "sink", "asset": "COOP", "amount": "%d"}]}}`, amt*rapid.Uint64Range(1, 1000).Draw(t, "mult"))
			}
			run(at, js)
		}
		at = at.Add(time.Second)
		for _, s := range stakers {
			run(at, fmt.Sprintf(`{"type": "claim_rewards", "actor": %q, "payload": {"pool": "protocol"}}`, s))
		}
		for _, s := range stakers {
			p := new(big.Rat).SetInt(paid[s])
			if p.Cmp(owed[s]) > 0 {
				t.Fatalf("%s was paid %s, more than its exact share %s", s, paid[s], owed[s].FloatString(6))
			}
			short := new(big.Rat).Sub(owed[s], p)
			// Each settlement floors once; the last, if pending floors to
			// zero, never happens: under settlements + 1 units short.
			if short.Cmp(new(big.Rat).SetInt64(settlements[s]+1)) >= 0 {
				t.Fatalf("%s was paid %s, %s short of its exact share %s over %d settlements", s, paid[s], short.FloatString(6), owed[s].FloatString(6), settlements[s])
			}
		}
	})
}
