package sim

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera/sim/scenario"
)

// Scenario is a simulation as written in a scenario file (YAML), validated
// and compiled. Load or Parse reads one strictly: an unknown field, a
// value of the wrong type or an impossible parameter is an error naming
// the field and its line.
//
// A scenario holds the chain's genesis (assets, accounts, allocations and
// every module's parameters, exactly as a ledger genesis), the market price
// model, the oracle feeds, the agent populations and their behaviours,
// scheduled events, the metrics to record, and optionally a parameter
// sweep. See the package documentation for the file format. Its fields
// are those of the plain data, scenario.Scenario.
type Scenario struct {
	*scenario.Scenario

	c    *compiled // set by validation: the scenario without its agents
	full *runnable // the scenario with its agents, for runs
}

// The scenario file's parts (package sim/scenario).
type (
	GenesisSpec    = scenario.GenesisSpec
	AssetSpec      = scenario.AssetSpec
	AccountSpec    = scenario.AccountSpec
	AllocationSpec = scenario.AllocationSpec
	PriceSpec      = scenario.PriceSpec
	MarketSpec     = scenario.MarketSpec
	OracleSpec     = scenario.OracleSpec
	EventSpec      = scenario.EventSpec
	ParamEvent     = scenario.ParamEvent
	DemandEvent    = scenario.DemandEvent
	OracleEvent    = scenario.OracleEvent
	SweepSpec      = scenario.SweepSpec
	SweepParam     = scenario.SweepParam
	Tokens         = scenario.Tokens
	Populations    = scenario.Populations
	Population     = scenario.Population
)

const maxAgents, maxFeeds = scenario.MaxAgents, scenario.MaxFeeds

// Load reads and validates a scenario file.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read one byte past the limit, so that Parse refuses a larger file
	// without this reading all of it.
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse decodes and validates a scenario; file names it in errors.
func Parse(data []byte, file string) (*Scenario, error) {
	p := &scenario.Problems{File: file}
	root := scenario.ParseYAML(p, data)
	if root == nil {
		return nil, p.Err()
	}
	sc := decodeScenario(p, root, file)
	if err := p.Err(); err != nil {
		return nil, err
	}
	sc.SetSource(data)
	return sc, nil
}

// Decimals returns the decimals of the scenario's native token.
func (s *Scenario) Decimals() uint8 { return s.c.decimals }

// Setting is one of a scenario's settings as written, for reports.
type Setting struct{ Key, Value string }

// Settings lists the scenario's settings: modules, block size, price,
// market and oracle, every module's genesis parameters, the populations
// and the events, values as JSON (the file's own text for numbers).
func (s *Scenario) Settings() []Setting {
	out := []Setting{
		{"modules", strings.Join(s.Modules, ", ")},
		{"block_size", strconv.Itoa(s.BlockSize)},
	}
	asJSON := func(n *yaml.Node) (string, bool) {
		var p scenario.Problems
		var b strings.Builder
		ok := scenario.NodeJSON(&p, n, "", &b)
		return b.String(), ok
	}
	root := scenario.ResolveAlias(s.Root())
	for _, key := range []string{"price", "market", "oracle"} {
		if n := mapValue(root, key); n != nil {
			if v, ok := asJSON(n); ok {
				out = append(out, Setting{key, v})
			}
		}
	}
	if g := mapValue(root, "genesis"); g != nil {
		if ps := mapValue(scenario.ResolveAlias(g), "params"); ps != nil {
			ps = scenario.ResolveAlias(ps)
			for j := 0; ps.Kind == yaml.MappingNode && j+1 < len(ps.Content); j += 2 {
				if v, ok := asJSON(ps.Content[j+1]); ok {
					out = append(out, Setting{"genesis.params." + ps.Content[j].Value, v})
				}
			}
		}
	}
	for _, pop := range s.Populations {
		if v, ok := asJSON(pop.Config()); pop.Config() != nil && ok {
			out = append(out, Setting{"populations." + pop.Name, fmt.Sprintf("%d x %s %s", pop.Count, behaviourName(pop), v)})
		}
	}
	if n := mapValue(root, "events"); n != nil {
		for i, ev := range scenario.ResolveAlias(n).Content {
			if v, ok := asJSON(ev); ok {
				out = append(out, Setting{fmt.Sprintf("events[%d]", i), v})
			}
		}
	}
	return out
}

// decodeScenario decodes a parsed document, checks it and compiles it
// (without its agents); problems go to p.
func decodeScenario(p *scenario.Problems, root *yaml.Node, file string) *Scenario {
	sc := &Scenario{Scenario: scenario.Decode(p, root, file), full: &runnable{}}
	sc.c = compileChecked(sc, p)
	return sc
}

// compileChecked compiles the scenario, whose earlier problems (if any)
// are already listed: compilation still checks the populations, genesis
// and metrics so that their problems are reported in the same pass, but
// its result is kept only for a scenario without problems, and a panic
// caused by the zero value an earlier problem left is not reported again.
func compileChecked(s *Scenario, p *scenario.Problems) (c *compiled) {
	earlier := len(p.List) > 0
	defer func() {
		if r := recover(); r != nil {
			if !earlier {
				panic(r)
			}
			c = nil
		}
		if len(p.List) > 0 {
			c = nil
		}
	}()
	return compile(s, p, false)
}

// runnable is a scenario compiled with its agents, once, on first need.
type runnable struct {
	once sync.Once
	c    *compiled
	err  error
}

// compiled returns the scenario compiled with its agents (validation
// compiles it without them): what every run shares.
func (s *Scenario) compiled() (*compiled, error) {
	r := s.full
	r.once.Do(func() {
		p := &scenario.Problems{File: s.File()}
		r.c = compile(s, p, true)
		if r.err = p.Err(); r.err == nil && r.c == nil {
			r.err = fmt.Errorf("sim: %s: the scenario does not compile", s.File())
		}
	})
	return r.c, r.err
}
