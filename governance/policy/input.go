package policy

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
)

// This file builds the input documents directly as ast values: what
// parsing their JSON encoding would give, without encoding them. Only the
// parts that are JSON already (an action's value, a module's parameters)
// are parsed, and a module's parameters once per encoding (paramsCache).
// input_test.go compares every builder with the JSON round trip.

func str(s string) *ast.Term { return ast.StringTerm(s) }

// value returns in as an ast.Value.
func (in *ProposalInput) value() (ast.Value, error) {
	params := ast.NullTerm()
	if in.Params != nil {
		params = ast.ObjectTerm()
	}
	for _, m := range sortedKeys(in.Params) {
		v, err := jsonValue(in.Params[m])
		if err != nil {
			return nil, err
		}
		params.Value.(ast.Object).Insert(str(m), ast.NewTerm(v))
	}
	actions := make([]*ast.Term, len(in.Proposal.Actions))
	for i := range in.Proposal.Actions {
		a := &in.Proposal.Actions[i]
		obj, err := actionObject(&a.Action)
		if err != nil {
			return nil, err
		}
		if len(a.Current) > 0 {
			cur, err := jsonValue(a.Current)
			if err != nil {
				return nil, err
			}
			obj.Insert(str("current"), ast.NewTerm(cur))
		}
		actions[i] = ast.NewTerm(obj)
	}
	return proposalObject(in.Actor, &in.Proposal, actions, in.Proposal.Actions == nil, params), nil
}

func proposalObject(actor string, p *ProposalDoc, actions []*ast.Term, nilActions bool, params *ast.Term) ast.Object {
	kinds := make([]*ast.Term, len(p.Kinds))
	for i, k := range p.Kinds {
		kinds[i] = str(k)
	}
	return ast.NewObject(
		[2]*ast.Term{str("actor"), str(actor)},
		[2]*ast.Term{str("proposal"), ast.ObjectTerm(
			[2]*ast.Term{str("title"), str(p.Title)},
			[2]*ast.Term{str("description"), str(p.Description)},
			[2]*ast.Term{str("deposit"), str(p.Deposit)},
			[2]*ast.Term{str("kinds"), sliceTerm(kinds, p.Kinds == nil)},
			[2]*ast.Term{str("actions"), sliceTerm(actions, nilActions)},
		)},
		[2]*ast.Term{str("params"), params},
	)
}

// sliceTerm is a Go slice as encoding/json writes it: null if nil.
func sliceTerm(elems []*ast.Term, isNil bool) *ast.Term {
	if isNil {
		return ast.NullTerm()
	}
	return ast.ArrayTerm(elems...)
}

// actionObject is governance.Action as its JSON encoding reads, fields
// with omitempty left out when empty.
func actionObject(a *governance.Action) (ast.Object, error) {
	obj := ast.NewObject([2]*ast.Term{str("kind"), str(string(a.Kind))})
	opt := func(k, v string) {
		if v != "" {
			obj.Insert(str(k), str(v))
		}
	}
	num := func(k string, v uint64) {
		if v != 0 {
			obj.Insert(str(k), ast.NumberTerm(json.Number(strconv.FormatUint(v, 10))))
		}
	}
	opt("module", a.Module)
	opt("name", a.Name)
	if len(a.Value) > 0 {
		v, err := jsonValue(a.Value)
		if err != nil {
			return nil, err
		}
		obj.Insert(str("value"), ast.NewTerm(v))
	}
	opt("to", string(a.To))
	if a.Amount != nil {
		obj.Insert(str("amount"), str(a.Amount.String()))
	}
	opt("asset", string(a.Asset))
	opt("asset_name", a.AssetName)
	num("decimals", uint64(a.Decimals))
	num("collateral_weight_bps", uint64(a.CollateralWeightBps))
	opt("policy_hash", a.PolicyHash)
	return obj, nil
}

// value returns in as an ast.Value.
func (in *CommandInput) value() (ast.Value, error) {
	payload, err := jsonValue(in.Payload)
	if err != nil {
		return nil, err
	}
	return commandObject(in.Actor, in.Command, payload), nil
}

func commandObject(actor, command string, payload ast.Value) ast.Object {
	return ast.NewObject(
		[2]*ast.Term{str("actor"), str(actor)},
		[2]*ast.Term{str("command"), str(command)},
		[2]*ast.Term{str("payload"), ast.NewTerm(payload)},
	)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// moduleParams is one module's newest parameters as a policy sees them.
type moduleParams struct {
	enc    []byte    // the encoding in state they were rendered from
	value  *ast.Term // ParamsJSON's rendering, parsed
	fields ast.Object
}

// paramsCache holds each module's parameters rendered and parsed, keyed
// by their encoding in state: reading the encoding is one state read,
// and rendering and parsing happen again only when a block changes the
// parameters. It is safe for concurrent use.
type paramsCache struct {
	mu sync.Mutex
	m  map[string]*moduleParams
}

// get returns module's newest parameters in view, nil if the module has
// none.
func (c *paramsCache) get(m *ledger.Machine, view ledger.Getter, module string) (*moduleParams, error) {
	pm, ok := m.Parameterized(module)
	if !ok {
		return nil, nil
	}
	enc, err := ledger.ParamsAt(view, module, math.MaxUint64)
	if err != nil {
		return nil, nil
	}
	c.mu.Lock()
	mp := c.m[module]
	c.mu.Unlock()
	if mp != nil && string(mp.enc) == string(enc) {
		return mp, nil
	}
	js, err := pm.ParamsJSON(enc)
	if err != nil {
		return nil, err
	}
	v, err := jsonValue(js)
	if err != nil {
		return nil, err
	}
	mp = &moduleParams{enc: append([]byte(nil), enc...), value: ast.NewTerm(v)}
	mp.fields, _ = v.(ast.Object)
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*moduleParams{}
	}
	c.m[module] = mp
	c.mu.Unlock()
	return mp, nil
}

