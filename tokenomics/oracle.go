package tokenomics

import (
	"slices"
	"time"

	"github.com/coopera/coopera/ledger"
)

// Oracle.
//
// Prices are integers of 10^-18 USD per whole native token (see
// PriceDecimals; a whole token is 10^decimals base units). Feeds are the
// accounts listed in oracle_feeds; each observe_price replaces its feed's
// last price.
//
//   - Median: the median of the feeds observed within max_price_age of the
//     block time; with an even count, the lower of the two middle prices.
//     Fewer than oracle_min_feeds fresh feeds is no price (stale_price).
//   - TWAP: each observation that yields a median records a point of the
//     median's history (a step function); the TWAP at time t is its time
//     average over [t - twap_window, t], or over the history there is if it
//     is shorter, floored. It is kept as a cumulative sum (price x ns)
//     so only the window's first point and the latest one are read.
//   - Circuit breaker: an observation whose median deviates from the TWAP
//     (before it) by more than breaker_bps, |median - twap| * 10000 / twap
//     floored, trips it (circuit_tripped); credit purchases are refused
//     while it is open. It clears (circuit_cleared) at the first
//     observation back within the band once breaker_cooldown has passed
//     since the last deviating one.
//
// Credits are bought at min(median, TWAP), and the self-dealing cap values
// rewards at max(last median, TWAP): either way a momentary price spike
// works against whoever would profit from it.

// PriceView is what the oracle says at a time.
type PriceView struct {
	Median  ledger.Amount `json:"median"`  // median of fresh feeds; 0 if fewer than oracle_min_feeds are fresh
	Fresh   int           `json:"fresh"`   // feeds observed within max_price_age
	Feeds   int           `json:"feeds"`   // feeds configured
	TWAP    ledger.Amount `json:"twap"`    // 0 before any median
	Last    ledger.Amount `json:"last"`    // the last recorded median, however old
	Tripped bool          `json:"tripped"` // the breaker is open
}

func getOracle(g ledger.Getter) (oracleState, error) {
	var o oracleState
	_, err := load(g, keyOracle, "oracle state", &o)
	return o, err
}

// freshMedian returns the median of the feeds fresh at now, counting an
// observation by self at now of price if self is not empty.
func freshMedian(g ledger.Getter, p *Params, now int64, self ledger.AccountID, price ledger.Amount) (ledger.Amount, int, error) {
	prices := make([]ledger.Amount, 0, len(p.OracleFeeds))
	for _, f := range p.OracleFeeds {
		if f == self {
			prices = append(prices, price)
			continue
		}
		var fd Feed
		ok, err := load(g, feedKey(f), "feed", &fd)
		if err != nil {
			return ledger.Amount{}, 0, err
		}
		if ok && now-fd.Time <= int64(p.MaxPriceAge) {
			prices = append(prices, fd.Price)
		}
	}
	if len(prices) == 0 || len(prices) < int(p.OracleMinFeeds) {
		return ledger.Amount{}, len(prices), nil
	}
	slices.SortFunc(prices, ledger.Amount.Cmp)
	return prices[(len(prices)-1)/2], len(prices), nil
}

// cumAt returns the cumulative price at time t >= pt.T of a history point.
func cumAt(cum Cumulative, price ledger.Amount, from, t int64) Cumulative {
	if t <= from {
		return cum
	}
	return cum.addPriceTime(price, uint64(t-from))
}

// twapAt returns the TWAP over window at now (ok=false without history)
// and the time of the window's anchor: the last point at or before the
// window's start (points before it can be pruned), or 0 if none.
func twapAt(v View, o *oracleState, now int64, window int64) (twap ledger.Amount, ok bool, anchorT int64, err error) {
	if o.Median.IsZero() {
		return ledger.Amount{}, false, 0, nil
	}
	if now < o.Time {
		now = o.Time
	}
	start := now - window
	var anchor twapPoint
	found, inWindow := false, false
	v.Scan(twapPrefix, func(k, val []byte) bool {
		var pt twapPoint
		if err = decodeRecord(val, "twap point", &pt); err != nil {
			return false
		}
		pt.T = keyTime(k)
		if pt.T <= start {
			anchor, found = pt, true
			return true
		}
		if !found {
			anchor, found, inWindow = pt, true, true
		}
		return false
	})
	if err != nil || !found {
		return ledger.Amount{}, false, 0, err
	}
	if !inWindow {
		anchorT = anchor.T
	}
	from := max(start, anchor.T)
	if from >= now {
		return o.Median, true, anchorT, nil
	}
	c0 := cumAt(anchor.Cum, anchor.Price, anchor.T, from)
	c1 := cumAt(o.Cum, o.Median, o.Time, now)
	t, err := c1.averageSince(c0, uint64(now-from))
	if err != nil {
		return ledger.Amount{}, false, 0, err
	}
	return t, true, anchorT, nil
}

