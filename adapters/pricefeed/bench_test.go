package pricefeed_test

import (
	"testing"

	"github.com/coopera/coopera/adapters/pricefeed"
)

// BenchmarkTickPrice: the exact 1.0001^tick at a USDC/WETH-like tick and
// at Uniswap's largest.
func BenchmarkTickPrice(b *testing.B) {
	for _, tick := range []int64{196256, pricefeed.MaxTick} {
		b.Run(map[int64]string{196256: "tick=196256", pricefeed.MaxTick: "tick=max"}[tick], func(b *testing.B) {
			for b.Loop() {
				pricefeed.TickPrice(-tick, 12)
			}
		})
	}
}
