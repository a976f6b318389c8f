package sim

import "github.com/coopera/coopera/sim/scenario"

// The scenario language's types, errors and limits live in package
// sim/scenario; these names keep package sim's API as it was.

// Dec is a fixed-point decimal with 9 places (scenario.Dec).
type Dec = scenario.Dec

// One is the Dec 1.
const One = scenario.One

// ParseDec parses a decimal literal (scenario.ParseDec).
func ParseDec(s string) (Dec, error) { return scenario.ParseDec(s) }

// MustDec parses a decimal literal and panics on error (scenario.MustDec).
func MustDec(s string) Dec { return scenario.MustDec(s) }

// Sin returns sin(2π num/den) (scenario.Sin).
func Sin(num, den int64) Dec { return scenario.Sin(num, den) }

// FieldError is one problem with a scenario (scenario.FieldError).
type FieldError = scenario.FieldError

// ScenarioError lists a scenario's problems (scenario.ScenarioError).
type ScenarioError = scenario.ScenarioError

// Errors a refused scenario matches (errors.Is).
var (
	ErrInvalidScenario  = scenario.ErrInvalidScenario
	ErrScenarioTooLarge = scenario.ErrScenarioTooLarge
	ErrAliasExpansion   = scenario.ErrAliasExpansion
)

// Limits on a scenario document (see package sim/scenario).
const (
	MaxScenarioBytes = scenario.MaxScenarioBytes
	MaxScenarioNodes = scenario.MaxScenarioNodes
)
