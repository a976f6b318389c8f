package scenario

// Strict YAML decoding with field paths. yaml.v3 can refuse unknown fields,
// but its messages name a Go type, not the field a user wrote; this small
// reflective decoder walks the node tree itself so that every problem
// names the field path and line ("populations.consumers.count (line 12):
// want an integer, got "ten"").

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrInvalidScenario is matched (errors.Is) by every error that reports a
// problem with a scenario: malformed YAML, an unknown field, a value of the
// wrong type, an impossible parameter.
var ErrInvalidScenario = errors.New("sim: invalid scenario")

// FieldError is one problem in a scenario: the file, the line (0 when not
// known), the field's path (such as "populations.consumers.demand.trend")
// and what is wrong.
type FieldError struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Path string `json:"path"`
	Msg  string `json:"msg"`
	// Err, when not nil, classifies the problem (ErrScenarioTooLarge,
	// ErrAliasExpansion) for errors.Is.
	Err error `json:"-"`
}

// Unwrap returns the problem's class, if any.
func (e *FieldError) Unwrap() error { return e.Err }

// Limits on a scenario document, checked before anything is decoded.
const (
	// MaxScenarioBytes is the largest scenario file read.
	MaxScenarioBytes = 4 << 20
	// MaxScenarioNodes is the most YAML nodes a scenario may hold with
	// its aliases expanded (as decoding and sweeps expand them).
	MaxScenarioNodes = 1 << 20
)

var (
	// ErrScenarioTooLarge is matched by a scenario larger than
	// MaxScenarioBytes.
	ErrScenarioTooLarge = errors.New("sim: scenario file too large")
	// ErrAliasExpansion is matched by a scenario whose aliases expand
	// beyond MaxScenarioNodes nodes (an alias bomb) or into themselves.
	ErrAliasExpansion = errors.New("sim: YAML aliases expand too far")
)

// Error writes the problem as file:line: path: message.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ScenarioError lists every problem found in a scenario, in file order.
type ScenarioError struct {
	Problems []*FieldError
}

