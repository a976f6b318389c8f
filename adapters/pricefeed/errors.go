package pricefeed

import "errors"

// A source's quote is refused with one of these (wrapped, with the
// figures); match with errors.Is.
var (
	// ErrInvalidAnswer is a price that is zero or negative, or a source
	// answer that cannot be read (malformed JSON, an unknown feed).
	ErrInvalidAnswer = errors.New("pricefeed: invalid answer")
	// ErrStale is a quote older than the source's heartbeat or the feed's
	// MaxAge, or a Chainlink round answered in an earlier round.
	ErrStale = errors.New("pricefeed: stale")
	// ErrWideConfidence is a Pyth quote whose confidence interval is a
	// larger share of the price than MaxConfBps.
	ErrWideConfidence = errors.New("pricefeed: confidence interval too wide")
	// ErrDeviation is a quote further from the median of the other feeds
	// than MaxDeviationBps.
	ErrDeviation = errors.New("pricefeed: deviation from the other feeds")
	// ErrNoQuote is a streaming source that has received nothing yet.
	ErrNoQuote = errors.New("pricefeed: no quote yet")
	// ErrFetch is a source that could not be reached or answered with an
	// HTTP error.
	ErrFetch = errors.New("pricefeed: fetch")
	// ErrOptions is an invalid configuration.
	ErrOptions = errors.New("pricefeed: invalid options")
)
