// Package agents holds the simulator's behaviours: what a population's
// agents decide each epoch, returned as intents (ledger commands) that the
// simulator runs through the reducers.
//
//   - The contract: Behaviour (Setup, Step), its optional extensions
//     (Observer, Measurer, Demander, Server), Factory, Spec (what a
//     factory gets: the population's fields to decode, the chain's
//     basics) and the registry (Register, Behaviours, Lookup).
//   - Env, what a behaviour sees: the epoch, the prices, and the run's
//     committed state read-only, through a Host that the simulator
//     implements. Its helpers (BuyCredits, Sell, Release) build commands
//     and write nothing: a behaviour changes the chain only by the
//     commands it returns, and only if the reducers apply them.
//   - The built-in behaviours, registered in init: consumer, provider,
//     staker, creator, trader and vesting.
//   - Rand, the splitmix64 streams every draw comes from (DeriveSeed,
//     NameTag), so that a run is reproducible.
//
// The package links no run loop, output or report (the layers lint at the
// repository root checks that it links only the pure core, sim/scenario
// and the YAML decoder). Package sim runs behaviours, and keeps these
// names (sim.Behaviour, sim.Env, sim.Spec, sim.Register, ...) as aliases.
package agents
