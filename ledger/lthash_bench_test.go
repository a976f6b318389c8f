package ledger

import (
	"testing"

	"github.com/zeebo/blake3"
)

func BenchmarkElementHash(b *testing.B) {
	var e elementHasher
	var out LtHash
	key, val := []byte("b/alice\x00COOP"), []byte{8, 1, 2, 3, 4, 5, 6, 7, 8}
	for i := 0; i < b.N; i++ {
		e.hash(key, val, &out)
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

// BenchmarkKeystream compares the expansion the build uses (AES-NI
// assembly on amd64) with the portable one over crypto/aes.
func BenchmarkKeystream(b *testing.B) {
	for _, k := range []struct {
		name string
		f    func(*[32]byte, *LtHash, *[]byte)
	}{{"build", keystream}, {"generic", keystreamGeneric}} {
		b.Run(k.name, func(b *testing.B) {
			var seed [32]byte
			var out LtHash
			var buf []byte
			b.SetBytes(LtHashSize)
			for i := 0; i < b.N; i++ {
				seed[0] = byte(i)
				k.f(&seed, &out, &buf)
			}
		})
	}
}

// BenchmarkMerge compares the lane sum the build uses (SSE2 on amd64)
// with the portable SWAR loop.
func BenchmarkMerge(b *testing.B) {
	for _, k := range []struct {
		name string
		f    func(l, o *LtHash)
	}{{"build", addLanes}, {"generic", addLanesGeneric}} {
		b.Run(k.name, func(b *testing.B) {
			var l, o LtHash
			o.SetElement([]byte("k"), []byte("v"))
			for i := 0; i < b.N; i++ {
				k.f(&l, &o)
			}
		})
	}
}

func BenchmarkLtHashApply(b *testing.B) {
	var l LtHash
	ch := []Change{{Key: []byte("b/alice\x00COOP"), Old: []byte{1, 5}, OldOK: true, New: []byte{1, 6}, NewOK: true}}
	for i := 0; i < b.N; i++ {
		l.Apply(ch)
	}
}
