package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

const examples = "../../policies"

// admitFixture is a ledger whose policy set in force is the example set,
// and an admitter holding it.
func admitFixture(b testing.TB) (*ledgertest.Harness, *policy.Admitter) {
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

// rawProposalsQuery prepares data.coopera.proposals on the example
// policies compiled as Compile compiles them (Rego v1, the same
// capabilities, strict built-in errors): the raw prepared OPA query the
// admitter's cost is measured against.
func rawProposalsQuery(b *testing.B, query string) rego.PreparedEvalQuery {
	b.Helper()
	files, err := policy.ReadDir(examples)
	if err != nil {
		b.Fatal(err)
	}
	modules := map[string]*ast.Module{}
	for _, f := range files {
		m, err := ast.ParseModuleWithOpts(f.Name, string(f.Src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			b.Fatal(err)
		}
		modules[f.Name] = m
	}
	caps := policy.Capabilities()
	c := ast.NewCompiler().WithCapabilities(caps)
	if c.Compile(modules); c.Failed() {
		b.Fatal(c.Errors)
	}
	pq, err := rego.New(rego.Query(query), rego.Compiler(c), rego.Capabilities(caps), rego.StrictBuiltinErrors(true)).PrepareForEval(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return pq
}

// narrowProposalsQuery is the narrow query the admitter evaluates for the
// example policies (see narrow.go).
const narrowProposalsQuery = `allow := data.coopera.proposals.allow
deny := data.coopera.proposals.deny
rules := [x | x := data.coopera.proposals.rules]
`

// BenchmarkAdmissionVsRaw measures, in the same run and interleaved, the
// raw prepared data.coopera.proposals query of the example policies
// evaluated on a ready-made input (rego.EvalParsedInput, the input built
// before the loop) and the admitter's whole Admit of the same proposal
// (reading state, building the input, the commands policy, the decision).
// It reports p50 and p99 of each, and Admit's over the raw query's; and,
// as raw-narrow, the raw prepared narrow query on the same input, with
// Admit's ratios over it.
func BenchmarkAdmissionVsRaw(b *testing.B) {
	h, adm := admitFixture(b)
	raw := rawProposalsQuery(b, policy.ProposalsQuery)
	rawNarrow := rawProposalsQuery(b, narrowProposalsQuery)
	p := &governance.Propose{Title: "Fee", Description: "Lower the fee a little, and fund grants.", Actions: []governance.Action{
		{Kind: governance.ParameterChange, Module: "govtest", Name: "fee_bps", Value: []byte("90")},
		{Kind: governance.ParameterChange, Module: "governance", Name: "quorum_bps", Value: []byte("3500")},
	}}
	in, err := adm.ProposalInput(h, "alice", p)
	if err != nil {
		b.Fatal(err)
	}
	js, err := json.Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	input, err := ast.ValueFromReader(bytes.NewReader(js))
	if err != nil {
		b.Fatal(err)
	}
	cmd := &ledger.Command{Actor: "alice", Payload: p}
	ctx := context.Background()
	rawLat := make([]time.Duration, 0, b.N)
	narrowLat := make([]time.Duration, 0, b.N)
	admLat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	rawEval := func() {
		t0 := time.Now()
		rs, err := raw.Eval(ctx, rego.EvalParsedInput(input))
		rawLat = append(rawLat, time.Since(t0))
		if err != nil || len(rs) != 1 {
			b.Fatal(rs, err)
		}
	}
	narrowEval := func() {
		t0 := time.Now()
		rs, err := rawNarrow.Eval(ctx, rego.EvalParsedInput(input))
		narrowLat = append(narrowLat, time.Since(t0))
		if err != nil || len(rs) != 1 {
			b.Fatal(rs, err)
		}
	}
	admit := func() {
		t0 := time.Now()
		err := adm.Admit(ctx, h, cmd)
		admLat = append(admLat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	// Rotate which goes first, so that none always pays for the others'
	// garbage.
	order := [][3]func(){{rawEval, narrowEval, admit}, {admit, rawEval, narrowEval}, {narrowEval, admit, rawEval}}
	for i := range b.N {
		for _, f := range order[i%3] {
			f()
		}
	}
	b.StopTimer()
	if !p.Decision.Allowed {
		b.Fatalf("denied: %v", p.Decision.Reasons)
	}
	slices.Sort(rawLat)
	slices.Sort(narrowLat)
	slices.Sort(admLat)
	q := func(d []time.Duration, n int) float64 { return float64(d[len(d)*n/100].Nanoseconds()) }
	b.ReportMetric(q(rawLat, 50), "raw-p50-ns")
	b.ReportMetric(q(rawLat, 99), "raw-p99-ns")
	b.ReportMetric(q(admLat, 50), "admit-p50-ns")
	b.ReportMetric(q(admLat, 99), "admit-p99-ns")
	b.ReportMetric(q(admLat, 50)/q(rawLat, 50), "p50-ratio")
	b.ReportMetric(q(admLat, 99)/q(rawLat, 99), "p99-ratio")
	b.ReportMetric(q(narrowLat, 50), "raw-narrow-p50-ns")
	b.ReportMetric(q(narrowLat, 99), "raw-narrow-p99-ns")
	b.ReportMetric(q(admLat, 50)/q(narrowLat, 50), "p50-ratio-narrow")
	b.ReportMetric(q(admLat, 99)/q(narrowLat, 99), "p99-ratio-narrow")
}

// TestAdmitConcurrently admits proposals from several goroutines at once,
// sharing the set, its prepared queries and the parameters cache (run it
// under the race detector).
func TestAdmitConcurrently(t *testing.T) {
	set, err := policy.Load(context.Background(), examples)
	if err != nil {
		t.Fatal(err)
	}
	mods := []ledger.Module{govtest.Module{}, governance.New(govtest.Module{})}
	h, err := ledgertest.New(mods...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "conc", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
	 "params": {"governance": {"policy_hash": %q}}}`, set.HashHex())))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	adm, err := policy.NewAdmitter(policy.NewLibrary(set), mods...)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				fee := 90 + i + j
				p := &governance.Propose{Title: "Fee", Description: "Lower the fee a little, and fund grants.", Actions: []governance.Action{
					{Kind: governance.ParameterChange, Module: "govtest", Name: "fee_bps", Value: []byte(fmt.Sprint(fee))},
				}}
				if err := adm.Admit(context.Background(), h, &ledger.Command{Actor: "alice", Payload: p}); err != nil || !p.Decision.Allowed {
					errs <- fmt.Errorf("fee %d: %v %+v", fee, err, p.Decision)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
