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
// to 2048 bytes: the keystream of AES-256-CTR keyed by the seed, with a
// zero IV (a PRG from a 256-bit seed; with AES instructions it is several
// times faster than BLAKE3's extendable output in Go).
//
// Lanes are packed four to a uint64, little-endian; the byte form is the
// 1024 lanes in little-endian order. On amd64 the keystream and the lane
// sums run in assembly (lthash_amd64.s): AES-NI, or VAES on 512-bit
// registers where the CPU has it, and SSE2 for the sums. The keystream is
// then 10 to 15 times as fast as through crypto/aes, which allocates two
// copies of the key schedule per key; elsewhere, or built with the purego
// tag, the portable code in this file computes the same bytes.
type LtHash [LtHashSize / 8]uint64

const (
	laneHigh = 0x8000800080008000
	laneLow  = ^uint64(laneHigh)
)

// elementHasher derives elements' seeds into reusable buffers.
type elementHasher struct {
	pre  []byte
	seed [32]byte
	buf  []byte // the portable keystream's scratch, made on first use
}

// hash sets out to the hash of one (key, value) pair.
func (e *elementHasher) hash(key, value []byte, out *LtHash) {
	e.pre = append(e.pre[:0], "coopera/state/v1"...)
	e.pre = binary.AppendUvarint(e.pre, uint64(len(key)))
	e.pre = append(e.pre, key...)
	e.pre = append(e.pre, value...)
	e.seed = blake3.Sum256(e.pre)
	keystream(&e.seed, out, &e.buf)
}

// Add adds the element (key, value) to the multiset.
func (l *LtHash) Add(key, value []byte) {
	var e elementHasher
	var v LtHash
	e.hash(key, value, &v)
	l.Merge(&v)
}

// Remove removes the element (key, value) from the multiset.
func (l *LtHash) Remove(key, value []byte) {
	var e elementHasher
	var v LtHash
	e.hash(key, value, &v)
	l.Subtract(&v)
}

// Apply applies a block's changes: for each key, remove its old element
// and add its new one. Its cost is two element hashes per changed key.
func (l *LtHash) Apply(changes []Change) {
	var e elementHasher
	var v LtHash
	for i := range changes {
		c := &changes[i]
		if c.OldOK {
			e.hash(c.Key, c.Old, &v)
			l.Subtract(&v)
		}
		if c.NewOK {
			e.hash(c.Key, c.New, &v)
			l.Merge(&v)
		}
	}
}

// SetElement sets l to the hash of the single element (key, value), so a
// host can keep element hashes and later add or subtract them directly.
func (l *LtHash) SetElement(key, value []byte) {
	var e elementHasher
	e.hash(key, value, l)
}

// ElementHasher computes element hashes with reusable buffers; the zero
// value is ready. It is not safe for concurrent use.
type ElementHasher struct{ e elementHasher }

// Element sets out to the hash of the single element (key, value).
func (h *ElementHasher) Element(key, value []byte, out *LtHash) {
	h.e.hash(key, value, out)
}

// Subtract removes every element of o.
func (l *LtHash) Subtract(o *LtHash) { subLanes(l, o) }

// Merge adds every element of o.
func (l *LtHash) Merge(o *LtHash) { addLanes(l, o) }

// The portable forms of the three primitives; lthash_amd64.go and
// lthash_other.go choose the ones the build uses.

var zeroStream [LtHashSize]byte

// keystreamGeneric sets out to the first 2048 bytes of AES-256-CTR's
// keystream under key, from a zero IV (counter blocks 0 to 127,
// big-endian). *buf is scratch, kept by the caller across calls.
func keystreamGeneric(key *[32]byte, out *LtHash, buf *[]byte) {
	if len(*buf) != LtHashSize {
		*buf = make([]byte, LtHashSize)
	}
	block, _ := aes.NewCipher(key[:]) // a 32-byte key cannot fail
	var iv [aes.BlockSize]byte
	cipher.NewCTR(block, iv[:]).XORKeyStream(*buf, zeroStream[:])
	for i := range out {
		out[i] = binary.LittleEndian.Uint64((*buf)[i*8:])
	}
}

// addLanesGeneric adds o to l lane by lane, modulo 2^16, four lanes at a
// time (SWAR: the high bit of each lane is summed apart so no carry
// crosses into the next lane).
func addLanesGeneric(l, o *LtHash) {
	for i := range l {
		x, y := l[i], o[i]
		l[i] = ((x & laneLow) + (y & laneLow)) ^ ((x ^ y) & laneHigh)
	}
}

// subLanesGeneric subtracts o from l lane by lane, modulo 2^16.
func subLanesGeneric(l, o *LtHash) {
	for i := range l {
		x, y := l[i], o[i]
		l[i] = ((x | laneHigh) - (y & laneLow)) ^ ((x ^ ^y) & laneHigh)
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
