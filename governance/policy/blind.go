package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/coopera/coopera/governance"
)

// The commands policy sees a gov_propose's payload with the proposals
// policy's decision in it, so in general the payload is the command's JSON
// encoding once the decision is written. For a set none of whose rules can
// read input.payload.decision (decisionBlind), the admitter builds the
// payload as an ast.Value from the proposal directly, without the
// decision.

// decisionBlind reports whether no rule of the parsed set can read the
// decision in a command's payload: every reference to input names a
// constant top-level key, and one to input.payload either names a
// constant key other than "decision" or is the object of an object.get
// with such a key. It is conservative: a set that passes input or
// input.payload whole to anything else, or imports it, is not blind. It
// reads the modules as parsed, before the compiler moves call arguments
// into local variables.
func decisionBlind(modules map[string]*ast.Module) bool {
	safe := map[*ast.Term]bool{}
	call := func(terms []*ast.Term) {
		if len(terms) < 3 {
			return
		}
		op, ok := terms[0].Value.(ast.Ref)
		if !ok || !op.Equal(ast.MustParseRef("object.get")) {
			return
		}
		if key, ok := terms[2].Value.(ast.String); ok && key != "decision" {
			safe[terms[1]] = true
		}
	}
	for _, m := range modules {
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if terms, ok := e.Terms.([]*ast.Term); ok {
				call(terms)
			}
			return false
		})
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if cl, ok := t.Value.(ast.Call); ok {
				call(cl)
			}
			return false
		})
	}
	blind := true
	for _, m := range modules {
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if v, ok := t.Value.(ast.Var); ok && v.Equal(ast.InputRootDocument.Value) {
				blind = false // input, whole
			}
			r, ok := t.Value.(ast.Ref)
			if !ok || !r[0].Equal(ast.InputRootDocument) || !blind {
				return !blind
			}
			if len(r) < 2 {
				blind = false
				return true
			}
			top, ok := r[1].Value.(ast.String)
			switch {
			case !ok:
				blind = false
			case top != "payload":
			case len(r) == 2:
				blind = safe[t]
			default:
				key, ok := r[2].Value.(ast.String)
				blind = ok && key != "decision"
			}
			return true // the ref's own terms are judged here
		})
	}
	return blind
}

// proposePayload is a gov_propose's payload without its decision, as its
// JSON encoding reads, built from the proposal's action objects (before
// "current" is added to them).
func proposePayload(p *governance.Propose, actions []*ast.Term) ast.Object {
	obj := ast.NewObject(
		[2]*ast.Term{str("title"), str(p.Title)},
		[2]*ast.Term{str("deposit"), str(p.Deposit.String())},
	)
	if p.Description != "" {
		obj.Insert(str("description"), str(p.Description))
	}
	if len(p.Actions) > 0 {
		obj.Insert(str("actions"), ast.ArrayTerm(actions...))
	}
	return obj
}
