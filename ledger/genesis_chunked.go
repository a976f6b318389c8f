package ledger

import (
	"github.com/zeebo/blake3"
)

// GenesisChunk is a bounded part of a genesis applied by
// Step.GenesisChunked: the state it changed and the events it emitted.
// The host writes it where the step's Reader will read it back (the
// chunks of one genesis build on each other), and must not keep its
// slices after the flush returns.
type GenesisChunk struct {
	// Changes are the keys this chunk changed, sorted; Old is what an
	// earlier chunk wrote (the state starts empty).
	Changes []Change
	// Events are this chunk's events in block order; Events[0] is event
	// First of block 0.
	Events []Event
	First  int
}

// DefaultGenesisChunkKeys is the number of written state keys after which
// a chunked genesis is flushed: about 20 MB of working state.
const DefaultGenesisChunkKeys = 1 << 16

// GenesisChunked applies g to an empty state as block 0, like Genesis, in
// memory bounded by chunkKeys (DefaultGenesisChunkKeys if 0) rather than
// by the genesis's size: whenever the working state has written chunkKeys
// keys, after an account or an allocation, the changes and events so far
// go to flush, which must make them visible to r, and the step goes on
// over r. The last chunk is flushed before it returns.
//
// The block, its hash and its state root are exactly those of Genesis
// (the state root is a multiset hash, built chunk by chunk). The returned
// Ready's Block is sealed but holds no decoded Events, and its Changes are
// empty: both went to flush. A flush error stops the genesis; what was
// flushed is then a partial genesis, which the host must discard.
func (s *Step) GenesisChunked(r Reader, g *Genesis, chunkKeys int, flush func(*GenesisChunk) error) (*Ready, error) {
	if s.opts.NoRoots {
		return s.Genesis(r, g) // no block to seal: the simulator's in-memory genesis
	}
	if chunkKeys <= 0 {
		chunkKeys = DefaultGenesisChunkKeys
	}
	st := s.state(r)
	acc := LtHash{}
	body := newBodyStream(len(g.Accounts) + len(g.Allocations))
	flushed := 0
	send := func(events []Event) error {
		if err := st.Err(); err != nil { // a read fault: reset would forget it
			return err
		}
		changes := st.Changes()
		if s.opts.CheckInvariants {
			if err := CheckChanges(changes); err != nil {
				return err
			}
		}
		s.opts.Roots.Update(&acc, changes)
		body.add(events)
		if err := flush(&GenesisChunk{Changes: changes, Events: events, First: flushed}); err != nil {
			return err
		}
		flushed += len(events)
		st.reset(r)
		return nil
	}
	boundary := func(ctx *Context) error {
		if len(st.written) < chunkKeys {
			return nil
		}
		if err := send(ctx.events); err != nil {
			return err
		}
		clear(ctx.events)
		ctx.events = ctx.events[:0]
		return nil
	}
	events, err := s.m.genesisEvents(st, g, boundary)
	if err != nil {
		return nil, err
	}
	if err := send(events); err != nil {
		return nil, err
	}
	b := &Block{Header: Header{Height: 0, Time: g.GenesisTime.UnixNano()}}
	b.StateRoot = acc.Root()
	b.raw = body.seal(&b.Header)
	rd := &Ready{Block: b, Head: Head{Height: 0, Time: b.Time, StateRoot: b.StateRoot, Acc: acc, Hash: b.Hash()}}
	return rd, nil
}

// bodyStream encodes a genesis block's events as they come, leaving room
// in front for the block's header and the body's counts, which are known
// only at the end; seal then writes them in place, so the block's bytes
// are built without a second copy of its body.
type bodyStream struct {
	buf []byte
	n   uint64
}

// bodyReserve holds the largest header and counts: the block format and
// the height and count (varints of at most 10 bytes each, and 1 for the
// empty command list), the time (10), three 32-byte hashes.
const bodyReserve = 4*10 + 1 + 3*32

func newBodyStream(sizeHint int) *bodyStream {
	return &bodyStream{buf: make([]byte, bodyReserve, bodyReserve+64+sizeHint*40)}
}

func (b *bodyStream) add(events []Event) {
	e := Encoder{buf: b.buf}
	for _, ev := range events {
		EncodeEvent(&e, ev)
	}
	b.buf = e.buf
	b.n += uint64(len(events))
}

// seal sets h.BodyHash and returns the block's encoding, as Block.Seal
// would give for a block with no commands and the streamed events.
func (b *bodyStream) seal(h *Header) []byte {
	var counts Encoder
	counts.Uint(0) // no commands
	counts.Uint(b.n)
	start := bodyReserve - len(counts.buf)
	copy(b.buf[start:], counts.buf)
	body := b.buf[start:]
	h.BodyHash = Hash(blake3.Sum256(body))
	var hdr Encoder
	hdr.Uint(BlockFormat)
	h.encode(&hdr)
	start -= len(hdr.buf)
	copy(b.buf[start:], hdr.buf)
	return b.buf[start:]
}
