package ledger

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"

	"github.com/zeebo/blake3"
)

// Hash is a 32-byte BLAKE3 digest.
type Hash [32]byte

// String returns the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Short returns the first 8 bytes in hex, for human output.
func (h Hash) Short() string { return hex.EncodeToString(h[:8]) }

// IsZero reports whether h is all zeros.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes h in hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes hex.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return Errorf(ErrMalformed, "hash %q is not 64 hex digits", b)
	}
	_, err := hex.Decode(h[:], b)
	if err != nil {
		return Errorf(ErrMalformed, "hash %q: %v", b, err)
	}
	return nil
}

// LtHashSize is the size of the state accumulator in bytes.
const LtHashSize = 2048

// LtHash is a homomorphic multiset hash (Bellare–Micciancio's LtHash with
// the parameters of Lewi et al., "Securing Update Propagation with
// Homomorphic Hashing", as Solana's accounts hash uses: 1024 lanes of 16
// bits, added modulo 2^16). The hash of a set of (key, value) pairs is the
// lane-wise sum of the hashes of its elements, so a state change costs two
// element hashes per changed key, whatever the size of the state, and the
// result does not depend on the order of updates.
//
// An element's hash expands seed = BLAKE3("coopera/state/v1", key, value)
// to 2048 bytes with AES-256-CTR keyed by the seed (a PRG from a 256-bit
// seed; on machines with AES instructions it is several times faster than
// BLAKE3's extendable output in Go).
//
// Lanes are packed four to a uint64, little-endian, and added with SWAR
// arithmetic; the byte form is the 1024 lanes in little-endian order.
type LtHash [LtHashSize / 8]uint64

const (
	laneHigh = 0x8000800080008000
	laneLow  = ^uint64(laneHigh)
)

var zeroStream [LtHashSize]byte

// elementHasher expands elements' hashes into a reusable buffer.
type elementHasher struct {
	buf  [LtHashSize]byte
	pre  []byte
	seed [32]byte
}

// hash expands the hash of one (key, value) pair into e.buf.
func (e *elementHasher) hash(key, value []byte) {
	e.pre = append(e.pre[:0], "coopera/state/v1"...)
	e.pre = binary.AppendUvarint(e.pre, uint64(len(key)))
	e.pre = append(e.pre, key...)
	e.pre = append(e.pre, value...)
	e.seed = blake3.Sum256(e.pre)
	block, _ := aes.NewCipher(e.seed[:]) // a 32-byte key cannot fail
	var iv [aes.BlockSize]byte
	cipher.NewCTR(block, iv[:]).XORKeyStream(e.buf[:], zeroStream[:])
}

// add adds (sub=false) or subtracts the element in e.buf to l.
func (l *LtHash) addBuf(buf *[LtHashSize]byte, sub bool) {
	if sub {
		for i := range l {
			x, y := l[i], binary.LittleEndian.Uint64(buf[i*8:i*8+8])
			l[i] = ((x | laneHigh) - (y & laneLow)) ^ ((x ^ ^y) & laneHigh)
		}
		return
	}
	for i := range l {
		x, y := l[i], binary.LittleEndian.Uint64(buf[i*8:i*8+8])
		l[i] = ((x & laneLow) + (y & laneLow)) ^ ((x ^ y) & laneHigh)
	}
}

// Add adds the element (key, value) to the multiset.
func (l *LtHash) Add(key, value []byte) {
	var e elementHasher
	e.hash(key, value)
	l.addBuf(&e.buf, false)
}

// Remove removes the element (key, value) from the multiset.
func (l *LtHash) Remove(key, value []byte) {
	var e elementHasher
	e.hash(key, value)
	l.addBuf(&e.buf, true)
}

// Apply applies a block's changes: for each key, remove its old element
// and add its new one. Its cost is two element hashes per changed key.
func (l *LtHash) Apply(changes []Change) {
	e := new(elementHasher)
	for i := range changes {
		c := &changes[i]
		if c.OldOK {
			e.hash(c.Key, c.Old)
			l.addBuf(&e.buf, true)
		}
		if c.NewOK {
			e.hash(c.Key, c.New)
			l.addBuf(&e.buf, false)
		}
	}
}

// SetElement sets l to the hash of the single element (key, value), so a
// host can keep element hashes and later add or subtract them directly.
func (l *LtHash) SetElement(key, value []byte) {
	var e ElementHasher
	e.Element(key, value, l)
}

// ElementHasher computes element hashes with reusable buffers; the zero
// value is ready. It is not safe for concurrent use.
type ElementHasher struct{ e elementHasher }

// Element sets out to the hash of the single element (key, value).
func (h *ElementHasher) Element(key, value []byte, out *LtHash) {
	h.e.hash(key, value)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(h.e.buf[i*8 : i*8+8])
	}
}

// Subtract removes every element of o.
func (l *LtHash) Subtract(o *LtHash) {
	for i := range l {
		x, y := l[i], o[i]
		l[i] = ((x | laneHigh) - (y & laneLow)) ^ ((x ^ ^y) & laneHigh)
	}
}

// Merge adds every element of o.
func (l *LtHash) Merge(o *LtHash) {
	for i := range l {
		x, y := l[i], o[i]
		l[i] = ((x & laneLow) + (y & laneLow)) ^ ((x ^ y) & laneHigh)
	}
}

// Bytes returns the canonical 2048-byte form.
func (l *LtHash) Bytes() []byte {
	b := make([]byte, LtHashSize)
	for i, v := range l {
		binary.LittleEndian.PutUint64(b[i*8:], v)
	}
	return b
}

// SetBytes loads the canonical form.
func (l *LtHash) SetBytes(b []byte) error {
	if len(b) != LtHashSize {
		return Errorf(ErrCorrupt, "state accumulator is %d bytes, want %d", len(b), LtHashSize)
	}
	for i := range l {
		l[i] = binary.LittleEndian.Uint64(b[i*8:])
	}
	return nil
}

// Root returns the 32-byte state root: BLAKE3 of the canonical form.
func (l *LtHash) Root() Hash {
	return Hash(blake3.Sum256(l.Bytes()))
}
