package pricefeed

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// MaxTick is Uniswap v3's largest tick magnitude.
const MaxTick = 887272

// Pool is what this package needs from the chain adapter's client for one
// Uniswap v3 pool: observe(secondsAgos) (the tick cumulatives; int56 each)
// at a block, and that block's time.
type Pool interface {
	Observe(ctx context.Context, secondsAgos []uint32) (tickCumulatives []*big.Int, blockTime time.Time, err error)
}

// UniswapV3 prices the native token from a Uniswap v3 pool's
// time-weighted average tick over Window. It is a Source.
//
// The mean tick is (tickCumulative[now] - tickCumulative[now - Window]) /
// Window, rounded toward negative infinity (as Uniswap's OracleLibrary
// does). The price of token0 in token1's base units is 1.0001^tick; in
// whole tokens it is 1.0001^tick x 10^(decimals0 - decimals1), inverted
// when the native token is token1. It is computed exactly, as the ratio
// 10001^|tick| / 10000^|tick| in big integers, and truncated at the 18th
// decimal: deterministic on every machine, at a cost that grows with the
// tick (measured: about 60 ms at |tick| = 200000, 0.55 s at MaxTick, on
// one core); the last tick's price is cached. The quote token is taken to
// be worth one USD (a USD stablecoin pool). The round is the block time.
// Latest is not safe for concurrent use (a Feeder reads its sources one
// at a time).
type UniswapV3 struct {
	// PoolName names the source: "uniswap-v3:" + PoolName.
	PoolName string
	Pool     Pool
	// Window is the TWAP window, whole seconds (ChainOpera's contracts use
	// 30 minutes).
	Window time.Duration
	// Token0Decimals and Token1Decimals are the pool tokens' decimals.
	Token0Decimals, Token1Decimals uint8
	// NativeIsToken1 is set when the native token is the pool's token1.
	NativeIsToken1 bool

	lastTick  int64
	lastPrice decimal.Decimal
	cached    bool
}

// Name returns "uniswap-v3:" + PoolName.
func (u *UniswapV3) Name() string { return "uniswap-v3:" + u.PoolName }

// Latest reads the pool's observations and returns the TWAP price.
func (u *UniswapV3) Latest(ctx context.Context) (Quote, error) {
	if u.Window < time.Second || u.Window%time.Second != 0 || u.Window/time.Second > math.MaxUint32 {
		return Quote{}, fmt.Errorf("%w: %s: Window %s must be whole seconds, 1 to 2^32-1", ErrOptions, u.Name(), u.Window)
	}
	w := int64(u.Window / time.Second)
	tc, at, err := u.Pool.Observe(ctx, []uint32{uint32(w), 0})
	if err != nil {
		return Quote{}, fmt.Errorf("%w: %s observe: %w", ErrFetch, u.Name(), err)
	}
	if len(tc) != 2 || tc[0] == nil || tc[1] == nil {
		return Quote{}, fmt.Errorf("%w: %s observe returned %d cumulatives", ErrInvalidAnswer, u.Name(), len(tc))
	}
	tick, err := MeanTick(tc[0], tc[1], w)
	if err != nil {
		return Quote{}, fmt.Errorf("%s: %w", u.Name(), err)
	}
	if !u.cached || tick != u.lastTick {
		t := tick
		if u.NativeIsToken1 {
			t = -t
		}
		shift := int32(u.Token0Decimals) - int32(u.Token1Decimals)
		if u.NativeIsToken1 {
			shift = -shift
		}
		u.lastPrice, u.lastTick, u.cached = TickPrice(t, shift), tick, true
	}
	p, err := Atto(u.lastPrice)
	if err != nil {
		return Quote{}, fmt.Errorf("%s: tick %d: %w", u.Name(), tick, err)
	}
	return Quote{Source: u.Name(), Round: strconv.FormatInt(at.Unix(), 10), Price: p, Time: at.UTC()}, nil
}

// MeanTick returns (c1 - c0) / seconds rounded toward negative infinity,
// refusing a result outside ±MaxTick.
func MeanTick(c0, c1 *big.Int, seconds int64) (int64, error) {
	d := new(big.Int).Sub(c1, c0)
	q := new(big.Int).Div(d, big.NewInt(seconds)) // Euclidean: the floor, for a positive divisor
	if !q.IsInt64() || q.Int64() > MaxTick || q.Int64() < -MaxTick {
		return 0, fmt.Errorf("%w: mean tick %s is outside ±%d", ErrInvalidAnswer, q, MaxTick)
	}
	return q.Int64(), nil
}

// TickPrice returns 1.0001^tick x 10^shift truncated to 18 decimal places,
// computed exactly.
func TickPrice(tick int64, shift int32) decimal.Decimal {
	n := uint64(tick)
	if tick < 0 {
		n = uint64(-tick)
	}
	e := new(big.Int).SetUint64(n)
	pow1 := new(big.Int).Exp(big.NewInt(10001), e, nil)
	pow0 := new(big.Int).Exp(big.NewInt(10000), e, nil)
	num, den := pow1, pow0
	if tick < 0 {
		num, den = pow0, pow1
	}
	// price = num/den x 10^shift, truncated at 10^-18.
	scale := int64(AttoDecimals) + int64(shift)
	if scale >= 0 {
		num = new(big.Int).Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(scale), nil))
	} else {
		den = new(big.Int).Mul(den, new(big.Int).Exp(big.NewInt(10), big.NewInt(-scale), nil))
	}
	return decimal.NewFromBigInt(new(big.Int).Quo(num, den), -AttoDecimals)
}
