package sim

import (
	"strings"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/control"
)

const vestingScenario = `
name: vest
seed: 1
epochs: 9
price: {model: constant, initial: 1}
market: {inventory: 1000000}
populations:
  team: {behaviour: vesting, count: 2, allocation: 1200, tge: 0.25, cliff: 3, duration: 6, sell: 0.5}
  eco: {behaviour: vesting, count: 1, allocation: 1000, schedule: [{at: 2, share: 0.4}, {at: 5, share: 1}]}
  consumers: {count: 2, demand: {base: 5}}
  providers: {count: 1}
`

// The buckets unlock exactly on schedule: tge, the cliff's accrued share,
// linear to the duration, or a custom schedule's steps; the escrow holds
// the rest, outside circulating supply; holders sell their share of the
// last epoch's unlock.
func TestVestingSchedule(t *testing.T) {
	res, col := runVesting(t, nil)
	const units = 1_000_000                                              // COOP base units per token
	teamShare := []int64{250, 250, 250, 625, 750, 875, 1000, 1000, 1000} // per mille
	ecoShare := []int64{0, 0, 400, 400, 400, 1000, 1000, 1000, 1000}
	for e, row := range res.Rows {
		if got, want := row[col["team.unlocked"]], 1200*units*teamShare[e]/1000; got != want {
			t.Errorf("epoch %d: team.unlocked %d, want %d", e, got, want)
		}
		if got, want := row[col["team.locked"]], 1200*units-1200*units*teamShare[e]/1000; got != want {
			t.Errorf("epoch %d: team.locked %d, want %d", e, got, want)
		}
		if got, want := row[col["eco.unlocked"]], 1000*units*ecoShare[e]/1000; got != want {
			t.Errorf("epoch %d: eco.unlocked %d, want %d", e, got, want)
		}
		if e > 0 {
			released := row[col["team.unlocked"]] - res.Rows[e-1][col["team.unlocked"]]
			if got := row[col["team.released"]]; got != released {
				t.Errorf("epoch %d: team.released %d, want %d", e, got, released)
			}
			if got, want := row[col["team.sold"]], res.Rows[e-1][col["team.released"]]/2; got != want {
				t.Errorf("epoch %d: team.sold %d, want half of last epoch's release %d", e, got, want)
			}
		}
		if row[col["eco.sold"]] != 0 {
			t.Errorf("epoch %d: eco sold without a sell share", e)
		}
	}
	// Circulating supply excludes the escrows: with everything released,
	// the circulating supply grew by the released tokens.
	first, last := res.Rows[0], res.Rows[len(res.Rows)-1]
	if first[col["circulating"]] >= last[col["circulating"]] {
		t.Errorf("circulating %d -> %d: the unlocks did not reach it", first[col["circulating"]], last[col["circulating"]])
	}
}

// A refused release unlocks nothing: locked stays, unlocked does not grow,
// and nothing is sold from it; the release is retried once allowed.
func TestVestingRefusedRelease(t *testing.T) {
	res, col := runVesting(t, func(epoch int, cmd *ledger.Command) bool {
		_, ok := cmd.Payload.(*control.Release)
		return ok && epoch >= 3 && epoch < 6
	})
	for e := 3; e < 6; e++ {
		row := res.Rows[e]
		if row[col["team.unlocked"]] != res.Rows[2][col["team.unlocked"]] || row[col["team.released"]] != 0 {
			t.Errorf("epoch %d: team.unlocked %d released %d after refused releases", e, row[col["team.unlocked"]], row[col["team.released"]])
		}
		if e > 3 && row[col["team.sold"]] != 0 {
			t.Errorf("epoch %d: team.sold %d with nothing released", e, row[col["team.sold"]])
		}
	}
	if got := res.Rows[6][col["team.unlocked"]]; got != 1200*1_000_000 {
		t.Errorf("epoch 6: team.unlocked %d; the refused releases were not caught up", got)
	}
}

func runVesting(t *testing.T, refuse func(int, *ledger.Command) bool) (*RunResult, map[string]int) {
	t.Helper()
	s, err := Parse([]byte(vestingScenario), "vest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RunOne(0, &Options{CheckInvariants: true, refuse: refuse})
	if err != nil {
		t.Fatal(err)
	}
	return res, columnIndex(t, res)
}

func TestVestingBadInput(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"  b: {behaviour: vesting, count: 1}\n", "populations.b.allocation: is missing"},
		{"  b: {behaviour: vesting, count: 1, allocation: 5, tge: 2}\n", "populations.b.tge: 2; give the share"},
		{"  b: {behaviour: vesting, count: 1, allocation: 5, cliff: 6, duration: 3}\n", "populations.b.duration: 3; give the vesting epochs, at least the cliff 6"},
		{"  b: {behaviour: vesting, count: 1, allocation: 5, schedule: [{at: 3, share: 0.5}, {at: 2, share: 0.4}]}\n", "populations.b.schedule[1].at: 2; steps must be in increasing epochs"},
		{"  b: {behaviour: vesting, count: 1, allocation: 5, cliff: 1, schedule: [{at: 1, share: 1}]}\n", "populations.b.schedule: give either a schedule or tge, cliff and duration"},
	} {
		_, err := Parse([]byte(okScenario+tc.yaml), "v.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
