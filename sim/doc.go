// Package sim is coopera's economic simulator: it runs the very same
// reducers as a ledger (tokenomics, and optionally contribution and
// governance, through ledger.Machine) on in-memory state, driven by agent
// populations described in a scenario file, many seeded runs in parallel.
//
// # Contract
//
//   - One implementation of the economics. Behaviours decide which
//     commands agents submit (they return them as intents and write
//     nothing through their Env); the reducers decide everything else.
//     There is no second model of fees, burns, mints, rewards or staking
//     here: a metric is read from the chain's state or from the results
//     and events of the commands the reducers applied, never from what a
//     behaviour meant to do, so a refused command never counts as done
//     (TestRefusedCommandsNeverCountAsDone, a subtest per metric).
//   - Reproducible. The same scenario and seed give the same tables and
//     summaries, byte for byte, on any machine, with any number of workers
//     and on any number of machines (package sim/distributed); charts and
//     the report are the same bytes from the same build (they are drawn
//     in floating point by gonum.org/v1/plot). manifest.json records the
//     command line, the one thing that depends on the invocation. The
//     simulator draws from its own splitmix64
//     streams (Rand), one per run and population, uses integer and
//     fixed-point arithmetic only (Dec; seasonality from an integer sine
//     table; GBM by fixed-point Euler steps with Irwin–Hall normals), never
//     ranges over a map where order could matter, and writes results in
//     run order whatever the scheduling.
//   - Exact. Every table value is an integer: native amounts in base units,
//     USD in micro-USD, prices in micro-USD per whole token, ratios in basis
//     points. Floats appear only in the charts. (The oracle takes 10^-18
//     USD: observations are converted exactly, x 10^12, and the credit
//     price read back is floored to the micro-USD.) Table values are 64-bit
//     integers: a genesis whose native supply exceeds 2^63-1 base units is
//     refused (declare the asset with fewer decimals), and a run that
//     measures a larger amount stops with ErrAmountRange rather than write
//     a clipped one. Block times are nanoseconds since 1970 in 64 bits: a
//     genesis_time outside 1970-2262, or a run ending after April 2262, is
//     refused.
//   - Safe outputs. WriteDir writes into a directory beside the target and
//     renames it into place when every file is complete; an existing
//     output directory that is not empty is refused unless Overwrite.
//   - Safe inputs. A scenario is checked in one pass: every problem, each
//     once, with its path and line. Documents over MaxScenarioBytes or
//     whose aliases expand past MaxScenarioNodes are refused before
//     decoding (ErrScenarioTooLarge, ErrAliasExpansion). Validation does
//     no work per agent (a scenario of ten million agents is checked in
//     milliseconds): it checks a genesis of the agents the scenario names,
//     and the agents are listed once, when the first run needs them.
//   - Bounded memory. Runs stream to disk in order through a reorder buffer
//     of 2 x workers runs; the summary reads them back epoch by epoch.
//     Memory grows with agents and epochs, not with runs.
//   - The same chain as a ledger. A run's blocks can be replayed through
//     the Pebble-backed engine (coopera.Open with LedgerGenesis and
//     LedgerModules, SubmitBatch per BlockRecord, the block times from
//     Options.OnBlock) and give the same state root after every block; the
//     tests do exactly that.
//
// # A run
//
// Block 0 applies the scenario's genesis, to which the simulator adds its
// accounts: each population's agents ("<population>-<i>"), the exchange
// (sim-exchange), the oracle feeds (sim-feed-<i>, set as
// tokenomics.oracle_feeds) and the operator (sim-operator, also the
// tokenomics usage reporter unless the scenario names its own). Then, for each
// epoch t of epoch_length:
//
//  1. The market price P(t) is set by the price model.
//  2. The epoch's first block, at its start time: the close of epoch t-1
//     (injected first, as the engine's sequencer does; the tokenomics close
//     burns and mints), each feed's observe_price (the market price, with
//     noise, or distorted by an oracle attack), direct parameter changes
//     and the operator's governance steps due. The row of epoch t-1 is
//     measured after it.
//  3. The trading blocks, one second later: each population's Step, in
//     scenario order, in blocks of block_size commands. A parameter change
//     made in the first block is in effect here. The consumers' usage
//     records (record_usage by their own consumer) of each block go at
//     its end, batched into one settle_usage of the operator, which the
//     reducers decide item by item as the records themselves and which
//     leaves the same state; a refused settlement's block is played again
//     with its items as the separate record_usage commands (batch.go).
//     The economics are the same; the metric commands counts a
//     settlement once.
//  4. The commands the behaviours returned that trade with the exchange
//     settle as market orders, by the amounts their events moved, if the
//     reducers applied them; Observers see outcomes.
//
// A last block closes the last epoch.
//
// # Scenario files
//
//	name: baseline                 # required
//	seed: 1                        # run i is seeded from (seed, i)
//	runs: 8                        # Monte Carlo runs (default 1)
//	epochs: 365
//	epoch_length: 24h              # default 24h
//	block_size: 256                # commands per trading block
//	modules: [tokenomics]          # and contribution, governance
//	genesis:                       # a ledger genesis (amounts in base units)
//	  assets: [{id: COOP, decimals: 6}]
//	  accounts: [{id: foundation}]
//	  allocations: [{account: foundation, amount: "1000000000000"}]
//	  params: {tokenomics: {fee_bps: 100}}
//	price: {model: gbm, initial: 0.5, drift: 0.1, volatility: 0.8}
//	market: {inventory: 50000000}  # whole tokens the exchange holds
//	oracle: {feeds: 3, noise: 0.01}
//	populations:                   # name -> behaviour and its fields
//	  consumers: {count: 1000, demand: {base: 5, trend: 0.001, noise: 0.2}}
//	  providers: {count: 50, active: 20, cost: 10, sell: 0.5, exit_after: 14}
//	  stakers: {count: 200, balance: 10000, target_apr: 0.08}
//	events:
//	  - {at: 180, params: {name: fee_bps, value: 200, via: governance}}
//	  - {at: 200, until: 260, demand: {factor: 0.2}}
//	  - {at: 100, until: 103, oracle: {feeds: 1, factor: 3}}
//	metrics: [supply, price, burned, minted, "param:tokenomics.fee_bps"]
//	sweep:
//	  grid: [{path: genesis.params.tokenomics.fee_bps, values: [50, 100, 200]}]
//
// Rates, shares and factors are decimals ("0.05", "5%"), parsed exactly.
// Price models: constant, path, gbm (Euler steps in fixed point) and
// market (a constant-product pool moved by the agents' flows). The
// built-in behaviours are consumer, provider, staker, creator, trader and
// vesting (an allocation bucket locked in an escrow and released on a
// cliff-and-linear or custom schedule, its holders selling part of each
// unlock); each file documents its fields. Metrics lists every built-in metric; a
// scenario may also ask for balance:ACCOUNT[:ASSET], supply:ASSET and
// param:MODULE.NAME, and behaviours add their own (Measurer).
//
// # Behaviours
//
// A Behaviour is Setup once per run and Step once per epoch, returning its
// agents' commands; optional extensions observe the outcomes (Observer),
// add metrics (Measurer), report demand (Demander) or serve consumers
// (Server). Register adds a
// behaviour for scenarios to name; its factory decodes its own fields with
// Spec.Decode, strictly, and reports impossible values with Spec.Invalid.
//
// # Outputs
//
// WriteDir writes runs.csv, runs.jsonl and runs.parquet (the same columns
// in the same order; Parquet's key/value metadata holds each column's
// unit and description), summary.csv and summary.jsonl, points.csv,
// meta.json, columns.json and manifest.json. OutputOptions.Reporter adds
// what is derived from the tables: sim/report writes charts/<metric>.png
// and report.html (the charts inlined as SVG, the scenario's settings,
// each chart linked to its table). OutputOptions.Runner computes the runs
// elsewhere: sim/distributed.Runner on workers through NATS JetStream,
// with the same bytes as a local run.
//
// # Layout
//
// sim/scenario is the scenario as plain data: its types (the fields of
// Scenario, Population, ...), the strict YAML decoding with field paths,
// Dec, the problems (FieldError, ScenarioError) and the limits, and every
// check that needs no chain; it is pure (the YAML decoder, the ledger's
// types, no I/O). sim/agents holds the behaviours, which return commands
// as intents and read the run through an Env (its Host is the run); it
// links no run loop. sim compiles a scenario (behaviours, genesis,
// metrics), runs it on in-memory state (Monte Carlo, sweeps) and writes
// the tables; it links no plotting, storage or network library, and keeps
// the lower packages' names (sim.Dec, sim.FieldError, sim.Population,
// sim.Behaviour, sim.Env, sim.Register, ...) as aliases, sim.Scenario
// embedding scenario.Scenario. sim/report draws charts and the report from
// finished tables; sim/distributed runs them on other machines;
// sim/control is the operator's pure reducer.
//
// # What is hand-written, and why
//
// The YAML parser is go.yaml.in/yaml/v3; the strict decoding of its nodes
// into the scenario's types (sim/scenario) is the simulator's own because it
// reports every problem with its path and line in one pass and parses
// decimals exactly into fixed point, which yaml.v3's Node.Decode does not
// (no strict fields on nodes, no paths). Charts are gonum.org/v1/plot (in
// sim/report); the progress bar (in the CLI) is schollz/progressbar. The random stream, the
// sine table and the fixed-point GBM are the simulator's own because
// determinism requires them.
//
// # Performance
//
// A run's cost is the reducers' cost per command (tens of microseconds:
// each command decodes the module parameters, the credit price reads the
// oracle's TWAP, staking checkpoints governance stake) times the commands
// the agents submit. A consumer population with aggregate: true submits one
// purchase and one usage per provider per epoch instead of two commands
// per agent: the reducers batch it as one consumer's demand. See
// BenchmarkAgentSteps and scripts/sim-bench.sh.
package sim
