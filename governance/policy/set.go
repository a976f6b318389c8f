package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	_ "time/tzdata" // named time zones resolve the same on every host, with or without its zone files

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/coopera/coopera/ledger"
)

// Queries the engine evaluates. A policy set defines them in these
// packages; see the package documentation for their contract.
const (
	ProposalsQuery = "data.coopera.proposals"
	CommandsQuery  = "data.coopera.commands"
	governedQuery  = "data.coopera.commands.governed"
)

// The rules a decision reads.
var (
	proposalRules = []string{"allow", "deny", "rules"}
	commandRules  = []string{"allow", "deny"}
)

// ErrPolicy is the error code of a policy set that cannot load: a Rego
// syntax or type error, a forbidden built-in, an unreadable file.
var ErrPolicy = ledger.NewCode("policy_invalid")

// LoadError reports why a policy set cannot load. Each problem names its
// file and line, as "file:line:col: message".
type LoadError struct {
	Problems []string
}

func (e *LoadError) Error() string {
	return "policy: " + strings.Join(e.Problems, "; ")
}

// Is matches ErrPolicy.
func (e *LoadError) Is(target error) bool {
	t, ok := target.(*ledger.Error)
	return ok && t.Code == ErrPolicy.Code && t.Msg == ""
}

// File is one policy file: its name (a slash-separated path relative to
// the policy directory) and contents.
type File struct {
	Name string
	Src  []byte
}

// Set is a loaded policy set: compiled, with its queries prepared once.
// It is immutable and safe for concurrent use.
type Set struct {
	hash      []byte
	files     []string
	proposals rego.PreparedEvalQuery
	commands  rego.PreparedEvalQuery
	governed  map[string]bool
	// The narrow queries (narrow.go), nil where a package is not
	// narrowable.
	proposalsNarrow *narrow
	commandsNarrow  *narrow
	// blind: no rule can read the decision in a payload (decisionBlind).
	blind bool
	// limits bound each evaluation (limits.go).
	limits Limits
}

// Hash returns the policy-set hash: SHA-256 over a domain tag and, in file
// name order, each file's name and contents, each length-prefixed. It
// depends on the files alone, not on where the directory is.
func (s *Set) Hash() []byte { return s.hash }

// HashHex returns Hash in hex, as genesis and policy upgrades write it.
func (s *Set) HashHex() string { return hex.EncodeToString(s.hash) }

// Files lists the policy files, sorted.
func (s *Set) Files() []string { return s.files }

// Governs reports whether the set decides who may submit commands of type t
// (it lists t in data.coopera.commands.governed). Commands of other types
// pass without evaluation.
func (s *Set) Governs(t string) bool { return s.governed[t] }

// Governed lists the governed command types, sorted.
func (s *Set) Governed() []string {
	out := make([]string, 0, len(s.governed))
	for t := range s.governed {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// HashFiles computes the policy-set hash of files.
func HashFiles(files []File) []byte {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	h := sha256.New()
	h.Write([]byte("coopera/policy-set/v1\x00"))
	for _, f := range sorted {
		h.Write([]byte(strconv.Itoa(len(f.Name)) + ":" + f.Name + "," + strconv.Itoa(len(f.Src)) + ":"))
		h.Write(f.Src)
	}
	return h.Sum(nil)
}

// IsPolicyFile reports whether a file name belongs to a policy set: a
// .rego file that is not a test (tests end in _test.rego; opa test runs
// them, the engine never loads them).
func IsPolicyFile(name string) bool {
	return strings.HasSuffix(name, ".rego") && !strings.HasSuffix(name, "_test.rego")
}

// ReadDir reads the policy files under dir (recursively), sorted by name.
func ReadDir(dir string) ([]File, error) {
	return ReadFS(os.DirFS(dir))
}

// ReadFS reads the policy files of fsys, sorted by name.
func ReadFS(fsys fs.FS) ([]File, error) {
	var files []File
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !IsPolicyFile(p) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, File{Name: p, Src: src})
		return nil
	})
	if err != nil {
		return nil, &LoadError{Problems: []string{err.Error()}}
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

// Load reads, checks, compiles and prepares the policy set in dir. Errors
// name files as dir/name. Its evaluations run under opts' Limits (by
// default, DefaultEvalTimeout and DefaultMaxResultBytes).
func Load(ctx context.Context, dir string, opts ...Option) (*Set, error) {
	files, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &LoadError{Problems: []string{dir + ": no .rego policy files"}}
	}
	return Compile(ctx, files, dir, opts...)
}

