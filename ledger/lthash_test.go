package ledger

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// naive is the textbook LtHash16: 1024 uint16 lanes.
type naive [1024]uint16

func (n *naive) op(key, value []byte, sign int) {
	var e elementHasher
	var h LtHash
	e.hash(key, value, &h)
	b := h.Bytes()
	for i := range n {
		v := binary.LittleEndian.Uint16(b[2*i:])
		if sign > 0 {
			n[i] += v
		} else {
			n[i] -= v
		}
	}
}

func TestLtHashMatchesNaiveLanes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var l LtHash
		var n naive
		for i, k := range rapid.SliceOfN(rapid.IntRange(0, 50), 1, 30).Draw(t, "ops") {
			key := []byte(fmt.Sprintf("k%d", k))
			val := []byte{byte(i)}
			if i%3 == 2 {
				l.Remove(key, val)
				n.op(key, val, -1)
			} else {
				l.Add(key, val)
				n.op(key, val, 1)
			}
		}
		b := l.Bytes()
		for i := range n {
			if got := binary.LittleEndian.Uint16(b[2*i:]); got != n[i] {
				t.Fatalf("lane %d: %d, want %d", i, got, n[i])
			}
		}
	})
}

func TestLtHashIsAMultisetHash(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := rapid.SliceOfNDistinct(rapid.StringN(1, 8, 8), 1, 20, func(s string) string { return s }).Draw(t, "keys")
		var a, b LtHash
		for _, k := range keys {
			a.Add([]byte(k), []byte("v"))
		}
		perm := rapid.Permutation(keys).Draw(t, "perm")
		for _, k := range perm {
			b.Add([]byte(k), []byte("v"))
		}
		if a.Root() != b.Root() {
			t.Fatal("order changed the hash")
		}
		for _, k := range keys {
			a.Remove([]byte(k), []byte("v"))
		}
		if a != (LtHash{}) {
			t.Fatal("removing every element did not give the empty hash")
		}
		// A different value for one key changes the root.
		b.Remove([]byte(keys[0]), []byte("v"))
		b.Add([]byte(keys[0]), []byte("w"))
		var c LtHash
		for _, k := range perm {
			c.Add([]byte(k), []byte("v"))
		}
		if b.Root() == c.Root() {
			t.Fatal("changing a value left the root unchanged")
		}
	})
}

func TestElementHashSeparatesKeyAndValue(t *testing.T) {
	var a, b LtHash
	a.Add([]byte("ab"), []byte("c"))
	b.Add([]byte("a"), []byte("bc"))
	if a.Root() == b.Root() {
		t.Fatal("(ab, c) and (a, bc) hash alike")
	}
}

func BenchmarkLtHashAdd(b *testing.B) {
	var l LtHash
	key, val := []byte("b/alice\x00COOP"), []byte{8, 1, 2, 3, 4, 5, 6, 7, 8}
	for i := 0; i < b.N; i++ {
		val[1] = byte(i)
		l.Add(key, val)
	}
}

// The expansion and lane sums the build uses (assembly on amd64) compute
// exactly what the portable code does.
func TestKeystreamMatchesGeneric(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var key [32]byte
		copy(key[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "key"))
		var got, want LtHash
		var buf []byte
		keystream(&key, &got, &buf)
		keystreamGeneric(&key, &want, &buf)
		if got != want {
			t.Fatalf("keystream of %x differs from crypto/aes's", key)
		}
	})
}

func TestLanesMatchGeneric(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var l, o LtHash
		for i := range l {
			l[i] = rapid.Uint64().Draw(t, "l")
			o[i] = rapid.Uint64().Draw(t, "o")
		}
		got, want := l, l
		addLanes(&got, &o)
		addLanesGeneric(&want, &o)
		if got != want {
			t.Fatal("lane sum differs from the portable one")
		}
		subLanes(&got, &o)
		subLanesGeneric(&want, &o)
		if got != want || got != l {
			t.Fatal("lane difference differs from the portable one, or does not undo the sum")
		}
	})
}

// A known answer: the first keystream block under the all-zero key is
// AES-256 of the zero block (FIPS-197's key expansion, checked by
// crypto/aes as well), so the build's expansion is pinned independently
// of the portable code.
func TestKeystreamKnownAnswer(t *testing.T) {
	var key [32]byte
	var out LtHash
	var buf []byte
	keystream(&key, &out, &buf)
	b := out.Bytes()
	if got, want := hex.EncodeToString(b[:16]), "dc95c078a2408989ad48a21492842087"; got != want {
		t.Fatalf("AES-256(0, 0) = %s, want %s", got, want)
	}
}
