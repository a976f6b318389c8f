package sim

import (
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/agents"
	"github.com/coopera/coopera/sim/scenario"
)

// The behaviours' side of the simulator lives in package sim/agents; these
// names keep package sim's API as it was.
type (
	// Behaviour decides what a population's agents do (agents.Behaviour).
	Behaviour = agents.Behaviour
	// Observer receives the population's commands' outcomes (agents.Observer).
	Observer = agents.Observer
	// Outcome is what became of one command (agents.Outcome).
	Outcome = agents.Outcome
	// Measurer adds a behaviour's metrics to the tables (agents.Measurer).
	Measurer = agents.Measurer
	// MetricInfo names and describes a metric (agents.MetricInfo).
	MetricInfo = agents.MetricInfo
	// Unit is the unit of a metric's integer values (agents.Unit).
	Unit = agents.Unit
	// Demander reports a consumer population's demand (agents.Demander).
	Demander = agents.Demander
	// Server lists the accounts serving this epoch (agents.Server).
	Server = agents.Server
	// Factory makes a population's Behaviour (agents.Factory).
	Factory = agents.Factory
	// Spec is what a Factory gets (agents.Spec).
	Spec = agents.Spec
	// Env is what a behaviour sees (agents.Env).
	Env = agents.Env
	// AgentInfo is an agent created on the chain (agents.AgentInfo).
	AgentInfo = agents.AgentInfo
	// Rand is a splitmix64 random stream (agents.Rand).
	Rand = agents.Rand
)

// Units of metrics (agents.Unit).
const (
	UnitCount  = agents.UnitCount
	UnitTokens = agents.UnitTokens
	UnitUSD    = agents.UnitUSD
	UnitPrice  = agents.UnitPrice
	UnitBps    = agents.UnitBps
	UnitOther  = agents.UnitOther
)

// Accounts the simulator adds to every chain.
const (
	ExchangeAccount ledger.AccountID = agents.ExchangeAccount // the market: sells the tokens consumers burn, buys providers' rewards
	OperatorAccount ledger.AccountID = agents.OperatorAccount // submits direct parameter changes
)

// Register makes a behaviour available to scenarios under name
// (agents.Register): it panics if name is taken or f is nil; call it from
// an init function.
func Register(name string, f Factory) { agents.Register(name, f) }

// Behaviours lists the registered behaviour names, sorted.
func Behaviours() []string { return agents.Behaviours() }

// NewRand returns a stream seeded with seed (agents.NewRand).
func NewRand(seed uint64) *Rand { return agents.NewRand(seed) }

// DeriveSeed derives a stream's seed from a seed and tags (agents.DeriveSeed).
func DeriveSeed(seed uint64, tags ...uint64) uint64 { return agents.DeriveSeed(seed, tags...) }

func lookupBehaviour(name string) (Factory, bool) { return agents.Lookup(name) }

func behaviourName(pop *scenario.Population) string { return agents.BehaviourName(pop) }

func nameTag(name string) uint64 { return agents.NameTag(name) }
