package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera/ledger"
)

// Scenario is a simulation as written in a scenario file (YAML), plain
// data: Parse reads one strictly: an unknown field, a value of the wrong
// type or an impossible parameter is an error naming the field and its
// line. (Package sim's Scenario adds what needs a chain: it compiles the
// behaviours, genesis and metrics, and runs.)
//
// A scenario holds the chain's genesis (assets, accounts, allocations and
// every module's parameters, exactly as a ledger genesis), the market price
// model, the oracle feeds, the agent populations and their behaviours,
// scheduled events, the metrics to record, and optionally a parameter
// sweep. See the package documentation for the file format.
type Scenario struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Seed        uint64        `yaml:"seed"`
	Runs        int           `yaml:"runs"`         // Monte Carlo runs; default 1
	Epochs      int           `yaml:"epochs"`       // epochs per run
	EpochLength time.Duration `yaml:"epoch_length"` // default 24h
	BlockSize   int           `yaml:"block_size"`   // commands per block; default 32
	Modules     []string      `yaml:"modules"`      // default [tokenomics]
	Genesis     GenesisSpec   `yaml:"genesis"`
	Price       PriceSpec     `yaml:"price"`
	Market      MarketSpec    `yaml:"market"`
	Oracle      OracleSpec    `yaml:"oracle"`
	Populations Populations   `yaml:"populations"`
	Events      []EventSpec   `yaml:"events"`
	Metrics     []string      `yaml:"metrics"`
	Sweep       *SweepSpec    `yaml:"sweep"`

	file string
	hash [32]byte   // SHA-256 of the file's bytes
	src  []byte     // the file's bytes
	root *yaml.Node // the parsed document, for sweeps
}

// GenesisSpec is the chain's genesis: the fields of a ledger genesis file
// (amounts in base units), written in YAML. The simulator adds its own
// accounts (populations, the exchange, oracle feeds) and their allocations,
// and sets tokenomics.oracle_feeds from the oracle section.
type GenesisSpec struct {
	ChainID     string           `yaml:"chain_id"`     // default "sim"
	GenesisTime time.Time        `yaml:"genesis_time"` // default 2026-01-01T00:00:00Z
	Assets      []AssetSpec      `yaml:"assets"`       // default COOP with 6 decimals
	Accounts    []AccountSpec    `yaml:"accounts"`
	Allocations []AllocationSpec `yaml:"allocations"`
	Params      yaml.Node        `yaml:"params"` // module name -> parameters
}

// AssetSpec declares an asset.
type AssetSpec struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	Decimals uint8  `yaml:"decimals"`
}

// AccountSpec declares an account.
type AccountSpec struct {
	ID string `yaml:"id"`
}

// AllocationSpec gives an account an initial balance in base units.
type AllocationSpec struct {
	Account string `yaml:"account"`
	Asset   string `yaml:"asset"` // default: the native asset
	Amount  string `yaml:"amount"`
}

// PriceSpec is the market price model of the native token, in USD per
// whole token.
//
//	constant  the price stays at initial
//	path      the price of epoch t is path[t] (the last one holds after)
//	gbm       geometric Brownian motion from initial, Euler steps in fixed
//	          point: P(t+1) = P(t) (1 + drift dt + volatility sqrt(dt) Z),
//	          dt = epoch_length / 365 days, Z an Irwin–Hall normal
//	market    a constant-product market (the exchange's token balance
//	          against a USD reserve of inventory x initial), moved by the
//	          agents' flows: consumers buy the tokens they burn, providers
//	          sell rewards
type PriceSpec struct {
	Model      string `yaml:"model"`      // default constant
	Initial    Dec    `yaml:"initial"`    // USD per whole token; default 1
	Path       []Dec  `yaml:"path"`       // model path
	Drift      Dec    `yaml:"drift"`      // model gbm: annual drift
	Volatility Dec    `yaml:"volatility"` // model gbm: annual volatility
	Floor      Dec    `yaml:"floor"`      // lowest price; default 0.000001
}

