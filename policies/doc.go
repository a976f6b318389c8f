// Package policies holds coopera's example governance policies, ordinary
// Rego v1 files that `opa test policies/` and `opa eval` run unchanged:
//
//   - proposals.rego (package coopera.proposals): which proposals are
//     admitted (fee parameters never above 5%, no numeric parameter moving
//     more than half its value in one proposal, a cap on treasury spends,
//     policy upgrades only by the council, a description for proposals
//     with actions) and the pass rules per proposal kind;
//   - commands.rego (package coopera.commands): who may submit the
//     command types it governs.
//
// The *_test.rego files are their Rego tests; go test runs them through
// OPA's tester. FS embeds the files, so a program can load the examples
// with policy.ReadFS(policies.FS).
package policies

import "embed"

// FS holds the policy files and their tests.
//
//go:embed *.rego
var FS embed.FS
