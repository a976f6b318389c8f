package sim

import (
	"encoding/json"
	"fmt"
	"github.com/coopera/coopera/sim/agents"
	"github.com/coopera/coopera/sim/scenario"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/control"
	"github.com/coopera/coopera/tokenomics"
)

// Accounts the simulator adds to every chain.
const (
	feedPrefix = "sim-feed-"
)

// FeedAccount returns the account of oracle feed i.
func FeedAccount(i int) ledger.AccountID { return ledger.AccountID(feedPrefix + strconv.Itoa(i)) }

// compiled is a validated scenario made ready to run: shared, read-only,
// by every run.
type compiled struct {
	sc        *Scenario
	native    ledger.AssetID
	decimals  uint8
	genesis   *ledger.Genesis
	modules   []ledger.Module
	machine   *ledger.Machine
	pops      []*popSpec
	agents    bool               // the agents' accounts are listed (a run's compilation; validation's has none)
	holders   []ledger.AccountID // accounts whose balances the concentration metrics cover
	feeds     []ledger.AccountID
	columns   []column
	gov       *govSetup // nil without the governance module
	epochsYr  int64
	inventory ledger.Amount
	priceInit int64 // micro-USD
	floor     int64 // micro-USD
	path      []int64
}

type popSpec struct {
	pop       *Population
	behaviour string
	factory   Factory
	accounts  []ledger.AccountID
	balance   ledger.Amount
	metrics   []MetricInfo // from Measurer
	seedTag   uint64
	escrow    ledger.AccountID // a vesting escrow the behaviour asked for (Spec.Escrow)
	escrowAmt ledger.Amount    // funded at genesis
}

func (c *compiled) spec(ps *popSpec, p *scenario.Problems, validating bool) *Spec {
	names := make([]string, len(c.sc.Populations))
	for i, pop := range c.sc.Populations {
		names[i] = pop.Name
	}
	var escrow func(ledger.AccountID, ledger.Amount)
	if validating {
		escrow = func(id ledger.AccountID, amount ledger.Amount) { ps.escrow, ps.escrowAmt = id, amount }
	}
	return agents.NewSpec(Spec{
		Name: ps.pop.Name, Count: ps.pop.Count, Accounts: ps.accounts, Balance: ps.balance,
		Native: c.native, Decimals: c.decimals, Epochs: c.sc.Epochs, EpochLength: c.sc.EpochLength, EpochsYear: c.epochsYr,
		Modules:     slices.Clone(c.sc.Modules),
		Populations: names,
	}, c.sc.Scenario, ps.pop, p, escrow)
}

