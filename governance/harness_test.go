package governance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// The test policy sets, loaded once.
var (
	setsOnce sync.Once
	setV1    *policy.Set
	setV2    *policy.Set
	setsErr  error
)

func testSets(t ledgertest.TB) (*policy.Set, *policy.Set) {
	t.Helper()
	setsOnce.Do(func() {
		ctx := context.Background()
		if setV1, setsErr = policy.Load(ctx, "testdata/policies"); setsErr != nil {
			return
		}
		setV2, setsErr = policy.Load(ctx, "testdata/policies_v2")
	})
	if setsErr != nil {
		t.Fatal(setsErr)
	}
	return setV1, setV2
}

func testModules() []ledger.Module {
	return []ledger.Module{govtest.Module{}, governance.New(govtest.Module{})}
}

// placeholders replaces the test policy hashes with names in golden text.
func placeholders(t ledgertest.TB) *strings.Replacer {
	v1, v2 := testSets(t)
	return strings.NewReplacer(v1.HashHex(), "$POLICY_V1", v2.HashHex(), "$POLICY_V2")
}

func expand(t ledgertest.TB, s string) string {
	v1, v2 := testSets(t)
	return strings.NewReplacer("$POLICY_V1", v1.HashHex(), "$POLICY_V2", v2.HashHex()).Replace(s)
}

// govRun runs a golden file: the ledgertest directives, with "genesis" and
// "block" taken over so that hashes print as placeholders and every
// command goes through the policy admitter, as in the engine, plus:
//
//	proposal id=N      the proposal as of the last block's time
//	votes id=N         its votes, in voter order
//	params module=M    a module's parameters as of the next block
//	decide actor=A     input: a gov_propose payload; prints the decision
//	rawblock           a block whose commands skip the admitter
func govRun(t *testing.T, path string) {
	v1, v2 := testSets(t)
	adm, err := policy.NewAdmitter(policy.NewLibrary(v1, v2), testModules()...)
	if err != nil {
		t.Fatal(err)
	}
	rep := placeholders(t)
	ledgertest.Run(t, path, testModules(), func(t *testing.T, h *ledgertest.Harness, td *datadriven.TestData) (string, bool) {
		switch td.Cmd {
		case "genesis":
			g, err := ledger.ParseGenesis([]byte(expand(t, td.Input)))
			if err != nil {
				return "error: " + err.Error() + "\n", true
			}
			b, err := h.Genesis(g)
			if err != nil {
				return "error: " + rep.Replace(err.Error()) + "\n", true
			}
			var sb strings.Builder
			for _, ev := range b.Events {
				fmt.Fprintf(&sb, "  %s\n", ledger.DescribeEvent(ev))
			}
			fmt.Fprintf(&sb, "root %s\n", b.StateRoot.Short())
			return rep.Replace(sb.String()), true
		case "block":
			return rep.Replace(govBlock(t, h, adm, td)), true
		case "rawblock":
			// Commands as submitted, without the admitter: forged or
			// missing decisions reach the state machine.
			return rep.Replace(govBlock(t, h, nil, td)), true
		case "proposal":
			p, ok, err := governance.GetProposal(h, uint64(argInt(t, td, "id")))
			if err != nil || !ok {
				return fmt.Sprintf("no proposal: %v\n", err), true
			}
			return describeProposal(p, h.Time.UnixNano()), true
		case "votes":
			votes, err := governance.Votes(storeScanner{h}, uint64(argInt(t, td, "id")))
			if err != nil {
				return "error: " + err.Error() + "\n", true
			}
			var sb strings.Builder
			for _, v := range votes {
				fmt.Fprintf(&sb, "%s %s stake %s power %s delegated stake %s power %s at height %d\n", v.Voter, describeOptions(v.Options), v.Stake, v.Power, v.DelegatedStake, v.DelegatedPower, v.Height)
			}
			tl := governance.Count(votes)
			fmt.Fprintf(&sb, "recount: yes %s no %s abstain %s veto %s voted stake %s\n", tl.Yes, tl.No, tl.Abstain, tl.Veto, tl.VotedStake)
			return sb.String(), true
		case "params":
			mod := argString(td, "module")
			pm, ok := h.M.Parameterized(mod)
			if !ok {
				return "no such module\n", true
			}
			enc, err := ledger.ParamsAt(h, mod, h.Height+1)
			if err != nil {
				return "error: " + err.Error() + "\n", true
			}
			js, _ := pm.ParamsJSON(enc)
			return string(js) + "\n", true
		case "decide":
			var p governance.Propose
			if err := json.Unmarshal([]byte(td.Input), &p); err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			cmd := &ledger.Command{Actor: ledger.AccountID(argString(td, "actor")), Payload: &p}
			if err := adm.Admit(context.Background(), h, cmd); err != nil {
				return rep.Replace("refused: "+err.Error()) + "\n", true
			}
			b, _ := json.Marshal(p.Decision)
			return rep.Replace(string(b)) + "\n", true
		}
		return "", false
	})
}

// storeScanner adapts the harness's committed state to governance.Scanner.
type storeScanner struct{ h *ledgertest.Harness }

func (s storeScanner) Get(k []byte) ([]byte, bool) { return s.h.Get(k) }
func (s storeScanner) Scan(prefix []byte, fn func(k, v []byte) bool) {
	s.h.Store.Scan(prefix, fn)
}

