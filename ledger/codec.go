package ledger

import (
	"encoding/binary"
	"math"
)

// The canonical binary encoding.
//
// Every durable or hashed structure in coopera (commands, events, blocks,
// state values) is encoded by hand with the primitives below, so that a
// value has exactly one encoding:
//
//   - unsigned integers: minimal LEB128 varints (a varint with a redundant
//     trailing zero byte is refused);
//   - signed integers: zig-zag, then as unsigned;
//   - Amount: one length byte (0..16) then the big-endian magnitude with no
//     leading zero byte;
//   - strings and byte strings: varint length, then the bytes;
//   - booleans: one byte, 0 or 1;
//   - lists: varint count, then the elements;
//   - structures: their fields in declaration order, with no names or tags.
//
// A Decoder refuses anything that is not in this canonical form and
// reports trailing bytes, so decode(encode(x)) == x and
// encode(decode(b)) == b for every b that decodes.

// Encoder appends canonical encodings to a byte slice.
type Encoder struct {
	buf []byte
}

// NewEncoder returns an Encoder that appends to buf.
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Reset empties the Encoder, keeping its buffer.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// Uint appends v as a varint.
func (e *Encoder) Uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

// TrailingUint appends v if it is not zero: a field added at the end of an
// existing structure, so that encodings written before the field existed
// stay valid (and byte for byte the same when it is zero). Decode it with
// Decoder.TrailingUint, as the last field.
func (e *Encoder) TrailingUint(v uint64) {
	if v != 0 {
		e.Uint(v)
	}
}

// Int appends v zig-zag encoded.
func (e *Encoder) Int(v int64) { e.buf = binary.AppendVarint(e.buf, v) }

