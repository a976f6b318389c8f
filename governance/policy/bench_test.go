package policy_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

const examples = "../../policies"

// admitFixture is a ledger whose policy set in force is the example set,
// and an admitter holding it.
func admitFixture(b *testing.B) (*ledgertest.Harness, *policy.Admitter) {
	b.Helper()
	set, err := policy.Load(context.Background(), examples)
	if err != nil {
		b.Fatal(err)
	}
	mods := []ledger.Module{govtest.Module{}, governance.New(govtest.Module{})}
	h, err := ledgertest.New(mods...)
	if err != nil {
		b.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "bench", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
	 "params": {"governance": {"policy_hash": %q}}}`, set.HashHex())))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		b.Fatal(err)
	}
	adm, err := policy.NewAdmitter(policy.NewLibrary(set), mods...)
	if err != nil {
		b.Fatal(err)
	}
	return h, adm
}

// reportQuantiles reports p50 and p99 of the recorded latencies.
func reportQuantiles(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkAdmission is the latency of one admission decision: reading
// the policy hash and the affected modules' parameters from state,
// building the input and evaluating the prepared data.coopera.proposals
// query of the example policies, for a two-action proposal.
func BenchmarkAdmission(b *testing.B) {
	h, adm := admitFixture(b)
	p := &governance.Propose{Title: "Fee", Description: "Lower the fee a little, and fund grants.", Actions: []governance.Action{
		{Kind: governance.ParameterChange, Module: "govtest", Name: "fee_bps", Value: []byte("90")},
		{Kind: governance.ParameterChange, Module: "governance", Name: "quorum_bps", Value: []byte("3500")},
	}}
	cmd := &ledger.Command{Actor: "alice", Payload: p}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := adm.Admit(ctx, h, cmd); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	if !p.Decision.Allowed {
		b.Fatalf("denied: %v", p.Decision.Reasons)
	}
	reportQuantiles(b, lat)
}

// BenchmarkAdmitUngoverned is the cost the admitter adds to a command
// type the policy does not govern (a transfer).
func BenchmarkAdmitUngoverned(b *testing.B) {
	h, adm := admitFixture(b)
	cmd := &ledger.Command{Actor: "alice", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(1)}}}}
	ctx := context.Background()
	b.ReportAllocs()
	for range b.N {
		if err := adm.Admit(ctx, h, cmd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPolicyReload is what a policy upgrade costs the shell: reading,
// hashing, parsing, checking and compiling the example policy directory
// and preparing its queries.
func BenchmarkPolicyReload(b *testing.B) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	for range b.N {
		t0 := time.Now()
		if _, err := policy.Load(ctx, examples); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportQuantiles(b, lat)
}
