package agents

import (
	"hash/fnv"
	"math/bits"
)

// Rand is the simulator's random stream: splitmix64 (Steele, Lea and
// Flood), written out here so that its outputs are fixed by this file and
// not by a library version. Every draw is an integer or a Dec; nothing
// goes through floating point. The zero value is a valid stream (seed 0).
//
// Each run has its own seed, derived from the scenario's seed and the run
// index, and each population draws from its own stream derived from the
// run's seed and the population's name, so adding a population does not
// change the draws of the others.
type Rand struct{ s uint64 }

// NewRand returns a stream seeded with seed.
func NewRand(seed uint64) *Rand { return &Rand{s: seed} }

// Uint64 returns the next 64 random bits.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Intn returns a uniform integer in [0, n) for n > 0 (Lemire's method with
// rejection, so it is exactly uniform).
func (r *Rand) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	un := uint64(n)
	hi, lo := bits.Mul64(r.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), un)
		}
	}
	return int(hi)
}

// Unit returns a uniform Dec in [0, 1).
func (r *Rand) Unit() Dec { return Dec(r.Intn(int(One))) }

// Chance returns true with probability p (a Dec in [0, 1]).
func (r *Rand) Chance(p Dec) bool {
	if p <= 0 {
		return false
	}
	if p >= One {
		return true
	}
	return r.Unit() < p
}

// Normal returns an approximately standard normal Dec: the Irwin–Hall sum
// of 12 uniforms on (0, 1) less 6 (mean 0, variance 1, bounded by ±6).
// The uniforms have 16 bits each, four to a 64-bit draw, each the middle
// of its step ((u + 1/2) / 65536: u / 65536 averages half a step below
// 1/2, which biased the mean by -6/65536).
func (r *Rand) Normal() Dec {
	var s int64
	for range 3 {
		x := r.Uint64()
		s += int64(x&0xffff) + int64(x>>16&0xffff) + int64(x>>32&0xffff) + int64(x>>48)
	}
	return normalOfSum(s)
}

// normalOfSum is Normal of the 12 uniforms' sum s, in 1/65536 steps,
// truncated toward 0 so that it is symmetric about the middle.
func normalOfSum(s int64) Dec { return Dec((s + 6 - 6<<16) * int64(One) / 65536) }

// DeriveSeed mixes a seed with tags into a new seed, so that streams for
// different runs and populations are independent.
func DeriveSeed(seed uint64, tags ...uint64) uint64 {
	s := mix64(seed + 0x9e3779b97f4a7c15)
	for _, t := range tags {
		s = mix64(s ^ mix64(t+0x632be59bd9b4e019))
	}
	return s
}

// NameTag hashes a name into a seed tag (FNV-1a, fixed by its spec).
func NameTag(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