// Error lists the problems, one a line.
func (e *ScenarioError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid scenario: " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid scenario: %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Is matches ErrInvalidScenario.
func (e *ScenarioError) Is(target error) bool { return target == ErrInvalidScenario }

// Unwrap returns the problems, so that errors.Is finds their classes.
func (e *ScenarioError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Problems collects FieldErrors.
type Problems struct {
	File string        // the file named in its FieldErrors
	List []*FieldError // the problems found so far, in the order found
	// masked are the paths of problems found while decoding: checks of
	// the decoded values (which hold zero values there) skip them, their
	// parents and what lies below them, so that one mistake is reported
	// once while every other check still runs in the same pass.
	masked []string
}

// Add records a problem at a path and line, unless a problem found while
// decoding is at a related path (Mask).
func (p *Problems) Add(line int, path, format string, args ...any) {
	for _, m := range p.masked {
		if related(m, path) {
			return
		}
	}
	p.List = append(p.List, &FieldError{File: p.File, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Mask makes the paths of the problems so far masked.
func (p *Problems) Mask() {
	for _, fe := range p.List {
		p.masked = append(p.masked, fe.Path)
	}
}

// related reports whether path a is b, or lies above or below it.
func related(a, b string) bool {
	under := func(x, y string) bool {
		return y == "" || x == y || strings.HasPrefix(x, y) && (x[len(y)] == '.' || x[len(y)] == '[')
	}
	return under(a, b) || under(b, a)
}

// At records a problem at a node's line.
func (p *Problems) At(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.Add(line, path, format, args...)
}

// Err returns the problems as a *ScenarioError ordered by line, or nil.
func (p *Problems) Err() error {
	if len(p.List) == 0 {
		return nil
	}
	slices.SortStableFunc(p.List, func(a, b *FieldError) int { return a.Line - b.Line })
	return &ScenarioError{Problems: p.List}
}

// NodeDecoder is implemented by types that decode themselves.
type NodeDecoder interface {
	DecodeNode(p *Problems, n *yaml.Node, path string)
}

var (
	nodeType     = reflect.TypeFor[yaml.Node]()
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
	decoderType  = reflect.TypeFor[NodeDecoder]()
)

// Join appends a field to a dotted path.
func Join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// ResolveAlias returns the node an alias stands for (n itself if it is
// not an alias).
func ResolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return ResolveAlias(n.Content[0])
	}
	return n
}

// IsNull reports whether n is missing or null.
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Describe describes a node for a message: its kind, or a scalar's text.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if IsNull(n) {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

// DecodeInto decodes n into v (a pointer), adding problems to p.
func DecodeInto(p *Problems, n *yaml.Node, path string, v any) {
	DecodeValue(p, ResolveAlias(n), path, reflect.ValueOf(v).Elem())
}

// DecodeValue decodes n into v (settable), reporting problems at path.
func DecodeValue(p *Problems, n *yaml.Node, path string, v reflect.Value) {
	n = ResolveAlias(n)
	if v.CanAddr() && v.Addr().Type().Implements(decoderType) {
		v.Addr().Interface().(NodeDecoder).DecodeNode(p, n, path)
		return
	}
	t := v.Type()
	switch {
	case t == nodeType:
		if n != nil {
			v.Set(reflect.ValueOf(*n))
		}
		return
	case t == durationType:
		if IsNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode {
			p.At(n, path, "want a duration such as 24h or 10m, got %s", Describe(n))
			return
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			p.At(n, path, "want a duration such as 24h or 10m, got %q", n.Value)
			return
		}
		v.SetInt(int64(d))
		return
	case t == timeType:
		if IsNull(n) {
			return
		}
		tm, err := time.Parse(time.RFC3339, n.Value)
		if n.Kind != yaml.ScalarNode || err != nil {
			p.At(n, path, "want an RFC 3339 time such as 2026-01-01T00:00:00Z, got %s", Describe(n))
			return
		}
		v.Set(reflect.ValueOf(tm.UTC()))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if IsNull(n) {
			return
		}
		e := reflect.New(t.Elem())
		DecodeValue(p, n, path, e.Elem())
		v.Set(e)
	case reflect.Struct:
		decodeStruct(p, n, path, v)
	case reflect.Slice:
		if IsNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			p.At(n, path, "want a list, got %s", Describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			DecodeValue(p, c, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		if IsNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode {
			p.At(n, path, "want a string, got %s", Describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if IsNull(n) {
			return
		}
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || err != nil {
			p.At(n, path, "want true or false, got %s", Describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if IsNull(n) {
			return
		}
		x, err := parseYAMLInt(n)
		if err != nil || v.OverflowInt(x) {
			p.At(n, path, "want an integer, got %s", Describe(n))
			return
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if IsNull(n) {
			return
		}
		x, err := parseYAMLUint(n)
		if err != nil || v.OverflowUint(x) {
			p.At(n, path, "want a non-negative integer, got %s", Describe(n))
			return
		}
		v.SetUint(x)
	default:
		panic(fmt.Sprintf("sim: cannot decode YAML into %s", t))
	}
}

func parseYAMLUint(n *yaml.Node) (uint64, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" && n.ShortTag() != "!!float" {
		return 0, errors.New("not an integer")
	}
	// YAML resolves integers beyond int64 as floats; read the digits.
	return strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
}

func parseYAMLInt(n *yaml.Node) (int64, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, errors.New("not an integer")
	}
	return strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
}

// fieldNames returns the YAML names of a struct's fields, with the index
// of each; fields tagged "-" or without a tag are not decoded.
func fieldNames(t reflect.Type) ([]string, map[string]int) {
	var names []string
	idx := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		names = append(names, name)
		idx[name] = i
	}
	return names, idx
}

func decodeStruct(p *Problems, n *yaml.Node, path string, v reflect.Value) {
	if IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.At(n, path, "want a mapping of fields, got %s", Describe(n))
		return
	}
	names, idx := fieldNames(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		fp := Join(path, k.Value)
		if seen[k.Value] {
			p.At(k, fp, "given twice")
			continue
		}
		seen[k.Value] = true
		fi, ok := idx[k.Value]
		if !ok {
			p.At(k, fp, "unknown field; the fields here are %s", strings.Join(names, ", "))
			continue
		}
		DecodeValue(p, val, fp, v.Field(fi))
	}
}

// MappingPairs returns the key and value nodes of a mapping, or reports
// that n is not one.
func MappingPairs(p *Problems, n *yaml.Node, path string) (keys, vals []*yaml.Node) {
	n = ResolveAlias(n)
	if IsNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		p.At(n, path, "want a mapping, got %s", Describe(n))
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i])
		vals = append(vals, ResolveAlias(n.Content[i+1]))
	}
	return keys, vals
}

// decodeDecNode parses a Dec scalar.
func decodeDecNode(p *Problems, n *yaml.Node, path string) (Dec, bool) {
	if n.Kind != yaml.ScalarNode || IsNull(n) {
		p.At(n, path, "want a decimal number such as 0.05 or 5%%, got %s", Describe(n))
		return 0, false
	}
	d, err := ParseDec(n.Value)
	if err != nil {
		p.At(n, path, "%v", err)
		return 0, false
	}
	return d, true
}

// DecodeNode decodes a decimal literal (NodeDecoder).
func (d *Dec) DecodeNode(p *Problems, n *yaml.Node, path string) {
	if IsNull(n) {
		return
	}
	if v, ok := decodeDecNode(p, n, path); ok {
		*d = v
	}
}

// ParseYAML parses a document into its root node. The parser (yaml.v3)
// keeps aliases as references; the document is refused before any of it
// is decoded if it is larger than MaxScenarioBytes or its aliases would
// expand past MaxScenarioNodes nodes.
func ParseYAML(p *Problems, data []byte) *yaml.Node {
	if len(data) > MaxScenarioBytes {
		p.List = append(p.List, &FieldError{File: p.File, Err: ErrScenarioTooLarge,
			Msg: fmt.Sprintf("the file has %d bytes; a scenario may have at most %d", len(data), MaxScenarioBytes)})
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if num, after, ok := strings.Cut(rest, ":"); ok {
				if l, err := strconv.Atoi(num); err == nil {
					line, msg = l, strings.TrimSpace(after)
				}
			}
		}
		p.Add(line, "", "malformed YAML: %s", msg)
		return nil
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		p.Add(0, "", "the file is empty")
		return nil
	}
	if n, ok := expandedSize(&root, map[*yaml.Node]int64{}, MaxScenarioNodes); !ok {
		p.List = append(p.List, &FieldError{File: p.File, Line: n.Line, Err: ErrAliasExpansion,
			Msg: fmt.Sprintf("aliases expand to more than %d nodes (or into themselves); write the values out", MaxScenarioNodes)})
		return nil
	}
	return &root
}

// expandedSize counts the nodes of n with aliases expanded, memoised per
// node and stopping past limit. It returns false, with the alias that
// went past it, if the count exceeds limit or an alias contains itself.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int64, limit int64) (*yaml.Node, bool) {
	var walk func(n *yaml.Node) (int64, *yaml.Node)
	walk = func(n *yaml.Node) (int64, *yaml.Node) {
		if n == nil {
			return 0, nil
		}
		if v, ok := memo[n]; ok {
			if v < 0 { // in progress: a cycle
				return limit + 1, n
			}
			return v, nil
		}
		memo[n] = -1
		size := int64(1)
		if n.Kind == yaml.AliasNode {
			v, at := walk(n.Alias)
			if at == nil && v > limit {
				at = n
			}
			if at != nil {
				return limit + 1, at
			}
			size += v
		}
		for _, c := range n.Content {
			v, at := walk(c)
			size += v
			if at == nil && size > limit {
				at = c
			}
			if at != nil {
				return limit + 1, at
			}
		}
		memo[n] = size
		return size, nil
	}
	if _, at := walk(n); at != nil {
		return at, false
	}
	return nil, true
}

// NodeJSON writes a YAML node as JSON, keeping scalars' literal text (so
// that numbers never pass through a float) and mapping order.
func NodeJSON(p *Problems, n *yaml.Node, path string, b *strings.Builder) bool {
	n = ResolveAlias(n)
	switch {
	case IsNull(n):
		b.WriteString("null")
	case n.Kind == yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(n.Content[i].Value))
			b.WriteByte(':')
			if !NodeJSON(p, n.Content[i+1], Join(path, n.Content[i].Value), b) {
				return false
			}
		}
		b.WriteByte('}')
	case n.Kind == yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if !NodeJSON(p, c, fmt.Sprintf("%s[%d]", path, i), b) {
				return false
			}
		}
		b.WriteByte(']')
	default:
		switch n.ShortTag() {
		case "!!int":
			x, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil {
				// Beyond int64: keep decimal digits as they are.
				if strings.Trim(n.Value, "0123456789") != "" {
					p.At(n, path, "integer %q is out of range; write large amounts as strings", n.Value)
					return false
				}
				b.WriteString(n.Value)
			} else {
				b.WriteString(strconv.FormatInt(x, 10))
			}
		case "!!float":
			if _, err := ParseDec(n.Value); err != nil {
				p.At(n, path, "number %q: %v", n.Value, err)
				return false
			}
			d, _ := ParseDec(n.Value)
			b.WriteString(d.String())
		case "!!bool":
			v, _ := strconv.ParseBool(n.Value)
			b.WriteString(strconv.FormatBool(v))
		default:
			js, _ := jsonString(n.Value)
			b.WriteString(js)
		}
	}
	return true
}

