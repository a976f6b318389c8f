package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
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

// jsonValue parses a JSON document into an ast.Value as OPA parses input.
// A lone number (a parameter's value, most often) skips the decoder: it
// is the json.Number the decoder would make of it.
func jsonValue(b []byte) (ast.Value, error) {
	if t := bytes.Trim(b, " \t\r\n"); len(t) > 0 && (t[0] == '-' || '0' <= t[0] && t[0] <= '9') && json.Valid(t) {
		return ast.InterfaceToValue(json.Number(t))
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
	val, err := in.value()
	if err != nil {
		return nil, err
	}
	return s.decideProposalValue(ctx, val)
}

func (s *Set) decideProposalValue(ctx context.Context, input ast.Value) (*governance.Decision, error) {
	if s.proposalsNarrow != nil {
		doc, ok, err := s.evalNarrow(ctx, s.proposalsNarrow, proposalRules, input)
		if err != nil {
			return nil, err
		}
		if ok {
			doc, reasons := docReasons(ProposalsQuery, doc)
			return s.proposalDecision(doc, reasons), nil
		}
	}
	doc, reasons, err := s.eval(ctx, s.proposals, ProposalsQuery, input)
	if err != nil {
		return nil, err
	}
	return s.proposalDecision(doc, reasons), nil
}

// proposalDecision makes the decision from the evaluated package document
// (nil if it is not an object) and the reasons to deny.
func (s *Set) proposalDecision(doc ast.Object, reasons []string) *governance.Decision {
	d := &governance.Decision{PolicyHash: s.hash}
	if doc != nil {
		if raw := doc.Get(termRules); raw != nil {
			if err := decodeRules(raw.Value, &d.Rules); err != nil {
				reasons = append(reasons, ProposalsQuery+".rules: "+err.Error())
			}
		}
	}
	d.Reasons = clip(reasons)
	d.Allowed = len(reasons) == 0
	return d
}

var (
	termAllow = ast.StringTerm("allow")
	termDeny  = ast.StringTerm("deny")
	termRules = ast.StringTerm("rules")
)

// decodeRules decodes a policy's rules into out. It reads the well-formed
// case straight from the ast.Value; anything else (an unknown field, a
// value of the wrong type or out of range) goes through the JSON decoder,
// whose error is the reason recorded.
func decodeRules(raw ast.Value, out *governance.RuleOverrides) error {
	if obj, ok := raw.(ast.Object); ok {
		if fast, ok := rulesFromValue(obj); ok {
			*out = fast
			r := out.Apply(governance.RulesFromParams(ptr(governance.DefaultParams())))
			return r.Validate()
		}
	}
	js, err := ast.JSON(raw)
	if err != nil {
		return err
	}
	return decodeRulesJSON(js, out)
}

// rulesFromValue reads rules whose every field is known and of the form
// the JSON decoder takes without complaint: bps as unsigned 32-bit integer
// literals, durations as strings time.ParseDuration takes, min_deposit as
// a string ParseAmount takes. ok is false for anything else.
func rulesFromValue(obj ast.Object) (out governance.RuleOverrides, ok bool) {
	ok = true
	obj.Until(func(k, v *ast.Term) bool {
		key, isStr := k.Value.(ast.String)
		if !isStr {
			ok = false
			return true
		}
		bps := func(dst **uint32) {
			n, isNum := v.Value.(ast.Number)
			if !isNum {
				ok = false
				return
			}
			u, err := strconv.ParseUint(string(n), 10, 32)
			if err != nil || strconv.FormatUint(u, 10) != string(n) {
				ok = false
				return
			}
			*dst = ptr(uint32(u))
		}
		dur := func(dst **ledger.Duration) {
			str, isStr := v.Value.(ast.String)
			if !isStr {
				ok = false
				return
			}
			d, err := time.ParseDuration(string(str))
			if err != nil {
				ok = false
				return
			}
			*dst = ptr(ledger.Duration(d))
		}
		switch key {
		case "quorum_bps":
			bps(&out.QuorumBps)
		case "threshold_bps":
			bps(&out.ThresholdBps)
		case "veto_bps":
			bps(&out.VetoBps)
		case "voting_delay":
			dur(&out.VotingDelay)
		case "voting_period":
			dur(&out.VotingPeriod)
		case "late_quorum_extension":
			dur(&out.LateQuorumExtension)
		case "timelock":
			dur(&out.Timelock)
		case "execution_window":
			dur(&out.ExecutionWindow)
		case "min_deposit":
			str, isStr := v.Value.(ast.String)
			if !isStr {
				ok = false
				break
			}
			a, err := ledger.ParseAmount(string(str))
			if err != nil {
				ok = false
				break
			}
			out.MinDeposit = &a
		default:
			ok = false
		}
		return !ok
	})
	return out, ok
}

func decodeRulesJSON(raw any, out *governance.RuleOverrides) error {
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
	val, err := in.value()
	if err != nil {
		return false, nil, err
	}
	return s.decideCommandValue(ctx, val)
}

func (s *Set) decideCommandValue(ctx context.Context, input ast.Value) (allowed bool, reasons []string, err error) {
	if s.commandsNarrow != nil {
		doc, ok, err := s.evalNarrow(ctx, s.commandsNarrow, commandRules, input)
		if err != nil {
			return false, nil, err
		}
		if ok {
			_, reasons = docReasons(CommandsQuery, doc)
			return len(reasons) == 0, clip(reasons), nil
		}
	}
	_, reasons, err = s.eval(ctx, s.commands, CommandsQuery, input)
	if err != nil {
		return false, nil, err
	}
	return len(reasons) == 0, clip(reasons), nil
}

// eval evaluates a package document and returns it with the reasons to
// deny: its deny set, plus an explanation if allow is not true. An
// evaluation past the set's Limits is an error (ErrEvalDeadline,
// ErrResultTooLarge), not a reason: the command is refused. The
// prepared query hands back ast values (see rawResult), read here without
// converting the document to Go values.
func (s *Set) eval(ctx context.Context, q rego.PreparedEvalQuery, name string, input ast.Value) (ast.Object, []string, error) {
	rs, evalErr, err := s.evalQuery(ctx, q, name, input)
	if err != nil {
		return nil, nil, err
	}
	if evalErr != nil {
		return nil, []string{"policy evaluation failed: " + evalErr.Error()}, nil
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, []string{name + " is undefined: the policy set has no such package"}, nil
	}
	val, _ := rs[0].Expressions[0].Value.(ast.Value)
	doc, reasons := docReasons(name, val)
	return doc, reasons, nil
}

// docReasons reads allow and deny from a package document.
func docReasons(name string, val ast.Value) (ast.Object, []string) {
	doc, ok := val.(ast.Object)
	if !ok {
		return nil, []string{name + " is " + valueTypeName(val) + ", not a package"}
	}
	var reasons []string
	if raw := doc.Get(termDeny); raw != nil {
		reason := func(t *ast.Term) {
			if str, ok := t.Value.(ast.String); ok {
				reasons = append(reasons, string(str))
			} else {
				x, _ := ast.JSON(t.Value)
				b, _ := json.Marshal(x)
				reasons = append(reasons, string(b))
			}
		}
		// The order is that of ast.JSON, which the decision recorded
		// before this read the document directly.
		switch list := raw.Value.(type) {
		case ast.Set:
			list.Foreach(reason)
		case *ast.Array:
			list.Foreach(reason)
		default:
			reasons = append(reasons, name+".deny is "+valueTypeName(raw.Value)+"; it must be a set of reasons")
		}
	}
	allow := doc.Get(termAllow)
	switch {
	case allow == nil:
		reasons = append(reasons, name+".allow is undefined for this input; define it for every input, for example with `default allow := false`")
	case !ast.Boolean(true).Equal(allow.Value):
		if _, isBool := allow.Value.(ast.Boolean); isBool {
			if len(reasons) == 0 {
				reasons = append(reasons, name+".allow is false")
			}
		} else {
			reasons = append(reasons, name+".allow is "+valueTypeName(allow.Value)+", not a boolean")
		}
	}
	return doc, reasons
}

// rawResult is the prepared queries' result converter: it hands back the
// ast.Value itself instead of converting it to Go values.
func rawResult(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil }

// valueTypeName is typeName for an ast.Value.
func valueTypeName(v ast.Value) string {
	switch v.(type) {
	case nil, ast.Null:
		return "null"
	case ast.Boolean:
		return "a boolean"
	case ast.String:
		return "a string"
	case *ast.Array, ast.Set:
		return "an array or set"
	case ast.Object:
		return "an object"
	}
	return "a number"
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
