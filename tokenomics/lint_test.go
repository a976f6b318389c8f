package tokenomics_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The purity lint of the ledger core (ledger/lint_test.go), applied to
// this reducer package: its non-test code may not read a clock, draw
// randomness, do I/O, log, synchronise, use floats or start goroutines.

var forbiddenImports = map[string]string{
	"math/rand":                        "randomness",
	"math/rand/v2":                     "randomness",
	"crypto/rand":                      "randomness",
	"os":                               "I/O",
	"os/exec":                          "I/O",
	"net":                              "I/O",
	"net/http":                         "I/O",
	"io/ioutil":                        "I/O",
	"log":                              "logging",
	"log/slog":                         "logging",
	"sync":                             "concurrency belongs to the host",
	"sync/atomic":                      "concurrency belongs to the host",
	"unsafe":                           "unsafe",
	"github.com/cockroachdb/pebble/v2": "storage belongs to the host",
	"github.com/nats-io/nats.go":       "replication belongs to the host",
	"github.com/open-policy-agent/opa/v1/rego":       "policy evaluation belongs to the host",
	"github.com/prometheus/client_golang/prometheus": "metrics belong to the host",
}

var forbiddenTimeCalls = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

func TestReducerIsPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		n++
		checkPure(t, f)
	}
	if n == 0 {
		t.Fatal("no Go files checked")
	}
}

type errorer interface {
	Errorf(string, ...any)
	Fatal(...any)
}

func checkPure(t errorer, path string) {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	timeName := ""
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if why, bad := forbiddenImports[p]; bad {
			t.Errorf("%s imports %s (%s): reducers must be pure", fset.Position(imp.Pos()), p, why)
		}
		if p == "time" {
			timeName = "time"
			if imp.Name != nil {
				timeName = imp.Name.Name
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && timeName != "" && id.Name == timeName && forbiddenTimeCalls[x.Sel.Name] {
				t.Errorf("%s: time.%s reads the clock; block time comes from the Context", fset.Position(x.Pos()), x.Sel.Name)
			}
		case *ast.Ident:
			if x.Name == "float32" || x.Name == "float64" {
				t.Errorf("%s: %s in a reducer package: money and state are exact", fset.Position(x.Pos()), x.Name)
			}
		case *ast.GoStmt:
			t.Errorf("%s: go statement in a reducer package", fset.Position(x.Pos()))
		}
		return true
	})
}

// TestLintCatchesViolations makes sure the lint would fail on impure code.
func TestLintCatchesViolations(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.go")
	src := "package x\nimport (\"math/rand\"; \"sync\"; \"time\")\nvar f float64\nvar m sync.Mutex\nfunc g() { _ = rand.Int(); _ = time.Now(); go g() }\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	checkPure(rec, bad)
	if rec.n != 5 {
		t.Fatalf("lint found %d violations in bad.go, want 5 (rand, sync, float64, time.Now, go): %v", rec.n, rec.msgs)
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
