package ledger

import (
	"fmt"

	"github.com/zeebo/blake3"
)

// BlockFormat is the version of the block encoding. It is the first field
// of every encoded block; a block of another version is refused.
const BlockFormat = 1

// Header is the hashed summary of a block.
type Header struct {
	Height    uint64 `json:"height"`
	Time      int64  `json:"time"` // Unix ns, assigned by the sequencer, never decreasing
	PrevHash  Hash   `json:"prev_hash"`
	BodyHash  Hash   `json:"body_hash"`  // BLAKE3 of the encoded body
	StateRoot Hash   `json:"state_root"` // root of the state after this block
}

// Result is the outcome of one command: the number of events it produced
// (consecutive in Block.Events), or the rejection's code and message.
type Result struct {
	Code   string `json:"code,omitempty"`
	Msg    string `json:"msg,omitempty"`
	Events uint32 `json:"events"`
}

// Err returns the rejection as an *Error, or nil if the command applied.
func (r Result) Err() error {
	if r.Code == "" {
		return nil
	}
	return &Error{Code: r.Code, Msg: r.Msg}
}

// Block is the unit of ordering, durability, replication and hashing. Block
// 0 is the genesis block: no commands, the genesis events.
type Block struct {
	Header
	Commands []*Command `json:"commands"`
	Results  []Result   `json:"results"`
	Events   []Event    `json:"-"`

	raw []byte
}

// Hash returns the block hash, BLAKE3 over a domain tag and the header.
func (h *Header) Hash() Hash {
	e := NewEncoder(make([]byte, 0, 160))
	e.Fixed([]byte("coopera/block/v1\x00"))
	h.encode(e)
	return Hash(blake3.Sum256(e.Bytes()))
}

func (h *Header) encode(e *Encoder) {
	e.Uint(h.Height)
	e.Int(h.Time)
	e.Fixed(h.PrevHash[:])
	e.Fixed(h.BodyHash[:])
	e.Fixed(h.StateRoot[:])
}

// EncodeBody returns the canonical encoding of commands, results and events.
func EncodeBody(cmds []*Command, results []Result, events []Event) []byte {
	e := NewEncoder(make([]byte, 0, 64+len(cmds)*96+len(events)*64))
	e.Uint(uint64(len(cmds)))
	for i, c := range cmds {
		e.lengthPrefixed(c.Encode)
		r := results[i]
		e.String(r.Code)
		e.String(r.Msg)
		e.Uint(uint64(r.Events))
	}
	e.Uint(uint64(len(events)))
	for _, ev := range events {
		EncodeEvent(e, ev)
	}
	return e.Bytes()
}

// Seal sets BodyHash from the body, encodes the block and keeps the
// encoding, which Raw returns. The header's other fields must be set.
func (b *Block) Seal() []byte {
	body := EncodeBody(b.Commands, b.Results, b.Events)
	b.BodyHash = Hash(blake3.Sum256(body))
	e := NewEncoder(make([]byte, 0, len(body)+128))
	e.Uint(BlockFormat)
	b.Header.encode(e)
	e.Fixed(body)
	b.raw = e.Bytes()
	return b.raw
}

// Raw returns the block's encoding (after Seal or DecodeBlock).
func (b *Block) Raw() []byte { return b.raw }

// DecodeHeader decodes the header at the start of an encoded block (all
// of it, or a prefix as long as GenesisBlock.Prefix) and returns it with
// the offset where the body starts: the body hash is BLAKE3 over what
// follows. It checks the block format, not the body.
func DecodeHeader(raw []byte) (*Header, int, error) {
	d := NewDecoder(raw, "block")
	if f := d.Uint(); d.err == nil && f != BlockFormat {
		return nil, 0, Errorf(ErrCorrupt, "block format %d; this build reads format %d", f, BlockFormat)
	}
	h := &Header{Height: d.Uint(), Time: d.Int()}
	copy(h.PrevHash[:], d.Fixed(32))
	copy(h.BodyHash[:], d.Fixed(32))
	copy(h.StateRoot[:], d.Fixed(32))
	if d.err != nil {
		return nil, 0, Errorf(ErrCorrupt, "block header: %v", d.err)
	}
	return h, d.off, nil
}

// DecodeBlock decodes and checks an encoded block: its format, its body
// hash, and the consistency of results and events. Corruption is an
// ErrCorrupt error. Event versions are upcast; Raw keeps the stored bytes.
func (r *Registry) DecodeBlock(raw []byte) (*Block, error) {
	h, off, err := DecodeHeader(raw)
	if err != nil {
		return nil, err
	}
	b := &Block{Header: *h, raw: raw}
	if got := Hash(blake3.Sum256(raw[off:])); got != b.BodyHash {
		return nil, Errorf(ErrCorrupt, "block %d: body hash %s does not match the header's %s", b.Height, got.Short(), b.BodyHash.Short())
	}
	d := NewDecoder(raw[off:], "block")
	n := d.Len(4)
	b.Commands = make([]*Command, n)
	b.Results = make([]Result, n)
	var total uint64
	for i := 0; i < n && d.err == nil; i++ {
		cd := Decoder{buf: d.blob(), What: "command"}
		c := new(Command)
		r.decodeCommand(&cd, c)
		if err := cd.Finish(); err != nil {
			d.Fail(err)
		}
		b.Commands[i] = c
		res := Result{Code: d.String(), Msg: d.String()}
		ev := d.Uint()
		if ev > 1<<31 {
			d.fail("event count %d", ev)
		}
		res.Events = uint32(ev)
		total += ev
		b.Results[i] = res
	}
	ne := d.Len(3)
	genesis := b.Height == 0 && n == 0 // genesis events have no commands
	if d.err == nil && uint64(ne) != total && !genesis {
		d.fail("%d events, results account for %d", ne, total)
	}
	if d.err == nil {
		b.Events = make([]Event, 0, ne)
	}
	for i := 0; i < ne && d.err == nil; i++ {
		b.Events = append(b.Events, r.decodeEvent(d))
	}
	if err := d.Finish(); err != nil {
		// A type or version this build does not know is not corruption:
		// keep its code so the caller can tell an upgrade is needed.
		if e, ok := err.(*Error); ok && (e.Code == ErrUnknownVersion.Code || e.Code == ErrUnknownEvent.Code || e.Code == ErrUnknownCommand.Code) {
			return nil, &Error{Code: e.Code, Msg: fmt.Sprintf("block %d: %s", b.Height, e.Msg)}
		}
		return nil, Errorf(ErrCorrupt, "block %d: %v", b.Height, err)
	}
	return b, nil
}

// CommandEvents returns the events of command i.
func (b *Block) CommandEvents(i int) []Event {
	start := 0
	for j := 0; j < i; j++ {
		start += int(b.Results[j].Events)
	}
	return b.Events[start : start+int(b.Results[i].Events)]
}
