package policy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/coopera/coopera/ledger"
)

// Limits bound one evaluation of a policy query: a decision (each query
// it runs) and, at load, the evaluation of the governed set. A zero field
// takes its default.
//
// Why a deadline cannot make replicas disagree: a policy is evaluated
// only by the Admitter, in the submitting node's shell, before the command
// is sequenced. A refusal (a deadline passed, a result too large, a
// denial) returns to the caller and the command never reaches a block. An
// admitted command carries its decision in its payload; the block records
// it, and followers, replay and Verify re-execute the block without
// evaluating any policy (the reducer only checks that the decision names
// the set in force). So whether an evaluation beat the clock is a fact
// about one submission on one node, never about state.
type Limits struct {
	// EvalTimeout bounds the time of one query's evaluation. OPA checks
	// the context between evaluation steps and inside the built-ins that
	// generate large values (numbers.range, numbers.range_step, regex
	// and string replacement, net.cidr_expand), so a policy that would
	// build a huge value is stopped within the deadline; this is also what
	// bounds the memory an evaluation can take, since OPA has no memory
	// limit of its own, except inside one step of a built-in that does not
	// check it: those that can build a value of any size in one step
	// (sprintf widths, json.marshal_with_options) are refused at load
	// (Compile). A canceled evaluation is refused with
	// ErrEvalDeadline. Default 500ms (a decision takes tens of
	// microseconds; BenchmarkAdmissionVsRaw).
	EvalTimeout time.Duration

	// MaxResultBytes bounds the size of a query's result (the package
	// document, or the narrow query's bindings), counted without encoding
	// it as at least the bytes of its JSON encoding (a string's bytes that
	// JSON may escape count six each). A larger result is refused with
	// ErrResultTooLarge. Default 1 MiB.
	MaxResultBytes int
}

// Default limits.
const (
	DefaultEvalTimeout    = 500 * time.Millisecond
	DefaultMaxResultBytes = 1 << 20
)

func (l Limits) withDefaults() Limits {
	if l.EvalTimeout <= 0 {
		l.EvalTimeout = DefaultEvalTimeout
	}
	if l.MaxResultBytes <= 0 {
		l.MaxResultBytes = DefaultMaxResultBytes
	}
	return l
}

// Option configures Compile and Load.
type Option func(*Limits)

// WithLimits sets the evaluation limits of a set (zero fields take their
// defaults).
func WithLimits(l Limits) Option { return func(dst *Limits) { *dst = l } }

// Errors of an evaluation past its limits. The command is refused before
// it is sequenced; see Limits.
var (
	// ErrEvalDeadline: the evaluation ran past Limits.EvalTimeout.
	ErrEvalDeadline = ledger.NewCode("policy_eval_deadline")
	// ErrResultTooLarge: the result is larger than Limits.MaxResultBytes.
	ErrResultTooLarge = ledger.NewCode("policy_result_too_large")
)

// evalQuery evaluates a prepared query for input under the set's limits.
// A parent ctx canceled is returned as its error; the deadline passed is
// ErrEvalDeadline; any other evaluation error is returned as evalErr for
// the caller to turn into a reason to deny.
func (s *Set) evalQuery(ctx context.Context, q rego.PreparedEvalQuery, what string, input ast.Value) (rs rego.ResultSet, evalErr, err error) {
	ectx, cancel := context.WithTimeout(ctx, s.limits.EvalTimeout)
	defer cancel()
	var opts []rego.EvalOption
	if input != nil {
		opts = append(opts, rego.EvalParsedInput(input))
	}
	start := time.Now()
	rs, evalErr = q.Eval(ectx, opts...)
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	if ectx.Err() != nil || (evalErr != nil && (topdown.IsCancel(evalErr) || errors.Is(evalErr, context.DeadlineExceeded))) {
		return nil, nil, ledger.Errorf(ErrEvalDeadline, "%s: policy %s: evaluation stopped after %s: the limit is %s (policy.Limits.EvalTimeout)", what, s.HashHex()[:12], time.Since(start).Round(time.Millisecond), s.limits.EvalTimeout)
	}
	if evalErr != nil {
		return nil, evalErr, nil
	}
	size := 0
	for _, r := range rs {
		for _, x := range r.Expressions {
			size += valueSize(x.Value, s.limits.MaxResultBytes-size)
		}
		for _, b := range r.Bindings {
			size += valueSize(b, s.limits.MaxResultBytes-size)
		}
		if size > s.limits.MaxResultBytes {
			return nil, nil, ledger.Errorf(ErrResultTooLarge, "%s: policy %s: the result is more than %d bytes of JSON (policy.Limits.MaxResultBytes)", what, s.HashHex()[:12], s.limits.MaxResultBytes)
		}
	}
	return rs, nil, nil
}

// valueSize returns at least the size of v's JSON encoding (strings are
// counted as if every byte that JSON may escape took six), or a number
// past budget as soon as it exceeds budget (it stops walking there). v is
// an ast.Value (the prepared queries' results) or a Go value (the governed
// query's).
func valueSize(v any, budget int) int {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		if n > budget {
			return
		}
		switch x := v.(type) {
		case *ast.Term:
			walk(x.Value)
		case ast.String:
			n += stringSize(string(x))
		case ast.Number:
			n += len(x)
		case ast.Boolean:
			n += 5
		case ast.Null, nil:
			n += 4
		case *ast.Array:
			n += 2
			x.Until(func(t *ast.Term) bool { n++; walk(t.Value); return n > budget })
		case ast.Set:
			n += 2
			x.Until(func(t *ast.Term) bool { n++; walk(t.Value); return n > budget })
		case ast.Object:
			n += 2
			x.Until(func(k, t *ast.Term) bool { n += 2; walk(k.Value); walk(t.Value); return n > budget })
		case string:
			n += stringSize(x)
		case []any:
			n += 2
			for _, e := range x {
				n++
				if walk(e); n > budget {
					return
				}
			}
		case map[string]any:
			n += 2
			for k, e := range x {
				n += stringSize(k) + 2
				if walk(e); n > budget {
					return
				}
			}
		default:
			n += len(fmt.Sprint(x))
		}
	}
	walk(v)
	return n
}

// stringSize is at least the size of s as a JSON string: its quotes, and
// six bytes (\u00XX) for each byte an encoder may escape: control
// characters, quote, backslash, the HTML characters encoding/json escapes,
// and any byte of a non-ASCII character (U+2028 and invalid UTF-8 are
// escaped).
func stringSize(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			n += 5
		}
	}
	return n
}
