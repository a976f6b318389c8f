package coopera_test

// A policy past its evaluation limits refuses the command in admission,
// before sequencing: no block records it, and no replica ever evaluates it.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
)

func TestPolicyDeadlineRefusesBeforeSequencing(t *testing.T) {
	ctx := context.Background()
	src := "package coopera.proposals\n\nimport rego.v1\n\ndefault allow := false\n\nallow if count(numbers.range(1, 200000000)) > 0\n"
	set, err := policy.Compile(ctx, []policy.File{{Name: "bomb.rego", Src: []byte(src)}}, "bomb", policy.WithLimits(policy.Limits{EvalTimeout: 100 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "bomb", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "mallory"}, {"id": "bob"}],
	 "allocations": [{"account": "mallory", "asset": "COOP", "amount": "1000000000"}],
	 "params": {"governance": {"policy_hash": %q, "min_deposit": "1000000"}}}`, hex.EncodeToString(set.Hash()))))
	if err != nil {
		t.Fatal(err)
	}
	o := &coopera.Options{Genesis: g, Modules: economy.Modules(), Clock: stepClock(), CheckInvariants: true}
	adm, err := policy.NewAdmitter(policy.NewLibrary(set), o.Modules...)
	if err != nil {
		t.Fatal(err)
	}
	o.Admitters = []coopera.Admitter{adm}
	e, err := coopera.Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	head := e.Head()
	c, err := e.ParseCommand([]byte(`{"type": "gov_propose", "actor": "mallory", "payload": {"title": "t", "description": "d", "deposit": "1000000"}}`))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = e.Submit(ctx, c)
	if !errors.Is(err, policy.ErrEvalDeadline) {
		t.Fatalf("err = %v, want ErrEvalDeadline", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("refused after %s", took)
	}
	if e.Head() != head {
		t.Fatalf("a refused proposal changed the head: %+v -> %+v", head, e.Head())
	}
	// The engine still serves: a plain transfer is sequenced.
	tr, err := e.ParseCommand([]byte(`{"type": "transfer", "actor": "mallory", "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "1"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(ctx, tr); err != nil {
		t.Fatal(err)
	}
}
