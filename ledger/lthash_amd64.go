//go:build amd64 && !purego

package ledger

import "golang.org/x/sys/cpu"

// hasAESNI reports whether the CPU has the AES instructions; without them
// the keystream falls back to crypto/aes (SSE2, for the lane sums, is part
// of amd64 itself).
var hasAESNI = cpu.X86.HasAES

// hasVAES reports whether the CPU (and the OS) run AES on 512-bit
// registers, four blocks an instruction.
var hasVAES = hasAESNI && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VAES

// keystream is keystreamGeneric; buf is the portable code's scratch.
func keystream(key *[32]byte, out *LtHash, buf *[]byte) {
	switch {
	case hasVAES:
		keystreamVAES(key, out)
	case hasAESNI:
		keystreamAESNI(key, out)
	default:
		keystreamGeneric(key, out, buf)
	}
}

func addLanes(l, o *LtHash) { addLanesSSE2(l, o) }

func subLanes(l, o *LtHash) { subLanesSSE2(l, o) }

// keystreamAESNI is keystreamGeneric with AES-NI: the key schedule on the
// stack, eight counter blocks in flight, written straight into out (whose
// uint64s are little-endian here, so its memory is the byte form).
//
//go:noescape
func keystreamAESNI(key *[32]byte, out *LtHash)

// keystreamVAES is keystreamAESNI with VAES on 512-bit registers.
//
//go:noescape
func keystreamVAES(key *[32]byte, out *LtHash)

// addLanesSSE2 is addLanesGeneric with PADDW: eight 16-bit lanes a
// register, wrapping modulo 2^16.
//
//go:noescape
func addLanesSSE2(l, o *LtHash)

// subLanesSSE2 is subLanesGeneric with PSUBW.
//
//go:noescape
func subLanesSSE2(l, o *LtHash)
