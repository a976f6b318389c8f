//go:build amd64 && !purego

#include "textflag.h"

// The element hash's expansion (AES-256-CTR keystream from a zero IV) and
// the LtHash lane sums, for amd64. lthash_test.go checks both against the
// portable code in lthash.go on random inputs.

// FOLD replaces each 32-bit word w[j] of R with w[0] ^ ... ^ w[j], the
// running XOR of AES's key expansion. Clobbers X4.
#define FOLD(R) \
	MOVOU R, X4; \
	PSLLO $4, X4; \
	PXOR  X4, R; \
	PSLLO $4, X4; \
	PXOR  X4, R; \
	PSLLO $4, X4; \
	PXOR  X4, R

// EVEN derives the next even round key into X1 from X1 and X3:
// FOLD(X1) ^ broadcast(RotWord(SubWord(X3[3])) ^ rcon). Clobbers X2, X4.
#define EVEN(rcon, off) \
	AESKEYGENASSIST $rcon, X3, X2; \
	PSHUFD $0xff, X2, X2; \
	FOLD(X1); \
	PXOR  X2, X1; \
	MOVOU X1, off(SP)

// ODD derives the next odd round key into X3 from X3 and X1:
// FOLD(X3) ^ broadcast(SubWord(X1[3])). Clobbers X2, X4.
#define ODD(off) \
	AESKEYGENASSIST $0, X1, X2; \
	PSHUFD $0xaa, X2, X2; \
	FOLD(X3); \
	PXOR  X2, X3; \
	MOVOU X3, off(SP)

// SCHEDULE expands the AES-256 key at (AX) into its 15 round keys, at
// 0(SP) to 224(SP).
#define SCHEDULE \
	MOVOU 0(AX), X1; \
	MOVOU 16(AX), X3; \
	MOVOU X1, 0(SP); \
	MOVOU X3, 16(SP); \
	EVEN(0x01, 32); \
	ODD(48); \
	EVEN(0x02, 64); \
	ODD(80); \
	EVEN(0x04, 96); \
	ODD(112); \
	EVEN(0x08, 128); \
	ODD(144); \
	EVEN(0x10, 160); \
	ODD(176); \
	EVEN(0x20, 192); \
	ODD(208); \
	EVEN(0x40, 224)

// COUNTER starts block R: the counter in X8 XOR round key 0 (in X10);
// then X8 steps by the increment in X9.
#define COUNTER(R) \
	MOVOU X8, R; \
	PXOR  X10, R; \
	PADDQ X9, X8

// ROUND runs one AES round, with the round key at off(SP), on the eight
// blocks in X0-X7.
#define ROUND(off) \
	MOVOU  off(SP), X10; \
	AESENC X10, X0; \
	AESENC X10, X1; \
	AESENC X10, X2; \
	AESENC X10, X3; \
	AESENC X10, X4; \
	AESENC X10, X5; \
	AESENC X10, X6; \
	AESENC X10, X7

// LANES applies op (PADDW or PSUBW) to the 2048 bytes at l and o,
// 64 bytes an iteration, storing into l.
#define LANES(op) \
	MOVQ  l+0(FP), DI; \
	MOVQ  o+8(FP), SI; \
	MOVQ  $32, CX; \
lanes: \
	MOVOU 0(DI), X0; \
	MOVOU 16(DI), X1; \
	MOVOU 32(DI), X2; \
	MOVOU 48(DI), X3; \
	MOVOU 0(SI), X4; \
	MOVOU 16(SI), X5; \
	MOVOU 32(SI), X6; \
	MOVOU 48(SI), X7; \
	op    X4, X0; \
	op    X5, X1; \
	op    X6, X2; \
	op    X7, X3; \
	MOVOU X0, 0(DI); \
	MOVOU X1, 16(DI); \
	MOVOU X2, 32(DI); \
	MOVOU X3, 48(DI); \
	ADDQ  $64, DI; \
	ADDQ  $64, SI; \
	DECQ  CX; \
	JNZ   lanes; \
	RET

// func keystreamAESNI(key *[32]byte, out *LtHash)
//
// The 15 round keys of AES-256 live in the frame, 16 bytes each at 0(SP)
// to 224(SP). The 128 counter blocks go through in 16 groups of eight.
TEXT ·keystreamAESNI(SB), NOSPLIT, $240-16
	MOVQ key+0(FP), AX
	MOVQ out+8(FP), DI

	SCHEDULE

	// Counter block i is fifteen zero bytes and then the byte i, so as
	// an XMM value its high quadword is i<<56 and its low one zero.
	PXOR  X8, X8
	MOVQ  $0x0100000000000000, AX
	MOVQ  AX, X9
	PSLLO $8, X9
	MOVQ  $16, CX

blocks:
	MOVOU 0(SP), X10
	COUNTER(X0)
	COUNTER(X1)
	COUNTER(X2)
	COUNTER(X3)
	COUNTER(X4)
	COUNTER(X5)
	COUNTER(X6)
	COUNTER(X7)
	ROUND(16)
	ROUND(32)
	ROUND(48)
	ROUND(64)
	ROUND(80)
	ROUND(96)
	ROUND(112)
	ROUND(128)
	ROUND(144)
	ROUND(160)
	ROUND(176)
	ROUND(192)
	ROUND(208)
	MOVOU      224(SP), X10
	AESENCLAST X10, X0
	AESENCLAST X10, X1
	AESENCLAST X10, X2
	AESENCLAST X10, X3
	AESENCLAST X10, X4
	AESENCLAST X10, X5
	AESENCLAST X10, X6
	AESENCLAST X10, X7

	// XOR with a zero plaintext is the keystream itself.
	MOVOU X0, 0(DI)
	MOVOU X1, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X3, 48(DI)
	MOVOU X4, 64(DI)
	MOVOU X5, 80(DI)
	MOVOU X6, 96(DI)
	MOVOU X7, 112(DI)
	ADDQ  $128, DI
	DECQ  CX
	JNZ   blocks
	RET