// MarketSpec is the exchange where consumers buy the tokens they burn and
// providers sell their rewards.
type MarketSpec struct {
	// Inventory is the exchange's native balance at genesis, in whole
	// tokens. Consumers' credit purchases burn from it; providers' sales
	// refill it.
	Inventory Tokens `yaml:"inventory"`
}

// OracleSpec sets up the price feeds.
type OracleSpec struct {
	Feeds int `yaml:"feeds"` // honest feeds reporting the market price each epoch; default 1
	Noise Dec `yaml:"noise"` // each report's relative error (standard deviation); default 0
}

// EventSpec is a scheduled event: at epoch At, one of Params, Demand or
// Oracle. Demand and Oracle last until epoch Until (exclusive; 0: to the
// end).
type EventSpec struct {
	At     int          `yaml:"at"`
	Until  int          `yaml:"until"`
	Params *ParamEvent  `yaml:"params"`
	Demand *DemandEvent `yaml:"demand"`
	Oracle *OracleEvent `yaml:"oracle"`
}

// ParamEvent changes a module parameter, directly (a sim_set_param command
// of the simulator's control module, which calls ledger.ChangeParam as an
// executed proposal does) or through governance (a proposal that the
// stakers vote on; it needs the governance module).
type ParamEvent struct {
	Module string    `yaml:"module"` // default tokenomics
	Name   string    `yaml:"name"`
	Value  yaml.Node `yaml:"value"`
	Via    string    `yaml:"via"` // direct (default) or governance

	// Through governance: the populations whose agents vote (default:
	// those with the staker behaviour), the chance that an agent with stake
	// votes (default 1) and that its vote is yes (default 1).
	Voters  []string `yaml:"voters"`
	Turnout *Dec     `yaml:"turnout"`
	Support *Dec     `yaml:"support"`
}

// DemandEvent multiplies consumers' demand (a collapse with a factor below
// 1, a boom above).
type DemandEvent struct {
	Factor     Dec    `yaml:"factor"`
	Population string `yaml:"population"` // default: every consumer population
}

// OracleEvent is a manipulation attempt: the first Feeds oracle feeds
// report the market price times Factor (after the honest feeds have
// reported, as on a live network where every feed is always fresh). With
// fewer manipulated feeds than half, the median ignores them; with more,
// the median moves and the circuit breaker stops credit purchases.
type OracleEvent struct {
	Feeds  int `yaml:"feeds"` // default 1
	Factor Dec `yaml:"factor"`
}

// SweepSpec lists parameters to vary. Grid parameters form the full
// cartesian product (the first varies slowest); zip parameters are lists of
// equal length taken together. With both, every grid point is combined with
// every zip entry. A path names a field of the scenario file, for example
// "genesis.params.tokenomics.fee_bps", "populations.consumers.demand.base"
// or "events[0].at".
type SweepSpec struct {
	Grid []SweepParam `yaml:"grid"`
	Zip  []SweepParam `yaml:"zip"`
}

// SweepParam is one swept parameter.
type SweepParam struct {
	Path   string       `yaml:"path"`
	Values []*yaml.Node `yaml:"values"`
}

// Tokens is an amount in whole tokens, written as a decimal ("1000",
// "0.5"), converted exactly to base units with the asset's decimals.
type Tokens struct {
	text string
	line int
}

// String returns the amount as written.
func (t Tokens) String() string { return t.text }

// DecodeNode decodes an amount in whole tokens (NodeDecoder).
func (t *Tokens) DecodeNode(p *Problems, n *yaml.Node, path string) {
	if IsNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		p.At(n, path, "want an amount in whole tokens such as 1000 or 0.5, got %s", Describe(n))
		return
	}
	t.text, t.line = strings.ReplaceAll(n.Value, "_", ""), n.Line
}

// Units converts the amount to base units of an asset with decimals.
func (t Tokens) Units(decimals uint8) (ledger.Amount, error) {
	if t.text == "" {
		return ledger.Amount{}, nil
	}
	return ledger.ParseUnits(t.text, decimals)
}

// Populations are the agent populations, in file order.
type Populations []*Population