// Bool appends b as one byte.
func (e *Encoder) Bool(b bool) {
	if b {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// String appends s with its length.
func (e *Encoder) String(s string) {
	e.Uint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Blob appends b with its length.
func (e *Encoder) Blob(b []byte) {
	e.Uint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// lengthPrefixed appends what encode writes, preceded by its length.
func (e *Encoder) lengthPrefixed(encode func(*Encoder)) {
	start := len(e.buf)
	encode(e)
	n := len(e.buf) - start
	var lb [binary.MaxVarintLen64]byte
	ln := binary.PutUvarint(lb[:], uint64(n))
	e.buf = append(e.buf, lb[:ln]...)
	copy(e.buf[start+ln:], e.buf[start:start+n])
	copy(e.buf[start:], lb[:ln])
}

// Fixed appends b as is; the decoder must know its length.
func (e *Encoder) Fixed(b []byte) { e.buf = append(e.buf, b...) }

// Amount appends a.
func (e *Encoder) Amount(a Amount) {
	var tmp [16]byte
	binary.BigEndian.PutUint64(tmp[:8], a.hi)
	binary.BigEndian.PutUint64(tmp[8:], a.lo)
	i := 0
	for i < 16 && tmp[i] == 0 {
		i++
	}
	e.buf = append(e.buf, byte(16-i))
	e.buf = append(e.buf, tmp[i:]...)
}

// Decoder reads canonical encodings. The first error sticks: later reads
// return zero values, and Err (or Finish) reports it.
type Decoder struct {
	buf []byte
	off int
	err error
	// What names the structure being decoded, for error messages.
	What string
	// id, if set, follows What in error messages: a decoder names its
	// record without building the name unless it fails.
	id string
}

// NewDecoder returns a Decoder over b, decoding a structure named what.
func NewDecoder(b []byte, what string) *Decoder { return &Decoder{buf: b, What: what} }

func (d *Decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = Errorf(ErrMalformed, "%s at byte %d: "+format, append([]any{d.What + d.id, d.off}, args...)...)
	}
}

// Fail records err as the decoding error unless one is already recorded.
// Decoders of composite values use it for semantic checks.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Err returns the first error.
func (d *Decoder) Err() error { return d.err }

// Remaining returns the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Finish returns the first error, or an error if bytes remain unread.
func (d *Decoder) Finish() error {
	if d.err == nil && d.off != len(d.buf) {
		d.fail("%d trailing bytes", len(d.buf)-d.off)
	}
	return d.err
}

// Uint reads a minimal varint.
func (d *Decoder) Uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad or truncated varint")
		return 0
	}
	if n > 1 && d.buf[d.off+n-1] == 0 {
		d.fail("non-minimal varint")
		return 0
	}
	d.off += n
	return v
}

// TrailingUint reads a field written by Encoder.TrailingUint: zero when no
// bytes remain; a present zero is not canonical and is refused.
func (d *Decoder) TrailingUint() uint64 {
	if d.err != nil || d.Remaining() == 0 {
		return 0
	}
	v := d.Uint()
	if v == 0 && d.err == nil {
		d.fail("trailing field present with value 0 (omit it)")
	}
	return v
}

// Int reads a zig-zag varint.
func (d *Decoder) Int() int64 {
	u := d.Uint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// Len reads a length or count and checks that at least min bytes per
// element remain, so a corrupt length cannot trigger a huge allocation.
func (d *Decoder) Len(minElemSize int) int {
	n := d.Uint()
	if d.err != nil {
		return 0
	}
	if minElemSize < 1 {
		minElemSize = 1
	}
	if n > math.MaxInt32 || int(n)*minElemSize > d.Remaining() {
		d.fail("length %d exceeds the %d remaining bytes", n, d.Remaining())
		return 0
	}
	return int(n)
}

// Bool reads a boolean byte.
func (d *Decoder) Bool() bool {
	if d.err != nil {
		return false
	}
	if d.off >= len(d.buf) {
		d.fail("truncated bool")
		return false
	}
	b := d.buf[d.off]
	if b > 1 {
		d.fail("bool byte %d", b)
		return false
	}
	d.off++
	return b == 1
}

// String reads a length-prefixed string.
func (d *Decoder) String() string {
	return string(d.blob())
}

// Blob reads a length-prefixed byte string into a new slice (nil if empty).
func (d *Decoder) Blob() []byte {
	b := d.blob()
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// BlobRef is Blob without the copy: the bytes are the decoded buffer's,
// for a caller that copies what it keeps (big.Int.SetBytes does) and never
// modifies them.
func (d *Decoder) BlobRef() []byte { return d.blob() }

func (d *Decoder) blob() []byte {
	n := d.Len(1)
	if d.err != nil {
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// Fixed reads exactly n bytes, without copying.
func (d *Decoder) Fixed(n int) []byte {
	if d.err != nil {
		return nil
	}
	if d.Remaining() < n {
		d.fail("truncated: want %d bytes, have %d", n, d.Remaining())
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// Amount reads an Amount.
func (d *Decoder) Amount() Amount {
	if d.err != nil {
		return Amount{}
	}
	if d.off >= len(d.buf) {
		d.fail("truncated amount")
		return Amount{}
	}
	n := int(d.buf[d.off])
	if n > 16 {
		d.fail("amount length %d", n)
		return Amount{}
	}
	d.off++
	b := d.Fixed(n)
	if d.err != nil {
		return Amount{}
	}
	if n > 0 && b[0] == 0 {
		d.fail("amount with a leading zero byte")
		return Amount{}
	}
	var tmp [16]byte
	copy(tmp[16-n:], b)
	return Amount{hi: binary.BigEndian.Uint64(tmp[:8]), lo: binary.BigEndian.Uint64(tmp[8:])}
}

// EncodeAmount returns the canonical encoding of a, the form balances take
// in state.
func EncodeAmount(a Amount) []byte {
	e := Encoder{buf: make([]byte, 0, 17)}
	e.Amount(a)
	return e.buf
}

// DecodeAmount decodes a value produced by EncodeAmount.
func DecodeAmount(b []byte) (Amount, error) {
	d := Decoder{buf: b, What: "amount"}
	a := d.Amount()
	return a, d.Finish()
}
