package contribution_test

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// scenario is a random epoch: providers with contributions, validators
// with stakes and weights.
type scenario struct {
	providers  int
	quantities []uint64
	stakes     []uint64
	weights    [][]uint64 // per validator, per provider
	pool       uint64
}

func genScenario(t *rapid.T) scenario {
	s := scenario{
		providers: rapid.IntRange(1, 6).Draw(t, "providers"),
		pool:      rapid.Uint64Range(0, 1e12).Draw(t, "pool"),
	}
	for range s.providers {
		s.quantities = append(s.quantities, rapid.Uint64Range(1, 1e6).Draw(t, "q"))
	}
	for range rapid.IntRange(0, 5).Draw(t, "validators") {
		s.stakes = append(s.stakes, rapid.Uint64Range(100, 1e6).Draw(t, "stake"))
		var row []uint64
		for range s.providers {
			row = append(row, rapid.Uint64Range(0, 100).Draw(t, "w"))
		}
		row[0]++ // never all zero
		s.weights = append(s.weights, row)
	}
	return s
}

func genesisFor(s scenario) *ledger.Genesis {
	var accts, allocs []string
	accts = append(accts, `{"id":"meter"}`)
	for i := range s.providers {
		accts = append(accts, fmt.Sprintf(`{"id":"p%d"}`, i))
	}
	for i, st := range s.stakes {
		accts = append(accts, fmt.Sprintf(`{"id":"v%d"}`, i))
		allocs = append(allocs, fmt.Sprintf(`{"account":"v%d","asset":"COOP","amount":"%d"}`, i, st))
	}
	if s.pool > 0 {
		allocs = append(allocs, fmt.Sprintf(`{"account":"mod:contribution/pool","asset":"COOP","amount":"%d"}`, s.pool))
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"prop","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":6}],"accounts":[` + strings.Join(accts, ",") + `],"allocations":[` + strings.Join(allocs, ",") + `],
	 "params":{"contribution":{"reporters":["meter"],"min_validator_stake":"100"}}}`))
	if err != nil {
		panic(err)
	}
	return g
}

type tb interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}

// runScenario plays s through the harness with commands in the given
// orders and returns the harness and the EpochScored event.
func runScenario(t tb, s scenario, scale uint64, recOrder, valOrder []int) (*ledgertest.Harness, *contribution.EpochScored) {
	h, err := ledgertest.New(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(genesisFor(s)); err != nil {
		t.Fatal(err)
	}
	step := func(cmds ...*ledger.Command) {
		b, err := h.Apply(h.Time.Add(time.Second), cmds)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range b.Results {
			if r.Code != "" {
				t.Fatalf("command %d (%s) rejected: %s %s", i, cmds[i].Payload.Type(), r.Code, r.Msg)
			}
		}
	}
	var regs []*ledger.Command
	for i := range s.providers {
		regs = append(regs, &ledger.Command{Actor: ledger.AccountID(fmt.Sprintf("p%d", i)), Payload: &contribution.Register{Role: "compute"}})
	}
	for i, st := range s.stakes {
		regs = append(regs, &ledger.Command{Actor: ledger.AccountID(fmt.Sprintf("v%d", i)), Payload: &contribution.Register{Role: "validator", Stake: ledger.NewAmount(st)}})
	}
	step(regs...)
	var recs []*ledger.Command
	for _, i := range recOrder {
		recs = append(recs, &ledger.Command{Actor: "meter", Payload: &contribution.Record{Provider: ledger.AccountID(fmt.Sprintf("p%d", i)), Kind: "gpu_seconds", Quantity: s.quantities[i] * scale, Source: "m"}})
	}
	step(recs...)
	if len(s.stakes) > 0 {
		var commits, reveals []*ledger.Command
		for _, v := range valOrder {
			id := ledger.AccountID(fmt.Sprintf("v%d", v))
			var ws []contribution.Weight
			for j, w := range s.weights[v] {
				if w > 0 {
					ws = append(ws, contribution.Weight{Provider: ledger.AccountID(fmt.Sprintf("p%d", j)), Weight: w})
				}
			}
			commits = append(commits, &ledger.Command{Actor: id, Payload: &contribution.CommitWeights{Hash: contribution.WeightsHash(id, 0, ws, "s")}})
			reveals = append(reveals, &ledger.Command{Actor: id, Payload: &contribution.RevealWeights{Weights: ws, Salt: "s"}})
		}
		step(commits...)
		step(reveals...)
	}
	c, _ := ledger.GetChain(h)
	b, err := h.Apply(h.Time.Add(time.Hour), ledger.EpochCloses(c, h.Time.Add(time.Hour).UnixNano(), 10))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range b.Events {
		if e, ok := ev.(*contribution.EpochScored); ok {
			return h, e
		}
	}
	t.Fatal("no epoch_scored event")
	return nil, nil
}

func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestAllocationsSumToPool: paid + treasury is the pool to the last unit,
// and (the harness checks) conservation holds in every block.
func TestAllocationsSumToPool(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		h, e := runScenario(t, s, 1, identity(s.providers), identity(len(s.stakes)))
		sum, _ := e.Paid.Add(e.Treasury)
		if sum != e.Pool || e.Pool != ledger.NewAmount(s.pool) {
			t.Fatalf("pool %s, paid %s + treasury %s", e.Pool, e.Paid, e.Treasury)
		}
		if bal := h.Balance(t, contribution.PoolAccount, "COOP"); !bal.IsZero() {
			t.Fatalf("pool keeps %s after paying out", bal)
		}
	})
}

// TestScaleAndOrderInvariance: scaling every contribution by one factor
// changes no reward; permuting records and validators changes nothing in
// the state.
func TestScaleAndOrderInvariance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		base, _ := runScenario(t, s, 1, identity(s.providers), identity(len(s.stakes)))
		k := rapid.Uint64Range(2, 1000).Draw(t, "scale")
		scaled, _ := runScenario(t, s, k, identity(s.providers), identity(len(s.stakes)))
		for i := range s.providers {
			id := ledger.AccountID(fmt.Sprintf("p%d", i))
			if a, b := base.Balance(t, id, "COOP"), scaled.Balance(t, id, "COOP"); a != b {
				t.Fatalf("scaling contributions by %d changed %s's reward from %s to %s", k, id, a, b)
			}
		}
		perm := rapid.Permutation(identity(s.providers)).Draw(t, "recs")
		vperm := rapid.Permutation(identity(len(s.stakes))).Draw(t, "vals")
		shuffled, _ := runScenario(t, s, 1, perm, vperm)
		if base.Acc.Root() != shuffled.Acc.Root() {
			t.Fatal("permuting records or validators changed the state")
		}
	})
}

// TestMinorityCannotLift: validators holding less than kappa of the stake,
// whatever weights they reveal, cannot lift a provider's consensus weight
// above the honest majority's, nor its rank above what the whole stake
// voting honestly would give it.
func TestMinorityCannotLift(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		if len(s.stakes) < 2 {
			return
		}
		// Honest validators share one row; the minority (the last one or
		// two validators) is made to hold less than kappa of the stake:
		// below 0.4999, under the chain's kappa of 32767/65535 (0.49999237)
		// with room for the floors of the stake shares.
		honest := s.weights[0]
		minority := rapid.IntRange(1, len(s.stakes)-1).Draw(t, "minority")
		var hs, ms uint64
		for i := range s.stakes {
			if i < len(s.stakes)-minority {
				s.weights[i] = honest
				hs += s.stakes[i]
			} else {
				ms += s.stakes[i]
			}
		}
		below := func(ms uint64) bool { return ms*10000 < 4999*(hs+ms) }
		if !below(ms) {
			for i := len(s.stakes) - minority; i < len(s.stakes); i++ {
				s.stakes[i] = max(100, s.stakes[i]*hs/(ms*2+1)*4998/5000)
			}
			ms = 0
			for i := len(s.stakes) - minority; i < len(s.stakes); i++ {
				ms += s.stakes[i]
			}
			if !below(ms) {
				return
			}
		}
		var hsum uint64
		for _, w := range honest {
			hsum += w
		}
		h, _ := runScenario(t, s, 1, identity(s.providers), identity(len(s.stakes)))
		for j := range s.providers {
			rs, err := contribution.ProviderResults(view{h}, ledger.AccountID(fmt.Sprintf("p%d", j)))
			if err != nil || len(rs) != 1 {
				t.Fatalf("results: %v %v", rs, err)
			}
			honestPpb := honest[j] * 1_000_000_000 / hsum
			if rs[0].Consensus > honestPpb {
				t.Fatalf("p%d: consensus %d ppb above the honest weight %d ppb", j, rs[0].Consensus, honestPpb)
			}
		}
	})
}

// TestSampledShapleyConverges: on small games the sampled estimate
// approaches the exact Shapley value, and both are efficient (they sum
// to v(N) - v(empty) exactly).
func TestSampledShapleyConverges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 5).Draw(t, "n")
		table := contribution.Table{}
		for m := uint64(1); m < 1<<n; m++ {
			table[m] = rapid.Int64Range(0, 1000).Draw(t, "v")
		}
		u := table.Utility()
		exact := contribution.ExactShapley{}.Assess(n, u)
		sampled := contribution.SampledShapley{Samples: 20000, Seed: rapid.Uint64().Draw(t, "seed")}.Assess(n, u)
		want := new(big.Rat).SetInt64(table[1<<n-1])
		for _, phis := range [][]*big.Rat{exact, sampled} {
			sum := new(big.Rat)
			for _, p := range phis {
				sum.Add(sum, p)
			}
			if sum.Cmp(want) != 0 {
				t.Fatalf("values sum to %s, want v(N) = %s", sum.RatString(), want.RatString())
			}
		}
		for i := range n {
			d := new(big.Rat).Sub(exact[i], sampled[i])
			if d.Abs(d).Cmp(big.NewRat(50, 1)) > 0 { // 5% of the value range
				e, _ := exact[i].Float64()
				s, _ := sampled[i].Float64()
				t.Fatalf("contributor %d: sampled %.2f, exact %.2f", i, s, e)
			}
		}
	})
}

func TestLeaveOneOut(t *testing.T) {
	// Two models that are each enough alone (redundant) and one that adds 10.
	table := contribution.Table{0b001: 80, 0b010: 80, 0b011: 80, 0b100: 10, 0b101: 90, 0b110: 90, 0b111: 90}
	got := contribution.LeaveOneOut{}.Assess(3, table.Utility())
	for i, want := range []int64{0, 0, 10} {
		if got[i].Cmp(big.NewRat(want, 1)) != 0 {
			t.Fatalf("LOO[%d] = %s, want %d (redundant models score 0 under leave-one-out)", i, got[i].RatString(), want)
		}
	}
	sh := contribution.ExactShapley{}.Assess(3, table.Utility())
	if sh[0].Cmp(big.NewRat(40, 1)) != 0 || sh[2].Cmp(big.NewRat(10, 1)) != 0 {
		t.Fatalf("Shapley %s %s %s: the redundant pair shares 80, the third adds 10", sh[0].RatString(), sh[1].RatString(), sh[2].RatString())
	}
}
