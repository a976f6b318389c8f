package ledger

import (
	"errors"

	"github.com/zeebo/blake3"
)

// GenesisChunk is a bounded part of a genesis applied by
// Step.GenesisChunked: the state it changed and the events it emitted.
// The host writes it where the step's Reader will read it back (the
// chunks of one genesis build on each other), and must not keep its
// slices after Chunk returns.
type GenesisChunk struct {
	// Changes are the keys this chunk changed, sorted; Old is what an
	// earlier chunk wrote (the state starts empty).
	Changes []Change
	// Events are this chunk's events in block order; Events[0] is event
	// First of block 0.
	Events []Event
	First  int
	// Body is Events encoded as they appear in block 0: block 0 is
	// GenesisBlock.Prefix followed by every chunk's Body, in order.
	Body []byte
}

// GenesisSink receives a chunked genesis (see Step.GenesisChunked).
type GenesisSink interface {
	// Chunk makes the chunk's changes visible to the step's Reader and
	// keeps its Body.
	Chunk(*GenesisChunk) error
	// Body calls fn with the kept Body bytes of every chunk, in order
	// (in pieces of any size), so that the step can hash block 0's body
	// without holding it.
	Body(fn func(p []byte) error) error
}

// GenesisBlock is what a chunked genesis ends with: the head of the new
// chain and the start of block 0, whose events went to the sink.
type GenesisBlock struct {
	Head Head
	// Prefix is block 0's encoding up to its first event: the block
	// format, the header and the body's counts.
	Prefix []byte
	// Events is the number of events in block 0.
	Events int
}

// DefaultGenesisChunkKeys is the number of written state keys after which
// a chunked genesis is flushed: about 5 MB of working state.
const DefaultGenesisChunkKeys = 1 << 14

// GenesisChunked applies g to an empty state as block 0, like Genesis, in
// memory bounded by chunkKeys (DefaultGenesisChunkKeys if 0) rather than
// by the genesis's size: whenever the working state has written chunkKeys
// keys, after an account or an allocation, the changes and events so far
// go to sink.Chunk, which must make them visible to r, and the step goes
// on over r. The last chunk is sent before the body is hashed (through
// sink.Body) and the block sealed.
//
// Block 0 (Prefix and the chunks' bodies), its hash and its state root
// are exactly those of Genesis (the state root is a multiset hash, built
// chunk by chunk). A sink error stops the genesis; what was sent is then
// a partial genesis, which the host must discard.
func (s *Step) GenesisChunked(r Reader, g *Genesis, chunkKeys int, sink GenesisSink) (*GenesisBlock, error) {
	if chunkKeys <= 0 {
		chunkKeys = DefaultGenesisChunkKeys
	}
	if s.opts.NoRoots {
		return nil, errors.New("ledger: GenesisChunked seals a block; StepOptions.NoRoots is set")
	}
	c := &genesisChunker{s: s, st: s.state(r), r: r, sink: sink}
	var body Encoder
	send := func(events []Event) error {
		body.buf = body.buf[:0]
		for _, ev := range events {
			EncodeEvent(&body, ev)
		}
		return c.send(events, body.buf)
	}
	boundary := func(ctx *Context) error {
		if len(c.st.written) < chunkKeys {
			return nil
		}
		if err := send(ctx.events); err != nil {
			return err
		}
		clear(ctx.events)
		ctx.events = ctx.events[:0]
		return nil
	}
	events, err := s.m.genesisEvents(c.st, g, boundary, rulesAt(0, s.opts.RulesFrom))
	if err != nil {
		return nil, err
	}
	if err := send(events); err != nil {
		return nil, err
	}
	// The body is the counts (no commands, then the events) and the
	// events the sink kept.
	var counts Encoder
	counts.Uint(0)
	counts.Uint(uint64(c.first))
	bh := blake3.New()
	bh.Write(counts.buf)
	if err := sink.Body(func(p []byte) error { _, err := bh.Write(p); return err }); err != nil {
		return nil, err
	}
	h := Header{Height: 0, Time: g.GenesisTime.UnixNano(), StateRoot: c.acc.Root()}
	copy(h.BodyHash[:], bh.Sum(nil))
	prefix := NewEncoder(make([]byte, 0, bodyPrefixMax))
	prefix.Uint(BlockFormat)
	h.encode(prefix)
	prefix.Fixed(counts.buf)
	return c.block(&h, prefix.Bytes()), nil
}

// genesisChunker hands a chunked genesis's working state to its sink:
// the changes (checked when asked, added to the state accumulator), the
// events and their encoding; then the step goes on over r.
// GenesisChunked and ApplyGenesisChunked share it.
type genesisChunker struct {
	s     *Step
	st    *State
	r     Reader
	sink  GenesisSink
	acc   LtHash
	first int // the number of events sent
}

func (c *genesisChunker) send(events []Event, body []byte) error {
	if err := c.st.Err(); err != nil { // a read fault: reset would forget it
		return err
	}
	changes := c.st.Changes()
	if c.s.opts.CheckInvariants {
		if err := CheckChanges(changes); err != nil {
			return err
		}
	}
	c.s.opts.Roots.Update(&c.acc, changes)
	if err := c.sink.Chunk(&GenesisChunk{Changes: changes, Events: events, First: c.first, Body: body}); err != nil {
		return err
	}
	c.first += len(events)
	c.st.reset(c.r)
	return nil
}

// block is the outcome of a chunked genesis whose header is h.
func (c *genesisChunker) block(h *Header, prefix []byte) *GenesisBlock {
	return &GenesisBlock{
		Head:   Head{Height: 0, Time: h.Time, StateRoot: h.StateRoot, Acc: c.acc, Hash: h.Hash()},
		Prefix: prefix,
		Events: c.first,
	}
}

// bodyPrefixMax bounds a block's encoding before its first event for a
// block of no commands: the format, height and time, three hashes, two
// counts (varints of at most 10 bytes).
const bodyPrefixMax = 5*10 + 3*32