// Price returns the oracle's view at time now (Unix ns), under the
// parameters in effect at height.
func Price(v View, height uint64, now int64) (PriceView, error) {
	p, err := ParamsAt(v, height)
	if err != nil {
		return PriceView{}, err
	}
	return priceView(v, &p, now)
}

func priceView(v View, p *Params, now int64) (PriceView, error) {
	o, err := getOracle(v)
	if err != nil {
		return PriceView{}, err
	}
	pv := PriceView{Feeds: len(p.OracleFeeds), Last: o.Median, Tripped: o.Tripped}
	if pv.Median, pv.Fresh, err = freshMedian(v, p, now, "", ledger.Amount{}); err != nil {
		return pv, err
	}
	pv.TWAP, _, _, err = twapAt(v, &o, now, int64(p.TWAPWindow))
	return pv, err
}

// priceMemo is the oracle's view computed once for a block, with the
// oracle record it was computed from. Every event that changes what the
// view reads (a feed's observation, the median, the TWAP points, the
// breaker) writes the oracle record, so a view whose record is still the
// same slice is still the view of the state.
type priceMemo struct {
	raw []byte
	now int64
	pv  PriceView
}

// blockPriceView is priceView computed at most once per block while the
// oracle does not change.
func blockPriceView(ctx *ledger.Context, p *Params, now int64) (PriceView, error) {
	m, _ := ledger.Memo(ctx, "tokenomics/price", func() (*priceMemo, error) { return new(priceMemo), nil })
	raw, ok := ctx.Get(keyOracle)
	if ok && len(raw) > 0 && len(m.raw) == len(raw) && &m.raw[0] == &raw[0] && m.now == now {
		return m.pv, nil
	}
	pv, err := priceView(ctx, p, now)
	if err != nil || !ok || len(raw) == 0 {
		return pv, err
	}
	*m = priceMemo{raw: raw, now: now, pv: pv}
	return pv, nil
}

// creditPrice returns the price credits are bought at, min(median, TWAP),
// or the typed error that says why there is none.
func creditPrice(ctx *ledger.Context, p *Params, now int64) (ledger.Amount, error) {
	pv, err := blockPriceView(ctx, p, now)
	if err != nil {
		return ledger.Amount{}, err
	}
	if pv.Feeds == 0 {
		return ledger.Amount{}, ledger.Errorf(ErrNoPrice, "no oracle feeds are configured (tokenomics.oracle_feeds)")
	}
	if pv.Last.IsZero() {
		return ledger.Amount{}, ledger.Errorf(ErrNoPrice, "the oracle has no median yet: %d of %d feeds fresh, %d needed", pv.Fresh, pv.Feeds, p.OracleMinFeeds)
	}
	if pv.Median.IsZero() {
		return ledger.Amount{}, ledger.Errorf(ErrStalePrice, "%d of %d feeds observed within max_price_age %s; %d needed", pv.Fresh, pv.Feeds, time.Duration(p.MaxPriceAge), p.OracleMinFeeds)
	}
	if pv.Tripped {
		return ledger.Amount{}, ledger.Errorf(ErrCircuitOpen, "the price breaker is open (median $%s, TWAP $%s); credit purchases resume when it clears", FormatPrice(pv.Median), FormatPrice(pv.TWAP))
	}
	return minAmount(pv.Median, pv.TWAP), nil
}

