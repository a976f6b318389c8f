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

	MOVOU 0(AX), X1
	MOVOU 16(AX), X3
	MOVOU X1, 0(SP)
	MOVOU X3, 16(SP)
	EVEN(0x01, 32)
	ODD(48)
	EVEN(0x02, 64)
	ODD(80)
	EVEN(0x04, 96)
	ODD(112)
	EVEN(0x08, 128)
	ODD(144)
	EVEN(0x10, 160)
	ODD(176)
	EVEN(0x20, 192)
	ODD(208)
	EVEN(0x40, 224)

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
