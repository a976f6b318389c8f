package bridge

import (
	"bytes"
	"math/big"

	"golang.org/x/crypto/sha3"

	"github.com/coopera/coopera/ledger"
)

// The withdrawals tree, built so that Solidity verifies it in a few lines
// (contracts/src/CooperaBridge.sol), in the style of OpenZeppelin's
// MerkleProof and StandardMerkleTree:
//
//	leaf  = keccak256(keccak256(abi.encode(uint256 chainId, address vault,
//	        uint256 nonce, address recipient, address token, uint256 amount)))
//	node  = keccak256(min(a, b) ‖ max(a, b))    (sorted pair: no position bits)
//
// The leaf is hashed twice so that no 64-byte internal node can pass for
// a leaf. Leaves are in nonce order; each level pairs neighbours and
// carries an odd last node up unchanged. The root of no leaves is zero;
// of one leaf, the leaf. A proof lists the siblings from the leaf up
// (levels where the node was carried up add none).

func keccak(parts ...[]byte) (h Hash32) {
	k := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		k.Write(p)
	}
	k.Sum(h[:0])
	return h
}

func word(v *big.Int) []byte {
	var w [32]byte
	v.FillBytes(w[:])
	return w[:]
}

func wordUint(v uint64) []byte { return word(new(big.Int).SetUint64(v)) }

func wordAddr(a Address) []byte {
	var w [32]byte
	copy(w[12:], a[:])
	return w[:]
}

// WithdrawalLeaf returns the Merkle leaf of a withdrawal.
func WithdrawalLeaf(chainID uint64, vault Address, nonce uint64, recipient, token Address, amount ledger.Amount) Hash32 {
	inner := keccak(wordUint(chainID), wordAddr(vault), wordUint(nonce), wordAddr(recipient), wordAddr(token), word(amount.Big()))
	return keccak(inner[:])
}

func hashPair(a, b Hash32) Hash32 {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	return keccak(a[:], b[:])
}

// MerkleRoot returns the root over leaves.
func MerkleRoot(leaves []Hash32) Hash32 {
	if len(leaves) == 0 {
		return Hash32{}
	}
	level := append([]Hash32(nil), leaves...)
	for len(level) > 1 {
		next := level[:0:0]
		for i := 0; i < len(level); i += 2 {
			if i+1 == len(level) {
				next = append(next, level[i])
			} else {
				next = append(next, hashPair(level[i], level[i+1]))
			}
		}
		level = next
	}
	return level[0]
}

// MerkleProof returns the proof of leaves[i].
func MerkleProof(leaves []Hash32, i int) []Hash32 {
	var proof []Hash32
	level := append([]Hash32(nil), leaves...)
	for len(level) > 1 {
		if sib := i ^ 1; sib < len(level) {
			proof = append(proof, level[sib])
		}
		next := level[:0:0]
		for j := 0; j < len(level); j += 2 {
			if j+1 == len(level) {
				next = append(next, level[j])
			} else {
				next = append(next, hashPair(level[j], level[j+1]))
			}
		}
		level, i = next, i/2
	}
	return proof
}

// VerifyProof reports whether proof takes leaf to root, as the contract
// checks it.
func VerifyProof(root, leaf Hash32, proof []Hash32) bool {
	h := leaf
	for _, p := range proof {
		h = hashPair(h, p)
	}
	return h == root
}
