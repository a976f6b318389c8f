package ledger

import (
	"encoding/binary"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// naive is the textbook LtHash16: 1024 uint16 lanes.
type naive [1024]uint16

func (n *naive) op(key, value []byte, sign int) {
	var e elementHasher
	e.hash(key, value)
	for i := range n {
		v := binary.LittleEndian.Uint16(e.buf[2*i:])
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