func jsonString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// CloneNode deep-copies a node tree (aliases are resolved into copies).
func CloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return CloneNode(n.Alias)
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = CloneNode(x)
	}
	return &c
}

// SetPath sets the node at a dotted path ("genesis.params.tokenomics.fee_bps",
// "events[0].at") to value, creating missing mapping keys.
func SetPath(root *yaml.Node, path string, value *yaml.Node) error {
	n := root
	if n.Kind == yaml.DocumentNode {
		n = n.Content[0]
	}
	segs, err := SplitPath(path)
	if err != nil {
		return err
	}
	for i, seg := range segs {
		last := i == len(segs)-1
		if seg.Index >= 0 {
			if n.Kind != yaml.SequenceNode {
				return fmt.Errorf("%s is not a list", pathPrefix(segs[:i]))
			}
			if seg.Index >= len(n.Content) {
				return fmt.Errorf("%s has %d entries; there is no [%d]", pathPrefix(segs[:i]), len(n.Content), seg.Index)
			}
			if last {
				n.Content[seg.Index] = CloneNode(value)
				return nil
			}
			n = n.Content[seg.Index]
			continue
		}
		if n.Kind != yaml.MappingNode {
			if IsNull(n) {
				*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
			} else {
				return fmt.Errorf("%s is not a mapping", pathPrefix(segs[:i]))
			}
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == seg.Key {
				if last {
					n.Content[j+1] = CloneNode(value)
					return nil
				}
				next = n.Content[j+1]
			}
		}
		if next == nil {
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg.Key, Line: n.Line}
			if last {
				n.Content = append(n.Content, k, CloneNode(value))
				return nil
			}
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line}
			if segs[i+1].Index >= 0 {
				return fmt.Errorf("%s does not exist", pathPrefix(segs[:i+2]))
			}
			n.Content = append(n.Content, k, next)
		}
		n = ResolveAlias(next)
	}
	return nil
}

// PathSeg is one segment of a dotted path: a mapping key, or a sequence
// index (Index >= 0).
type PathSeg struct {
	Key   string
	Index int
}

// SplitPath splits a dotted path such as "populations.consumers.count" or
// "events[0].at" into its segments.
func SplitPath(path string) ([]PathSeg, error) {
	var segs []PathSeg
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" && rest == "" {
			return nil, fmt.Errorf("path %q has an empty segment", path)
		}
		if key != "" {
			segs = append(segs, PathSeg{Key: key, Index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 {
				return nil, fmt.Errorf("path %q: bad index [%s", path, rest)
			}
			segs = append(segs, PathSeg{Index: i})
			rest = strings.TrimPrefix(after, "[")
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, fmt.Errorf("path %q: unexpected %q after an index", path, after)
			}
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("path is empty")
	}
	return segs, nil
}

func pathPrefix(segs []PathSeg) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.Index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Key)
	}
	return b.String()
}

// ReflectString and ReflectInt give DecodeValue a string's or an int's
// settable value.
func ReflectString(s *string) reflect.Value { return reflect.ValueOf(s).Elem() }
func ReflectInt(i *int) reflect.Value       { return reflect.ValueOf(i).Elem() }
