package chain_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"github.com/coopera/coopera/adapters/chain"
	"github.com/coopera/coopera/adapters/chain/bindings/mocks"
	"github.com/coopera/coopera/adapters/chain/simchain"
	"github.com/coopera/coopera/adapters/pricefeed"
)

// The price feeds read a Chainlink feed and a Uniswap v3 pool through the
// chain clients, on the simulated chain.
func TestPriceFeedClients(t *testing.T) {
	ctx := context.Background()
	c, err := simchain.New(ctx, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Sim.Close()
	deploy := func(bin string, ctor []byte) common.Address {
		t.Helper()
		a, tx, err := bind.DeployContract(c.Opts(ctx, c.Owner), common.FromHex(bin), c.Client, ctor)
		if err != nil {
			t.Fatal(err)
		}
		c.Sim.Commit()
		if _, err := c.Receipt(ctx, tx); err != nil {
			t.Fatal(err)
		}
		return a
	}
	ag := mocks.NewMockAggregator()
	feedAddr := deploy(mocks.MockAggregatorMetaData.Bin, ag.PackConstructor(8))
	head, err := c.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(int64(head.Time), 0)
	// 2,000.5 USD at 8 decimals.
	if _, err := c.Mine(ctx, c.Owner, feedAddr, ag.PackSet(big.NewInt(200_050_000_000), new(big.Int).SetUint64(head.Time))); err != nil {
		t.Fatal(err)
	}
	cl := &pricefeed.Chainlink{Feed: "eth-usd", Aggregator: chain.NewChainlinkFeed(c.Client, feedAddr), Heartbeat: time.Hour, Clock: func() time.Time { return now }}
	q, err := cl.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q.Price.String() != "2000500000000000000000" || q.Round != "1" {
		t.Fatalf("chainlink quote: %+v", q)
	}

	mp := mocks.NewMockPool()
	poolAddr := deploy(mocks.MockPoolMetaData.Bin, mp.PackConstructor(big.NewInt(6932)))
	if err := c.Sim.AdjustTime(time.Hour); err != nil {
		t.Fatal(err)
	}
	u := &pricefeed.UniswapV3{PoolName: "coop-usdc", Pool: chain.NewUniswapPool(c.Client, poolAddr), Window: 30 * time.Minute, Token0Decimals: 6, Token1Decimals: 6}
	q, err = u.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A constant tick of 6932: 1.0001^6932 = 2.00003... USD.
	lo, hi := new(big.Int).Mul(big.NewInt(20000), big.NewInt(1e14)), new(big.Int).Mul(big.NewInt(20001), big.NewInt(1e14))
	if p := q.Price.Big(); p.Cmp(lo) < 0 || p.Cmp(hi) >= 0 {
		t.Fatalf("uniswap quote %s, want 2.0000..2.0001 USD", q.Price)
	}
}
