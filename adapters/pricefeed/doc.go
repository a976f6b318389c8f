// Package pricefeed turns market prices into the oracle's observe_price
// commands, one oracle feed account per source, so that the engine's
// median, TWAP and circuit breaker combine them.
//
// Sources (each a Source: Name and Latest):
//
//   - Chainlink: latestRoundData through the chain adapter's client
//     (Aggregator, a consumer-owned interface); the answer must be
//     positive, answered in its own round and updated within the feed's
//     heartbeat; it is scaled by decimals() exactly.
//   - Pyth: a Hermes server's latest price over HTTP, or its SSE stream
//     kept open by a Live (Hermes closes streams after 24 hours: Live
//     reconnects with backoff); price x 10^expo exactly, refused when the
//     confidence interval is wider than MaxConfBps of the price.
//   - CEXTicker: an exchange's websocket ticker (Coinbase Exchange's
//     format), also through a Live.
//   - UniswapV3: a pool's observe() TWAP: the mean tick over a window,
//     rounded toward negative infinity, priced 1.0001^tick exactly.
//
// A Feeder applies the checks each step and records every decision as an
// Event: a quote older than the feed's MaxAge is stale; one further than
// MaxDeviationBps from the feeds' median is refused; a refused source
// gives way to the feed's Fallbacks in order (Aave's fallback oracle);
// when all fail, the last good price is resubmitted for HoldLastGood
// (Liquity's lastGoodPrice) and then the feed goes silent, leaving the
// engine's max_price_age to drop it. An accepted round is observed once:
// its idempotency key is submit.Key("feed", account, source, round) and a
// round seen again is Unchanged.
//
// Exact decimals at the edge, integers inside: every source converts its
// answer once with shopspring/decimal to an integer of atto-USD (10^-18
// USD) per whole token, truncating below that; checks compare integers;
// the observation is that price exactly (observe_price takes atto-USD,
// tokenomics.PriceDecimals), so a token worth $0.0000000123 is observed as
// 12300000000. Errors wrap the
// package's sentinels (ErrStale, ErrDeviation, ErrWideConfidence, ...);
// match them with errors.Is.
package pricefeed
