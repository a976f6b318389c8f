package ledger_test

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

// PurePackages are the reducer packages: their non-test code may not read a
// clock, draw randomness, do I/O, log, or touch the host's components. Each
// new reducer package is added here.
var PurePackages = []string{"."}

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
	"unsafe":                           "unsafe",
	"github.com/cockroachdb/pebble/v2": "storage belongs to the host",
	"github.com/nats-io/nats.go":       "replication belongs to the host",
	"github.com/open-policy-agent/opa/v1/rego":       "policy evaluation belongs to the host",
	"github.com/prometheus/client_golang/prometheus": "metrics belong to the host",
}

// Calls into package time that read the clock or schedule; time's types
// and parsing are allowed.
var forbiddenTimeCalls = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

func TestReducersArePure(t *testing.T) {
	for _, pkg := range PurePackages {
		files, err := filepath.Glob(filepath.Join(pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no Go files in %s", pkg)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			checkPure(t, f)
		}
	}
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
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.go")
	os.WriteFile(bad, []byte("package x\nimport (\"math/rand\"; \"time\")\nvar f float64\nfunc g() { _ = rand.Int(); _ = time.Now(); go g() }\n"), 0o644)
	rec := &recorder{}
	checkPure(rec, bad)
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

type errorer interface {
	Errorf(string, ...any)
	Fatal(...any)
}