// compile compiles a scenario. Validation compiles it without its agents
// (agents false): no account is listed per agent, and the genesis it
// checks holds only the agents the scenario names (and each population's
// first), the rest of a population's balances allocated to its first
// agent, so that checking a scenario of ten million agents takes no
// longer than one of ten. A run compiles it once with its agents
// (Scenario.compiled), the genesis every run applies.
func compile(s *Scenario, p *scenario.Problems, agents bool) *compiled {
	bad := func(path, format string, args ...any) { p.Add(s.Line(path), path, format, args...) }
	c := &compiled{sc: s, agents: agents}
	c.epochsYr = int64(365 * 24 * time.Hour / max(s.EpochLength, time.Minute))
	if c.epochsYr < 1 {
		c.epochsYr = 1
	}

	// The native asset and its decimals.
	c.native = "COOP"
	if tp := paramNode(&s.Genesis.Params, "tokenomics"); tp != nil {
		if v := mapValue(tp, "native_asset"); v != nil && v.Kind == yaml.ScalarNode {
			c.native = ledger.AssetID(v.Value)
		}
	}
	found := false
	for _, a := range s.Genesis.Assets {
		if ledger.AssetID(a.ID) == c.native {
			c.decimals, found = a.Decimals, true
		}
	}
	if !found {
		bad("genesis.assets", "the native asset %s is not declared", c.native)
		return nil
	}

	// Prices in micro-USD.
	toMicro := func(d Dec) int64 { return int64(d) / 1000 }
	c.priceInit, c.floor = toMicro(s.Price.Initial), max(1, toMicro(s.Price.Floor))
	for _, v := range s.Price.Path {
		c.path = append(c.path, max(1, toMicro(v)))
	}
	if s.Price.Model == "path" && len(c.path) > 0 {
		c.priceInit = c.path[0]
	}
	inv, err := s.Market.Inventory.Units(c.decimals)
	if err != nil {
		bad("market.inventory", "%v", err)
	} else if inv.IsZero() && s.Price.Model == "market" {
		// The market model prices trades on a pool of the inventory and
		// its value at the initial price: an empty one gave every sale
		// nothing and sent the price to its floor.
		bad("market.inventory", "0; the market price model trades against the exchange's inventory: give the whole tokens it holds at genesis")
	}
	c.inventory = inv

	// Accounts: the scenario's, then the simulator's.
	taken := map[ledger.AccountID]string{}
	claim := func(id ledger.AccountID, path string) {
		if prev, ok := taken[id]; ok {
			bad(path, "account %s is also %s", id, prev)
		}
		taken[id] = path
	}
	for i, a := range s.Genesis.Accounts {
		claim(ledger.AccountID(a.ID), fmt.Sprintf("genesis.accounts[%d]", i))
		c.holders = append(c.holders, ledger.AccountID(a.ID))
	}
	claim(ExchangeAccount, "the exchange")
	claim(OperatorAccount, "the operator")
	for i := range min(max(s.Oracle.Feeds, 0), maxFeeds) { // an out-of-range count is already reported
		c.feeds = append(c.feeds, FeedAccount(i))
		claim(FeedAccount(i), "an oracle feed")
	}
	for _, pop := range s.Populations {
		ps := &popSpec{pop: pop, behaviour: behaviourName(pop), seedTag: nameTag(pop.Name)}
		f, ok := lookupBehaviour(ps.behaviour)
		if !ok {
			path := pop.Path() + ".behaviour"
			if pop.Behaviour == "" {
				path = pop.Path()
			}
			bad(path, "unknown behaviour %q; behaviours: %s", ps.behaviour, strings.Join(Behaviours(), ", "))
			continue
		}
		ps.factory = f
		if ps.balance, err = pop.Balance.Units(c.decimals); err != nil {
			bad(pop.Path()+".balance", "%v", err)
		}
		if agents {
			ps.accounts = make([]ledger.AccountID, min(max(pop.Count, 0), maxAgents))
			for j := range ps.accounts {
				ps.accounts[j] = agentAccount(pop.Name, j)
			}
			c.holders = append(c.holders, ps.accounts...)
		}
		c.pops = append(c.pops, ps)
	}
	// An agent's account ("<population>-<i>") cannot be another
	// population's, so only the accounts taken above can collide with one;
	// validation finds the first collision without listing the agents.
	for _, ps := range c.pops {
		first, prev := -1, ""
		for id, p := range taken {
			if j, ok := agentIndex(ps.pop, id); ok && (first < 0 || j < first) {
				first, prev = j, p
			}
		}
		if first >= 0 {
			bad(ps.pop.Path(), "its account %s is also %s", agentAccount(ps.pop.Name, first), prev)
			return nil
		}
	}

	// Behaviours: decode and check their fields.
	for _, ps := range c.pops {
		before := len(p.List)
		sp := c.spec(ps, p, true)
		b, err := ps.factory(sp)
		if err != nil && len(p.List) == before {
			p.Add(ps.pop.Line(), ps.pop.Path(), "%v", err)
		}
		if m, ok := b.(Measurer); ok && err == nil {
			ps.metrics = m.Metrics()
		}
	}

	// A demand event scales what a population reads through
	// Env.DemandFactor: consumers, or a behaviour of one's own. On a
	// built-in behaviour that reads no demand it would change nothing.
	for i, ev := range s.Events {
		if ev.Demand == nil || ev.Demand.Population == "" {
			continue
		}
		for _, ps := range c.pops {
			if ps.pop.Name == ev.Demand.Population && slices.Contains(readsNoDemand, ps.behaviour) {
				bad(fmt.Sprintf("events[%d].demand.population", i), "population %s has behaviour %s, which has no demand to scale; name a population of behaviour consumer", ps.pop.Name, ps.behaviour)
			}
		}
	}

	st := c.buildGenesis(p, bad)
	c.buildColumns(bad)
	if st != nil {
		c.checkColumns(st, bad)
	}
	if len(p.List) > 0 {
		return nil
	}
	return c
}

// readsNoDemand are the built-in behaviours that read no demand factor.
var readsNoDemand = []string{"creator", "provider", "staker", "trader", "vesting"}

// agentAccount returns the account of agent j of a population.
func agentAccount(pop string, j int) ledger.AccountID {
	return ledger.AccountID(pop + "-" + strconv.Itoa(j))
}