// proposalValue builds the input of a proposal decision as
// BuildProposalInput does, directly as an ast.Value, with the modules'
// parameters from c.
//
// With withPayload it also returns the command's payload without its
// decision (see proposePayload), sharing the action objects.
func (c *paramsCache) proposalValue(m *ledger.Machine, view ledger.Getter, actor ledger.AccountID, p *governance.Propose, withPayload bool) (ast.Value, ast.Value, error) {
	params := ast.NewObject()
	seen := map[string]*moduleParams{}
	get := func(module string) (*moduleParams, error) {
		if mp, ok := seen[module]; ok {
			return mp, nil
		}
		mp, err := c.get(m, view, module)
		if err != nil {
			return nil, err
		}
		seen[module] = mp
		if mp != nil {
			params.Insert(str(module), mp.value)
		}
		return mp, nil
	}
	if _, err := get(governance.ModuleName); err != nil {
		return nil, nil, err
	}
	actions := make([]*ast.Term, len(p.Actions))
	var plain []*ast.Term
	if withPayload {
		plain = make([]*ast.Term, len(p.Actions))
	}
	for i := range p.Actions {
		act := &p.Actions[i]
		obj, err := actionObject(act)
		if err != nil {
			return nil, nil, err
		}
		actions[i] = ast.NewTerm(obj)
		if withPayload {
			plain[i] = actions[i]
		}
		if act.Kind != governance.ParameterChange {
			continue
		}
		mp, err := get(act.Module)
		if err != nil {
			return nil, nil, err
		}
		if mp == nil || mp.fields == nil {
			continue
		}
		if cur := mp.fields.Get(str(act.Name)); cur != nil {
			if v := obj.Get(str("value")); v != nil {
				if given, want := caseMismatch(v, cur); given != "" {
					return nil, nil, valueCaseErr(i, act, given, want)
				}
			}
			if withPayload {
				cp := ast.NewObject()
				obj.Foreach(func(k, v *ast.Term) { cp.Insert(k, v) })
				obj = cp
			}
			obj.Insert(str("current"), cur)
			actions[i] = ast.NewTerm(obj)
		}
	}
	doc := ProposalDoc{Title: p.Title, Description: p.Description, Deposit: p.Deposit.String(), Kinds: governance.Kinds(p.Actions)}
	in := proposalObject(string(actor), &doc, actions, false, ast.NewTerm(params))
	if !withPayload {
		return in, nil, nil
	}
	return in, proposePayload(p, plain), nil
}

// valueCaseErr reports action i's value writing the field want as given.
func valueCaseErr(i int, act *governance.Action, given, want string) error {
	return ledger.Errorf(governance.ErrInvalidProposal, "action %d: %s.%s: field %q is written %q; write it as the module names it (the module reads JSON field names whatever their case, so the policy would judge a value with no field %q while the module applies one)", i, act.Module, act.Name, want, given, want)
}

// checkValueCase is caseMismatch for action i's value against the
// parameter's current value cur, both JSON (BuildProposalInput).
func checkValueCase(i int, act *governance.Action, cur json.RawMessage) error {
	if len(act.Value) == 0 || len(cur) == 0 {
		return nil
	}
	g, err := jsonValue(act.Value)
	if err != nil {
		return nil // the module refuses it
	}
	c, err := jsonValue(cur)
	if err != nil {
		return err
	}
	if given, want := caseMismatch(ast.NewTerm(g), ast.NewTerm(c)); given != "" {
		return valueCaseErr(i, act, given, want)
	}
	return nil
}

// caseMismatch looks in a parameter change's value given for an object key
// that names a field of the parameter's current value cur in another case
// ("TREASURY" for "treasury"), and returns it with the field's name ("" if
// none). Modules decode values with encoding/json, which matches field
// names whatever their case, while a policy reads them exactly: such a key
// would let a value through a policy that checks the field. Lists are
// checked element by element against the current list's first element.
func caseMismatch(given, cur *ast.Term) (string, string) {
	switch g := given.Value.(type) {
	case ast.Object:
		c, ok := cur.Value.(ast.Object)
		if !ok {
			return "", ""
		}
		var gk, ck string
		g.Until(func(k, v *ast.Term) bool {
			ks, ok := k.Value.(ast.String)
			if !ok {
				return false
			}
			if cv := c.Get(k); cv != nil {
				gk, ck = caseMismatch(v, cv)
				return gk != ""
			}
			c.Until(func(k2, _ *ast.Term) bool {
				if s2, ok := k2.Value.(ast.String); ok && strings.EqualFold(string(ks), string(s2)) {
					gk, ck = string(ks), string(s2)
				}
				return gk != ""
			})
			return gk != ""
		})
		return gk, ck
	case *ast.Array:
		c, ok := cur.Value.(*ast.Array)
		if !ok || c.Len() == 0 {
			return "", ""
		}
		for i := range g.Len() {
			if gk, ck := caseMismatch(g.Elem(i), c.Elem(0)); gk != "" {
				return gk, ck
			}
		}
	}
	return "", ""
}