// Population is one population: Count agents acting by one behaviour.
type Population struct {
	Name      string
	Behaviour string // default: the population's name, or its singular
	Count     int
	Balance   Tokens     // each agent's native balance at genesis
	config    *yaml.Node // the behaviour's own fields (a mapping)
	line      int
	path      string
}

// Config returns the behaviour's own fields (a mapping: every field but
// behaviour, count and balance).
func (pop *Population) Config() *yaml.Node { return pop.config }

// Path returns the population's path in the file ("populations.<name>").
func (pop *Population) Path() string { return pop.path }

// Line returns the line of the population's name.
func (pop *Population) Line() int { return pop.line }

var popNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// DecodeNode decodes the populations mapping (NodeDecoder).
func (ps *Populations) DecodeNode(p *Problems, n *yaml.Node, path string) {
	keys, vals := MappingPairs(p, n, path)
	seen := map[string]bool{}
	for i, k := range keys {
		name := k.Value
		pp := Join(path, name)
		if seen[name] {
			p.At(k, pp, "population given twice")
			continue
		}
		seen[name] = true
		if !popNameRE.MatchString(name) {
			p.At(k, pp, "a population name is 1 to 16 lowercase letters, digits or '-', starting with a letter")
		}
		pop := &Population{Name: name, line: k.Line, path: pp}
		v := vals[i]
		if v.Kind != yaml.MappingNode {
			p.At(v, pp, "want a mapping (behaviour, count, ...), got %s", Describe(v))
			continue
		}
		cfg := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column}
		for j := 0; j+1 < len(v.Content); j += 2 {
			kk, vv := v.Content[j], v.Content[j+1]
			switch kk.Value {
			case "behaviour", "behavior":
				DecodeValue(p, vv, Join(pp, kk.Value), ReflectString(&pop.Behaviour))
			case "count":
				DecodeValue(p, vv, Join(pp, "count"), ReflectInt(&pop.Count))
			case "balance":
				pop.Balance.DecodeNode(p, ResolveAlias(vv), Join(pp, "balance"))
			default:
				cfg.Content = append(cfg.Content, kk, vv)
			}
		}
		pop.config = cfg
		*ps = append(*ps, pop)
	}
}

// Parse decodes a scenario and checks what needs no chain (package sim's
// Parse also compiles it: behaviours, genesis and metrics); file names it
// in errors.
func Parse(data []byte, file string) (*Scenario, error) {
	p := &Problems{File: file}
	root := ParseYAML(p, data)
	if root == nil {
		return nil, p.Err()
	}
	sc := Decode(p, root, file)
	if err := p.Err(); err != nil {
		return nil, err
	}
	sc.SetSource(data)
	return sc, nil
}

// Decode decodes a parsed document and checks what needs no chain: every
// check runs, whatever decoding found, and problems go to p (a file's
// problems are all reported at once, each mistake once: the checks skip
// the fields decoding already reported).
func Decode(p *Problems, root *yaml.Node, file string) *Scenario {
	sc := &Scenario{file: file, root: root}
	DecodeInto(p, root, "", sc)
	p.Mask()
	sc.validate(p)
	return sc
}

// SetSource records the file's bytes the scenario was decoded from (and
// their hash).
func (s *Scenario) SetSource(data []byte) {
	s.hash = sha256.Sum256(data)
	s.src = slices.Clone(data)
}

// ShareSource gives s the file's bytes and hash of from (a sweep point's
// scenario has its file's).
func (s *Scenario) ShareSource(from *Scenario) { s.hash, s.src = from.hash, from.src }

// Root returns the parsed document (sweeps set paths in a copy of it).
func (s *Scenario) Root() *yaml.Node { return s.root }

// ValueJSON returns the parameter value as JSON, its literal text kept.
func (pe *ParamEvent) ValueJSON() string {
	var p Problems
	var b strings.Builder
	NodeJSON(&p, &pe.Value, "value", &b)
	return b.String()
}

// Source returns the scenario file's bytes (a sweep point's scenario