// agentIndex returns j when id is agent j of pop ("<name>-<j>", j written
// as strconv.Itoa writes it, below the population's count).
func agentIndex(pop *Population, id ledger.AccountID) (int, bool) {
	rest, ok := strings.CutPrefix(string(id), pop.Name+"-")
	if !ok || rest == "" || len(rest) > 8 || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	j := 0
	for _, r := range rest {
		if r < '0' || r > '9' {
			return 0, false
		}
		j = j*10 + int(r-'0')
	}
	return j, j < min(pop.Count, maxAgents)
}

// probeAgents adds to validation's genesis, population by population, the
// agents the scenario names in its genesis (allocations and module
// parameters) and the first agent, each with its balance, and allocates
// the balances of the agents left out to the first: the genesis holds
// every account the scenario refers to and the same supply as a run's,
// so that the modules check it as they check the full one. (Were the
// population's total balance past the largest amount, the first agent is
// given the largest amount and its own balance, which the ledger refuses
// as a run's genesis would be.)
func (c *compiled) probeAgents(g *ledger.Genesis) {
	named := map[ledger.AccountID]bool{}
	for _, a := range c.sc.Genesis.Allocations {
		named[ledger.AccountID(a.Account)] = true
	}
	walkScalars(&c.sc.Genesis.Params, func(v string) { named[ledger.AccountID(v)] = true })
	for _, ps := range c.pops {
		n := min(max(ps.pop.Count, 0), maxAgents)
		if n == 0 {
			continue
		}
		idx := []int{0}
		for id := range named {
			if j, ok := agentIndex(ps.pop, id); ok && j > 0 {
				idx = append(idx, j)
			}
		}
		slices.Sort(idx)
		for _, j := range idx {
			id := agentAccount(ps.pop.Name, j)
			g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: id})
			if !ps.balance.IsZero() {
				g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: id, Asset: c.native, Amount: ps.balance})
			}
		}
		if ps.balance.IsZero() || n == len(idx) {
			continue
		}
		first := agentAccount(ps.pop.Name, 0)
		rest := new(big.Int).Mul(ps.balance.Big(), big.NewInt(int64(n-len(idx))))
		if amt, ok := ledger.AmountFromBig(rest); ok {
			g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: first, Asset: c.native, Amount: amt})
		} else {
			largest, _ := ledger.AmountFromBig(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)))
			g.Allocations = append(g.Allocations,
				ledger.GenesisAllocation{Account: first, Asset: c.native, Amount: largest},
				ledger.GenesisAllocation{Account: first, Asset: c.native, Amount: ps.balance})
		}
	}
}

// walkScalars calls f with the value of every scalar under n, aliases
// followed (their expansion is bounded by MaxScenarioNodes).
func walkScalars(n *yaml.Node, f func(string)) {
	n = scenario.ResolveAlias(n)
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		f(n.Value)
		return
	}
	for _, k := range n.Content {
		walkScalars(k, f)
	}
}

// paramNode returns the mapping of a module's genesis parameters.
func paramNode(params *yaml.Node, module string) *yaml.Node {
	n := scenario.ResolveAlias(params)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return mapValue(n, module)
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	n = scenario.ResolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return scenario.ResolveAlias(n.Content[i+1])
		}
	}
	return nil
}

var errPrefixRE = regexp.MustCompile(`coopera: [a-z_]+: `)

var genesisPathRE = regexp.MustCompile(`^(params\.[a-z_]+|assets\[\d+\]\.[a-z_]+|accounts\[\d+\]\.[a-z_]+|allocations\[\d+\](\.[a-z_]+)?|[a-z_]+): (.*)$`)

