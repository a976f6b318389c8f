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

// CheckPure checks every non-test Go file in dir.
func CheckPure(t Reporter, dir string) {
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
		CheckPureFile(t, f)
	}
	if n == 0 {
		t.Fatal("no Go files in " + dir)
	}
}

// CheckPureFile checks one file.
func CheckPureFile(t Reporter, path string) {
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
		if why, bad := ForbiddenImports[p]; bad {
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
