package agents

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/control"
	"github.com/coopera/coopera/sim/scenario"
)

// Behaviour decides what a population's agents do. The simulator calls
// Setup once per run, after genesis, and Step once per epoch; Step returns
// the commands the agents submit this epoch (their intents), which run, in
// the order given, through the same reducers as a real ledger. A behaviour
// writes nothing through its Env: the market learns of its trades from
// the commands it returns, and every metric is read from what the
// reducers did. A behaviour decides only
// which commands to submit: the reducers decide everything else, and a
// command they reject is recorded as rejected and changes nothing (agents
// sign nothing, so not even a nonce).
//
// A Behaviour holds its population's state for one run and is used by one
// goroutine; each run gets a fresh one from the Factory. It must draw
// randomness only from env.Rand and never iterate a Go map where the order
// could reach its commands, so that a run is reproducible.
type Behaviour interface {
	Setup(env *Env) error
	Step(env *Env) ([]*ledger.Command, error)
}

// Observer is an optional extension of Behaviour: after the epoch's blocks
// have run, Observe receives the population's commands with their results
// and events, in the order Step returned them.
type Observer interface {
	Observe(env *Env, outcomes []Outcome) error
}

// Outcome is what became of one command.
type Outcome struct {
	Command *ledger.Command
	Result  ledger.Result // Code is empty when the command was applied
	Events  []ledger.Event
}

// Measurer is an optional extension of Behaviour that adds metrics to the
// tables. Metrics names them (the tables prefix them with the population's
// name, as "providers.active"); after each epoch closes, Measure writes
// their values, one per name, into dst. Values are integers: amounts in
// base units, USD in micro-USD, ratios in basis points.
type Measurer interface {
	Metrics() []MetricInfo
	Measure(env *Env, dst []int64)
}

// MetricInfo names and describes a metric.
type MetricInfo struct {
	Name string
	Unit Unit
	Doc  string
}

// Demander is an optional extension of Behaviour for consumers: after
// Step, Demand returns the USD demand (micro-USD) the population's agents
// had this epoch, for the demand metric. What was served is read from the
// reducers' events, never from here.
type Demander interface {
	Demand() int64
}

// Server is an optional extension of Behaviour for providers: the
// accounts serving this epoch, which consumers route their usage to.
type Server interface {
	Serving() []ledger.AccountID
}

// Factory makes a population's Behaviour from its scenario entry. It is
// called once when a scenario is validated and once per run; it should
// decode its fields with spec.Decode and report impossible values with
// spec.Invalid, so that errors name the field.
type Factory func(spec *Spec) (Behaviour, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a behaviour available to scenarios under name (populations
// name it in their behaviour field). It panics if name is taken or f is
// nil, like database/sql.Register; call it from an init function.
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if f == nil {
		panic("sim: Register of a nil factory")
	}
	if _, dup := registry[name]; dup {
		panic("sim: Register called twice for behaviour " + name)
	}
	registry[name] = f
}

// Behaviours lists the registered behaviour names, sorted.
func Behaviours() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the factory registered under name.
func Lookup(name string) (Factory, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	f, ok := registry[name]
	return f, ok
}

// BehaviourName resolves a population's behaviour: the behaviour field, or
// else the population's name or its singular if a behaviour is registered
// under it.
func BehaviourName(pop *scenario.Population) string {
	if pop.Behaviour != "" {
		return pop.Behaviour
	}
	if _, ok := Lookup(pop.Name); ok {
		return pop.Name
	}
	if s := strings.TrimSuffix(pop.Name, "s"); s != pop.Name {
		if _, ok := Lookup(s); ok {
			return s
		}
	}
	return pop.Name
}

// Spec is what a Factory gets: the population's common fields, the chain's
// basics, and the behaviour's own fields to decode.
type Spec struct {
	Name        string             // the population's name
	Count       int                // its number of agents
	Accounts    []ledger.AccountID // the agents' accounts, created at genesis; nil when validation calls the factory (Count agents all the same)
	Balance     ledger.Amount      // each agent's native balance at genesis, base units
	Native      ledger.AssetID     // the native token
	Decimals    uint8              // its decimals
	Epochs      int                // epochs per run
	EpochLength time.Duration      // length of an epoch
	EpochsYear  int64              // epochs per 365 days (at least 1)
	Modules     []string           // the chain's modules after the built-in ones
	Populations []string           // every population's name, in order

	config *yaml.Node
	path   string
	p      *scenario.Problems
	sc     *scenario.Scenario
	// escrow records an escrow the behaviour asks for; set only when the
	// scenario is validated (the factory's first call): runs only read.
	escrow func(id ledger.AccountID, amount ledger.Amount)
}

// NewSpec returns the Spec of population pop of sc: s's exported fields,
// the population's own fields to decode, problems reported to p, and
// escrow (nil but when validating) told of the escrow asked for. The
// simulator calls it; behaviours receive Specs.
func NewSpec(s Spec, sc *scenario.Scenario, pop *scenario.Population, p *scenario.Problems, escrow func(id ledger.AccountID, amount ledger.Amount)) *Spec {
	s.config, s.path, s.p, s.sc, s.escrow = pop.Config(), pop.Path(), p, sc, escrow
	return &s
}

// Escrow asks for a vesting escrow funded at genesis with amount base
// units of the native token, and returns its account: a module account of
// the simulator's control module (excluded from circulating supply), from
// which the operator's sim_release commands (Env.Release) pay holders.
func (s *Spec) Escrow(amount ledger.Amount) ledger.AccountID {
	id := control.EscrowAccount(s.Name)
	if s.escrow != nil {
		s.escrow(id, amount)
	}
	return id
}

// Decode decodes the population's own fields (all but behaviour, count
// and balance) into v, a pointer to a struct whose fields carry yaml tags.
// Unknown fields and values of the wrong type are reported with their
// path and line; Decode returns an error if there were any. Supported
// field types: string, bool, integers, Dec, Tokens, time.Duration, and
// structs, pointers and slices of them.
func (s *Spec) Decode(v any) error {
	before := len(s.p.List)
	scenario.DecodeInto(s.p, s.config, s.path, v)
	if len(s.p.List) > before {
		return fmt.Errorf("%s: %d problem(s) in its fields", s.path, len(s.p.List)-before)
	}
	return nil
}

// Invalid reports an impossible value of one of the population's fields;
// field is a dotted path below the population, such as "demand.trend".
func (s *Spec) Invalid(field, format string, args ...any) {
	path := scenario.Join(s.path, field)
	s.p.Add(s.sc.Line(path), path, format, args...)
}

// Failed reports whether any problem was reported for the scenario so far.
func (s *Spec) Failed() bool { return len(s.p.List) > 0 }

// Units converts whole tokens to base units of the native asset.
func (s *Spec) Units(t Tokens, field string) ledger.Amount {
	a, err := t.Units(s.Decimals)
	if err != nil {
		s.Invalid(field, "%v", err)
	}
	return a
}

// HasPopulation reports whether the scenario has a population named name.
func (s *Spec) HasPopulation(name string) bool { return slices.Contains(s.Populations, name) }

// PopulationBehaviour returns the behaviour name of another population.
func (s *Spec) PopulationBehaviour(name string) string {
	for _, p := range s.sc.Populations {
		if p.Name == name {
			return BehaviourName(p)
		}
	}
	return ""
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