// buildGenesis builds the chain's genesis and checks it against the
// modules; it returns the genesis state, nil if the genesis is invalid.
func (c *compiled) buildGenesis(p *scenario.Problems, bad func(path, format string, args ...any)) *ledger.State {
	s := c.sc
	g := &ledger.Genesis{
		ChainID:     s.Genesis.ChainID,
		GenesisTime: s.Genesis.GenesisTime,
		EpochLength: ledger.Duration(s.EpochLength),
	}
	for _, a := range s.Genesis.Assets {
		g.Assets = append(g.Assets, ledger.GenesisAsset{ID: ledger.AssetID(a.ID), Name: a.Name, Decimals: a.Decimals})
	}
	for _, a := range s.Genesis.Accounts {
		g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: ledger.AccountID(a.ID)})
	}
	for i, a := range s.Genesis.Allocations {
		path := fmt.Sprintf("genesis.allocations[%d].amount", i)
		amt, err := ledger.ParseAmount(a.Amount)
		if err != nil {
			bad(path, "%v (amounts are base units)", err)
			continue
		}
		asset := ledger.AssetID(a.Asset)
		if asset == "" {
			asset = c.native
		}
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: ledger.AccountID(a.Account), Asset: asset, Amount: amt})
	}
	g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: ExchangeAccount}, ledger.GenesisAccount{ID: OperatorAccount})
	for _, f := range c.feeds {
		g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: f})
	}
	if !c.inventory.IsZero() {
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: ExchangeAccount, Asset: c.native, Amount: c.inventory})
	}
	for _, e := range c.escrows() {
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: e.escrow, Asset: c.native, Amount: e.escrowAmt})
	}
	if c.agents {
		for _, ps := range c.pops {
			for _, id := range ps.accounts {
				g.Accounts = append(g.Accounts, ledger.GenesisAccount{ID: id})
				if !ps.balance.IsZero() {
					g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: id, Asset: c.native, Amount: ps.balance})
				}
			}
		}
	} else {
		c.probeAgents(g)
	}
	// The tables hold amounts exactly, as 64-bit integers of base units
	// (ErrAmountRange): a genesis supply beyond them could never be.
	supply := new(big.Int)
	for _, a := range g.Allocations {
		if a.Asset == c.native {
			supply.Add(supply, a.Amount.Big())
		}
	}
	if !supply.IsInt64() {
		bad("genesis.allocations", "the native supply at genesis is %s base units of %s (%d decimals), above 2^63-1, the largest amount the tables hold exactly; declare the asset with fewer decimals, or allocate less (market.inventory and the populations' balances count too)", supply, c.native, c.decimals)
	}

	// Parameters: the scenario's, with the simulator's oracle feeds.
	params := scenario.CloneNode(&s.Genesis.Params)
	if scenario.IsNull(params) {
		params = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	if params.Kind != yaml.MappingNode {
		bad("genesis.params", "want a mapping of module name to parameters, got %s", scenario.Describe(params))
		return nil
	}
	tp := mapValue(params, "tokenomics")
	if tp == nil {
		tp = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "tokenomics"}, tp)
	}
	if tp.Kind != yaml.MappingNode && !scenario.IsNull(tp) {
		bad("genesis.params.tokenomics", "want a mapping of parameters, got %s", scenario.Describe(tp))
		return nil
	}
	if tp.Kind != yaml.MappingNode {
		*tp = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	if mapValue(tp, "oracle_feeds") != nil {
		bad("genesis.params.tokenomics.oracle_feeds", "is set by the simulator from oracle.feeds (accounts %s...); remove it", FeedAccount(0))
		return nil
	}
	feeds := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, f := range c.feeds {
		feeds.Content = append(feeds.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(f)})
	}
	tp.Content = append(tp.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "oracle_feeds"}, feeds)
	if mapValue(tp, "usage_reporters") == nil {
		// The operator submits the consumers' usage in settlements
		// (batch.go). A scenario that names its own reporters keeps them,
		// and its usage as separate record_usage commands.
		tp.Content = append(tp.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "usage_reporters"},
			&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(OperatorAccount)}}})
	}
	if slices.Contains(s.Modules, "contribution") {
		// The operator meters providers' work for contribution.
		cp := mapValue(params, "contribution")
		if cp == nil {
			cp = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "contribution"}, cp)
		}
		if cp.Kind == yaml.MappingNode && mapValue(cp, "reporters") == nil {
			cp.Content = append(cp.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "reporters"},
				&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(OperatorAccount)}}})
		}
	}
	if slices.Contains(s.Modules, "governance") {
		c.gov = newGovSetup(c, params, bad)
		if c.gov == nil {
			return nil
		}
	}
	g.Params = map[string]json.RawMessage{}
	for i := 0; i+1 < len(params.Content); i += 2 {
		name := params.Content[i].Value
		if !slices.Contains(s.Modules, name) {
			bad("genesis.params."+name, "module %s is not in modules %v", name, s.Modules)
			continue
		}
		var b strings.Builder
		if !scenario.NodeJSON(p, params.Content[i+1], "genesis.params."+name, &b) {
			continue
		}
		g.Params[name] = json.RawMessage(b.String())
	}
	if len(p.List) > 0 {
		return nil
	}
	c.genesis = g
	c.modules = c.buildModules()
	m, err := ledger.NewMachine(c.modules...)
	if err != nil {
		bad("modules", "%v", err)
		return nil
	}
	c.machine = m

	// Apply genesis once: the modules validate their parameters.
	st := ledger.NewState(ledger.NewMemStore())
	var acc ledger.LtHash
	if _, err := m.GenesisBlock(st, g, &acc); err != nil {
		msg := err.Error()
		if le, ok := err.(*ledger.Error); ok {
			msg = le.Msg
		}
		msg = errPrefixRE.ReplaceAllString(msg, "")
		path := "genesis"
		if sm := genesisPathRE.FindStringSubmatch(msg); sm != nil {
			path, msg = "genesis."+sm[1], sm[3]
		}
		bad(path, "%s", msg)
		return nil
	}
	if _, err := tokenomics.ParamsAt(st, 0); err != nil {
		bad("genesis.params.tokenomics", "%v", err)
	}
	// Scheduled parameter changes must be valid against the genesis
	// parameters (their module's SetParam checks name and bounds).
	for i, ev := range s.Events {
		pe := ev.Params
		if pe == nil {
			continue
		}
		path := fmt.Sprintf("events[%d].params", i)
		pm, ok := m.Parameterized(pe.Module)
		if !ok {
			bad(path+".module", "module %s has no governable parameters", pe.Module)
			continue
		}
		enc, err := ledger.ParamsAt(st, pe.Module, 0)
		if err != nil {
			bad(path+".module", "%v", err)
			continue
		}
		v, err := paramJSON(pe)
		if err != nil {
			bad(path+".value", "%v", err)
			continue
		}
		if _, err := pm.SetParam(enc, pe.Name, v); err != nil {
			msg := err.Error()
			if le, ok := err.(*ledger.Error); ok {
				msg = le.Msg
			}
			msg = errPrefixRE.ReplaceAllString(msg, "")
			field := ".value"
			if strings.Contains(msg, "has no parameter") {
				field = ".name"
			}
			bad(path+field, "%s", msg)
		}
	}
	return st
}

