package chain

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/coopera/coopera/adapters/chain/bindings"
	"github.com/coopera/coopera/adapters/pricefeed"
)

// The price feeds' chain clients: package pricefeed defines what it needs
// of a Chainlink feed (pricefeed.Aggregator) and of a Uniswap v3 pool
// (pricefeed.Pool); these satisfy them over an EVM connection.

// Caller is what the feed clients use of the chain: contract calls at a
// block, and headers.
type Caller interface {
	bind.ContractCaller
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// ChainlinkFeed reads an AggregatorV3Interface (a Chainlink feed proxy).
type ChainlinkFeed struct {
	c  Caller
	ag *bindings.AggregatorV3
	in *bind.BoundContract
}

// NewChainlinkFeed returns the client of the feed at addr.
func NewChainlinkFeed(c Caller, addr common.Address) *ChainlinkFeed {
	ag := bindings.NewAggregatorV3()
	return &ChainlinkFeed{c: c, ag: ag, in: bind.NewBoundContract(addr, ag.GetABI(), c, nil, nil)}
}

// Decimals implements pricefeed.Aggregator.
func (f *ChainlinkFeed) Decimals(ctx context.Context) (uint8, error) {
	return bind.Call(f.in, &bind.CallOpts{Context: ctx}, f.ag.PackDecimals(), f.ag.UnpackDecimals)
}

// LatestRoundData implements pricefeed.Aggregator.
func (f *ChainlinkFeed) LatestRoundData(ctx context.Context) (pricefeed.RoundData, error) {
	r, err := bind.Call(f.in, &bind.CallOpts{Context: ctx}, f.ag.PackLatestRoundData(), f.ag.UnpackLatestRoundData)
	if err != nil {
		return pricefeed.RoundData{}, err
	}
	return pricefeed.RoundData{RoundID: r.RoundId, Answer: r.Answer, StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt, AnsweredInRound: r.AnsweredInRound}, nil
}

// UniswapPool reads a Uniswap v3 pool's observations.
type UniswapPool struct {
	c  Caller
	p  *bindings.UniswapV3Pool
	in *bind.BoundContract
}

// NewUniswapPool returns the client of the pool at addr.
func NewUniswapPool(c Caller, addr common.Address) *UniswapPool {
	p := bindings.NewUniswapV3Pool()
	return &UniswapPool{c: c, p: p, in: bind.NewBoundContract(addr, p.GetABI(), c, nil, nil)}
}

// Observe implements pricefeed.Pool: observe(secondsAgos) at the latest
// block, and that block's time (both read at one block number).
func (u *UniswapPool) Observe(ctx context.Context, secondsAgos []uint32) ([]*big.Int, time.Time, error) {
	h, err := u.c.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("chain: head: %w", err)
	}
	out, err := bind.Call(u.in, &bind.CallOpts{Context: ctx, BlockNumber: h.Number}, u.p.PackObserve(secondsAgos), u.p.UnpackObserve)
	if err != nil {
		return nil, time.Time{}, err
	}
	return out.TickCumulatives, time.Unix(int64(h.Time), 0).UTC(), nil
}

var (
	_ pricefeed.Aggregator = (*ChainlinkFeed)(nil)
	_ pricefeed.Pool       = (*UniswapPool)(nil)
)
