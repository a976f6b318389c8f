package ledger_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/coopera/coopera/ledger/ledgertest"
)

// TestReducersArePure: the core's reducers read no clock, draw no
// randomness, do no I/O and use no floats (see ledgertest.CheckPure).
func TestReducersArePure(t *testing.T) { ledgertest.CheckPure(t, ".") }

// TestLintCatchesViolations makes sure the lint would fail on impure code.
func TestLintCatchesViolations(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.go")
	os.WriteFile(bad, []byte(`package x
import ("math/rand"; "time"; "github.com/open-policy-agent/opa/v1/rego")
var f float64
var _ = rego.New
func g(m map[string]int) {
	_ = rand.Int(); _ = time.Now(); go g(nil)
	for k := range m { _ = k }
	n := make(map[int]bool)
	for k := range n { _ = k }
	for k := range n { // order-free: a loop marked so is allowed
		_ = k
	}
}
`), 0o644)
	rec := &recorder{}
	ledgertest.CheckPureFile(rec, bad)
	if rec.n != 7 {
		t.Fatalf("lint found %d violations in bad.go, want 7 (rand and rego imports, float64, time.Now, go, two map ranges): %v", rec.n, rec.msgs)
	}
}

type recorder struct {
	n    int
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.n++
	r.msgs = append(r.msgs, format)
}
func (r *recorder) Fatal(args ...any) { panic(args) }