// Compile checks, compiles and prepares a policy set. Rego is parsed as
// Rego v1. It fails with a *LoadError that names the file and line of a
// syntax or type error, or of a call to a forbidden built-in. display, if
// not empty, prefixes file names in errors (the policy directory).
// Evaluations, the one of the governed set at load included, run under
// opts' Limits; an evaluation past them fails the load with
// ErrEvalDeadline or ErrResultTooLarge.
func Compile(ctx context.Context, files []File, display string, opts ...Option) (*Set, error) {
	var limits Limits
	for _, o := range opts {
		o(&limits)
	}
	names := make([]string, len(files))
	modules := make(map[string]*ast.Module, len(files))
	var problems []string
	for i, f := range files {
		names[i] = f.Name
		shown := f.Name
		if display != "" {
			shown = path.Join(display, f.Name)
		}
		m, err := ast.ParseModuleWithOpts(shown, string(f.Src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			problems = append(problems, astProblems(err)...)
			continue
		}
		problems = append(problems, forbiddenCalls(m)...)
		modules[shown] = m
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	blind := decisionBlind(modules)
	caps := Capabilities()
	compiler := ast.NewCompiler().WithCapabilities(caps)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, &LoadError{Problems: astProblems(compiler.Errors)}
	}
	s := &Set{hash: HashFiles(files), files: names, governed: map[string]bool{}, limits: limits.withDefaults()}
	prep := func(q string, opts ...func(*rego.Rego)) (rego.PreparedEvalQuery, error) {
		opts = append(opts, rego.Query(q), rego.Compiler(compiler), rego.Capabilities(caps), rego.StrictBuiltinErrors(true))
		return rego.New(opts...).PrepareForEval(ctx)
	}
	var err error
	// The decisions read the package documents as ast values.
	if s.proposals, err = prep(ProposalsQuery, rego.GenerateJSON(rawResult)); err != nil {
		return nil, &LoadError{Problems: []string{"preparing " + ProposalsQuery + ": " + err.Error()}}
	}
	if s.commands, err = prep(CommandsQuery, rego.GenerateJSON(rawResult)); err != nil {
		return nil, &LoadError{Problems: []string{"preparing " + CommandsQuery + ": " + err.Error()}}
	}
	// The governed command types are fixed by the policy set, not by
	// input: they are read once, here, without one, so a governed set
	// that read input would come out empty and govern nothing.
	if loc := governedReadsInput(compiler); loc != nil {
		return nil, &LoadError{Problems: []string{fmt.Sprintf("%s:%d:%d: %s reads input: the governed command types must not depend on it (they are read once, at load, with none, and would govern nothing)", loc.File, loc.Row, loc.Col, governedQuery)}}
	}
	gq, err := prep(governedQuery)
	if err != nil {
		return nil, &LoadError{Problems: []string{"preparing " + governedQuery + ": " + err.Error()}}
	}
	rs, evalErr, err := s.evalQuery(ctx, gq, governedQuery, nil)
	if err != nil {
		return nil, err
	}
	if evalErr != nil {
		return nil, &LoadError{Problems: []string{governedQuery + ": " + evalErr.Error()}}
	}
	if len(rs) > 0 && len(rs[0].Expressions) > 0 {
		list, ok := rs[0].Expressions[0].Value.([]any)
		if !ok {
			return nil, &LoadError{Problems: []string{fmt.Sprintf("%s must be a set of command type names, not %s", governedQuery, typeName(rs[0].Expressions[0].Value))}}
		}
		for _, v := range list {
			t, ok := v.(string)
			if !ok {
				return nil, &LoadError{Problems: []string{fmt.Sprintf("%s holds %s, not a command type name", governedQuery, typeName(v))}}
			}
			s.governed[t] = true
		}
	}
	s.blind = blind
	prepNarrow := func(pkg string, rules []string) (*narrow, error) {
		ref := ast.MustParseRef(pkg)
		if !narrowable(compiler, ref, rules) {
			return nil, nil
		}
		query, bind := narrowQuery(compiler, ref, rules)
		if bind["allow"] == bindAbsent {
			return nil, nil // undefined allow: the package query says so
		}
		q, err := prep(query, rego.GenerateJSON(rawResult))
		if err != nil {
			return nil, &LoadError{Problems: []string{"preparing the narrow query of " + pkg + ": " + err.Error()}}
		}
		return &narrow{q: q, pkg: pkg, bind: bind}, nil
	}
	if s.proposalsNarrow, err = prepNarrow(ProposalsQuery, proposalRules); err != nil {
		return nil, err
	}
	if s.commandsNarrow, err = prepNarrow(CommandsQuery, commandRules); err != nil {
		return nil, err
	}
	return s, nil
}

func astProblems(err error) []string {
	var errs ast.Errors
	if errors.As(err, &errs) {
		out := make([]string, 0, len(errs))
		for _, e := range errs {
			out = append(out, formatASTError(e))
		}
		return out
	}
	var one *ast.Error
	if errors.As(err, &one) {
		return []string{formatASTError(one)}
	}
	return []string{err.Error()}
}

func formatASTError(e *ast.Error) string {
	if e.Location == nil {
		return e.Code + ": " + e.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.Location.File, e.Location.Row, e.Location.Col, e.Code, e.Message)
}

// forbiddenCalls reports every call to a forbidden built-in in m.
func forbiddenCalls(m *ast.Module) []string {
	var out []string
	report := func(op ast.Ref, loc *ast.Location) {
		name := op.String()
		if why, bad := Forbidden(name); bad {
			where := "?"
			if loc != nil {
				where = fmt.Sprintf("%s:%d:%d", loc.File, loc.Row, loc.Col)
			}
			out = append(out, fmt.Sprintf("%s: forbidden built-in %s: %s; policies must be deterministic", where, name, why))
		}
	}
	args := func(op ast.Ref, operands []*ast.Term, loc *ast.Location) {
		if why := unsafeArgs(op.String(), operands); why != "" {
			where := "?"
			if loc != nil {
				where = fmt.Sprintf("%s:%d:%d", loc.File, loc.Row, loc.Col)
			}
			out = append(out, fmt.Sprintf("%s: %s: %s", where, op, why))
		}
	}
	ast.WalkExprs(m, func(e *ast.Expr) bool {
		if e.IsCall() {
			report(e.Operator(), e.Location)
			args(e.Operator(), e.Operands(), e.Location)
		}
		return false
	})
	ast.WalkTerms(m, func(t *ast.Term) bool {
		if c, ok := t.Value.(ast.Call); ok && len(c) > 0 {
			if r, ok := c[0].Value.(ast.Ref); ok {
				report(r, t.Location)
				args(r, c[1:], t.Location)
			}
		}
		return false
	})
	return out
}

// zoned are the time built-ins that take [ns, zone]: "Local" reads the
// host's time zone, so two hosts would decide differently.
var zoned = map[string]bool{"time.date": true, "time.clock": true, "time.weekday": true, "time.add_date": true, "time.diff": true, "time.format": true}

// unsafeArgs says why a call of the built-in name with operands is refused
// ("" if it is not): a call whose result depends on the host (a time zone
// of "Local", one not written as a constant, a layout parsing a zone
// abbreviation, which resolves through the host's zone), or whose one step
// can allocate without bound, beyond what the evaluation deadline stops
// (sprintf widths, json.marshal_with_options' indent and prefix).
func unsafeArgs(name string, operands []*ast.Term) string {
	switch {
	case zoned[name]:
		for _, op := range operands {
			arr, ok := op.Value.(*ast.Array)
			if !ok || arr.Len() < 2 {
				continue // nanoseconds alone: UTC
			}
			zone, ok := arr.Elem(1).Value.(ast.String)
			switch {
			case !ok:
				return "its time zone must be a constant string (a name such as \"UTC\" or \"Europe/Paris\"): one computed at evaluation could be \"Local\""
			case zone == "Local":
				return "the time zone \"Local\" is the host's, so nodes in other zones would decide otherwise; name the zone"
			}
		}
	case name == "time.parse_ns":
		layout, ok := firstString(operands)
		if !ok {
			return "its layout must be a constant string"
		}
		if strings.Contains(layout, "MST") {
			return "a layout with a zone abbreviation (MST) resolves it through the host's time zone; parse a numeric offset (-0700) or use time.parse_rfc3339_ns"
		}
	case name == "sprintf":
		// A computed format is the policy's own (never let input be one).
		if format, ok := firstString(operands); ok && maxVerbWidth(format) > maxSprintfWidth {
			return fmt.Sprintf("a width or precision of %d; at most %d (one call would build a string of any size)", maxVerbWidth(format), maxSprintfWidth)
		}
	case name == "json.marshal_with_options":
		return "its indent and prefix make output of any size in one step; use json.marshal"
	}
	return ""
}

// firstString returns the first operand if it is a constant string.
func firstString(operands []*ast.Term) (string, bool) {
	if len(operands) == 0 {
		return "", false
	}
	s, ok := operands[0].Value.(ast.String)
	return string(s), ok
}

// maxSprintfWidth bounds the width and precision of sprintf's verbs.
const maxSprintfWidth = 64

// maxVerbWidth returns the largest number written in format's verbs
// (their widths and precisions).
func maxVerbWidth(format string) int {
	most := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && strings.IndexByte("+-# 0.123456789*[]", format[i]) >= 0; i++ {
			if format[i] == '*' {
				most = 1 << 30 // a width taken from the arguments: any
			}
			if format[i] < '1' || format[i] > '9' {
				continue
			}
			n := 0
			for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
				n = min(n*10+int(format[i]-'0'), 1<<30)
			}
			most = max(most, n)
			i--
		}
	}
	return most
}