// returns its file's): Parse(s.Source(), s.File()) gives the scenario
// again, as a worker of a distributed sweep does.
func (s *Scenario) Source() []byte { return s.src }

// Hash returns the SHA-256 of the scenario file's bytes, in hex (a sweep
// point's scenario has its file's hash).
func (s *Scenario) Hash() string { return hex.EncodeToString(s.hash[:]) }

// File returns the file the scenario was read from.
func (s *Scenario) File() string { return s.file }

const (
	defaultEpochLength = 24 * time.Hour
	defaultBlockSize   = 32
	MaxEpochs          = 1_000_000  // epochs per run
	MaxAgents          = 10_000_000 // agents in all populations together
	MaxFeeds           = 64         // oracle feeds
)

// KnownModules are the modules a scenario may list after the built-in
// ones.
var KnownModules = []string{"tokenomics", "contribution", "governance"}

var defaultGenesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// applyDefaults fills fields left out.
func (s *Scenario) applyDefaults() {
	if s.Runs == 0 {
		s.Runs = 1
	}
	if s.EpochLength == 0 {
		s.EpochLength = defaultEpochLength
	}
	if s.BlockSize == 0 {
		s.BlockSize = defaultBlockSize
	}
	if len(s.Modules) == 0 {
		s.Modules = []string{"tokenomics"}
	}
	if s.Genesis.ChainID == "" {
		s.Genesis.ChainID = "sim"
	}
	if s.Genesis.GenesisTime.IsZero() {
		s.Genesis.GenesisTime = defaultGenesisTime
	}
	if len(s.Genesis.Assets) == 0 {
		s.Genesis.Assets = []AssetSpec{{ID: "COOP", Name: "Coopera", Decimals: 6}}
	}
	if s.Price.Model == "" {
		s.Price.Model = "constant"
	}
	if s.Price.Initial == 0 && s.Price.Model != "path" {
		s.Price.Initial = One
	}
	if s.Price.Floor == 0 {
		s.Price.Floor = MustDec("0.000001")
	}
	if s.Oracle.Feeds == 0 {
		s.Oracle.Feeds = 1
	}
	for i := range s.Events {
		if e := s.Events[i].Params; e != nil {
			if e.Module == "" {
				e.Module = "tokenomics"
			}
			if e.Via == "" {
				e.Via = "direct"
			}
		}
		if e := s.Events[i].Oracle; e != nil && e.Feeds == 0 {
			e.Feeds = 1
		}
	}
}

// Line returns the line of the field at a dotted path of the document (its
// key's line), of the deepest part of the path that exists, or 0.
func (s *Scenario) Line(path string) int {
	line, _ := s.lookup(path)
	return line
}

// given reports whether the document gives path a value (not a default).
func (s *Scenario) given(path string) bool {
	_, n := s.lookup(path)
	return n != nil
}

// lookup returns the line of path, or of its deepest part the document
// has, and path's node if it has it.
func (s *Scenario) lookup(path string) (int, *yaml.Node) {
	if s.root == nil {
		return 0, nil
	}
	segs, err := SplitPath(path)
	if err != nil {
		return 0, nil
	}
	n := ResolveAlias(s.root)
	line := n.Line
	for _, seg := range segs {
		switch {
		case n == nil:
			return line, nil
		case seg.Index >= 0 && n.Kind == yaml.SequenceNode && seg.Index < len(n.Content):
			n = ResolveAlias(n.Content[seg.Index])
			line = n.Line
		case seg.Index < 0 && n.Kind == yaml.MappingNode:
			var next *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == seg.Key {
					next, line = ResolveAlias(n.Content[j+1]), n.Content[j].Line
				}
			}
			if next == nil {
				return line, nil
			}
			n = next
		default:
			return line, nil
		}
	}
	return line, n
}

