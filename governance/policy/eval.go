package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/coopera/coopera/governance"
)

// ProposalInput is the input document of a proposal decision,
// input in Rego:
//
//	{
//	  "actor": "alice",
//	  "proposal": {
//	    "title": "...", "description": "...", "deposit": "1000",
//	    "kinds": ["parameter_change"],
//	    "actions": [{"kind": "parameter_change", "module": "tokenomics",
//	                 "name": "fee_bps", "value": 150, "current": 100}]
//	  },
//	  "params": {"governance": {...}, "tokenomics": {...}}
//	}
//
// params holds the newest parameters of governance and of every module a
// parameter change touches; each parameter_change action also carries the
// parameter's current value as "current" (absent if the module has no such
// parameter). Amounts are strings of base units, durations Go duration
// strings.
type ProposalInput struct {
	Actor    string                     `json:"actor"`
	Proposal ProposalDoc                `json:"proposal"`
	Params   map[string]json.RawMessage `json:"params"`
}

// ProposalDoc is the proposal as a policy sees it.
type ProposalDoc struct {
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Deposit     string      `json:"deposit"`
	Kinds       []string    `json:"kinds"`
	Actions     []ActionDoc `json:"actions"`
}

// ActionDoc is an action as a policy sees it: the action's JSON fields,
// plus "current" for a parameter change.
type ActionDoc struct {
	governance.Action
	Current json.RawMessage `json:"current,omitempty"`
}

// MarshalJSON writes the action's fields and "current".
func (a ActionDoc) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(a.Action)
	if err != nil || len(a.Current) == 0 {
		return b, err
	}
	b = bytes.TrimSuffix(b, []byte("}"))
	return append(append(append(b, `,"current":`...), a.Current...), '}'), nil
}

// CommandInput is the input document of a command decision:
//
//	{"actor": "alice", "command": "transfer", "payload": {...}}
type CommandInput struct {
	Actor   string          `json:"actor"`
	Command string          `json:"command"`
	Payload json.RawMessage `json:"payload"`
}

func toValue(v any) (ast.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var x any
	if err := util.UnmarshalJSON(b, &x); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(x)
}

// DecideProposal evaluates data.coopera.proposals for in and returns the
// decision with this set's hash. The proposal is allowed only if allow is
// true, deny is empty and rules is well formed; an undefined or
// non-boolean allow, an evaluation error, or malformed rules deny it with
// a reason saying so. The error is for a canceled ctx or unencodable input.
func (s *Set) DecideProposal(ctx context.Context, in *ProposalInput) (*governance.Decision, error) {
	val, err := toValue(in)
	if err != nil {
		return nil, err
	}
	return s.decideProposalValue(ctx, val)
}

func (s *Set) decideProposalValue(ctx context.Context, input ast.Value) (*governance.Decision, error) {
	d := &governance.Decision{PolicyHash: s.hash}
	doc, reasons, err := s.eval(ctx, s.proposals, ProposalsQuery, input)
	if err != nil {
		return nil, err
	}
	if doc != nil {
		if raw, ok := doc["rules"]; ok {
			if err := decodeRules(raw, &d.Rules); err != nil {
				reasons = append(reasons, ProposalsQuery+".rules: "+err.Error())
			}
		}
	}
	d.Reasons = clip(reasons)
	d.Allowed = len(reasons) == 0
	return d, nil
}

func decodeRules(raw any, out *governance.RuleOverrides) error {
	if _, ok := raw.(map[string]any); !ok {
		return fmt.Errorf("is %s; it must be an object such as {\"quorum_bps\": 4000, \"voting_period\": \"120h\"}", typeName(raw))
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	r := out.Apply(governance.RulesFromParams(ptr(governance.DefaultParams())))
	return r.Validate()
}

func ptr[T any](v T) *T { return &v }

// DecideCommand evaluates data.coopera.commands for in: the command is
// allowed only if allow is true and deny is empty. Reasons say why not.
func (s *Set) DecideCommand(ctx context.Context, in *CommandInput) (allowed bool, reasons []string, err error) {
	val, err := toValue(in)
	if err != nil {
		return false, nil, err
	}
	_, reasons, err = s.eval(ctx, s.commands, CommandsQuery, val)
	if err != nil {
		return false, nil, err
	}
	return len(reasons) == 0, clip(reasons), nil
}

// eval evaluates a package document and returns it with the reasons to
// deny: its deny set, plus an explanation if allow is not true.
func (s *Set) eval(ctx context.Context, q rego.PreparedEvalQuery, name string, input ast.Value) (map[string]any, []string, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, []string{"policy evaluation failed: " + err.Error()}, nil
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, []string{name + " is undefined: the policy set has no such package"}, nil
	}
	doc, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, []string{name + " is " + typeName(rs[0].Expressions[0].Value) + ", not a package"}, nil
	}
	var reasons []string
	if raw, ok := doc["deny"]; ok {
		list, ok := raw.([]any)
		if !ok {
			reasons = append(reasons, name+".deny is "+typeName(raw)+"; it must be a set of reasons")
		}
		for _, r := range list {
			if str, ok := r.(string); ok {
				reasons = append(reasons, str)
			} else {
				b, _ := json.Marshal(r)
				reasons = append(reasons, string(b))
			}
		}
	}
	allow, ok := doc["allow"]
	switch {
	case !ok:
		reasons = append(reasons, name+".allow is undefined for this input; define it for every input, for example with `default allow := false`")
	case allow != true:
		if _, isBool := allow.(bool); isBool {
			if len(reasons) == 0 {
				reasons = append(reasons, name+".allow is false")
			}
		} else {
			reasons = append(reasons, name+".allow is "+typeName(allow)+", not a boolean")
		}
	}
	return doc, reasons, nil
}

// clip bounds reasons to what a decision may record.
func clip(reasons []string) []string {
	if len(reasons) > governance.MaxReasons {
		reasons = append(slices.Clone(reasons[:governance.MaxReasons-1]), fmt.Sprintf("and %d more reasons", len(reasons)-governance.MaxReasons+1))
	}
	for i, r := range reasons {
		if len(r) > governance.MaxReason {
			reasons[i] = r[:governance.MaxReason-3] + "..."
		}
	}
	return reasons
}
