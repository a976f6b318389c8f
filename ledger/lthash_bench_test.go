package ledger

import (
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"github.com/zeebo/blake3"
)

func BenchmarkElementHash(b *testing.B) {
	var e elementHasher
	key, val := []byte("b/alice\x00COOP"), []byte{8, 1, 2, 3, 4, 5, 6, 7, 8}
	for i := 0; i < b.N; i++ {
		e.hash(key, val)
	}
}

func BenchmarkSeedOnly(b *testing.B) {
	key, val := []byte("b/alice\x00COOP"), []byte{8, 1, 2, 3, 4, 5, 6, 7, 8}
	for i := 0; i < b.N; i++ {
		h := blake3.New()
		h.Write(key)
		h.Write(val)
		var seed [32]byte
		h.Sum(seed[:0])
	}
}

func BenchmarkCTROnly(b *testing.B) {
	var buf [LtHashSize]byte
	var seed [32]byte
	for i := 0; i < b.N; i++ {
		seed[0] = byte(i)
		block, _ := aes.NewCipher(seed[:])
		var iv [16]byte
		cipher.NewCTR(block, iv[:]).XORKeyStream(buf[:], zeroStream[:])
	}
}

func BenchmarkLtHashApply(b *testing.B) {
	var l LtHash
	ch := []Change{{Key: []byte("b/alice\x00COOP"), Old: []byte{1, 5}, OldOK: true, New: []byte{1, 6}, NewOK: true}}
	for i := 0; i < b.N; i++ {
		l.Apply(ch)
	}
}
