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
	g := &genesisReplay{s: s, st: s.state(r), r: r, sink: sink, chunkKeys: chunkKeys, bh: blake3.New()}
	if err := pieces(g.piece); err != nil {
		return nil, err
	}
	return g.finish()
}

type genesisReplay struct {
	s         *Step
	st        *State
	r         Reader
	sink      GenesisSink
	chunkKeys int

	hdr    *Header
	prefix []byte
	bh     *blake3.Hasher
	acc    LtHash
	carry  []byte // bytes not decoded yet
	events []Event
	body   []byte // the encoding of events
	first  int    // the number of events sent
	want   uint64 // events the body says it holds
	seen   uint64
}

func (g *genesisReplay) piece(p []byte) error {
	g.carry = append(g.carry, p...)
	if g.hdr == nil {
		if len(g.carry) < bodyPrefixMax {
			return nil // the header and counts may not all be here yet
		}
		if err := g.header(); err != nil {
			return err
		}
	} else {
		g.bh.Write(p)
	}
	return g.decode()
}

// header decodes the block's header and counts from the start of carry.
func (g *genesisReplay) header() error {
	h, off, err := DecodeHeader(g.carry)
	if err != nil {
		return err
	}
	if h.Height != 0 {
		return Errorf(ErrCorrupt, "block 0 says it is height %d", h.Height)
	}
	g.bh.Write(g.carry[off:])
	d := NewDecoder(g.carry[off:], "block 0")
	if n := d.Uint(); d.err == nil && n != 0 {
		return Errorf(ErrCorrupt, "block 0 has %d commands; a genesis block has none", n)
	}
	g.want = d.Uint()
	if d.err != nil {
		return Errorf(ErrCorrupt, "block 0: %v", d.err)
	}
	off += d.off
	g.hdr = h
	g.prefix = append([]byte(nil), g.carry[:off]...)
	// Decoded events may keep slices of carry until they are sent, so
	// carry is never overwritten in place.
	g.carry = append([]byte(nil), g.carry[off:]...)
	return nil
}

// decode applies every whole event in carry, sending chunks as they fill.
func (g *genesisReplay) decode() error {
	reg := g.s.m.reg
	off := 0
	for {
		n, whole := eventLen(g.carry[off:])
		if !whole {
			break
		}
		if g.seen == g.want {
			return Errorf(ErrCorrupt, "block 0 holds more than the %d events it counts", g.want)
		}
		d := Decoder{buf: g.carry[off : off+n], What: "block 0"}
		ev := reg.decodeEvent(&d)
		if err := d.Finish(); err != nil {
			return Errorf(ErrCorrupt, "block 0 event %d: %v", g.seen, err)
		}
		if err := g.s.m.evolve(g.st, ev); err != nil {
			return Errorf(ErrDivergence, "genesis event %s does not apply: %v", ev.EventType(), err)
		}
		g.events = append(g.events, ev)
		g.body = append(g.body, g.carry[off:off+n]...)
		g.seen++
		off += n
		if len(g.st.written) >= g.chunkKeys {
			if err := g.send(); err != nil {
				return err
			}
		}
	}
	if off > 0 {
		g.carry = append([]byte(nil), g.carry[off:]...)
	}
	return nil
}

// send hands the chunk so far to the sink and goes on over r.
func (g *genesisReplay) send() error {
	if err := g.st.Err(); err != nil {
		return err
	}
	changes := g.st.Changes()
	if g.s.opts.CheckInvariants {
		if err := CheckChanges(changes); err != nil {
			return err
		}
	}
	g.s.opts.Roots.Update(&g.acc, changes)
	if err := g.sink.Chunk(&GenesisChunk{Changes: changes, Events: g.events, First: g.first, Body: g.body}); err != nil {
		return err
	}
	g.first += len(g.events)
	clear(g.events)
	g.events, g.body = g.events[:0], g.body[:0]
	g.st.reset(g.r)
	return nil
}

func (g *genesisReplay) finish() (*GenesisBlock, error) {
	if g.hdr == nil { // a block shorter than bodyPrefixMax
		if err := g.header(); err != nil {
			return nil, err
		}
		if err := g.decode(); err != nil {
			return nil, err
		}
	}
	if len(g.carry) > 0 || g.seen != g.want {
		return nil, Errorf(ErrCorrupt, "block 0 ends inside its events: %d of %d decoded, %d bytes left", g.seen, g.want, len(g.carry))
	}
	if got := Hash(g.bh.Sum(nil)); got != g.hdr.BodyHash {
		return nil, Errorf(ErrCorrupt, "block 0: body hash %s does not match the header's %s", got.Short(), g.hdr.BodyHash.Short())
	}
	if err := g.send(); err != nil {
		return nil, err
	}
	if root := g.acc.Root(); root != g.hdr.StateRoot {
		return nil, Errorf(ErrDivergence, "block 0: replayed state root %s, the block records %s", root.Short(), g.hdr.StateRoot.Short())
	}
	h := g.hdr
	return &GenesisBlock{
		Head:   Head{Height: 0, Time: h.Time, StateRoot: h.StateRoot, Acc: g.acc, Hash: h.Hash()},
		Prefix: g.prefix,
		Events: g.first,
	}, nil
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
