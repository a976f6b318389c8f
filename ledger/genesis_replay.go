package ledger

import (
	"encoding/binary"
	"errors"

	"github.com/zeebo/blake3"
)

// ApplyGenesisChunked replays block 0 as Apply does (its events through
// their owners' Evolve, no decision code, its body hash and state root
// checked), but in memory bounded by chunkKeys rather than by the
// genesis's size: the block's encoding is read in pieces of any size
// (pieces calls fn with them in order: the store's pieces of a chunked
// genesis, or the whole block), decoded event by event, and whenever the
// working state has written chunkKeys keys the changes and events so far
// go to sink.Chunk, with their encoding as the chunk's Body, exactly as
// GenesisChunked sends them. r must read back what sink wrote, over an
// empty state. sink.Body is not called.
//
// It returns block 0's head and prefix. A block that is not a genesis
// block, does not decode, or whose hash or root differs is ErrCorrupt or
// ErrDivergence, as with Apply.
func (s *Step) ApplyGenesisChunked(r Reader, pieces func(fn func(p []byte) error) error, chunkKeys int, sink GenesisSink) (*GenesisBlock, error) {
	if s.opts.NoRoots {
		return nil, errors.New("ledger: ApplyGenesisChunked checks roots; StepOptions.NoRoots is set")
	}
	if chunkKeys <= 0 {
		chunkKeys = DefaultGenesisChunkKeys
	}
	g := &genesisReplay{genesisChunker: genesisChunker{s: s, st: s.state(r), r: r, sink: sink}, chunkKeys: chunkKeys}
	g.bs.reg = s.m.reg
	g.bs.event = g.apply
	if err := pieces(g.bs.piece); err != nil {
		return nil, err
	}
	if err := g.bs.finish(); err != nil {
		return nil, err
	}
	if g.failed != nil {
		return nil, g.failed
	}
	if err := g.flush(); err != nil {
		return nil, err
	}
	h := g.bs.hdr
	if root := g.acc.Root(); root != h.StateRoot {
		return nil, Errorf(ErrDivergence, "block 0: replayed state root %s, the block records %s", root.Short(), h.StateRoot.Short())
	}
	return g.block(h, g.bs.prefix), nil
}

