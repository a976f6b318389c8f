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
	os.WriteFile(bad, []byte("package x\nimport (\"math/rand\"; \"time\")\nvar f float64\nfunc g() { _ = rand.Int(); _ = time.Now(); go g() }\n"), 0o644)
	rec := &recorder{}
	ledgertest.CheckPureFile(rec, bad)
	if rec.n != 4 {
		t.Fatalf("lint found %d violations in bad.go, want 4 (rand import, float64, time.Now, go): %v", rec.n, rec.msgs)
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
