package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/coopera/coopera/sim/scenario"
	"maps"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/agents"
	"github.com/coopera/coopera/tokenomics"
)

// column is one metric of the tables.
type column struct {
	MetricInfo
	pop int // population index for a Measurer's metric, else -1
	idx int // index in the Measurer's metrics
	fn  func(r *run, m *measureScratch) int64
	ref *columnRef // what a balance:, supply: or param: column names
}

// columnRef is what an extra column names, checked against the genesis
// (checkColumns).
type columnRef struct {
	account       ledger.AccountID // balance:
	asset         ledger.AssetID   // balance: (its asset), supply:
	module, param string           // param:
}

// builtin is a built-in metric.
type builtin struct {
	MetricInfo
	fn func(r *run, m *measureScratch) int64
}

// ErrAmountRange is matched (errors.Is) by a run stopped because an
// amount it measured does not fit a table's 64-bit integers.
var ErrAmountRange = errors.New("sim: an amount exceeds the tables' 64-bit integers")

// amt returns a as a table value: base units (or micro-USD), exactly. An
// amount above 2^63-1 has no exact table value; amt notes it (clipped),
// and measure stops the run rather than write a wrong number.
func (m *measureScratch) amt(a ledger.Amount) int64 {
	v, ok := a.Uint64()
	if !ok || v > math.MaxInt64 {
		m.clipped, m.clippedAt = true, a
		return math.MaxInt64
	}
	return int64(v)
}

