package main

import "os"

// The walk-through, checked: go test ./examples/pricefeed
func Example() {
	if err := run(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// step 1:
	//   feed-chainlink accepted chainlink:coop-usd 1.234 USD
	//   feed-pyth      accepted pyth:coop-usd 1.23456789 USD
	//   feed-cex       accepted cex:example:COOP-USD 1.2351 USD
	//   feed-uniswap   accepted uniswap-v3:coop-usdc-3000 1.236632580378857897 USD
	//   feed-chainlink submitted
	//   feed-pyth      submitted
	//   feed-cex       submitted
	//   feed-uniswap   submitted
	// oracle: median $1.23456789 from 4 of 4 feeds, TWAP $1.23456789
	// step 2, the pool's TWAP pushed up by half:
	//   feed-chainlink unchanged chainlink:coop-usd 1.234 USD
	//   feed-pyth      accepted pyth:coop-usd 1.23456789 USD
	//   feed-cex       unchanged cex:example:COOP-USD 1.2351 USD
	//   feed-uniswap   refused uniswap-v3:coop-usdc-3000 1.854975986860568869 USD
	//                  (pricefeed: deviation from the other feeds: 1.854975986860568869 is 5025 bps from the feeds' median 1.23456789 (limit 200))
	//   feed-uniswap   held_last last-good 1.236632580378857897 USD
	//                  (pricefeed: deviation from the other feeds: 1.854975986860568869 is 5025 bps from the feeds' median 1.23456789 (limit 200))
	//   feed-pyth      submitted
	//   feed-uniswap   submitted
	// oracle: median $1.23456789 from 4 of 4 feeds, TWAP $1.23456789
}
