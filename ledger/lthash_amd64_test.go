//go:build amd64 && !purego

package ledger

import (
	"testing"

	"pgregory.net/rapid"
)

// Each assembly expansion the CPU can run computes what crypto/aes does
// (TestKeystreamMatchesGeneric covers only the one the build chose).
func TestKeystreamAssemblyMatchesGeneric(t *testing.T) {
	for _, k := range []struct {
		name string
		ok   bool
		f    func(*[32]byte, *LtHash)
	}{{"AES-NI", hasAESNI, keystreamAESNI}, {"VAES", hasVAES, keystreamVAES}} {
		t.Run(k.name, func(t *testing.T) {
			if !k.ok {
				t.Skipf("this CPU lacks %s", k.name)
			}
			rapid.Check(t, func(t *rapid.T) {
				var key [32]byte
				copy(key[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "key"))
				var got, want LtHash
				var buf []byte
				k.f(&key, &got)
				keystreamGeneric(&key, &want, &buf)
				if got != want {
					t.Fatalf("%s keystream of %x differs from crypto/aes's", k.name, key)
				}
			})
		})
	}
}

func BenchmarkKeystreamAssembly(b *testing.B) {
	for _, k := range []struct {
		name string
		ok   bool
		f    func(*[32]byte, *LtHash)
	}{{"AES-NI", hasAESNI, keystreamAESNI}, {"VAES", hasVAES, keystreamVAES}} {
		b.Run(k.name, func(b *testing.B) {
			if !k.ok {
				b.Skipf("this CPU lacks %s", k.name)
			}
			var seed [32]byte
			var out LtHash
			b.SetBytes(LtHashSize)
			for i := 0; i < b.N; i++ {
				seed[0] = byte(i)
				k.f(&seed, &out)
			}
		})
	}
}