// Forbidden reports whether a built-in may not be used by a policy, and
// why: it reads the clock, draws randomness, does I/O, or is marked
// non-deterministic by OPA.
func Forbidden(name string) (why string, bad bool) {
	for _, p := range []struct{ prefix, why string }{
		{"http.", "it does network I/O"},
		{"net.", "network built-ins are not allowed"},
		{"rand.", "it draws randomness"},
		{"uuid.", "uuid built-ins are not allowed"},
	} {
		if strings.HasPrefix(name, p.prefix) {
			return p.why, true
		}
	}
	switch name {
	case "time.now_ns":
		return "it reads the clock; the proposal's input carries what a policy may know", true
	case "opa.runtime":
		return "it reads the host's environment", true
	case "crypto.x509.parse_and_verify_certificates", "crypto.x509.parse_and_verify_certificates_with_options":
		return "it checks validity against the clock", true
	}
	if nondeterministic[name] {
		return "OPA marks it non-deterministic", true
	}
	return "", false
}

var nondeterministic = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic {
			m[b.Name] = true
		}
	}
	return m
}()

// Capabilities returns OPA's capabilities without the forbidden built-ins
// and with no network access.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0:0]
	for _, b := range c.Builtins {
		if _, bad := Forbidden(b.Name); !bad {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	c.AllowNet = []string{}
	return c
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array or set"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// governedReadsInput returns where a rule data.coopera.commands.governed
// depends on (itself, the rules and functions it refers to, transitively)
// reads input, or nil. Of several places, the first by file and line.
func governedReadsInput(c *ast.Compiler) *ast.Location {
	seen := map[*ast.Rule]bool{}
	var found *ast.Location
	var visit func(ref ast.Ref)
	visit = func(ref ast.Ref) {
		for _, r := range c.GetRulesDynamicWithOpts(ref, ast.RulesOptions{}) {
			if seen[r] {
				continue
			}
			seen[r] = true
			ast.WalkRefs(r, func(x ast.Ref) bool {
				switch {
				case x.HasPrefix(ast.InputRootRef):
					if loc := x[0].Location; loc != nil && (found == nil || loc.File < found.File || loc.File == found.File && (loc.Row < found.Row || loc.Row == found.Row && loc.Col < found.Col)) {
						found = loc
					}
				case x.HasPrefix(ast.DefaultRootRef):
					visit(x)
				}
				return false
			})
		}
	}
	visit(ast.MustParseRef(governedQuery))
	return found
}
