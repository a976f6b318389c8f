package policy_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/coopera/coopera/governance/policy"
)

// rangeBomb builds an array of 200 million numbers for every proposal:
// tens of gigabytes if it ran to the end.
const rangeBomb = `package coopera.proposals

import rego.v1

default allow := false

allow if count(numbers.range(1, 200000000)) > 0
`

func TestEvalDeadlineStopsARangeBomb(t *testing.T) {
	for _, timeout := range []time.Duration{0, 50 * time.Millisecond} {
		s, err := policy.Compile(context.Background(), []policy.File{{Name: "p.rego", Src: []byte(rangeBomb)}}, "pol", policy.WithLimits(policy.Limits{EvalTimeout: timeout}))
		if err != nil {
			t.Fatal(err)
		}
		want := timeout
		if want == 0 {
			want = policy.DefaultEvalTimeout
		}
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err = s.DecideProposal(context.Background(), &policy.ProposalInput{Actor: "alice", Proposal: policy.ProposalDoc{Title: "t", Deposit: "0", Kinds: []string{"text"}}})
		took := time.Since(start)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if !errors.Is(err, policy.ErrEvalDeadline) {
			t.Fatalf("timeout %s: err = %v, want ErrEvalDeadline", want, err)
		}
		// Generous for a loaded machine; without the deadline it runs for
		// minutes and dies out of memory.
		if took > want+5*time.Second {
			t.Fatalf("timeout %s: refused after %s", want, took)
		}
		t.Logf("timeout %s: refused after %s, %d MiB allocated: %v", want, took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20, err)
	}
}

func TestEvalDeadlineAtLoad(t *testing.T) {
	// The governed set is evaluated when the set loads: the limits apply there too.
	src := "package coopera.commands\n\nimport rego.v1\n\ngoverned contains t if {\n\tsome i in numbers.range(1, 200000000)\n\ti < 0\n\tt := \"transfer\"\n}\n"
	start := time.Now()
	_, err := policy.Compile(context.Background(), []policy.File{{Name: "p.rego", Src: []byte(src)}}, "pol", policy.WithLimits(policy.Limits{EvalTimeout: 100 * time.Millisecond}))
	if !errors.Is(err, policy.ErrEvalDeadline) {
		t.Fatalf("err = %v, want ErrEvalDeadline", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("refused after %s", took)
	}
}

func TestResultSizeBound(t *testing.T) {
	// 20,000 reasons of about 20 bytes each: about 400 KB of JSON.
	src := `package coopera.proposals

import rego.v1

default allow := false

deny contains sprintf("reason number %d", [i]) if some i in numbers.range(1, 20000)
`
	input := &policy.ProposalInput{Actor: "alice", Proposal: policy.ProposalDoc{Title: "t", Deposit: "0", Kinds: []string{"text"}}}
	small, err := policy.Compile(context.Background(), []policy.File{{Name: "p.rego", Src: []byte(src)}}, "pol", policy.WithLimits(policy.Limits{MaxResultBytes: 100 << 10}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.DecideProposal(context.Background(), input); !errors.Is(err, policy.ErrResultTooLarge) {
		t.Fatalf("100 KiB limit: err = %v, want ErrResultTooLarge", err)
	}
	// Under the default (1 MiB) the same policy decides: it denies.
	def, err := policy.Compile(context.Background(), []policy.File{{Name: "p.rego", Src: []byte(src)}}, "pol")
	if err != nil {
		t.Fatal(err)
	}
	d, err := def.DecideProposal(context.Background(), input)
	if err != nil || d.Allowed {
		t.Fatalf("default limit: decision %+v, err %v; want a denial", d, err)
	}
}

func TestCanceledContextIsNotADeadline(t *testing.T) {
	s := mustCompile(t, rangeBomb)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.DecideProposal(ctx, &policy.ProposalInput{Actor: "alice", Proposal: policy.ProposalDoc{Title: "t", Deposit: "0", Kinds: []string{"text"}}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, policy.ErrEvalDeadline) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