// GenesisEventsAt returns the events at the given indices (ascending) of
// block 0, read in pieces as ApplyGenesisChunked reads it, without holding
// the block or its other events; the body hash is checked, so the events
// are returned only if the whole block is intact.
func (r *Registry) GenesisEventsAt(pieces func(fn func(p []byte) error) error, at []uint32) ([]Event, error) {
	out := make([]Event, 0, len(at))
	var seen uint64
	err := r.GenesisEvents(pieces, func(i uint64, ev Event) error {
		seen++
		if len(out) < len(at) && uint64(at[len(out)]) == i {
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) != len(at) {
		return nil, Errorf(ErrCorrupt, "block 0 has %d events; asked for event %d", seen, at[len(out)])
	}
	return out, nil
}

// GenesisEvents calls fn with each event of block 0 and its index, in
// order, reading the block in pieces as ApplyGenesisChunked does, without
// holding the block (fn may keep the events it is given). The body hash is
// checked only once every event has been handed on: a caller acts on what
// fn saw only if GenesisEvents returns nil.
func (r *Registry) GenesisEvents(pieces func(fn func(p []byte) error) error, fn func(i uint64, ev Event) error) error {
	bs := &blockStream{reg: r}
	bs.event = func(i uint64, ev Event, _ []byte) error { return fn(i, ev) }
	if err := pieces(bs.piece); err != nil {
		return err
	}
	return bs.finish()
}

type genesisReplay struct {
	genesisChunker
	chunkKeys int
	bs        blockStream

	failed error   // an event that did not apply (reported once the body hash is known good)
	events []Event // the chunk's events so far
	body   []byte  // their encoding
}

// apply evolves the state by one event of block 0, sending a chunk when
// the state has written chunkKeys keys.
func (g *genesisReplay) apply(_ uint64, ev Event, enc []byte) error {
	if g.failed != nil {
		return nil // read on: damaged bytes are corruption, not divergence
	}
	if err := g.s.m.evolve(g.st, ev); err != nil {
		g.failed = Errorf(ErrDivergence, "genesis event %s does not apply: %v", ev.EventType(), err)
		return nil
	}
	g.events = append(g.events, ev)
	g.body = append(g.body, enc...)
	if len(g.st.written) >= g.chunkKeys {
		return g.flush()
	}
	return nil
}

// flush sends the chunk so far and starts the next.
func (g *genesisReplay) flush() error {
	if err := g.send(g.events, g.body); err != nil {
		return err
	}
	clear(g.events)
	g.events, g.body = g.events[:0], g.body[:0]
	return nil
}

// blockStream decodes block 0 from pieces of any size: its header and
// counts, then each event, handed to event with its index and encoding
// (valid until the event is handed on: decoded events may keep slices of
// the stream's buffer, which is therefore never overwritten in place).
// finish checks that the events end with the block and that the body
// hashes to the header's BodyHash.
type blockStream struct {
	reg   *Registry
	event func(i uint64, ev Event, enc []byte) error

	hdr    *Header
	prefix []byte
	bh     *blake3.Hasher
	carry  []byte // bytes not decoded yet
	want   uint64 // events the body says it holds
	seen   uint64
}

func (b *blockStream) piece(p []byte) error {
	b.carry = append(b.carry, p...)
	if b.hdr == nil {
		if len(b.carry) < bodyPrefixMax {
			return nil // the header and counts may not all be here yet
		}
		if err := b.header(); err != nil {
			return err
		}
	} else {
		b.bh.Write(p)
	}
	return b.decode()
}

// header decodes the block's header and counts from the start of carry.
func (b *blockStream) header() error {
	h, off, err := DecodeHeader(b.carry)
	if err != nil {
		return err
	}
	if h.Height != 0 {
		return Errorf(ErrCorrupt, "block 0 says it is height %d", h.Height)
	}
	b.bh = blake3.New()
	b.bh.Write(b.carry[off:])
	d := NewDecoder(b.carry[off:], "block 0")
	if n := d.Uint(); d.err == nil && n != 0 {
		return Errorf(ErrCorrupt, "block 0 has %d commands; a genesis block has none", n)
	}
	b.want = d.Uint()
	if d.err != nil {
		return Errorf(ErrCorrupt, "block 0: %v", d.err)
	}
	off += d.off
	b.hdr = h
	b.prefix = append([]byte(nil), b.carry[:off]...)
	b.carry = append([]byte(nil), b.carry[off:]...)
	return nil
}

// decode hands on every whole event in carry.
func (b *blockStream) decode() error {
	off := 0
	for {
		n, whole := eventLen(b.carry[off:])
		if !whole {
			break
		}
		if b.seen == b.want {
			return Errorf(ErrCorrupt, "block 0 holds more than the %d events it counts", b.want)
		}
		d := Decoder{buf: b.carry[off : off+n], What: "block 0"}
		ev := b.reg.decodeEvent(&d)
		if err := d.Finish(); err != nil {
			return Errorf(ErrCorrupt, "block 0 event %d: %v", b.seen, err)
		}
		if err := b.event(b.seen, ev, b.carry[off:off+n]); err != nil {
			return err
		}
		b.seen++
		off += n
	}
	if off > 0 {
		b.carry = append([]byte(nil), b.carry[off:]...)
	}
	return nil
}

func (b *blockStream) finish() error {
	if b.hdr == nil { // a block shorter than bodyPrefixMax
		if err := b.header(); err != nil {
			return err
		}
		if err := b.decode(); err != nil {
			return err
		}
	}
	if len(b.carry) > 0 || b.seen != b.want {
		return Errorf(ErrCorrupt, "block 0 ends inside its events: %d of %d decoded, %d bytes left", b.seen, b.want, len(b.carry))
	}
	if got := Hash(b.bh.Sum(nil)); got != b.hdr.BodyHash {
		return Errorf(ErrCorrupt, "block 0: body hash %s does not match the header's %s", got.Short(), b.hdr.BodyHash.Short())
	}
	return nil
}

// eventLen returns the length of the event envelope at the start of b
// (EncodeEvent: type, version, length-prefixed payload), and whether b
// holds all of it. A malformed varint counts as whole, for the decoder
// to report.
func eventLen(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	off := 0
	for field := range 3 {
		v, n := binary.Uvarint(b[off:])
		if n == 0 {
			return 0, false // the varint goes on in the next piece
		}
		if n < 0 {
			return len(b), true
		}
		off += n
		if field == 1 {
			continue // the version has no bytes after it
		}
		if v > uint64(len(b)-off) {
			return 0, false
		}
		off += int(v)
	}
	return off, true
}
