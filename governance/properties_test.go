package governance_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

var propAccounts = []ledger.AccountID{"a", "b", "c", "d", "e"}

const propStart = "2026-01-01T00:00:00Z"

func propGenesis(t ledgertest.TB) *ledger.Genesis {
	v1, _ := testSets(t)
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "prop", "genesis_time": %q, "epoch_length": "1000h",
	 "assets": [{"id": "COOP", "decimals": 0}],
	 "accounts": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}, {"id": "e"}],
	 "allocations": [{"account": "a", "asset": "COOP", "amount": "1000000"}],
	 "params": {"governance": {"policy_hash": %q, "voting_period": "1h", "late_quorum_extension": "0s", "timelock": "0s",
	   "duration_bonus_full": "2h", "participation_window": 4, "max_live_proposals": 0}}}`, propStart, v1.HashHex())))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// decided returns a propose command with an allowing decision by the test
// policy set, as the admitter would write it (the reducer properties do
// not need OPA in the loop; the golden files run it).
func decided(t ledgertest.TB, actor ledger.AccountID, p *governance.Propose) *ledger.Command {
	v1, _ := testSets(t)
	p.Decision = &governance.Decision{Allowed: true, PolicyHash: v1.Hash()}
	return &ledger.Command{Actor: actor, Payload: p}
}

// propModel is an independent account of stakes and delegations by height.
type propModel struct {
	stake    map[ledger.AccountID][]stakePoint // in height order
	delegate map[ledger.AccountID][]delegPoint
	votedAt  map[uint64]map[ledger.AccountID]uint64 // proposal -> voter -> height
}

type stakePoint struct {
	height uint64
	amount uint64
	since  int64
}

type delegPoint struct {
	height uint64
	to     ledger.AccountID
}

func (m *propModel) stakeAt(a ledger.AccountID, h uint64) (uint64, int64) {
	var amt uint64
	var since int64
	for _, p := range m.stake[a] {
		if p.height <= h {
			amt, since = p.amount, p.since
		}
	}
	return amt, since
}

func (m *propModel) delegateAt(a ledger.AccountID, h uint64) ledger.AccountID {
	var to ledger.AccountID
	for _, p := range m.delegate[a] {
		if p.height <= h {
			to = p.to
		}
	}
	return to
}

// power follows the documented formula with the property genesis:
// duration bonus up to 10000 bps over 2h, participation up to 5000 bps
// over the 4 proposals before.
func (m *propModel) power(a ledger.AccountID, p *governance.Proposal) (stake, power uint64) {
	stake, since := m.stakeAt(a, p.SnapshotHeight)
	if stake == 0 {
		return 0, 0
	}
	mult := uint64(10000)
	full := int64(2 * time.Hour)
	if age := p.Created - since; age > 0 {
		mult += uint64(10000 * min(age, full) / full)
	}
	voted := uint64(0)
	for id := uint64(1); id < p.ID; id++ {
		if id+4 < p.ID {
			continue
		}
		if h, ok := m.votedAt[id][a]; ok && h <= p.SnapshotHeight {
			voted++
		}
	}
	mult += 5000 * voted / 4
	return stake, stake * mult / 10000
}

// TestVotingProperties drives random stakes, delegations, proposals and
// votes, and checks against the model:
//   - the tally recorded at the end equals a recount from the recorded
//     votes (governance.Count) and the sum the model expects;
//   - every vote's own stake and power are the model's at the snapshot, so
//     stake set after the snapshot never counts;
//   - each account's power is counted exactly once when it or its
//     delegate (at the snapshot) voted, and not at all otherwise.
//
// The harness also replays each block and checks conservation.
func TestVotingProperties(t *testing.T) {
	var checkedVotes, overrides, delegated int
	defer func() {
		t.Logf("checked %d votes, %d with delegated power, %d overriding their delegate", checkedVotes, delegated, overrides)
		if checkedVotes == 0 || delegated == 0 || overrides == 0 {
			t.Error("the generator never produced votes with delegated power, or overriding votes")
		}
	}()
	rapid.Check(t, func(rt *rapid.T) {
		h, err := ledgertest.New(testModules()...)
		if err != nil {
			rt.Fatal(err)
		}
		if _, err := h.Genesis(propGenesis(rt)); err != nil {
			rt.Fatal(err)
		}
		m := &propModel{stake: map[ledger.AccountID][]stakePoint{}, delegate: map[ledger.AccountID][]delegPoint{}, votedAt: map[uint64]map[ledger.AccountID]uint64{}}
		at := h.Time
		proposals := uint64(0)
		blocks := rapid.IntRange(3, 25).Draw(rt, "blocks")
		for blk := range blocks {
			at = at.Add(time.Duration(rapid.IntRange(1, 20).Draw(rt, "minutes")) * time.Minute)
			height := h.Height + 1
			var cmds []*ledger.Command
			type pending struct {
				kind  string
				acct  ledger.AccountID
				to    ledger.AccountID
				amt   uint64
				prop  uint64
				index int
			}
			var expect []pending
			for i := range rapid.IntRange(1, 8).Draw(rt, "cmds") {
				acct := rapid.SampledFrom(propAccounts).Draw(rt, "acct")
				kind := rapid.IntRange(0, 9).Draw(rt, "kind")
				if blk == 0 {
					// Everyone starts with some stake.
					acct, kind = propAccounts[i%len(propAccounts)], 0
				}
				switch kind {
				case 0, 1:
					amt := rapid.Uint64Range(0, 1000).Draw(rt, "stake")
					cmds = append(cmds, &ledger.Command{Actor: acct, Payload: &govtest.SetStake{Account: acct, Amount: ledger.NewAmount(amt)}})
					expect = append(expect, pending{kind: "stake", acct: acct, amt: amt, index: len(cmds) - 1})
				case 2, 3:
					to := rapid.SampledFrom(append([]ledger.AccountID{""}, propAccounts...)).Draw(rt, "to")
					cmds = append(cmds, &ledger.Command{Actor: acct, Payload: &governance.Delegate{To: to}})
					expect = append(expect, pending{kind: "delegate", acct: acct, to: to, index: len(cmds) - 1})
				case 4:
					if proposals < 3 {
						cmds = append(cmds, decided(rt, "a", &governance.Propose{Title: "p"}))
						expect = append(expect, pending{kind: "propose", index: len(cmds) - 1})
					}
				default:
					if proposals > 0 {
						id := rapid.Uint64Range(1, proposals).Draw(rt, "proposal")
						o := governance.Option(rapid.IntRange(0, 3).Draw(rt, "option"))
						v := &governance.Vote{Proposal: id, Option: &o}
						if rapid.Bool().Draw(rt, "split") {
							w := uint32(rapid.IntRange(1, 9999).Draw(rt, "weight"))
							v = &governance.Vote{Proposal: id, Options: []governance.WeightedOption{{Option: governance.Yes, WeightBps: w}, {Option: governance.Veto, WeightBps: 10000 - w}}}
						}
						cmds = append(cmds, &ledger.Command{Actor: acct, Payload: v})
						expect = append(expect, pending{kind: "vote", acct: acct, prop: id, index: len(cmds) - 1})
					}
				}
			}
			b, err := h.Apply(at, cmds)
			if err != nil {
				rt.Fatal(err)
			}
			for _, ev := range b.Events {
				if v, ok := ev.(*governance.VoteCast); ok && v.Override != "" {
					overrides++
				}
			}
			// Fold what applied into the model.
			for _, e := range expect {
				if b.Results[e.index].Code != "" {
					continue
				}
				switch e.kind {
				case "stake":
					cur, since := m.stakeAt(e.acct, height)
					if cur == 0 {
						since = at.UnixNano()
					}
					pts := m.stake[e.acct]
					if n := len(pts); n > 0 && pts[n-1].height == height {
						pts = pts[:n-1]
					}
					m.stake[e.acct] = append(pts, stakePoint{height, e.amt, since})
				case "delegate":
					pts := m.delegate[e.acct]
					if n := len(pts); n > 0 && pts[n-1].height == height {
						pts = pts[:n-1]
					}
					m.delegate[e.acct] = append(pts, delegPoint{height, e.to})
				case "propose":
					proposals++
					m.votedAt[proposals] = map[ledger.AccountID]uint64{}
				case "vote":
					m.votedAt[e.prop][e.acct] = height
				}
			}
		}
		// End every voting period and tally.
		at = at.Add(2 * time.Hour)
		var tallies []*ledger.Command
		for id := uint64(1); id <= proposals; id++ {
			tallies = append(tallies, &ledger.Command{Actor: "a", Payload: &governance.TallyVotes{ProposalRef: governance.ProposalRef{Proposal: id}}})
		}
		if len(tallies) == 0 {
			return
		}
		b, err := h.Apply(at, tallies)
		if err != nil {
			rt.Fatal(err)
		}
		for i, r := range b.Results {
			if r.Code != "" {
				rt.Fatalf("tally of %d: %s %s", i+1, r.Code, r.Msg)
			}
		}
		st := storeScanner{h}
		for id := uint64(1); id <= proposals; id++ {
			p, _, err := governance.GetProposal(h, id)
			if err != nil {
				rt.Fatal(err)
			}
			votes, err := governance.Votes(st, id)
			if err != nil {
				rt.Fatal(err)
			}
			recount := governance.Count(votes)
			if *p.Tally != recount {
				rt.Fatalf("proposal %d: tally %+v, recount %+v", id, *p.Tally, recount)
			}
			// The model: every account counted once, where it counts.
			voted := m.votedAt[id]
			var wantStake, wantPower, gotStake, gotPower uint64
			for _, acct := range propAccounts {
				s, pw := m.power(acct, p)
				if _, ok := voted[acct]; ok {
					wantStake += s
					wantPower += pw
					continue
				}
				if d := m.delegateAt(acct, p.SnapshotHeight); d != "" {
					if _, ok := voted[d]; ok {
						wantStake += s
						wantPower += pw
					}
				}
			}
			for _, v := range votes {
				s, pw := m.power(v.Voter, p)
				if got, _ := v.Stake.Uint64(); got != s {
					rt.Fatalf("proposal %d: %s's stake %d, the model has %d at snapshot %d", id, v.Voter, got, s, p.SnapshotHeight)
				}
				if got, _ := v.Power.Uint64(); got != pw {
					rt.Fatalf("proposal %d: %s's power %d, the model has %d", id, v.Voter, got, pw)
				}
				ds, _ := v.DelegatedStake.Uint64()
				dp, _ := v.DelegatedPower.Uint64()
				checkedVotes++
				if dp > 0 {
					delegated++
				}
				gotStake += s + ds
				gotPower += pw + dp
			}
			if gotStake != wantStake || gotPower != wantPower {
				rt.Fatalf("proposal %d: votes count stake %d power %d; each account once gives %d and %d", id, gotStake, gotPower, wantStake, wantPower)
			}
			if vs, _ := recount.VotedStake.Uint64(); vs != wantStake {
				rt.Fatalf("proposal %d: voted stake %d, want %d", id, vs, wantStake)
			}
			if pvs, _ := p.VotedStake.Uint64(); pvs != wantStake {
				rt.Fatalf("proposal %d: running voted stake %d, want %d", id, pvs, wantStake)
			}
		}
	})
}

// TestParamChangeTakesEffectNextBlock executes a parameter change at a
// random place in a block among probes, and checks that every probe up to
// and including that block sees the old value and every later one the
// new value, and that committed state agrees (ParamsAt).
func TestParamChangeTakesEffectNextBlock(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h, err := ledgertest.New(testModules()...)
		if err != nil {
			rt.Fatal(err)
		}
		if _, err := h.Genesis(propGenesis(rt)); err != nil {
			rt.Fatal(err)
		}
		at := h.Time
		apply := func(d time.Duration, cmds ...*ledger.Command) *ledger.Block {
			at = at.Add(d)
			b, err := h.Apply(at, cmds)
			if err != nil {
				rt.Fatal(err)
			}
			for i, r := range b.Results {
				if r.Code != "" {
					rt.Fatalf("block %d command %d: %s %s", b.Height, i, r.Code, r.Msg)
				}
			}
			return b
		}
		fee := rapid.Uint64Range(0, 10000).Draw(rt, "fee")
		apply(time.Second, &ledger.Command{Actor: "a", Payload: &govtest.SetStake{Account: "a", Amount: ledger.NewAmount(10)}})
		apply(time.Second, decided(rt, "a", &governance.Propose{Title: "fee", Actions: []governance.Action{
			{Kind: governance.ParameterChange, Module: "govtest", Name: "fee_bps", Value: []byte(fmt.Sprint(fee))}}}))
		yes := governance.Yes
		apply(time.Second, &ledger.Command{Actor: "a", Payload: &governance.Vote{Proposal: 1, Option: &yes}})
		apply(2*time.Hour, &ledger.Command{Actor: "a", Payload: &governance.TallyVotes{ProposalRef: governance.ProposalRef{Proposal: 1}}},
			&ledger.Command{Actor: "a", Payload: &governance.Queue{ProposalRef: governance.ProposalRef{Proposal: 1}}})
		probe := func() *ledger.Command { return &ledger.Command{Actor: "a", Payload: &govtest.Probe{}} }
		before, after := rapid.IntRange(0, 3).Draw(rt, "before"), rapid.IntRange(0, 3).Draw(rt, "after")
		var cmds []*ledger.Command
		for range before {
			cmds = append(cmds, probe())
		}
		cmds = append(cmds, &ledger.Command{Actor: "a", Payload: &governance.Execute{ProposalRef: governance.ProposalRef{Proposal: 1}}})
		for range after {
			cmds = append(cmds, probe())
		}
		exec := apply(time.Second, cmds...)
		var seen []uint64
		for _, ev := range exec.Events {
			if p, ok := ev.(*govtest.Probed); ok {
				seen = append(seen, p.FeeBps)
			}
		}
		for _, v := range seen {
			if v != 100 {
				rt.Fatalf("a probe in the executing block saw fee_bps %d, want the old 100", v)
			}
		}
		oldEnc, _ := ledger.ParamsAt(h, "govtest", exec.Height)
		newEnc, _ := ledger.ParamsAt(h, "govtest", exec.Height+1)
		pm, _ := h.M.Parameterized("govtest")
		oldJS, _ := pm.ParamsJSON(oldEnc)
		newJS, _ := pm.ParamsJSON(newEnc)
		if string(oldJS) != `{"fee_bps":100}` || string(newJS) != fmt.Sprintf(`{"fee_bps":%d}`, fee) {
			rt.Fatalf("params at %d: %s, at %d: %s", exec.Height, oldJS, exec.Height+1, newJS)
		}
		for range rapid.IntRange(1, 3).Draw(rt, "later") {
			b := apply(time.Second, probe())
			if got := b.Events[0].(*govtest.Probed).FeeBps; got != fee {
				rt.Fatalf("block %d after execution saw fee_bps %d, want %d", b.Height, got, fee)
			}
		}
	})
}
