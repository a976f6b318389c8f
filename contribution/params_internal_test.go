package contribution

import (
	"testing"

	"github.com/coopera/coopera/ledger"
)

// TestParamsVersion1 decodes parameters stored by the first version
// (kappa and the EMA rate in basis points, no epoch options): kappa 5000
// bps becomes 32768/65535 (the nearest), alpha 1000 bps a moving average
// of 900000 ppm, the rest the defaults.
func TestParamsVersion1(t *testing.T) {
	p := DefaultParams()
	e := ledger.NewEncoder(nil)
	e.String(string(p.RewardAsset))
	e.Uint(1)
	e.String("gpu_seconds")
	e.Uint(1)
	e.Uint(0) // reporters
	e.Uint(p.MaxQuantity)
	e.Amount(p.MinValidatorStake)
	for _, v := range []uint64{5000, 1000, 5000, 4000, 2000, 1500, 1500, 1000} {
		e.Uint(v)
	}
	e.String(string(p.Treasury))
	got, err := decodeParams(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Kappa != 32768 || got.BondsMovingAverage != 900_000 || got.BondsPenalty != 65535 || got.BondBits != 16 ||
		got.Allocation != AllocationRoles || !got.CommitReveal || !got.WithholdOutliers || !got.SelfDealingCap || got.ActivityCutoff != 13 {
		t.Fatalf("version 1 decoded as %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	// And the current encoding round-trips.
	p.Kappa, p.Allocation, p.BondBits, p.CommitReveal = 40000, AllocationSubtensor, 32, false
	back, err := decodeParams(p.encode())
	if err != nil || back.Kappa != 40000 || back.Allocation != AllocationSubtensor || back.BondBits != 32 || back.CommitReveal {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}
