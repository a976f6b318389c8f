package sim

import (
	"github.com/coopera/coopera/sim/scenario"
	"math"
	"math/big"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/agents"
	"github.com/coopera/coopera/tokenomics"
)

// market is the exchange of one run and the price model behind it. The
// exchange is the account sim-exchange: consumers' credit purchases are
// buy_credits commands it submits (burning its tokens for credits credited
// to the consumer, who pays it USD off-ledger), and providers sell rewards
// by transferring tokens to it. Under the exogenous models (constant,
// path, gbm) it trades any quantity at the model price; under the market
// model it is a constant-product pool whose token reserve is its ledger
// balance and whose USD reserve is kept here, so consumers' purchases raise
// the price and providers' sales lower it.
type market struct {
	model string
	dec   uint8
	price int64 // micro-USD per whole token, this epoch
	floor int64
	path  []int64
	drift Dec // per epoch
	vol   Dec // per sqrt(epoch)
	rng   *Rand
	// gbm is the gbm model's price in 10^-15 USD: its steps compound at
	// that precision, and price is it rounded to micro-USD (steps rounded
	// down in micro-USD drifted a $0.001 token's path down by a fifth a
	// year).
	gbm     *big.Int
	usd     *big.Int // market model: USD reserve, micro-USD
	reserve *big.Int // market model: token reserve, base units (the exchange's balance)
	k       *big.Int
	// Scratch of settle, which trades without allocating.
	t, x, y, z *big.Int

	// Orders of the current epoch, settled after its blocks.
	pending ledger.Amount // tokens promised to buy orders not yet settled
	// inventory is the exchange's committed native balance while
	// inventoryOK, which every committed block clears (envHost.Reserve).
	inventory   ledger.Amount
	inventoryOK bool
	orders      []order

	// Flows of the current epoch, for the metrics.
	boughtUSD, soldUSD int64
}

type order struct {
	cmd    *ledger.Command
	buy    bool
	tokens ledger.Amount
}

func newMarket(c *compiled, seed uint64) *market {
	m := &market{model: c.sc.Price.Model, dec: c.decimals, price: c.priceInit, floor: c.floor, path: c.path}
	if m.model == "gbm" {
		// Per-epoch drift and volatility: mu dt and sigma sqrt(dt), with
		// dt = epoch_length / 365 days.
		dt := Dec(scenario.MulDivSat(int64(One), int64(c.sc.EpochLength), int64(365*24*3600)*1e9))
		m.drift = c.sc.Price.Drift.MulDec(dt)
		m.vol = c.sc.Price.Volatility.MulDec(dt.Sqrt())
		m.rng = NewRand(DeriveSeed(seed, nameTag("price")))
		m.gbm = new(big.Int).Mul(big.NewInt(m.price), big.NewInt(gbmScale))
	}
	if m.model == "market" {
		m.reserve = c.inventory.Big()
		// USD reserve = inventory x initial price.
		m.usd = new(big.Int).Mul(m.reserve, big.NewInt(c.priceInit))
		m.usd.Quo(m.usd, ledger.Pow10(c.decimals))
		m.k = new(big.Int).Mul(m.usd, m.reserve)
	}
	return m
}

// gbmScale is the gbm state's precision over micro-USD.
const gbmScale = 1e9

// quoNearest returns x / d rounded to the nearest integer (halves away
// from zero), in x.
func quoNearest(x *big.Int, d int64) *big.Int {
	q, r := new(big.Int).QuoRem(x, big.NewInt(d), new(big.Int))
	if r.Abs(r).Mul(r, big.NewInt(2)).Cmp(big.NewInt(d)) >= 0 {
		q.Add(q, big.NewInt(int64(x.Sign())))
	}
	return x.Set(q)
}

// setAmount sets b to a, without allocating when a fits 64 bits.
func setAmount(b *big.Int, a ledger.Amount) *big.Int {
	if v, ok := a.Uint64(); ok {
		return b.SetUint64(v)
	}
	return b.Set(a.Big())
}