// capPrice returns the price rewards are valued at for the self-dealing
// cap, max(last median, TWAP), or 0 if the oracle never had a median.
func capPrice(v View, p *Params, now int64) (ledger.Amount, error) {
	o, err := getOracle(v)
	if err != nil || o.Median.IsZero() {
		return ledger.Amount{}, err
	}
	twap, _, _, err := twapAt(v, &o, now, int64(p.TWAPWindow))
	if twap.Cmp(o.Median) > 0 {
		return twap, err
	}
	return o.Median, err
}

func decideObserve(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *ObservePrice) error {
	if !containsAccount(p.OracleFeeds, actor) {
		return ledger.Errorf(ledger.ErrUnauthorized, "%s is not an oracle feed; feeds: %v", actor, p.OracleFeeds)
	}
	if c.Price.Cmp(p.MaxPrice) > 0 {
		return ledger.Errorf(ErrPriceOutOfRange, "price %s ($%s) is above max_price %s ($%s)", c.Price, FormatPrice(c.Price), p.MaxPrice, FormatPrice(p.MaxPrice))
	}
	now := ctx.Time
	o, err := getOracle(ctx)
	if err != nil {
		return err
	}
	median, _, err := freshMedian(ctx, p, now, actor, c.Price)
	if err != nil {
		return err
	}
	ev := &PriceObserved{Feed: actor, Price: c.Price, Time: now, Median: median}
	var twap ledger.Amount
	var dev uint64
	var hasTWAP bool
	if !median.IsZero() {
		var anchorT int64
		if twap, hasTWAP, anchorT, err = twapAt(ctx, &o, now, int64(p.TWAPWindow)); err != nil {
			return err
		}
		ev.PruneBefore = anchorT
		if !o.Median.IsZero() {
			ev.Cum = cumAt(o.Cum, o.Median, o.Time, now)
		}
		if hasTWAP {
			dev = ledger.DeviationBps(median, twap)
			ev.Breach = dev > uint64(p.BreakerBps)
		}
	}
	if err := ctx.Emit(ev); err != nil {
		return err
	}
	switch {
	case ev.Breach && !o.Tripped:
		return ctx.Emit(&CircuitTripped{Median: median, TWAP: twap, DeviationBps: dev, At: now})
	case o.Tripped && hasTWAP && !ev.Breach && now-o.LastBreach >= int64(p.BreakerCooldown):
		return ctx.Emit(&CircuitCleared{Median: median, TWAP: twap, At: now})
	}
	return nil
}

func evolvePriceObserved(st *ledger.State, e *PriceObserved) error {
	save(st, feedKey(e.Feed), &Feed{Price: e.Price, Time: e.Time})
	var o oracleState
	exists, err := load(st, keyOracle, "oracle state", &o)
	if err != nil {
		return err
	}
	if e.Median.IsZero() {
		if exists {
			// Written back unchanged (no state change): the new value
			// tells blockPriceView that a feed moved.
			save(st, keyOracle, &o)
		}
		return nil
	}
	if e.Time < o.Time {
		return ledger.Errorf(ledger.ErrInvariant, "price observation at %d before the last at %d", e.Time, o.Time)
	}
	o.Median, o.Time, o.Cum = e.Median, e.Time, e.Cum
	if e.Breach {
		o.LastBreach = e.Time
	}
	save(st, keyOracle, &o)
	save(st, twapKey(e.Time), &twapPoint{Cum: e.Cum, Price: e.Median})
	if e.PruneBefore == 0 {
		return nil // no point before the window's start
	}
	var old [][]byte
	st.Scan(twapPrefix, func(k, _ []byte) bool {
		if keyTime(k) >= e.PruneBefore {
			return false
		}
		old = append(old, append([]byte(nil), k...))
		return true
	})
	for _, k := range old {
		st.Delete(k)
	}
	return nil
}

func evolveCircuit(st *ledger.State, tripped bool, at int64) error {
	o, err := getOracle(st)
	if err != nil {
		return err
	}
	o.Tripped = tripped
	if tripped {
		o.TrippedAt = at
	}
	save(st, keyOracle, &o)
	return nil
}

// LastPrice returns the oracle's last median price, in 10^-18 USD per
// whole native token, and ok=false before the first median. Other modules
// value rewards with it (the contribution module's self-dealing cap).
func LastPrice(g ledger.Getter) (price ledger.Amount, ok bool, err error) {
	o, err := getOracle(g)
	return o.Median, err == nil && !o.Median.IsZero(), err
}
