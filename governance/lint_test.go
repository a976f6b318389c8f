package governance_test

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

// The governance reducers are pure, by the rules of ledger/lint_test.go:
// no clock, randomness, I/O, logging, concurrency, host components (OPA
// included: policies are evaluated in governance/policy, the shell) or
// floats; and, checked here as well, no range over a map (a map's order
// must never reach state, events or messages). governance/policy is the
// shell and is not checked.
var purePackages = []string{".", "govtest"}

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
	"github.com/open-policy-agent/opa/v1/ast":        "policy evaluation belongs to the host",
	"github.com/coopera/coopera/governance/policy":   "policy evaluation belongs to the host",
	"github.com/coopera/coopera":                     "the engine is the host",
	"github.com/prometheus/client_golang/prometheus": "metrics belong to the host",
}

var forbiddenTimeCalls = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

func TestReducersArePure(t *testing.T) {
	for _, pkg := range purePackages {
		files, err := filepath.Glob(filepath.Join(pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", pkg, err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				checkPure(t, f)
			}
		}
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
	maps := mapNames(f)
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
		case *ast.RangeStmt:
			if isMapExpr(x.X, maps) {
				t.Errorf("%s: range over a map: its order is random; sort the keys first", fset.Position(x.Pos()))
			}
		}
		return true
	})
}

// mapNames returns the names the file declares with a map type or a map
// value (var m map[..]..., m := map[..]...{}, m := make(map...), func
// parameters of map type). It is syntactic: a map reached otherwise (a
// struct field, a function result) is not seen.
func mapNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	isMap := func(e ast.Expr) bool {
		switch v := e.(type) {
		case *ast.MapType:
			return true
		case *ast.CompositeLit:
			_, ok := v.Type.(*ast.MapType)
			return ok
		case *ast.CallExpr:
			if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "make" && len(v.Args) > 0 {
				_, ok := v.Args[0].(*ast.MapType)
				return ok
			}
		}
		return false
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.ValueSpec:
			if x.Type != nil && isMap(x.Type) {
				for _, id := range x.Names {
					names[id.Name] = true
				}
			}
			for i, v := range x.Values {
				if isMap(v) && i < len(x.Names) {
					names[x.Names[i].Name] = true
				}
			}
		case *ast.AssignStmt:
			for i, v := range x.Rhs {
				if isMap(v) && i < len(x.Lhs) {
					if id, ok := x.Lhs[i].(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.Field:
			if isMap(x.Type) {
				for _, id := range x.Names {
					names[id.Name] = true
				}
			}
		}
		return true
	})
	return names
}

func isMapExpr(e ast.Expr, maps map[string]bool) bool {
	switch v := e.(type) {
	case *ast.Ident:
		return maps[v.Name]
	case *ast.SelectorExpr:
		return maps[v.Sel.Name]
	case *ast.CompositeLit:
		_, ok := v.Type.(*ast.MapType)
		return ok
	}
	return false
}

// TestLintCatchesViolations makes sure the lint would fail on impure code.
func TestLintCatchesViolations(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.go")
	os.WriteFile(bad, []byte(`package x
import ("math/rand"; "time"; "github.com/open-policy-agent/opa/v1/rego")
var f float64
var _ = rego.New
func g(m map[string]int) {
	_ = rand.Int(); _ = time.Now(); go g(nil)
	for k := range m { _ = k }
	n := make(map[int]bool)
	for k := range n { _ = k }
}
`), 0o644)
	rec := &recorder{}
	checkPure(rec, bad)
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