func (c *compiled) buildModules() []ledger.Module {
	var mods []ledger.Module
	for _, name := range c.sc.Modules {
		switch name {
		case "tokenomics":
			mods = append(mods, tokenomics.Module{})
		case "contribution":
			mods = append(mods, contribution.New(economy.OraclePrice{}))
		case "governance":
			mods = append(mods, c.gov.module())
		}
	}
	if c.needsControl() {
		var escrows []ledger.AccountID
		for _, ps := range c.escrows() {
			escrows = append(escrows, ps.escrow)
		}
		mods = append(mods, control.Module{Operator: OperatorAccount, Escrows: escrows})
	}
	return mods
}

// escrows returns the populations with a funded vesting escrow.
func (c *compiled) escrows() []*popSpec {
	var out []*popSpec
	for _, ps := range c.pops {
		if ps.escrow != "" && !ps.escrowAmt.IsZero() {
			out = append(out, ps)
		}
	}
	return out
}

// needsControl reports whether a direct parameter change is scheduled or
// a vesting escrow is funded.
func (c *compiled) needsControl() bool {
	if len(c.escrows()) > 0 {
		return true
	}
	for _, e := range c.sc.Events {
		if e.Params != nil && e.Params.Via == "direct" {
			return true
		}
	}
	return false
}

// LedgerGenesis returns the scenario's ledger genesis, with the
// simulator's accounts and allocations: the same for every run. Opening a
// ledger with it and LedgerModules reproduces a run's chain. It lists
// every agent, so it is built on first need (as for a run); nil if that
// fails, as a run would.
func (s *Scenario) LedgerGenesis() *ledger.Genesis {
	c, err := s.compiled()
	if err != nil {
		return nil
	}
	return c.genesis
}

// LedgerModules returns the modules a run's chain runs after the built-in
// ones, in order.
func (s *Scenario) LedgerModules() []ledger.Module { return slices.Clone(s.c.modules) }

// LedgerAdmitter returns the governance policy admitter the scenario's
// runs decide proposals with (over the scenario's policies), for an engine
// replaying a run's blocks; nil when the scenario has no governance.
func (s *Scenario) LedgerAdmitter() (*policy.Admitter, error) {
	if s.c.gov == nil {
		return nil, nil
	}
	return s.c.gov.admitter(s.c.modules)
}
