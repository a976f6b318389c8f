// Package policy evaluates governance policies written in Rego (OPA) in
// the engine's shell, so that the pure governance reducer never does.
//
// # Policy sets
//
// A policy set is a directory of Rego v1 files (*.rego; *_test.rego files
// are tests, which `opa test` runs and the engine ignores). Load reads,
// hashes, checks and compiles it and prepares its queries once. Its hash
// (Set.Hash: SHA-256 over the sorted file names and contents) is what
// genesis ("policy_hash" under "governance") and policy_upgrade actions
// name; the set in force is the one whose hash is in state.
//
// Loading refuses, with file and line: a Rego syntax or type error, and a
// call to a built-in that is not deterministic (http.send, net.*, rand.*,
// uuid.*, time.now_ns, opa.runtime, certificate verification against the
// clock, and everything OPA marks non-deterministic); see Forbidden. They
// are also left out of the compiler's capabilities.
//
// # What a policy decides
//
// data.coopera.proposals, evaluated for every gov_propose with input
// ProposalInput:
//
//	allow  boolean: may this actor make this proposal
//	deny   set of strings: reasons to refuse (any reason refuses)
//	rules  object, optional: pass rules for this proposal, any of
//	       quorum_bps, threshold_bps, veto_bps, voting_delay,
//	       voting_period, late_quorum_extension, timelock,
//	       execution_window (Go duration strings), min_deposit (string)
//
// data.coopera.commands, evaluated only for commands whose type is in its
// governed set (which must not depend on input), with input CommandInput:
// allow and deny as above.
//
// The proposal is admitted only if allow is true, deny is empty and rules
// is well formed. An undefined package or allow, a non-boolean allow, an
// evaluation error (a conflict, a built-in error: built-in errors are
// strict) or malformed rules deny it, with a reason saying which.
//
// # Admission
//
// Admitter is the coopera.Admitter that applies this in the engine: it
// finds the set in force in its Library, writes the decision (allowed,
// reasons, policy hash, rules) into the propose command, overwriting what
// a client put there, and refuses denied commands before sequencing. The
// block records the decision, so replay never evaluates a policy, and the
// reducer refuses a decision by any other set than the one in force.
//
// # Limits
//
// Every evaluation runs under the set's Limits (Compile and Load take
// them with WithLimits): a deadline (EvalTimeout, default 500ms), passed
// to OPA through the context, whose cancellation also stops the built-ins
// that build large values (numbers.range(1, 200000000) is stopped at the
// deadline, having allocated 40 to 120 MiB in our runs, instead of
// running out of memory; concurrent admissions each take up to that), and
// a bound on the result's size (MaxResultBytes, default 1 MiB). Past
// either, the decision fails with ErrEvalDeadline or ErrResultTooLarge,
// and the command is refused before it is sequenced: only the admitting
// node ever evaluates a policy, so a deadline can never make replicas
// disagree (see Limits). Loading evaluates the governed set under the
// same limits.
//
// # The admission path
//
// A decision costs about one evaluation of the prepared package query
// (BenchmarkAdmissionVsRaw measures the two side by side). The input is
// built directly as an ast.Value, a module's parameters parsed once per
// encoding in state; the prepared queries hand back ast values, read
// without converting them to Go values; rules are decoded from the
// ast.Value, through the JSON decoder only to word an error. Where it
// cannot change a decision, a narrow query evaluates only allow, deny and
// rules instead of the whole package (narrow.go says when); anything but a
// well-formed answer is decided again by the package query. A gov_propose
// that the commands policy also governs is evaluated twice, once per
// package, its payload built as an ast.Value when no rule can read the
// decision in it (blind.go): one query for both, each with its input under
// `with`, measured slower than the two.
package policy
