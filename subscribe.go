package coopera

import (
	"context"

	"github.com/coopera/coopera/ledger"
)

// Subscription is a resumable stream of committed blocks, for projections.
// It reads the log at its own pace, so a slow consumer never holds up the
// engine: to resume after a restart, subscribe from the last height it
// processed plus one.
type Subscription struct {
	e    *Engine
	next uint64
}

// Subscribe returns a stream of blocks starting at height from (0 is the
// genesis block).
func (e *Engine) Subscribe(from uint64) *Subscription {
	return &Subscription{e: e, next: from}
}

// Next returns the next block, waiting for it to be committed if needed.
// It returns ctx.Err() if ctx ends first, and ErrClosed once the engine is
// closed and every committed block has been delivered.
func (s *Subscription) Next(ctx context.Context) (*ledger.Block, error) {
	for {
		h, ch := s.e.seq.watch()
		if s.next <= h {
			b, err := s.e.rd.blockAt(s.next)
			if err != nil {
				return nil, err
			}
			s.next++
			return b, nil
		}
		select {
		case <-ch:
		case <-s.e.seq.done:
			return nil, errClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Position returns the height Next will return.
func (s *Subscription) Position() uint64 { return s.next }