// validate checks what needs no chain; problems go to p.
func (s *Scenario) validate(p *Problems) {
	bad := func(path, format string, args ...any) { p.Add(s.Line(path), path, format, args...) }
	// A zero the file gives is not a field left out: defaults would turn
	// it into another scenario (a sweep point of 0 running as the default).
	for _, z := range []struct {
		path string
		zero bool
		want string
	}{
		{"runs", s.Runs == 0, "give 1 to 1000000"},
		{"block_size", s.BlockSize == 0, "give 1 to 65536 commands per block"},
		{"oracle.feeds", s.Oracle.Feeds == 0, fmt.Sprintf("give 1 to %d", MaxFeeds)},
		{"price.initial", s.Price.Initial == 0 && s.Price.Model != "path", "give the starting price in USD per token, above 0"},
		{"epoch_length", s.EpochLength == 0, "at least 1m"},
	} {
		if z.zero && s.given(z.path) {
			bad(z.path, "0; %s", z.want)
		}
	}
	s.applyDefaults()
	if s.Name == "" {
		bad("name", "is missing; name the scenario")
	}
	if s.Runs < 0 || s.Runs > 1_000_000 {
		bad("runs", "%d; give 1 to 1000000", s.Runs)
	}
	if s.Epochs <= 0 || s.Epochs > MaxEpochs {
		bad("epochs", "%d; give 1 to %d", s.Epochs, MaxEpochs)
	}
	if s.EpochLength < time.Minute {
		bad("epoch_length", "%s; at least 1m", s.EpochLength)
	}
	if s.BlockSize < 1 || s.BlockSize > 1<<16 {
		bad("block_size", "%d; give 1 to 65536 commands per block", s.BlockSize)
	}
	if s.Epochs > 0 && s.Epochs <= MaxEpochs && s.EpochLength >= time.Minute {
		if path, msg := s.SpanProblem(s.Epochs); path != "" {
			bad(path, "%s", msg)
		}
	}
	for i, m := range s.Modules {
		if !slices.Contains(KnownModules, m) {
			bad(fmt.Sprintf("modules[%d]", i), "unknown module %q; modules: %s", m, strings.Join(KnownModules, ", "))
		}
		if slices.Contains(s.Modules[:i], m) {
			bad(fmt.Sprintf("modules[%d]", i), "%s is listed twice", m)
		}
	}
	if !slices.Contains(s.Modules, "tokenomics") {
		bad("modules", "must include tokenomics: the simulator drives its economy")
	}
	s.validatePrice(bad)
	if s.Oracle.Feeds < 1 || s.Oracle.Feeds > MaxFeeds {
		bad("oracle.feeds", "%d; give 1 to %d", s.Oracle.Feeds, MaxFeeds)
	}
	if s.Oracle.Noise < 0 || s.Oracle.Noise >= One {
		bad("oracle.noise", "%s; give 0 to below 1", s.Oracle.Noise)
	}
	if len(s.Populations) == 0 {
		bad("populations", "no populations; add consumers, providers, stakers, creators or traders")
	}
	total := 0
	for _, pop := range s.Populations {
		if pop.Count < 0 || pop.Count > MaxAgents {
			bad(pop.path+".count", "%d; give 0 to %d", pop.Count, MaxAgents)
		}
		total += pop.Count
	}
	if total > MaxAgents {
		bad("populations", "%d agents in all; at most %d", total, MaxAgents)
	}
	s.validateEvents(bad)
	s.validateSweep(bad)
}

// Block times are nanoseconds since 1970 in 64 bits (the ledger's clock):
// from 1970 to April 2262. A time outside it cannot be represented, and
// arithmetic past it wraps silently into times decades away.
var (
	minClock = time.Unix(0, 0).UTC()
	maxClock = time.Unix(0, math.MaxInt64).UTC()
)

