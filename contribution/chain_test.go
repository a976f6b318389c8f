package contribution_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

// A multi-epoch case: validators (in ID order) with stakes, providers,
// and each epoch's reveals (validator -> "provider:weight ...").
type chainCase struct {
	validators []string
	stakes     []int64
	providers  []string
	cutoff     int
	epochs     int
	votes      func(e int) map[string]string
	kappa      int64 // 0: the default, 32767
}

type epochResult struct {
	ev    *contribution.EpochScored
	ref   refOut
	bonds map[[2]string]uint64 // stored after the close, by validator and provider
}

// bond returns a validator's stored bond on a provider after the close.
func (r epochResult) bond(v, p string) uint64 { return r.bonds[[2]string{v, p}] }

// runChainCase runs a case through the module (subtensor allocation, a
// pool of 1e9 each epoch) and through the exact reference, and checks
// every epoch: incentive and dividends within 1e-6, the stored u16 bonds
// equal or one step below (see below).
func runChainCase(t *testing.T, c chainCase) []epochResult {
	return runCase(t, c, true)
}

// runCase runs a case; withRef compares it with the reference.
func runCase(t *testing.T, c chainCase, withRef bool) []epochResult {
	t.Helper()
	stakes := map[string]uint64{}
	for i, v := range c.validators {
		stakes[v] = uint64(c.stakes[i])
	}
	if c.kappa == 0 {
		c.kappa = 32767
	}
	n := newNetwork(t, stakes, fmt.Sprintf(`"allocation":"subtensor","activity_cutoff":%d,"kappa":%d`, c.cutoff, c.kappa))
	n.providers(c.providers...)
	ref := newRefNet(len(c.validators), len(c.providers))
	ref.kappa = rat(c.kappa, 65535)
	col := map[string]int{}
	for j, p := range c.providers {
		col[p] = j
	}
	weights := make([][]int64, len(c.validators))
	last := make([]int, len(c.validators))
	for i := range weights {
		weights[i] = make([]int64, len(c.providers))
		last[i] = -1 << 30
	}
	var out []epochResult
	for e := range c.epochs {
		n.fund(1_000_000_000)
		votes := c.votes(e)
		n.votes(votes)
		for i, v := range c.validators {
			ws, ok := votes[v]
			if !ok {
				continue
			}
			clear(weights[i])
			for _, f := range strings.Fields(ws) {
				k := strings.IndexByte(f, ':')
				var w int64
				fmt.Sscan(f[k+1:], &w)
				weights[i][col[f[:k]]] = w
			}
			last[i] = e
		}
		active := make([]bool, len(c.validators))
		for i := range active {
			active[i] = last[i]+c.cutoff >= e
		}
		ev := n.close()
		stored := map[[2]string]uint64{}
		for _, v := range c.validators {
			b, err := contribution.Bonds(n.h, ledger.AccountID(v))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.providers {
				stored[[2]string{v, p}] = b[ledger.AccountID(p)]
			}
		}
		if !withRef {
			out = append(out, epochResult{ev: ev, bonds: stored})
			continue
		}
		r := ref.epoch(c.stakes, active, weights)
		for j, p := range c.providers {
			got := int64(providerOf(ev, p).Incentive)
			if want := ppbOf(r.incentive[j]); abs(got-want) > 1000 {
				t.Errorf("epoch %d: incentive of %s %d ppb, the chain's %d", e, p, got, want)
			}
		}
		for i, v := range c.validators {
			got := int64(validatorOf(ev, v).Dividend)
			if want := ppbOf(r.dividend[i]); abs(got-want) > 1000 {
				t.Errorf("epoch %d: dividend of %s %d ppb, the chain's %d", e, v, got, want)
			}
			for j, p := range c.providers {
				// One u16 step apart at most: where the exact value is a
				// whole number of 65535ths (0.6 x 65535 = 39321), the
				// chain's 32.32 lands a hair below it and floors one lower.
				// The reference then carries on from the module's bonds,
				// so that a step at a boundary does not compound.
				got, want := stored[[2]string{v, p}], ref.bonds[i][j]
				if got != want && got+1 != want {
					t.Errorf("epoch %d: bond of %s on %s %d, the chain stores %d", e, v, p, got, want)
				}
				ref.bonds[i][j] = got
			}
		}
		out = append(out, epochResult{ev, r, stored})
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// inU16 reports whether a ppb value is one the chain stores as the u16
// want (floor(x 65535)).
func inU16(ppb uint64, want uint64) bool {
	lo := (want*1_000_000_000 + 65534) / 65535
	hi := ((want + 1) * 1_000_000_000) / 65535
	return ppb+1 >= lo && ppb <= hi
}

// TestChainActiveStake transcribes subtensor's test_active_stake: two
// validators of equal stake weight two servers equally; then the second
// stops setting weights and goes past the activity cutoff, then sets them
// again. The chain's assertions: dividends 32767, then 36044 / 29490 (0.55
// / 0.45: the inactive validator keeps earning from its decaying bonds),
// then 35716 / 29818; emissions 250000000 per server each epoch and
// 274999999 / 224999999, then 272501132 / 227498866 for the validators;
// bonds 65535 / 65535, then 65535 / 53619, then 65535 / 54712.
func TestChainActiveStake(t *testing.T) {
	c := chainCase{
		validators: []string{"v1", "v2"}, stakes: []int64{1, 1}, providers: []string{"s1", "s2"}, cutoff: 0, epochs: 3,
		votes: func(e int) map[string]string {
			if e == 1 {
				return map[string]string{"v1": "s1:32767 s2:32767"}
			}
			return map[string]string{"v1": "s1:32767 s2:32767", "v2": "s1:32767 s2:32767"}
		},
	}
	res := runChainCase(t, c)
	want := []struct {
		div      [2]uint64 // u16
		emission [2]string
		bond     [2]uint64
	}{
		{[2]uint64{32767, 32767}, [2]string{"250000000", "250000000"}, [2]uint64{65535, 65535}},
		{[2]uint64{36044, 29490}, [2]string{"274999999", "224999999"}, [2]uint64{65535, 53619}},
		{[2]uint64{35716, 29818}, [2]string{"272501132", "227498866"}, [2]uint64{65535, 54712}},
	}
	for e, w := range want {
		ev := res[e].ev
		for i, v := range []string{"v1", "v2"} {
			s := validatorOf(ev, v)
			if !inU16(s.Dividend, w.div[i]) {
				t.Errorf("epoch %d: %s dividend %d ppb, the chain stores %d/65535", e, v, s.Dividend, w.div[i])
			}
			if s.Reward.String() != w.emission[i] {
				t.Errorf("epoch %d: %s earns %s, the chain %s", e, v, s.Reward, w.emission[i])
			}
		}
		for _, p := range []string{"s1", "s2"} {
			if r := providerOf(ev, p).Reward.String(); r != "250000000" {
				t.Errorf("epoch %d: %s earns %s, the chain 250000000", e, p, r)
			}
		}
		for i, v := range []string{"v1", "v2"} {
			for _, p := range []string{"s1", "s2"} {
				if b := res[e].bond(v, p); b != w.bond[i] {
					t.Errorf("epoch %d: %s's bond on %s %d, the chain's %d", e, v, p, b, w.bond[i])
				}
			}
		}
	}
}

// TestChain512Graph transcribes subtensor's test_512_graph: 64 validators
// of equal stake (328125000000000 each) weight all 448 servers equally
// (u16::MAX / 512 = 127 each), for three epochs. The chain's assertions:
// each server's consensus and incentive 146/65535 and emission 1116071;
// each validator's dividends 1023/65535, emission 7812500 and bond 65535
// on every server. (Validators and servers are separate sets here, so the
// test's interleavings and server self-weights, all masked on the chain,
// change nothing.)
func TestChain512Graph(t *testing.T) {
	c := chainCase{cutoff: 5000, epochs: 3}
	var all []string
	for i := range 64 {
		c.validators = append(c.validators, fmt.Sprintf("v%02d", i))
		c.stakes = append(c.stakes, 328_125_000_000_000)
	}
	for j := range 448 {
		c.providers = append(c.providers, fmt.Sprintf("s%03d", j))
		all = append(all, fmt.Sprintf("s%03d:127", j))
	}
	ws := strings.Join(all, " ")
	c.votes = func(e int) map[string]string {
		if e > 0 {
			return nil // weights persist
		}
		m := map[string]string{}
		for _, v := range c.validators {
			m[v] = ws
		}
		return m
	}
	res := runCase(t, c, false) // 28,672 cells: the chain's own figures suffice
	ev := res[2].ev
	for _, p := range c.providers {
		s := providerOf(ev, p)
		if !inU16(s.Consensus, 146) || !inU16(s.Incentive, 146) || s.Reward.String() != "1116071" {
			t.Fatalf("%s: consensus %d ppb, incentive %d ppb, emission %s; the chain 146/65535, 146/65535, 1116071", p, s.Consensus, s.Incentive, s.Reward)
		}
	}
	for _, v := range c.validators {
		s := validatorOf(ev, v)
		if !inU16(s.Dividend, 1023) || s.Reward.String() != "7812500" {
			t.Fatalf("%s: dividends %d ppb, emission %s; the chain 1023/65535, 7812500", v, s.Dividend, s.Reward)
		}
		for _, p := range c.providers {
			if b := res[2].bond(v, p); b != 65535 {
				t.Fatalf("%s: bond %d on %s, the chain 65535 on every server", v, b, p)
			}
		}
	}
}