// advance sets the price of epoch e (called at the start of every epoch)
// given the exchange's token balance.
func (m *market) advance(e int, exchange ledger.Amount) {
	m.boughtUSD, m.soldUSD = 0, 0
	m.orders = m.orders[:0]
	m.pending = ledger.Amount{}
	switch m.model {
	case "path":
		m.price = m.path[min(e, len(m.path)-1)]
	case "gbm":
		if e > 0 {
			// P(t+1) = P(t) (1 + mu dt + sigma sqrt(dt) Z)
			step := m.drift + m.vol.MulDec(m.rng.Normal())
			d := new(big.Int).Mul(m.gbm, big.NewInt(int64(step)))
			m.gbm.Add(m.gbm, quoNearest(d, int64(One)))
			m.price = quoNearest(new(big.Int).Set(m.gbm), gbmScale).Int64()
			if m.price < m.floor {
				m.gbm.Mul(big.NewInt(m.floor), big.NewInt(gbmScale)) // the path goes on from the floor
			}
		}
	case "market":
		m.reserve = exchange.Big()
		if m.reserve.Sign() > 0 {
			m.k.Mul(m.usd, m.reserve)
			p := new(big.Int).Mul(m.usd, ledger.Pow10(m.dec))
			p.Quo(p, m.reserve)
			if p.IsInt64() {
				m.price = p.Int64()
			} else {
				m.price = math.MaxInt64 / 2
			}
		}
	}
	m.price = max(m.price, m.floor)
}

// register takes a command a behaviour returned as a market order if it
// trades with the exchange: a buy_credits by the exchange (tokens burned
// for a consumer's credits) or a transfer of native tokens to it (a
// sale). Orders settle in the order they were returned.
func (m *market) register(cmd *ledger.Command, native ledger.AssetID) {
	switch p := cmd.Payload.(type) {
	case *tokenomics.BuyCredits:
		if cmd.Actor == ExchangeAccount {
			m.orders = append(m.orders, order{cmd: cmd, buy: true, tokens: p.Amount})
		}
	case *ledger.Transfer:
		if len(p.Legs) == 1 && p.Legs[0].To == ExchangeAccount && p.Legs[0].Asset == native {
			m.orders = append(m.orders, order{cmd: cmd, buy: false, tokens: p.Legs[0].Amount})
		}
	}
}

// settle applies the epoch's executed orders to the market, in order.
// filled returns the tokens an order's command moved through the exchange,
// read from its events, and false if it was not applied: an order the
// reducers refused never moves the market or counts as a trade.
func (m *market) settle(filled func(*ledger.Command) (ledger.Amount, bool)) {
	for _, o := range m.orders {
		tokens, ok := filled(o.cmd)
		if !ok {
			continue
		}
		o.tokens = tokens
		if m.model != "market" {
			v := agents.ValueOf(o.tokens, m.price, m.dec)
			if o.buy {
				m.boughtUSD = satAdd(m.boughtUSD, v)
			} else {
				m.soldUSD = satAdd(m.soldUSD, v)
			}
			continue
		}
		if m.t == nil {
			m.t, m.x, m.y, m.z = new(big.Int), new(big.Int), new(big.Int), new(big.Int)
		}
		t, x, y := setAmount(m.t, o.tokens), m.x, m.y
		if o.buy {
			y.Sub(m.reserve, t)
		} else {
			y.Add(m.reserve, t)
		}
		if y.Sign() <= 0 {
			continue
		}
		x.Quo(m.k, y)
		if o.buy {
			// The pool keeps k: x' = ceil(k / y').
			if m.z.Mul(x, y).Cmp(m.k) < 0 {
				x.Add(x, bigOne)
			}
			m.boughtUSD = satAdd(m.boughtUSD, bigSat(m.z.Sub(x, m.usd)))
		} else {
			m.soldUSD = satAdd(m.soldUSD, bigSat(m.z.Sub(m.usd, x)))
		}
		// The new reserves; the old ones' storage becomes the scratch.
		m.usd, m.x = x, m.usd
		m.reserve, m.y = y, m.reserve
		m.k.Mul(m.usd, m.reserve)
	}
}

var bigOne = big.NewInt(1)

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func bigSat(b *big.Int) int64 {
	if !b.IsInt64() {
		if b.Sign() < 0 {
			return math.MinInt64 + 1
		}
		return math.MaxInt64
	}
	return b.Int64()
}

// The market model prices in micro-USD per whole token; the oracle takes
// and reports 10^-18 USD (tokenomics.PriceDecimals).
const attoPerMicro = 1_000_000_000_000

// oraclePrice converts a market price (micro-USD, positive) to the
// oracle's unit, exactly.
func oraclePrice(micro int64) ledger.Amount {
	a, _, _ := ledger.NewAmount(uint64(micro)).MulDiv(attoPerMicro, 1)
	return a
}

// microPrice returns min(a, b), oracle prices, in micro-USD, floored and
// saturated at the largest int64.
func microPrice(a, b ledger.Amount) int64 {
	m := a
	if b.Cmp(a) < 0 {
		m = b
	}
	q, _, _ := m.MulDiv(1, attoPerMicro)
	if v, ok := q.Uint64(); ok && v <= 1<<63-1 {
		return int64(v)
	}
	return 1<<63 - 1
}