// SpanProblem reports, as the field to change and what is wrong, a run of
// epochs epochs whose block times would leave the ledger's clock: a
// genesis_time before 1970 or after April 2262, or an end (the start of
// the epoch after the last, where its close falls) past April 2262. It
// returns "" when the run fits. Options that override a scenario's epochs
// check them with it too.
func (s *Scenario) SpanProblem(epochs int) (path, msg string) {
	g := s.Genesis.GenesisTime
	if g.Before(minClock) || g.After(maxClock) {
		return "genesis.genesis_time", fmt.Sprintf("%s; give a time from 1970 to 2262 (block times are nanoseconds since 1970 in 64 bits)", g.Format(time.RFC3339))
	}
	// The close of the epoch after the last, and a minute of margin for
	// the blocks within an epoch.
	room := (math.MaxInt64 - g.UnixNano() - int64(time.Minute)) / int64(epochs+1)
	if int64(s.EpochLength) > room {
		return "epochs", fmt.Sprintf("%d epochs of %s from %s end after April 2262, where block times (nanoseconds since 1970 in 64 bits) end; give fewer or shorter epochs, or an earlier genesis_time", epochs, s.EpochLength, g.Format(time.RFC3339))
	}
	return "", ""
}

func (s *Scenario) validatePrice(bad func(path, format string, args ...any)) {
	pr := &s.Price
	switch pr.Model {
	case "constant", "gbm", "market":
		if pr.Initial <= 0 {
			bad("price.initial", "give the starting price in USD per token, above 0")
		}
	case "path":
		if len(pr.Path) == 0 {
			bad("price.path", "the path model needs a list of prices, one per epoch")
		}
		for i, v := range pr.Path {
			if v <= 0 {
				bad(fmt.Sprintf("price.path[%d]", i), "%s; prices must be above 0", v)
			}
		}
		if pr.Initial != 0 && len(pr.Path) > 0 && pr.Initial != pr.Path[0] {
			bad("price.initial", "the path model starts at path[0]; leave initial out")
		}
	default:
		bad("price.model", "unknown model %q; use constant, path, gbm or market", pr.Model)
	}
	if pr.Model != "gbm" && (pr.Drift != 0 || pr.Volatility != 0) {
		bad("price", "drift and volatility are for the gbm model")
	}
	if pr.Model != "path" && len(pr.Path) > 0 {
		bad("price.path", "is for the path model")
	}
	if pr.Volatility < 0 || pr.Volatility > 10*One {
		bad("price.volatility", "%s; give 0 to 10 (1000%% a year)", pr.Volatility)
	}
	if pr.Drift < -10*One || pr.Drift > 10*One {
		bad("price.drift", "%s; give -10 to 10 a year", pr.Drift)
	}
	if pr.Floor < MustDec("0.000001") {
		bad("price.floor", "%s; at least 0.000001 (one micro-USD)", pr.Floor)
	}
	if pr.Model != "path" && pr.Initial > 0 && pr.Initial < MustDec("0.000001") {
		bad("price.initial", "%s is below one micro-USD", pr.Initial)
	}
	// Prices are whole micro-USD: a finer one was cut to the micro-USD
	// below (0.0000019 ran as 0.000001).
	micro := func(path string, v Dec) {
		if v%1000 != 0 {
			bad(path, "%s has more than 6 decimal places; prices are whole micro-USD", v)
		}
	}
	micro("price.initial", pr.Initial)
	micro("price.floor", pr.Floor)
	for i, v := range pr.Path {
		micro(fmt.Sprintf("price.path[%d]", i), v)
		if v > 0 && v < pr.Floor {
			bad(fmt.Sprintf("price.path[%d]", i), "%s is below price.floor %s, which the price never goes under", v, pr.Floor)
		}
	}
	if pr.Model != "path" && pr.Initial > 0 && pr.Floor > pr.Initial {
		// The whole run went at the floor.
		bad("price.floor", "%s is above price.initial %s; the price never goes under the floor, so it would start there", pr.Floor, pr.Initial)
	}
}

