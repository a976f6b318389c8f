package pricefeed

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// Feed is one oracle feed account and where its prices come from.
type Feed struct {
	// Account is the feed's account, listed in tokenomics.oracle_feeds;
	// its Signer signs its observations.
	Account ledger.AccountID
	Signer  *submit.Signer
	// Source is the feed's source; Fallbacks are tried in order when its
	// quote fails a check (Aave's fallback oracle).
	Source    Source
	Fallbacks []Source
	// MaxAge refuses a quote older than this (default 1 hour).
	MaxAge time.Duration
	// MaxDeviationBps refuses a quote further than this from the feeds'
	// median (0: no deviation check). The median is taken, each step, over
	// every feed's quote that passed its own checks (validity, age) or,
	// for a feed without one, its last good price if accepted within its
	// MaxAge; the lower middle for an even count, as the oracle does. It
	// needs two such prices.
	MaxDeviationBps uint32
	// HoldLastGood resubmits the feed's last accepted price for this long
	// after it was accepted when every source fails (Liquity's
	// lastGoodPrice); 0 never does, leaving the feed silent so that the
	// engine's max_price_age drops it from the median.
	HoldLastGood time.Duration
}

// EventKind says what a Feeder decided about a feed in a step.
type EventKind string

const (
	Accepted  EventKind = "accepted"   // a quote will be observed
	Unchanged EventKind = "unchanged"  // the accepted quote's round was observed before: nothing submitted
	Refused   EventKind = "refused"    // a source's quote failed a check (Err says which)
	Fallback  EventKind = "fallback"   // a fallback source's quote was accepted
	HeldLast  EventKind = "held_last"  // every source failed; the last good price is resubmitted
	Silent    EventKind = "silent"     // every source failed; nothing is submitted
	Submitted EventKind = "submitted"  // the ledger applied the observation
	Rejected  EventKind = "rejected"   // the ledger refused the observation
	Duplicate EventKind = "duplicate"  // the ledger had applied the observation before
	Transport EventKind = "unanswered" // the ledger could not be reached; kept for the next step
)

// Event records a Feeder's decision. Every check, fallback, hold and
// outcome is one.
type Event struct {
	Time   time.Time        `json:"time"`
	Feed   ledger.AccountID `json:"feed"`
	Kind   EventKind        `json:"kind"`
	Source string           `json:"source,omitempty"`
	Round  string           `json:"round,omitempty"`
	Price  ledger.Amount    `json:"price_atto"` // atto-USD per whole token
	Err    error            `json:"-"`
}

