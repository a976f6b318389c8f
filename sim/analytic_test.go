package sim

import (
	"math/big"
	"testing"
)

// With a constant price P and deterministic demand D, every epoch burns
// exactly D/P, and the supply follows S(t+1) = S(t) - D/P + M(t), where the
// mint M(t) = E(t) + R(t) is the emission schedule's closed form plus the
// smoothed re-mint of the burns, computed here independently of the
// reducers, for 400 epochs (four halvings).
func TestAnalyticSupply(t *testing.T) {
	const (
		epochs    = 400
		consumers = 4
		base      = 250_000_000   // $250 per consumer per epoch, micro-USD
		price     = 2_000_000     // $2 per COOP
		initial   = 1_000_000_000 // emission: 1,000 COOP per epoch
		halving   = 100           // epochs
		remintCap = 300_000_000   // 300 COOP
		smoothing = 7
		genesisS  = 10_000_000_000_000 // the exchange's inventory: 10M COOP
	)
	s, err := Parse([]byte(`
name: analytic
seed: 7
epochs: 400
genesis:
  params:
    tokenomics:
      emission_initial: "1000000000"
      emission_halving_epochs: 100
      remint_cap: "300000000"
      remint_smoothing: 7
price: {model: constant, initial: 2}
market: {inventory: 10000000}
populations:
  consumers:
    count: 4
    demand: {base: 250}
  providers:
    count: 2
    sell: 0
`), "analytic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RunOne(0, &Options{CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	col := columnIndex(t, res)
	d := int64(consumers * base)
	burn := d * 1_000_000 / price // D/P in base units: 500 COOP
	if burn*price != d*1_000_000 {
		t.Fatal("the test's D/P must be exact")
	}
	supply := int64(genesisS)
	target := int64(0)
	for e := range epochs {
		row := res.Rows[e]
		emission := int64(initial) >> (e / halving)
		target = ((smoothing-1)*target + burn) / smoothing
		remint := min(target, remintCap)
		mint := emission + remint
		next := supply - burn + mint
		if got := row[col["burned"]]; got != burn {
			t.Fatalf("epoch %d: burned %d, want D/P = %d", e, got, burn)
		}
		if got := row[col["emission"]]; got != emission {
			t.Fatalf("epoch %d: emission %d, want %d", e, got, emission)
		}
		if got := row[col["reminted"]]; got != remint {
			t.Fatalf("epoch %d: re-mint %d, want %d", e, got, remint)
		}
		if got := row[col["minted"]]; got != mint {
			t.Fatalf("epoch %d: minted %d, want %d", e, got, mint)
		}
		if got := row[col["supply"]]; got != next {
			t.Fatalf("epoch %d: supply %d, want S(t) - D/P + M(t) = %d - %d + %d = %d", e, got, supply, burn, mint, next)
		}
		if got := row[col["credits_spent"]]; got != d {
			t.Fatalf("epoch %d: credits spent %d, want D = %d", e, got, d)
		}
		// P* = D / M.
		want := new(big.Int).Mul(big.NewInt(d), big.NewInt(1_000_000))
		want.Quo(want, big.NewInt(mint))
		if got := row[col["equilibrium_price"]]; got != want.Int64() {
			t.Fatalf("epoch %d: equilibrium price %d, want D/M = %d", e, got, want.Int64())
		}
		supply = next
	}
}

func columnIndex(t testing.TB, res *RunResult) map[string]int {
	t.Helper()
	m := map[string]int{}
	for i, c := range res.Columns {
		m[c] = i
	}
	return m
}