func (s *Scenario) validateEvents(bad func(path, format string, args ...any)) {
	for i, e := range s.Events {
		path := fmt.Sprintf("events[%d]", i)
		kinds := 0
		for _, set := range []bool{e.Params != nil, e.Demand != nil, e.Oracle != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			bad(path, "give exactly one of params, demand or oracle")
			continue
		}
		if e.At < 0 || e.At >= s.Epochs && s.Epochs > 0 {
			bad(path+".at", "epoch %d is outside the run's epochs 0..%d", e.At, s.Epochs-1)
		}
		if e.Until != 0 && e.Until <= e.At {
			bad(path+".until", "%d is not after at %d", e.Until, e.At)
		}
		switch {
		case e.Params != nil:
			pe := e.Params
			if e.Until != 0 {
				bad(path+".until", "a parameter change lasts; schedule another change to undo it")
			}
			if pe.Name == "" {
				bad(path+".params.name", "is missing; name the parameter, such as fee_bps")
			}
			if IsNull(&pe.Value) {
				bad(path+".params.value", "is missing")
			}
			if !slices.Contains(s.Modules, pe.Module) {
				bad(path+".params.module", "module %q is not in modules %v", pe.Module, s.Modules)
			}
			for _, f := range []struct {
				name string
				v    *Dec
			}{{"turnout", pe.Turnout}, {"support", pe.Support}} {
				if f.v != nil && (*f.v < 0 || *f.v > One) {
					bad(path+".params."+f.name, "%s; give 0 to 1", *f.v)
				}
				if f.v != nil && pe.Via != "governance" {
					bad(path+".params."+f.name, "is for via: governance")
				}
			}
			for j, v := range pe.Voters {
				if !slices.ContainsFunc(s.Populations, func(p *Population) bool { return p.Name == v }) {
					bad(fmt.Sprintf("%s.params.voters[%d]", path, j), "no population %q", v)
				}
			}
			switch pe.Via {
			case "direct":
			case "governance":
				if !slices.Contains(s.Modules, "governance") {
					bad(path+".params.via", "governance needs the governance module in modules")
				}
			default:
				bad(path+".params.via", "%q; use direct or governance", pe.Via)
			}
		case e.Demand != nil:
			if e.Demand.Factor < 0 {
				bad(path+".demand.factor", "%s; demand cannot be negative", e.Demand.Factor)
			}
			if e.Demand.Population != "" && !slices.ContainsFunc(s.Populations, func(p *Population) bool { return p.Name == e.Demand.Population }) {
				bad(path+".demand.population", "no population %q", e.Demand.Population)
			}
		case e.Oracle != nil:
			if e.Oracle.Factor <= 0 {
				bad(path+".oracle.factor", "give the factor the manipulated feeds apply to the price, above 0")
			}
			if e.Oracle.Feeds < 1 || e.Oracle.Feeds > s.Oracle.Feeds {
				bad(path+".oracle.feeds", "%d; between 1 and the %d feeds of oracle.feeds", e.Oracle.Feeds, s.Oracle.Feeds)
			}
		}
	}
}

func (s *Scenario) validateSweep(bad func(path, format string, args ...any)) {
	if s.Sweep == nil {
		return
	}
	zipLen := -1
	for i, sp := range s.Sweep.Zip {
		if zipLen >= 0 && len(sp.Values) != zipLen {
			bad(fmt.Sprintf("sweep.zip[%d].values", i), "has %d values, sweep.zip[0] has %d; zipped lists must have the same length", len(sp.Values), zipLen)
		}
		zipLen = len(sp.Values)
	}
	points := 1
	for _, group := range []struct {
		kind string
		list []SweepParam
	}{{"grid", s.Sweep.Grid}, {"zip", s.Sweep.Zip}} {
		for i, sp := range group.list {
			path := fmt.Sprintf("sweep.%s[%d]", group.kind, i)
			if sp.Path == "" {
				bad(path+".path", "is missing")
			} else if _, err := SplitPath(sp.Path); err != nil {
				bad(path+".path", "%v", err)
			} else if strings.HasPrefix(sp.Path, "sweep") {
				bad(path+".path", "cannot sweep the sweep")
			}
			if len(sp.Values) == 0 {
				bad(path+".values", "give at least one value")
			}
		}
	}
	for _, sp := range s.Sweep.Grid {
		points *= max(1, len(sp.Values))
		if points > 100_000 {
			bad("sweep", "more than 100000 points")
			return
		}
	}
	if zipLen > 0 {
		points *= zipLen
	}
	if points > 100_000 {
		bad("sweep", "more than 100000 points")
	}
}