func (e Event) String() string {
	s := fmt.Sprintf("%s %s %s", e.Time.UTC().Format(time.RFC3339), e.Feed, e.Kind)
	if e.Source != "" {
		s += " " + e.Source
	}
	if e.Round != "" {
		s += " round " + e.Round
	}
	if !e.Price.IsZero() {
		s += " price " + Decimal(e.Price).String()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Feeder reads every feed's sources, applies the checks and submits one
// observe_price per feed and accepted round. Each observation's
// idempotency key is submit.Key("feed", account, source, round), so a
// round is observed once however often it is read.
type Feeder struct {
	feeds []*feedState
	queue *submit.Queue
	// OnEvent, if set, sees every event as it is decided.
	OnEvent func(Event)
	// Logger, if set, logs every event as it is decided: refusals at
	// Warn, the others at Info.
	Logger *slog.Logger

	mu sync.Mutex
}

type feedState struct {
	Feed
	recent    []string      // keys of the last observations built, newest last
	lastGood  ledger.Amount // last accepted price
	lastAt    time.Time     // when it was accepted
	lastRound string
	haveGood  bool
}

// NewFeeder returns a feeder over feeds that submits to to.
func NewFeeder(to submit.Submitter, feeds ...Feed) (*Feeder, error) {
	f := &Feeder{queue: submit.NewQueue(to, 0)}
	seen := map[ledger.AccountID]bool{}
	for _, fd := range feeds {
		if fd.Signer == nil || fd.Source == nil || fd.Signer.Actor != fd.Account {
			return nil, fmt.Errorf("%w: feed %s needs a Source and a Signer for the same account", ErrOptions, fd.Account)
		}
		if seen[fd.Account] {
			return nil, fmt.Errorf("%w: feed %s appears twice; each source is its own feed account", ErrOptions, fd.Account)
		}
		seen[fd.Account] = true
		if fd.MaxAge == 0 {
			fd.MaxAge = time.Hour
		}
		f.feeds = append(f.feeds, &feedState{Feed: fd})
	}
	return f, nil
}

// recentRounds is how many observed rounds a feed remembers, so that a
// round read again (after a fallback's, say) is not observed twice.
const recentRounds = 16

type candidate struct {
	q   Quote
	err error
}

// Step reads every source at now, decides, submits, and returns the
// events of the step in order (by feed, then decision).
func (f *Feeder) Step(ctx context.Context, now time.Time) ([]Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var events []Event
	emit := func(e Event) {
		e.Time = now
		events = append(events, e)
		if f.OnEvent != nil {
			f.OnEvent(e)
		}
		if l := f.Logger; l != nil {
			level := slog.LevelInfo
			if e.Err != nil {
				level = slog.LevelWarn
			}
			l.Log(ctx, level, "pricefeed: "+fmt.Sprint(e.Kind), "feed", e.Feed, "source", e.Source, "round", e.Round, "price", Decimal(e.Price), "err", e.Err)
		}
	}
	// Every source's quote, checked on its own (validity, age).
	primary := make([]candidate, len(f.feeds))
	for i, fs := range f.feeds {
		primary[i] = f.read(ctx, fs, fs.Source, now)
	}
	var cmds []*ledger.Command
	var owners []int
	// The reference for deviation: the median over all feeds of the
	// quote that passed its own checks, or, for a feed without one, its
	// last good price if accepted within its MaxAge. A majority of honest
	// feeds outvotes one manipulated source, whichever way it moves; two
	// feeds that disagree have no majority, and neither's own quote is
	// taken (a fallback that agrees with one of them is).
	var witnesses []ledger.Amount
	for i, fs := range f.feeds {
		switch {
		case primary[i].err == nil:
			witnesses = append(witnesses, primary[i].q.Price)
		case fs.haveGood && now.Sub(fs.lastAt) <= fs.MaxAge:
			witnesses = append(witnesses, fs.lastGood)
		}
	}
	for i, fs := range f.feeds {
		check := func(c candidate, fallback bool) candidate {
			if c.err == nil && fs.MaxDeviationBps > 0 && len(witnesses) >= 2 {
				ref := median(witnesses)
				bound := uint64(fs.MaxDeviationBps)
				if d := ledger.DeviationBps(witnesses[0], witnesses[1]); len(witnesses) == 2 && d > bound {
					// Two witnesses and no majority: the lower one, the
					// median, may be the manipulated one, so neither's
					// own quote is taken. A fallback, a third opinion,
					// is taken when it agrees with one of them: two of
					// three.
					if !fallback || (ledger.DeviationBps(c.q.Price, witnesses[0]) > bound && ledger.DeviationBps(c.q.Price, witnesses[1]) > bound) {
						c.err = fmt.Errorf("%w: the two feeds' prices %s and %s are %d bps apart (limit %d), and nothing else agrees with either", ErrDeviation, Decimal(witnesses[0]), Decimal(witnesses[1]), d, fs.MaxDeviationBps)
					}
				} else if d := ledger.DeviationBps(c.q.Price, ref); d > bound {
					c.err = fmt.Errorf("%w: %s is %d bps from the feeds' median %s (limit %d)", ErrDeviation, Decimal(c.q.Price), d, Decimal(ref), fs.MaxDeviationBps)
				}
			}
			if c.err == nil {
				if err := checkObservable(c.q.Price); err != nil {
					c.err = err
				}
			}
			return c
		}
		c := check(primary[i], false)
		kind := Accepted
		if c.err != nil {
			emit(Event{Feed: fs.Account, Kind: Refused, Source: fs.Source.Name(), Round: c.q.Round, Price: c.q.Price, Err: c.err})
			for _, fb := range fs.Fallbacks {
				c = check(f.read(ctx, fs, fb, now), true)
				if c.err == nil {
					kind = Fallback
					break
				}
				emit(Event{Feed: fs.Account, Kind: Refused, Source: fb.Name(), Round: c.q.Round, Price: c.q.Price, Err: c.err})
			}
		}
		var cmd *ledger.Command
		switch {
		case c.err == nil:
			key := submit.Key("feed", string(fs.Account), c.q.Source, c.q.Round)
			if slices.Contains(fs.recent, key) {
				emit(Event{Feed: fs.Account, Kind: Unchanged, Source: c.q.Source, Round: c.q.Round, Price: c.q.Price})
				continue
			}
			emit(Event{Feed: fs.Account, Kind: kind, Source: c.q.Source, Round: c.q.Round, Price: c.q.Price})
			cmd = fs.Signer.CommandAt(key, &tokenomics.ObservePrice{Price: c.q.Price}, uint64(max(c.q.Time.UnixMicro(), 0)))
			fs.recent = append(fs.recent, key)
			if len(fs.recent) > recentRounds {
				fs.recent = fs.recent[1:]
			}
			fs.lastGood, fs.lastAt, fs.lastRound, fs.haveGood = c.q.Price, now, c.q.Round, true
		case fs.haveGood && fs.HoldLastGood > 0 && now.Sub(fs.lastAt) <= fs.HoldLastGood:
			round := "held@" + strconv.FormatInt(now.UnixMicro(), 10)
			emit(Event{Feed: fs.Account, Kind: HeldLast, Source: "last-good", Round: round, Price: fs.lastGood, Err: c.err})
			cmd = fs.Signer.CommandAt(submit.Key("feed", string(fs.Account), "last-good", fs.lastRound, round), &tokenomics.ObservePrice{Price: fs.lastGood}, uint64(max(now.UnixMicro(), 0)))
		default:
			emit(Event{Feed: fs.Account, Kind: Silent, Err: c.err})
			continue
		}
		cmds = append(cmds, cmd)
		owners = append(owners, i)
	}
	f.queue.Add(cmds...)
	res, err := f.queue.Flush(ctx)
	// Outcomes of every command answered: this step's, and any queued by
	// a step whose flush failed.
	answered := map[*ledger.Command]bool{}
	for _, a := range res.Answered {
		answered[a.Command] = true
		feed, rc := a.Command.Actor, a.Receipt
		switch {
		case rc.Err != nil:
			emit(Event{Feed: feed, Kind: Rejected, Err: rc.Err})
		case rc.Duplicate:
			emit(Event{Feed: feed, Kind: Duplicate})
		default:
			emit(Event{Feed: feed, Kind: Submitted})
		}
	}
	if err != nil {
		for k, i := range owners {
			if !answered[cmds[k]] {
				emit(Event{Feed: f.feeds[i].Account, Kind: Transport, Err: err})
			}
		}
	}
	return events, err
}

// read reads a source and checks the quote on its own: a fetch error, an
// invalid answer or an age beyond MaxAge is its error.
func (f *Feeder) read(ctx context.Context, fs *feedState, s Source, now time.Time) candidate {
	q, err := s.Latest(ctx)
	if err != nil {
		return candidate{q: Quote{Source: s.Name()}, err: err}
	}
	if age := now.Sub(q.Time); age > fs.MaxAge {
		return candidate{q: q, err: fmt.Errorf("%w: %s round %s is %s old; MaxAge %s", ErrStale, q.Source, q.Round, age.Round(time.Second), fs.MaxAge)}
	}
	if ahead := q.Time.Sub(now); ahead > maxAhead {
		// A quote dated ahead would never go stale.
		return candidate{q: q, err: fmt.Errorf("%w: %s round %s is dated %s ahead of now", ErrInvalidAnswer, q.Source, q.Round, ahead.Round(time.Second))}
	}
	return candidate{q: q}
}

// maxAhead is how far ahead of the feeder's clock a quote may be dated
// (clocks differ a little), as Chainlink's reader allows.
const maxAhead = time.Minute

// Run calls Step every interval until ctx ends; step errors go to
// OnEvent as events and the loop carries on.
func (f *Feeder) Run(ctx context.Context, interval time.Duration, clock func() time.Time) error {
	if clock == nil {
		clock = time.Now
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		f.Step(ctx, clock())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