// func addLanesSSE2(l, o *LtHash)
TEXT ·addLanesSSE2(SB), NOSPLIT, $0-16
	LANES(PADDW)

// func subLanesSSE2(l, o *LtHash)
TEXT ·subLanesSSE2(SB), NOSPLIT, $0-16
	LANES(PSUBW)

// VROUND runs one AES round, with the round key broadcast in K, on the
// 32 blocks in Z0-Z7.
#define VROUND(K) \
	VAESENC K, Z0, Z0; \
	VAESENC K, Z1, Z1; \
	VAESENC K, Z2, Z2; \
	VAESENC K, Z3, Z3; \
	VAESENC K, Z4, Z4; \
	VAESENC K, Z5, Z5; \
	VAESENC K, Z6, Z6; \
	VAESENC K, Z7, Z7

// VCOUNTER starts the four blocks of Z: the counters in Z8 XOR round key
// 0 (Z16); then Z8 steps by four blocks (Z9).
#define VCOUNTER(Z) \
	VPXORQ Z16, Z8, Z; \
	VPADDQ Z9, Z8, Z8

// The first four counter blocks (their high quadwords i<<56), and the
// step of four blocks.
DATA vaesCounters<>+0x00(SB)/8, $0
DATA vaesCounters<>+0x08(SB)/8, $0x0000000000000000
DATA vaesCounters<>+0x10(SB)/8, $0
DATA vaesCounters<>+0x18(SB)/8, $0x0100000000000000
DATA vaesCounters<>+0x20(SB)/8, $0
DATA vaesCounters<>+0x28(SB)/8, $0x0200000000000000
DATA vaesCounters<>+0x30(SB)/8, $0
DATA vaesCounters<>+0x38(SB)/8, $0x0300000000000000
DATA vaesCounters<>+0x40(SB)/8, $0
DATA vaesCounters<>+0x48(SB)/8, $0x0400000000000000
GLOBL vaesCounters<>(SB), RODATA|NOPTR, $80

// func keystreamVAES(key *[32]byte, out *LtHash)
//
// keystreamAESNI with VAES on 512-bit registers: four blocks a register,
// the 15 round keys broadcast in Z16-Z30, 32 blocks in flight, four
// iterations.
TEXT ·keystreamVAES(SB), NOSPLIT, $240-16
	MOVQ key+0(FP), AX
	MOVQ out+8(FP), DI
	SCHEDULE

	VBROADCASTI32X4 0(SP), Z16
	VBROADCASTI32X4 16(SP), Z17
	VBROADCASTI32X4 32(SP), Z18
	VBROADCASTI32X4 48(SP), Z19
	VBROADCASTI32X4 64(SP), Z20
	VBROADCASTI32X4 80(SP), Z21
	VBROADCASTI32X4 96(SP), Z22
	VBROADCASTI32X4 112(SP), Z23
	VBROADCASTI32X4 128(SP), Z24
	VBROADCASTI32X4 144(SP), Z25
	VBROADCASTI32X4 160(SP), Z26
	VBROADCASTI32X4 176(SP), Z27
	VBROADCASTI32X4 192(SP), Z28
	VBROADCASTI32X4 208(SP), Z29
	VBROADCASTI32X4 224(SP), Z30

	VMOVDQU64       vaesCounters<>+0x00(SB), Z8
	VBROADCASTI32X4 vaesCounters<>+0x40(SB), Z9
	MOVQ            $4, CX

vblocks:
	VCOUNTER(Z0)
	VCOUNTER(Z1)
	VCOUNTER(Z2)
	VCOUNTER(Z3)
	VCOUNTER(Z4)
	VCOUNTER(Z5)
	VCOUNTER(Z6)
	VCOUNTER(Z7)
	VROUND(Z17)
	VROUND(Z18)
	VROUND(Z19)
	VROUND(Z20)
	VROUND(Z21)
	VROUND(Z22)
	VROUND(Z23)
	VROUND(Z24)
	VROUND(Z25)
	VROUND(Z26)
	VROUND(Z27)
	VROUND(Z28)
	VROUND(Z29)
	VAESENCLAST Z30, Z0, Z0
	VAESENCLAST Z30, Z1, Z1
	VAESENCLAST Z30, Z2, Z2
	VAESENCLAST Z30, Z3, Z3
	VAESENCLAST Z30, Z4, Z4
	VAESENCLAST Z30, Z5, Z5
	VAESENCLAST Z30, Z6, Z6
	VAESENCLAST Z30, Z7, Z7
	VMOVDQU64   Z0, 0(DI)
	VMOVDQU64   Z1, 64(DI)
	VMOVDQU64   Z2, 128(DI)
	VMOVDQU64   Z3, 192(DI)
	VMOVDQU64   Z4, 256(DI)
	VMOVDQU64   Z5, 320(DI)
	VMOVDQU64   Z6, 384(DI)
	VMOVDQU64   Z7, 448(DI)
	ADDQ        $512, DI
	DECQ        CX
	JNZ         vblocks
	VZEROUPPER
	RET
