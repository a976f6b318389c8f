package submit

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// Submitter applies commands in order and answers with one receipt each;
// *coopera.Engine and *Node satisfy it. An error means the batch's fate is
// unknown (resubmit the same commands to learn it).
type Submitter interface {
	SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*coopera.Receipt, error)
}

// Key returns an idempotency key: the domain, a colon, and 32 hex digits
// of a BLAKE3 hash over the domain and the parts, each length-prefixed so
// that ("ab","c") and ("a","bc") differ. It is 32 bytes longer than the
// domain and well under the ledger's 128-byte limit for short domains.
func Key(domain string, parts ...string) string {
	h := blake3.New()
	var n [8]byte
	for _, p := range append([]string{domain}, parts...) {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return domain + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Signer builds an account's commands: nonce, key and signature.
type Signer struct {
	// Actor is the account the commands act for.
	Actor ledger.AccountID
	// PrivateKey signs the commands; nil leaves them unsigned (a ledger
	// without require_signatures and no key registered for Actor).
	PrivateKey ed25519.PrivateKey
	// ChainID is the ledger's chain ID, which signatures cover.
	ChainID string
	// Clock gives nonces (default time.Now).
	Clock func() time.Time

	mu   sync.Mutex
	last uint64
}

// Resume makes the next nonce greater than last, the actor's last nonce on
// the ledger (ledger.LastNonce), for a clock that may have gone back.
func (s *Signer) Resume(last uint64) {
	s.mu.Lock()
	s.last = max(s.last, last)
	s.mu.Unlock()
}

// nonce returns max(last+1, floor).
func (s *Signer) nonce(floor uint64) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := max(s.last+1, floor)
	s.last = n
	return n
}

// Command returns a command with the next nonce (at least the clock in
// Unix microseconds), the idempotency key and the payload, signed if the
// Signer has a key.
func (s *Signer) Command(key string, p ledger.Payload) *ledger.Command {
	now := time.Now
	if s.Clock != nil {
		now = s.Clock
	}
	return s.CommandAt(key, p, uint64(max(now().UnixMicro(), 0)))
}

// CommandAt is Command with the nonce at least floor instead of the clock.
// An adapter passes the time of the observation (a window's end, a
// round's update), in Unix microseconds, so that re-deriving the same
// observations in the same order rebuilds byte-identical commands, which
// the ledger answers as duplicates.
func (s *Signer) CommandAt(key string, p ledger.Payload, floor uint64) *ledger.Command {
	c := &ledger.Command{Actor: s.Actor, Nonce: s.nonce(floor), Key: key, Payload: p}
	if s.PrivateKey != nil {
		c.Sign(s.ChainID, s.PrivateKey)
	}
	return c
}

// Result sums up what a Flush learnt.
type Result struct {
	Applied    int     // applied now
	Duplicates int     // applied before (same key and content)
	Rejected   []error // refused by the ledger: dropped, one error each
	Pending    int     // still queued after a transport failure
	// Answered pairs each command the ledger answered with its receipt,
	// in order.
	Answered []Answer
}

// Answer is a command and the ledger's receipt for it.
type Answer struct {
	Command *ledger.Command
	Receipt *coopera.Receipt
}

// Queue holds commands until a Submitter has answered for them. It is safe
// for concurrent use.
type Queue struct {
	to    Submitter
	batch int

	mu      sync.Mutex
	pending []*ledger.Command
}

// NewQueue returns a queue that submits to to in batches of at most batch
// commands (default 256).
func NewQueue(to Submitter, batch int) *Queue {
	if batch <= 0 {
		batch = 256
	}
	return &Queue{to: to, batch: batch}
}

// Add queues commands.
func (q *Queue) Add(cmds ...*ledger.Command) {
	q.mu.Lock()
	q.pending = append(q.pending, cmds...)
	q.mu.Unlock()
}

// Len returns the number of queued commands.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// Flush submits the queued commands in order, a batch at a time. On a
// transport failure it stops, keeps that batch and the rest, and returns
// the error wrapped in ErrTransport; the next Flush sends them unchanged.
// A command the ledger refuses as input (an embedded engine refuses its
// whole batch for it) is found by sending that batch one command at a
// time, reported in Result.Rejected and dropped.
func (q *Queue) Flush(ctx context.Context) (Result, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var res Result
	single := 0 // commands to send one at a time, after their batch was refused
	for len(q.pending) > 0 {
		n := min(len(q.pending), q.batch)
		if single > 0 {
			n = 1
		}
		rs, err := q.to.SubmitBatch(ctx, q.pending[:n])
		if err == nil && len(rs) != n {
			err = fmt.Errorf("%d receipts for %d commands", len(rs), n)
		}
		if err != nil && refused(err) {
			// The ledger refuses a command of the batch as input (an
			// engine refuses the whole batch for it): sent again it would
			// be refused again, for ever. Find it, one at a time, and
			// report it rejected.
			if n > 1 {
				single = n
				continue
			}
			res.Rejected = append(res.Rejected, fmt.Errorf("%s (key %s): %w", q.pending[0].Payload.Type(), q.pending[0].Key, err))
			q.pending = q.pending[1:]
			single--
			continue
		}
		if err != nil {
			res.Pending = len(q.pending)
			if errors.Is(err, ErrTransport) {
				return res, err
			}
			return res, fmt.Errorf("%w: %w", ErrTransport, err)
		}
		for i, rc := range rs {
			res.Answered = append(res.Answered, Answer{Command: q.pending[i], Receipt: rc})
			switch {
			case rc.Err != nil:
				res.Rejected = append(res.Rejected, fmt.Errorf("%s (key %s): %w", q.pending[i].Payload.Type(), q.pending[i].Key, rc.Err))
			case rc.Duplicate:
				res.Duplicates++
			default:
				res.Applied++
			}
		}
		q.pending = q.pending[n:]
		single = max(0, single-n)
	}
	q.pending = nil
	return res, nil
}

// refused reports an error by which the ledger refuses a batch's input (a
// command malformed, wrongly signed, not admitted), not a failure to reach
// or use the ledger (ErrTransport, ErrNode, a follower, a stopped or
// failing engine, an outcome unknown), after which the same batch may
// well be taken.
func refused(err error) bool {
	if errors.Is(err, ErrTransport) || errors.Is(err, ErrNode) {
		return false
	}
	var le *ledger.Error
	if !errors.As(err, &le) {
		var ae *ledger.AmountError
		return errors.As(err, &ae)
	}
	for _, passing := range []*ledger.Error{ledger.ErrCorrupt, ledger.ErrDivergence, ledger.ErrInvariant, ledger.ErrClosed, coopera.ErrNotLeader, coopera.ErrOutcomeUnknown,
		// The submitter's own setup (its account not yet created, a key
		// rotated, an admitter refusing or failing): fixed, the same
		// commands are taken, so they are kept, not dropped.
		ledger.ErrUnknownAccount, ledger.ErrBadSignature, ledger.ErrUnauthorized} {
		if errors.Is(err, passing) {
			return false
		}
	}
	return true
}
