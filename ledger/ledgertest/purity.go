package ledgertest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Reducer packages must be pure: no clock, randomness, I/O, logging,
// concurrency, floats, or the host's components. CheckPure enforces it on
// the non-test Go files of a package directory, as a test:
//
//	func TestPure(t *testing.T) { ledgertest.CheckPure(t, ".") }

// ForbiddenImports maps each forbidden import to the reason.
var ForbiddenImports = map[string]string{
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

// Calls into package time that read the clock or schedule; time's types
// and parsing are allowed.
var forbiddenTimeCalls = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

// Reporter is the part of testing.T that CheckPure needs.
type Reporter interface {
	Errorf(format string, args ...any)
	Fatal(args ...any)
}

// CheckPure checks every non-test Go file in dir. Extra names import paths
// that are also forbidden there (for example the host package of the
// module's own shell).
//
// Besides imports, it refuses clock reads (time.Now and its kin), floats,
// go statements, and ranging over a map: map order is random. A range over
// a map whose result cannot depend on the order (collecting keys to sort,
// summing) is allowed when its line, or the line above, carries a comment
// with the word "order-free" saying why.
func CheckPure(t Reporter, dir string, extra ...string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		n++
		CheckPureFile(t, f, extra...)
	}
	if n == 0 {
		t.Fatal("no Go files in " + dir)
	}
}

// CheckPureFile checks one file.
func CheckPureFile(t Reporter, path string, extra ...string) {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	orderFree := map[int]bool{}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.Contains(c.Text, "order-free") {
				l := fset.Position(c.Pos()).Line
				orderFree[l], orderFree[l+1] = true, true
			}
		}
	}
	maps := mapNames(f)
	timeName := ""
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		why, bad := ForbiddenImports[p]
		for _, x := range extra {
			if p == x {
				why, bad = "it belongs to the host", true
			}
		}
		if bad {
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
		case *ast.RangeStmt:
			if isMapExpr(x.X, maps) && !orderFree[fset.Position(x.Pos()).Line] {
				t.Errorf("%s: range over a map: its order is random; sort the keys first (or mark an order-free loop)", fset.Position(x.Pos()))
			}
		}
		return true
	})
}

// mapNames returns the names a file declares with a map type or a map
// value (var m map[..]..., m := map[..]...{}, m := make(map...), fields
// and parameters of map type). It is syntactic: a map reached otherwise
// (a function's result) is not seen.
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