// builtins are the built-in metrics, in table order.
var builtins = []builtin{
	{MetricInfo{Name: "supply", Unit: UnitTokens, Doc: "native supply at the epoch's end: S(t+1) = S(t) - burned + minted"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.Supply) }},
	{MetricInfo{Name: "price", Unit: UnitPrice, Doc: "market price during the epoch"}, func(r *run, m *measureScratch) int64 { return m.acc.price }},
	{MetricInfo{Name: "oracle_price", Unit: UnitPrice, Doc: "price credits were bought at (min(median, TWAP)); missing when they could not be"}, func(r *run, m *measureScratch) int64 {
		if m.acc.creditPrice == 0 {
			return Missing
		}
		return m.acc.creditPrice
	}},
	{MetricInfo{Name: "burned", Unit: UnitTokens, Doc: "native burned in the epoch, B(t)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.Burned) }},
	{MetricInfo{Name: "minted", Unit: UnitTokens, Doc: "native minted in the epoch, M(t) = emission + re-mint"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.Minted) }},
	{MetricInfo{Name: "emission", Unit: UnitTokens, Doc: "the emission schedule's E(t)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.Emission) }},
	{MetricInfo{Name: "reminted", Unit: UnitTokens, Doc: "net-emission re-mint R(t) = min(smoothed burns, cap)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.Remint) }},
	{MetricInfo{Name: "staked", Unit: UnitTokens, Doc: "native staked in every pool"}, func(r *run, m *measureScratch) int64 { return m.amt(m.supply(r).Staked) }},
	{MetricInfo{Name: "unbonding", Unit: UnitTokens, Doc: "native waiting out unbonding"}, func(r *run, m *measureScratch) int64 { return m.amt(m.supply(r).Unbonding) }},
	{MetricInfo{Name: "locked", Unit: UnitTokens, Doc: "native locked (agent deposits, graduated liquidity)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.supply(r).Locked) }},
	{MetricInfo{Name: "treasury", Unit: UnitTokens, Doc: "native in the tokenomics treasury"}, func(r *run, m *measureScratch) int64 { return m.amt(m.supply(r).Treasury) }},
	{MetricInfo{Name: "circulating", Unit: UnitTokens, Doc: "native held by user accounts (the exchange's inventory included)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.supply(r).Circulating) }},
	{MetricInfo{Name: "exchange", Unit: UnitTokens, Doc: "the exchange's native inventory"}, func(r *run, m *measureScratch) int64 { return m.amt(r.nativeOf(ExchangeAccount)) }},
	{MetricInfo{Name: "credits_issued", Unit: UnitUSD, Doc: "credits bought in the epoch"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.CreditsIssued) }},
	{MetricInfo{Name: "credits_spent", Unit: UnitUSD, Doc: "credits spent on services in the epoch (the demand served, D)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.CreditsSpent) }},
	{MetricInfo{Name: "credits_outstanding", Unit: UnitUSD, Doc: "credits bought and not yet spent, at the epoch's end"}, func(r *run, m *measureScratch) int64 { return m.amt(m.rep.CreditsOutstand) }},
	{MetricInfo{Name: "demand", Unit: UnitUSD, Doc: "what consumers wanted to spend"}, func(r *run, m *measureScratch) int64 { return m.acc.demand }},
	{MetricInfo{Name: "provider_rewards", Unit: UnitTokens, Doc: "native the serving populations' accounts received at the close (minted, or from a module's pool)"}, func(r *run, m *measureScratch) int64 { return m.amt(m.providerRewards(r)) }},
	{MetricInfo{Name: "provider_revenue", Unit: UnitUSD, Doc: "provider_rewards at the epoch's market price"}, func(r *run, m *measureScratch) int64 {
		return agents.ValueOf(m.providerRewards(r), m.acc.price, r.c.decimals)
	}},
	{MetricInfo{Name: "staking_apr", Unit: UnitBps, Doc: "rewards credited to the protocol staking pool over the epoch, annualised, per unit of its native stake"}, func(r *run, m *measureScratch) int64 {
		info, err := tokenomics.PoolOf(r.getter(), tokenomics.ProtocolPool)
		if err != nil {
			return Missing
		}
		for _, a := range info.Assets {
			if a.Asset == r.c.native && !a.Amount.IsZero() {
				return bigSat(r.c.annualised(m.acc.poolRewards, a.Amount, 10000))
			}
		}
		return Missing
	}},
	{MetricInfo{Name: "equilibrium_price", Unit: UnitPrice, Doc: "P* = D / M: the price at which burns equal the mint; missing without demand or mint"}, func(r *run, m *measureScratch) int64 {
		return m.equilibrium(r)
	}},
	{MetricInfo{Name: "equilibrium_gap", Unit: UnitBps, Doc: "(price - P*) / P*"}, func(r *run, m *measureScratch) int64 {
		p := m.equilibrium(r)
		if p == Missing || p == 0 {
			return Missing
		}
		return scenario.MulDivSat(m.acc.price-p, 10000, p)
	}},
	{MetricInfo{Name: "hhi", Unit: UnitBps, Doc: "Herfindahl–Hirschman index of the holders' native balances (population agents and genesis accounts)"}, func(r *run, m *measureScratch) int64 { return m.concentration(r).hhi }},
	{MetricInfo{Name: "gini", Unit: UnitBps, Doc: "Gini coefficient of the holders' native balances (population agents and genesis accounts)"}, func(r *run, m *measureScratch) int64 { return m.concentration(r).gini }},
	{MetricInfo{Name: "market_buy_usd", Unit: UnitUSD, Doc: "USD consumers paid the exchange for the tokens they burned"}, func(r *run, m *measureScratch) int64 { return m.acc.boughtUSD }},
	{MetricInfo{Name: "market_sell_usd", Unit: UnitUSD, Doc: "USD the exchange paid for tokens sold to it"}, func(r *run, m *measureScratch) int64 { return m.acc.soldUSD }},
	{MetricInfo{Name: "agents", Unit: UnitCount, Doc: "agents created so far"}, func(r *run, m *measureScratch) int64 { return int64(len(r.agents)) }},
	{MetricInfo{Name: "commands", Unit: UnitCount, Doc: "commands submitted in the epoch (injected closes excluded)"}, func(r *run, m *measureScratch) int64 { return m.acc.commands }},
	{MetricInfo{Name: "rejected", Unit: UnitCount, Doc: "commands the reducers rejected in the epoch"}, func(r *run, m *measureScratch) int64 { return m.acc.rejected }},
}

// Metrics lists the built-in metrics, in table order.
func Metrics() []MetricInfo {
	out := make([]MetricInfo, len(builtins))
	for i, b := range builtins {
		out[i] = b.MetricInfo
	}
	return out
}

// annualised returns floor(scale * a / b * 365 days / epoch_length): a
// per-epoch ratio a year long, exactly (a whole number of epochs a year,
// 52 for weekly ones instead of 52.14, understated it).
func (c *compiled) annualised(a, b ledger.Amount, scale int64) *big.Int {
	if b.IsZero() {
		return new(big.Int)
	}
	n := new(big.Int).Mul(a.Big(), big.NewInt(scale))
	n.Mul(n, big.NewInt(int64(365*24*time.Hour)))
	d := new(big.Int).Mul(b.Big(), big.NewInt(int64(max(c.sc.EpochLength, time.Minute))))
	return n.Quo(n, d)
}

// ratio returns floor(a * scale / b) for b > 0.
func ratio(a, b ledger.Amount, scale int64) *big.Int {
	if b.IsZero() {
		return new(big.Int)
	}
	n := new(big.Int).Mul(a.Big(), big.NewInt(scale))
	return n.Quo(n, b.Big())
}

// measureScratch holds what a row's metrics share, computed on first use.
type measureScratch struct {
	acc             *epochAcc
	rep             *tokenomics.EpochReport
	sup             *tokenomics.SupplyBreakdown
	conc            *concentration
	provRewards     *ledger.Amount
	equil           *int64
	lastPoolRewards ledger.Amount
	balances        []ledger.Amount
	// clipped is set by amt when a measured amount has no table value
	// (clippedAt).
	clipped   bool
	clippedAt ledger.Amount
}

type concentration struct{ hhi, gini int64 }

func (m *measureScratch) supply(r *run) *tokenomics.SupplyBreakdown {
	if m.sup == nil {
		s, err := tokenomics.Supply(r.getter(), r.height)
		if err != nil {
			s = tokenomics.SupplyBreakdown{}
		}
		m.sup = &s
	}
	return m.sup
}

func (m *measureScratch) providerRewards(r *run) ledger.Amount {
	if m.provRewards == nil {
		var sum ledger.Amount
		for _, p := range r.pops {
			if _, ok := p.b.(Server); !ok {
				continue
			}
			for _, a := range p.spec.accounts {
				if v, ok := r.rewards[string(a)]; ok {
					sum, _ = sum.Add(v)
				}
			}
		}
		m.provRewards = &sum
	}
	return *m.provRewards
}

func (m *measureScratch) equilibrium(r *run) int64 {
	if m.equil == nil {
		v := Missing
		if !m.rep.Minted.IsZero() && !m.rep.CreditsSpent.IsZero() {
			// P* = D / M, in micro-USD per whole token.
			n := new(big.Int).Mul(m.rep.CreditsSpent.Big(), ledger.Pow10(r.c.decimals))
			n.Quo(n, m.rep.Minted.Big())
			v = bigSat(n)
		}
		m.equil = &v
	}
	return *m.equil
}

// concentration computes HHI and Gini over the holders' native balances,
// in basis points, exactly (concentrationOf).
func (m *measureScratch) concentration(r *run) *concentration {
	if m.conc != nil {
		return m.conc
	}
	m.balances = m.balances[:0]
	g := r.getter()
	for _, h := range r.c.holders {
		b, _ := ledger.BalanceOf(g, h, r.c.native)
		m.balances = append(m.balances, b)
	}
	c := concentrationOf(m.balances)
	m.conc = c
	return c
}

// concentrationOf computes HHI and Gini of balances, which it sorts, in
// basis points, exactly: in fixed width (192-bit sums) when every balance
// fits 64 bits, else with big integers; both give the same quotients.
func concentrationOf(balances []ledger.Amount) *concentration {
	slices.SortFunc(balances, func(a, b ledger.Amount) int { return a.Cmp(b) })
	n := int64(len(balances))
	if n == 0 {
		return &concentration{hhi: Missing, gini: Missing}
	}
	if v, ok := balances[n-1].Uint64(); ok && v <= 1<<63-1 {
		// Sorted: the last is the largest, so all fit 63 bits.
		var total, sq, pos, neg wide
		for i, b := range balances {
			x, _ := b.Uint64()
			total.add(0, x)
			sq.add(bits.Mul64(x, x))
			if w := 2*int64(i+1) - n - 1; w >= 0 {
				pos.add(bits.Mul64(uint64(w), x))
			} else {
				neg.add(bits.Mul64(uint64(-w), x))
			}
		}
		acc := pos.big()
		return concentrationFrom(total.big(), sq.big(), acc.Sub(acc, neg.big()), n)
	}
	return concentrationBig(balances)
}

// concentrationBig is concentrationOf with big integers, for balances
// sorted in ascending order.
func concentrationBig(balances []ledger.Amount) *concentration {
	n := int64(len(balances))
	total, sq := new(big.Int), new(big.Int)
	x := new(big.Int)
	for _, b := range balances {
		bb := b.Big()
		total.Add(total, bb)
		sq.Add(sq, x.Mul(bb, bb))
	}
	acc := new(big.Int)
	for i, b := range balances {
		w := big.NewInt(2*int64(i+1) - n - 1)
		acc.Add(acc, w.Mul(w, b.Big()))
	}
	return concentrationFrom(total, sq, acc, n)
}

// concentrationFrom finishes concentrationOf from the sum of the balances,
// the sum of their squares and the Gini numerator sum_i (2i - n - 1) x_(i)
// (i = 1..n ascending); it may modify its arguments.
func concentrationFrom(total, sq, acc *big.Int, n int64) *concentration {
	c := &concentration{hhi: Missing, gini: Missing}
	if total.Sign() > 0 && n > 0 {
		// HHI = sum b^2 / (sum b)^2
		num := sq.Mul(sq, big.NewInt(10000))
		c.hhi = bigSat(num.Quo(num, new(big.Int).Mul(total, total)))
		// Gini = sum_i (2i - n - 1) x_(i) / (n sum x), i = 1..n ascending.
		acc.Mul(acc, big.NewInt(10000))
		c.gini = bigSat(acc.Quo(acc, total.Mul(total, big.NewInt(n))))
	}
	return c
}

// wide is an unsigned 192-bit accumulator (least significant word first).
type wide [3]uint64

// add adds the 128-bit value hi:lo.
func (w *wide) add(hi, lo uint64) {
	var c uint64
	w[0], c = bits.Add64(w[0], lo, 0)
	w[1], c = bits.Add64(w[1], hi, c)
	w[2] += c
}

func (w *wide) big() *big.Int {
	b := new(big.Int).SetUint64(w[2])
	for _, x := range []uint64{w[1], w[0]} {
		b.Lsh(b, 64)
		b.Or(b, new(big.Int).SetUint64(x))
	}
	return b
}

// measure computes the row of the epoch whose close has just run.
func (r *run) measure(acc *epochAcc, epoch int) ([]int64, error) {
	m := &r.scr
	m.acc, m.rep, m.sup, m.conc, m.provRewards, m.equil = acc, r.report, nil, nil, nil, nil
	m.clipped = false
	if m.rep == nil {
		m.rep = &tokenomics.EpochReport{}
	}
	row := make([]int64, len(r.c.columns))
	for _, p := range r.pops {
		if mm, ok := p.b.(Measurer); ok && len(p.spec.metrics) > 0 {
			if p.measured == nil {
				p.measured = make([]int64, len(p.spec.metrics))
			}
			mm.Measure(p.env, p.measured)
		}
	}
	for i, col := range r.c.columns {
		if col.pop >= 0 {
			v := r.pops[col.pop].measured[col.idx]
			if v == math.MaxInt64 && col.Unit != UnitCount && col.Unit != UnitBps {
				// A behaviour's amount saturates there (agents' amt).
				return nil, fmt.Errorf("%w: epoch %d: %s is 2^63-1 or more; declare the native asset with fewer decimals (genesis.assets), or scale the scenario's amounts down", ErrAmountRange, epoch, col.Name)
			}
			row[i] = v
			continue
		}
		row[i] = col.fn(r, m)
		if m.clipped {
			return nil, fmt.Errorf("%w: epoch %d: %s is %s, above 2^63-1; declare the native asset with fewer decimals (genesis.assets), or scale the scenario's amounts down", ErrAmountRange, epoch, col.Name, m.clippedAt)
		}
	}
	m.lastPoolRewards = acc.poolRewards
	return row, nil
}

// buildColumns resolves the scenario's metrics list into columns.
func (c *compiled) buildColumns(bad func(path, format string, args ...any)) {
	var all []column
	for _, b := range builtins {
		all = append(all, column{MetricInfo: b.MetricInfo, pop: -1, fn: b.fn})
	}
	for pi, ps := range c.pops {
		for j, mi := range ps.metrics {
			mi.Name = ps.pop.Name + "." + mi.Name
			all = append(all, column{MetricInfo: mi, pop: pi, idx: j})
		}
	}
	if len(c.sc.Metrics) == 0 {
		c.columns = all
		return
	}
	seen := map[string]bool{}
	for i, name := range c.sc.Metrics {
		path := fmt.Sprintf("metrics[%d]", i)
		if seen[name] {
			bad(path, "%s is listed twice", name)
			continue
		}
		seen[name] = true
		if j := slices.IndexFunc(all, func(col column) bool { return col.Name == name }); j >= 0 {
			c.columns = append(c.columns, all[j])
			continue
		}
		if col, ok := c.extraColumn(name); ok {
			c.columns = append(c.columns, col)
			continue
		}
		names := make([]string, len(all))
		for k, col := range all {
			names[k] = col.Name
		}
		bad(path, "unknown metric %q; metrics: %s, balance:ACCOUNT[:ASSET], supply:ASSET, param:MODULE.NAME", name, strings.Join(names, ", "))
	}
}

// checkColumns checks what the extra columns name against the genesis
// state st: an account that exists at genesis or is a population's agent,
// an asset declared at genesis or one a creator launches (AGT<n>), a
// parameter of the module holding an integer. A misspelt name would
// otherwise give a column of zeros or of nothing.
func (c *compiled) checkColumns(st *ledger.State, bad func(path, format string, args ...any)) {
	for i, name := range c.sc.Metrics {
		j := slices.IndexFunc(c.columns, func(col column) bool { return col.Name == name && col.ref != nil })
		if j < 0 {
			continue
		}
		ref, path := c.columns[j].ref, fmt.Sprintf("metrics[%d]", i)
		if ref.module != "" {
			if msg := c.paramProblem(st, ref.module, ref.param); msg != "" {
				bad(path, "%s: %s", name, msg)
			}
			continue
		}
		if ref.account != "" && !st.Has(ledger.AccountKey(ref.account)) && !c.isAgent(ref.account) {
			bad(path, "%s: no account %s at genesis, nor an agent of a population (<population>-<i>)", name, ref.account)
		}
		if _, ok, _ := ledger.GetAsset(st, ref.asset); !ok && !launchedSymbol(ref.asset) {
			bad(path, "%s: no asset %s at genesis, nor one a creator launches (AGT1, AGT2, ...)", name, ref.asset)
		}
	}
}

// paramProblem says why param:module.name cannot be a column ("" if it
// can): the module has no such parameter, or not an integer one.
func (c *compiled) paramProblem(st *ledger.State, module, name string) string {
	pm, ok := c.machine.Parameterized(module)
	if !ok {
		return fmt.Sprintf("module %s has no parameters", module)
	}
	enc, err := ledger.ParamsAt(st, module, 0)
	if err != nil {
		return err.Error()
	}
	js, err := pm.ParamsJSON(enc)
	if err != nil {
		return err.Error()
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(js, &fields); err != nil {
		return err.Error()
	}
	v, ok := fields[name]
	if !ok {
		names := slices.Sorted(maps.Keys(fields))
		return fmt.Sprintf("%s has no parameter %q; its parameters: %s", module, name, strings.Join(names, ", "))
	}
	if _, err := strconv.ParseInt(strings.Trim(string(v), `"`), 10, 64); err != nil {
		return fmt.Sprintf("%s.%s is %s, not an integer a column can hold", module, name, v)
	}
	return ""
}

// isAgent reports whether id is an agent of one of the populations.
func (c *compiled) isAgent(id ledger.AccountID) bool {
	for _, ps := range c.pops {
		if _, ok := agentIndex(ps.pop, id); ok {
			return true
		}
	}
	return false
}

// launchedSymbol reports whether a is a symbol creators' launches take
// (envHost.NewSymbol: AGT1, AGT2, ...).
func launchedSymbol(a ledger.AssetID) bool {
	n, ok := strings.CutPrefix(string(a), "AGT")
	return ok && n != "" && n[0] != '0' && strings.Trim(n, "0123456789") == ""
}

// extraColumn parses balance:ACCOUNT[:ASSET], supply:ASSET and
// param:MODULE.NAME.
func (c *compiled) extraColumn(name string) (column, bool) {
	kind, arg, ok := strings.Cut(name, ":")
	if !ok {
		return column{}, false
	}
	switch kind {
	case "balance":
		// The asset follows the last ':' when it is an asset ID (account IDs
		// may hold ':', as module accounts do).
		acct, asset := arg, ""
		if i := strings.LastIndex(arg, ":"); i >= 0 && ledger.AssetID(arg[i+1:]).Validate() == nil {
			acct, asset = arg[:i], arg[i+1:]
		}
		a := ledger.AssetID(asset)
		unit := UnitOther
		if asset == "" || a == c.native {
			a, unit = c.native, UnitTokens
		}
		id := ledger.AccountID(acct)
		if id.Validate() != nil || a.Validate() != nil {
			return column{}, false
		}
		return column{MetricInfo: MetricInfo{Name: name, Unit: unit, Doc: "balance of " + acct + " in " + string(a)}, pop: -1, fn: func(r *run, m *measureScratch) int64 {
			b, _ := ledger.BalanceOf(r.getter(), id, a)
			return m.amt(b)
		}, ref: &columnRef{account: id, asset: a}}, true
	case "param":
		module, name, ok := strings.Cut(arg, ".")
		if !ok || !slices.ContainsFunc(c.modules, func(m ledger.Module) bool { return m.Name() == module }) {
			return column{}, false
		}
		unit := UnitCount
		if strings.HasSuffix(name, "_bps") {
			unit = UnitBps
		}
		return column{MetricInfo: MetricInfo{Name: "param:" + arg, Unit: unit, Doc: "parameter " + arg + " in effect in the epoch's last block"}, pop: -1, fn: func(r *run, m *measureScratch) int64 {
			return r.paramValue(module, name)
		}, ref: &columnRef{module: module, param: name}}, true
	case "supply":
		a := ledger.AssetID(arg)
		if a.Validate() != nil {
			return column{}, false
		}
		unit := UnitOther
		if a == c.native {
			unit = UnitTokens
		}
		return column{MetricInfo: MetricInfo{Name: name, Unit: unit, Doc: "supply of " + arg}, pop: -1, fn: func(r *run, m *measureScratch) int64 {
			rec, ok, _ := ledger.GetAsset(r.getter(), a)
			if !ok {
				return Missing
			}
			return m.amt(rec.Supply())
		}, ref: &columnRef{asset: a}}, true
	}
	return column{}, false
}

func (c *compiled) columnNames() []string {
	out := make([]string, len(c.columns))
	for i, col := range c.columns {
		out[i] = col.Name
	}
	return out
}

// Columns returns the metrics of the scenario's tables, in order (after
// the run, point and epoch columns).
func (s *Scenario) Columns() []MetricInfo {
	out := make([]MetricInfo, len(s.c.columns))
	for i, col := range s.c.columns {
		out[i] = col.MetricInfo
	}
	return out
}

// paramValue returns a module's numeric parameter in effect in the last
// block of the epoch being measured (the block before the next epoch's
// first, which has just run), or Missing if it is not a number.
func (r *run) paramValue(module, name string) int64 {
	pm, ok := r.c.machine.Parameterized(module)
	if !ok {
		return Missing
	}
	enc, err := ledger.ParamsAt(r.getter(), module, r.height-1)
	if err != nil {
		return Missing
	}
	js, err := pm.ParamsJSON(enc)
	if err != nil {
		return Missing
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(js, &fields) != nil {
		return Missing
	}
	raw := strings.Trim(string(fields[name]), `"`)
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return Missing
	}
	return v
}
