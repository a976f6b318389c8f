package policy

import (
	"context"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Narrow queries. A decision reads three rules of its package (allow, deny
// and, for proposals, rules), yet the package query evaluates every rule
// in it and builds the whole document. A narrow query evaluates only the
// rules read. It is prepared only for a package where that cannot change a
// decision (narrowable): every other rule in it is a constant, or a helper
// that a read rule evaluates first thing, so that an error there is an
// error of the narrow query too. Anything but a well-formed answer (an
// evaluation error, allow undefined) is decided again by the package
// query, whose reasons are the ones recorded.

// narrow is a prepared narrow query and how it binds each rule.
type narrow struct {
	q   rego.PreparedEvalQuery
	pkg string // the package it stands for, to name in errors
	// bind says how each rule is bound: bindDirect to its value, for a rule
	// always defined (a set, or one with a default); bindArray to an array
	// of its value, empty where it is undefined; absent from the query
	// where the package has no such rule.
	bind map[string]binding
}

type binding int

const (
	bindAbsent binding = iota
	bindDirect
	bindArray
)

// narrowQuery is the narrow query of pkg for rules, and their bindings.
func narrowQuery(c *ast.Compiler, pkg ast.Ref, rules []string) (string, map[string]binding) {
	node := c.RuleTree.Find(pkg)
	var b strings.Builder
	bind := map[string]binding{}
	for _, r := range rules {
		n := node.Child(ast.String(r))
		if n == nil || len(n.Values) == 0 {
			continue
		}
		always := true
		for _, def := range n.Values {
			if def.Default {
				always = true
				break
			}
			always = always && def.Head.RuleKind() == ast.MultiValue
		}
		if always {
			bind[r] = bindDirect
			b.WriteString(r + " := " + pkg.String() + "." + r + "\n")
		} else {
			bind[r] = bindArray
			b.WriteString(r + " := [x | x := " + pkg.String() + "." + r + "]\n")
		}
	}
	return b.String(), bind
}

// narrowable reports whether evaluating only rules of the package pkg
// gives them the values, and the same errors, that evaluating the whole
// package does; see the comment above.
func narrowable(c *ast.Compiler, pkg ast.Ref, rules []string) bool {
	node := c.RuleTree.Find(pkg)
	if node == nil {
		return false
	}
	covered := map[string]bool{}
	for _, r := range rules {
		covered[r] = true
	}
	child := func(name string) *ast.TreeNode { return node.Child(ast.String(name)) }
	// A helper is covered when the first expression of a definition of a
	// covered rule reads it whole: evaluating the covered rule evaluates
	// it, always.
	for grew := true; grew; {
		grew = false
		for name := range covered {
			n := child(name)
			if n == nil {
				continue
			}
			r := soleDefinition(n.Values)
			if r != nil {
				ast.WalkRefs(r.Body[0], func(ref ast.Ref) bool {
					if len(ref) == len(pkg)+1 && ref.HasPrefix(pkg) {
						if h, ok := ref[len(pkg)].Value.(ast.String); ok && !covered[string(h)] {
							covered[string(h)] = true
							grew = true
						}
					}
					return false
				})
			}
		}
	}
	for key, n := range node.Children {
		if len(n.Children) > 0 {
			return false // a nested package or a rule with a multi-part name
		}
		if name, ok := key.(ast.String); ok && covered[string(name)] {
			continue
		}
		if !constantRules(n.Values) {
			return false
		}
	}
	return true
}

// soleDefinition returns the one definition of a rule besides its
// default, if its body can only be evaluated whole: no expression in it
// reads input, so the rule index cannot pass it by, and there is no
// other definition for early exit to skip.
func soleDefinition(rules []*ast.Rule) *ast.Rule {
	var sole *ast.Rule
	for _, r := range rules {
		if r.Default {
			continue
		}
		if sole != nil || r.Else != nil || len(r.Body) == 0 || len(r.Head.Args) > 0 {
			return nil
		}
		sole = r
	}
	if sole == nil {
		return nil
	}
	readsInput := false
	for _, e := range sole.Body {
		ast.WalkRefs(e, func(ref ast.Ref) bool {
			readsInput = readsInput || ref.HasPrefix(ast.InputRootRef)
			return readsInput
		})
	}
	if readsInput {
		return nil
	}
	return sole
}

// constantRules reports whether rules (the definitions of one name) are
// functions, which no package document holds, or constants that cannot
// fail: bodies that are just true, ground heads, one definition unless
// they add to a set.
func constantRules(rules []*ast.Rule) bool {
	for _, r := range rules {
		if len(r.Head.Args) > 0 {
			continue
		}
		if r.Else != nil || len(r.Body) != 1 || !r.Body[0].Equal(ast.NewExpr(ast.BooleanTerm(true))) {
			return false
		}
		if (r.Head.Value != nil && !r.Head.Value.IsGround()) || (r.Head.Key != nil && !r.Head.Key.IsGround()) {
			return false
		}
		if len(rules) > 1 && r.Head.RuleKind() != ast.MultiValue {
			return false
		}
	}
	return true
}

// evalNarrow evaluates a narrow query and returns the package document
// it stands for: the rules that are defined. ok is false when the package
// query must decide instead.
func (s *Set) evalNarrow(ctx context.Context, q *narrow, rules []string, input ast.Value) (doc ast.Object, ok bool, err error) {
	rs, evalErr, err := s.evalQuery(ctx, q.q, q.pkg, input)
	if err != nil {
		return nil, false, err
	}
	if evalErr != nil {
		return nil, false, nil
	}
	if len(rs) != 1 {
		return nil, false, nil
	}
	doc = ast.NewObject()
	for _, r := range rules {
		switch q.bind[r] {
		case bindDirect:
			v, _ := rs[0].Bindings[r].(ast.Value)
			if v == nil {
				return nil, false, nil
			}
			doc.Insert(str(r), ast.NewTerm(v))
		case bindArray:
			arr, _ := rs[0].Bindings[r].(*ast.Array)
			if arr == nil || arr.Len() > 1 {
				return nil, false, nil
			}
			if arr.Len() == 1 {
				doc.Insert(str(r), arr.Elem(0))
			}
		}
	}
	if doc.Get(termAllow) == nil {
		return nil, false, nil
	}
	return doc, true, nil
}
