// Package scenario is the language of the simulator's scenario files: the
// plain data and the checks that need no chain.
//
//   - Scenario and its parts (GenesisSpec, PriceSpec, Populations,
//     EventSpec, SweepSpec, Tokens...), decoded by Parse or Decode with
//     defaults applied, and checked for what needs no chain: names,
//     sizes (MaxAgents, MaxEpochs, MaxFeeds: refused before anything is
//     built), prices, events and sweeps. Package sim's Parse also
//     compiles a scenario, in the same pass: its behaviours' own fields,
//     its genesis (through the modules) and its metrics.
//   - Dec, the fixed-point decimal (9 places, int64) that scenario files
//     write as decimal literals and the simulator computes with (Mul,
//     MulDec, Sqrt, Sin from an integer table): no floating point.
//   - Strict YAML decoding with field paths (DecodeInto, DecodeValue and
//     the NodeDecoder interface for types that decode themselves): every
//     problem names the field's dotted path and line, and unknown fields
//     are refused with the list of known ones.
//   - Problems, FieldError and ScenarioError: a file's problems collected
//     in one pass, each once (Problems.Mask), all matching
//     ErrInvalidScenario.
//   - The limits on a document, checked before anything is decoded:
//     MaxScenarioBytes, and MaxScenarioNodes on the nodes its aliases
//     expand to (ErrScenarioTooLarge, ErrAliasExpansion).
//   - Node helpers for sweeps and reports: paths (SplitPath, SetPath),
//     CloneNode, and NodeJSON, which writes a node as JSON keeping the
//     file's own text for numbers.
//
// The package is pure: it links the YAML decoder and the standard library
// only, and does no I/O (the layers lint at the repository root checks
// it). Package sim builds on it, and keeps its names (sim.Dec,
// sim.FieldError, sim.ErrInvalidScenario, ...) as aliases.
package scenario