func argString(td *datadriven.TestData, key string) string {
	if a, ok := td.Arg(key); ok && len(a.Vals) > 0 {
		return a.Vals[0]
	}
	return ""
}

func argInt(t *testing.T, td *datadriven.TestData, key string) int {
	n, err := strconv.Atoi(argString(td, key))
	if err != nil {
		t.Fatalf("%s: %s=%q: %v", td.Pos, key, argString(td, key), err)
	}
	return n
}

func describeOptions(opts []governance.WeightedOption) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = fmt.Sprintf("%s:%d", o.Option, o.WeightBps)
	}
	return strings.Join(parts, ",")
}

func fmtNs(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }

func describeProposal(p *governance.Proposal, now int64) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "proposal %d %q by %s: %s (recorded %s)\n", p.ID, p.Title, p.Proposer, p.StatusAt(now), p.Status)
	fmt.Fprintf(&sb, "  kinds %v, deposit %s %s held=%v\n", p.Kinds, p.Deposit, p.DepositAsset, p.DepositHeld)
	r := p.Rules
	fmt.Fprintf(&sb, "  rules quorum %d threshold %d veto %d bps, period %s, timelock %s, window %s\n", r.QuorumBps, r.ThresholdBps, r.VetoBps,
		time.Duration(r.VotingPeriod), time.Duration(r.Timelock), time.Duration(r.ExecutionWindow))
	fmt.Fprintf(&sb, "  snapshot height %d, total stake %s, voting %s to %s", p.SnapshotHeight, p.TotalStake, fmtNs(p.VotingStart), fmtNs(p.VotingEnd))
	if p.Extended {
		sb.WriteString(" (extended)")
	}
	fmt.Fprintf(&sb, "\n  voted stake %s, quorum reached %v\n", p.VotedStake, p.QuorumReached)
	if p.Tally != nil {
		fmt.Fprintf(&sb, "  tally yes %s no %s abstain %s veto %s, %d votes\n", p.Tally.Yes, p.Tally.No, p.Tally.Abstain, p.Tally.Veto, p.Tally.Votes)
	}
	if p.ETA != 0 {
		fmt.Fprintf(&sb, "  eta %s\n", fmtNs(p.ETA))
	}
	if p.Deadline != 0 {
		fmt.Fprintf(&sb, "  deadline %s\n", fmtNs(p.Deadline))
	}
	if p.FailReason != "" {
		fmt.Fprintf(&sb, "  reason: %s\n", p.FailReason)
	}
	return sb.String()
}

// govBlock is ledgertest's block directive with the admitter in front:
// refused commands are printed and left out of the block.
func govBlock(t *testing.T, h *ledgertest.Harness, adm *policy.Admitter, td *datadriven.TestData) string {
	at := h.Time.Add(time.Second)
	if s := argString(td, "time"); s != "" {
		if strings.HasPrefix(s, "+") {
			d, err := time.ParseDuration(s[1:])
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			at = h.Time.Add(d)
		} else {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			at = v
		}
	}
	var cmds []*ledger.Command
	var sb strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := h.M.Registry().ParseCommandJSON([]byte(expand(t, line)))
		if err != nil {
			fmt.Fprintf(&sb, "line %d: invalid: %v\n", i, err)
			continue
		}
		if adm != nil {
			if err := adm.Admit(context.Background(), h, c); err != nil {
				fmt.Fprintf(&sb, "line %d: refused: %v\n", i, err)
				continue
			}
		}
		cmds = append(cmds, c)
	}
	c, err := ledger.GetChain(h)
	if err != nil {
		t.Fatal(err)
	}
	all := append(ledger.EpochCloses(c, at.UnixNano(), 1<<20), cmds...)
	if len(all) == 0 {
		return sb.String()
	}
	b, err := h.Apply(at, all)
	if err != nil {
		t.Fatalf("%s: %v", td.Pos, err)
	}
	next := 0
	for i, r := range b.Results {
		label := b.Commands[i].Payload.Type()
		if r.Code != "" {
			fmt.Fprintf(&sb, "%d %s: rejected %s: %s\n", i, label, r.Code, r.Msg)
			continue
		}
		fmt.Fprintf(&sb, "%d %s: ok\n", i, label)
		for _, ev := range b.Events[next : next+int(r.Events)] {
			if ev.EventType() == "proposal_submitted" {
				// The full proposal is long; print the fields that matter.
				e := ev.(*governance.ProposalSubmitted)
				fmt.Fprintf(&sb, "  proposal_submitted/v1 id %d by %s %q kinds %v deposit %s snapshot %d total stake %s voting %s to %s\n",
					e.ID, e.Proposer, e.Title, governance.Kinds(e.Actions), e.Deposit, e.SnapshotHeight, e.TotalStake, fmtNs(e.VotingStart), fmtNs(e.VotingEnd))
				continue
			}
			fmt.Fprintf(&sb, "  %s\n", ledger.DescribeEvent(ev))
		}
		next += int(r.Events)
	}
	fmt.Fprintf(&sb, "height %d time %s root %s\n", b.Height, at.UTC().Format(time.RFC3339), b.StateRoot.Short())
	return sb.String()
}
