package sim

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim/agents"
	"github.com/coopera/coopera/sim/control"
	"github.com/coopera/coopera/sim/scenario"
	"github.com/coopera/coopera/tokenomics"
)

// Missing marks a metric with no value in an epoch (for example the
// equilibrium price of an epoch without demand). Tables write it as an
// empty cell (CSV), null (JSON) or a null value (Parquet).
const Missing int64 = math.MinInt64

// RunResult is one run's table and figures.
type RunResult struct {
	Point   int         // sweep point, 0 without a sweep
	Run     int         // run index within the point
	Seed    uint64      // the run's seed
	Columns []string    // metric names, as Scenario.Columns
	Rows    [][]int64   // one row per epoch, one value per column
	Root    ledger.Hash // state root after the last block (Options.StateRoots)
	Stats   RunStats
}

// RunStats counts what a run did.
type RunStats struct {
	Blocks     uint64 // blocks after genesis
	Commands   uint64 // commands executed, injected epoch closes included
	Rejected   uint64 // commands the reducers rejected
	AgentSteps uint64 // agent-epochs: each agent of each population, each epoch
}

// BlockRecord is one block of a run, for Options.OnBlock.
type BlockRecord struct {
	Height uint64
	Time   int64 // Unix ns
	// Commands are the block's commands without the close_epoch commands
	// the simulator injected first, which a sequencer injects by itself.
	Commands []*ledger.Command
	Closes   int             // injected close_epoch commands
	Results  []ledger.Result // for every command, closes first
	Root     ledger.Hash     // state root after the block (Options.StateRoots)
}

// run is one run: a chain on in-memory state and the populations acting
// on it. It is used by one goroutine.
type run struct {
	c      *compiled
	opts   *Options
	point  int
	index  int
	seed   uint64
	st     *ledger.MemStore
	step   *ledger.Step
	head   ledger.Head
	height uint64 // head.Height

	blockTime int64 // time of the last block
	epoch     int
	mkt       *market
	pops      []*popRun
	feedRand  *Rand
	gov       *policy.Admitter
	govRand   *Rand
	proposals []*proposalRun

	// From the last epoch close and the current epoch.
	rewards     map[string]ledger.Amount // received at the last close
	served      map[string]ledger.Amount // credits served this epoch, by recipient
	lastServed  map[string]ledger.Amount // credits served last epoch
	report      *tokenomics.EpochReport
	params      tokenomics.Params
	creditPrice int64
	breaker     bool // the oracle's circuit breaker is open
	apr         Dec
	cur         epochAcc // accumulators of the epoch being played
	agents      []AgentInfo
	agentIdx    map[string]int
	symbols     int

	rows   [][]int64
	stats  RunStats
	scr    measureScratch
	filled map[*ledger.Command]ledger.Amount // the epoch's market fills (play)
}

// epochAcc accumulates an epoch's flows until its row is written.
type epochAcc struct {
	price       int64
	creditPrice int64
	demand      int64
	commands    int64
	rejected    int64
	poolRewards ledger.Amount // credited to the protocol staking pool
	boughtUSD   int64
	soldUSD     int64
}

type popRun struct {
	spec     *popSpec
	b        Behaviour
	env      *Env
	rand     *Rand
	cmds     []*ledger.Command
	outcomes []Outcome
	measured []int64
}

func newRun(c *compiled, opts *Options, point, index int) (*run, error) {
	seed := DeriveSeed(c.sc.Seed, uint64(index))
	r := &run{
		c: c, opts: opts, point: point, index: index, seed: seed, st: ledger.NewMemStore(),
		mkt:        newMarket(c, seed),
		feedRand:   NewRand(DeriveSeed(seed, nameTag("oracle"))),
		govRand:    NewRand(DeriveSeed(seed, nameTag("governance"))),
		rewards:    map[string]ledger.Amount{},
		served:     map[string]ledger.Amount{},
		lastServed: map[string]ledger.Amount{},
		agentIdx:   map[string]int{},
	}
	if c.gov != nil {
		adm, err := c.gov.admitter(c.modules)
		if err != nil {
			return nil, err
		}
		r.gov = adm
		for i := range c.sc.Events {
			if e := &c.sc.Events[i]; e.Params != nil && e.Params.Via == "governance" {
				r.proposals = append(r.proposals, &proposalRun{ev: e})
			}
		}
	}
	p := &scenario.Problems{File: c.sc.File()}
	for _, ps := range c.pops {
		b, err := ps.factory(c.spec(ps, p, false))
		if err == nil {
			err = p.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("sim: population %s: %w", ps.pop.Name, err)
		}
		pr := &popRun{spec: ps, b: b, rand: NewRand(DeriveSeed(seed, ps.seedTag))}
		pr.env = agents.NewEnv(Env{Rand: pr.rand, Name: ps.pop.Name, Accounts: ps.accounts, Native: c.native, Decimals: c.decimals,
			EpochsYear: c.epochsYr, EpochLength: c.sc.EpochLength, Epochs: c.sc.Epochs}, &envHost{r: r, pop: pr})
		r.pops = append(r.pops, pr)
	}
	return r, nil
}

func (r *run) getter() ledger.MemView { return r.st.View() }

// genesis applies the scenario's genesis as block 0.
func (r *run) genesis() error {
	// The changes are listed only to be compared (Options.checkFresh).
	r.step = ledger.NewStep(r.c.machine, ledger.StepOptions{NoRoots: !r.opts.StateRoots, CheckInvariants: r.opts.CheckInvariants, NoChanges: !r.opts.checkFresh})
	rd, err := r.step.Genesis(r.st, r.c.genesis)
	if err != nil {
		return err
	}
	if err := r.step.CommitTo(r.st); err != nil {
		return err
	}
	r.head = rd.Head
	r.blockTime = rd.Block.Time
	if r.opts.CheckInvariants {
		if err := ledger.CheckState(r.st); err != nil {
			return err
		}
	}
	return nil
}

// exec runs one block of commands at time t through the block step (the
// close_epoch commands due at t injected first, as a sequencer does),
// accumulating its flows into into. The results and events returned are
// those of cmds; closes is the number of injected closes, whose results
// and events come first in all and allEvents.
func (r *run) exec(into *epochAcc, t int64, cmds []*ledger.Command) (res execResult, err error) {
	rd, err := r.execute(t, cmds)
	if err != nil {
		return res, err
	}
	return r.commit(into, rd)
}

// execute decides a block of cmds at time t on the run's state without
// committing it: commit applies the Ready, or the caller drops it.
func (r *run) execute(t int64, cmds []*ledger.Command) (*ledger.Ready, error) {
	rd, err := r.step.Execute(r.st, ledger.BlockInput{Prev: r.head, Time: t, Commands: cmds})
	if err != nil {
		return nil, fmt.Errorf("sim: run %d block %d: %w", r.index, r.head.Height+1, err)
	}
	if rd.Block == nil {
		return nil, fmt.Errorf("sim: run %d: a block executed nothing", r.index)
	}
	if r.opts.checkFresh {
		if err := r.checkFresh(t, cmds, rd); err != nil {
			return nil, err
		}
	}
	return rd, nil
}

// checkFresh decides the block rd holds again on a fresh step, over the
// same state: the run's step keeps its state from block to block, and no
// value it kept may change a decision (Options.checkFresh).
func (r *run) checkFresh(t int64, cmds []*ledger.Command, rd *ledger.Ready) error {
	fresh, err := ledger.NewStep(r.c.machine, ledger.StepOptions{NoRoots: true}).Execute(r.st, ledger.BlockInput{Prev: r.head, Time: t, Commands: cmds})
	if err != nil {
		return fmt.Errorf("sim: run %d block %d, on a fresh step: %w", r.index, rd.Block.Height, err)
	}
	b, f := rd.Block, fresh.Block
	if !bytes.Equal(ledger.EncodeBody(b.Commands, b.Results, b.Events), ledger.EncodeBody(f.Commands, f.Results, f.Events)) {
		return fmt.Errorf("sim: run %d block %d: the run's step decided otherwise than a fresh step", r.index, b.Height)
	}
	if !slices.EqualFunc(rd.Changes, fresh.Changes, func(a, b ledger.Change) bool {
		return bytes.Equal(a.Key, b.Key) && a.OldOK == b.OldOK && a.NewOK == b.NewOK && bytes.Equal(a.Old, b.Old) && bytes.Equal(a.New, b.New)
	}) {
		return fmt.Errorf("sim: run %d block %d: the run's step changes the state otherwise than a fresh step (%d changes, %d)", r.index, b.Height, len(rd.Changes), len(fresh.Changes))
	}
	return nil
}

// commit applies a block execute decided, accumulating its flows into
// into (see exec).
func (r *run) commit(into *epochAcc, rd *ledger.Ready) (execResult, error) {
	b := rd.Block
	if err := r.step.CommitTo(r.st); err != nil {
		return execResult{}, fmt.Errorf("sim: run %d block %d: %w", r.index, b.Height, err)
	}
	r.mkt.inventoryOK = false
	r.head = rd.Head
	r.height = b.Height
	r.blockTime = b.Time
	closes := rd.Closes
	r.stats.Blocks++
	r.stats.Commands += uint64(len(b.Commands))
	for i, res := range b.Results {
		if res.Code != "" {
			r.stats.Rejected++
			if i >= closes {
				into.rejected++
			}
		}
	}
	into.commands += int64(len(b.Commands) - closes)
	r.track(into, b.Events)
	if r.opts.OnBlock != nil {
		rec := &BlockRecord{Height: b.Height, Time: b.Time, Commands: b.Commands[closes:], Closes: closes, Results: b.Results}
		if r.opts.StateRoots {
			rec.Root = r.head.StateRoot
		}
		r.opts.OnBlock(RunID{Point: r.point, Run: r.index}, rec)
	}
	n := 0
	for _, x := range b.Results[:closes] {
		n += int(x.Events)
	}
	return execResult{closes: closes, allResults: b.Results, allEvents: b.Events, results: b.Results[closes:], events: b.Events[n:]}, nil
}

// execResult is what a block did.
type execResult struct {
	closes     int
	allResults []ledger.Result // closes first
	allEvents  []ledger.Event
	results    []ledger.Result // of the submitted commands
	events     []ledger.Event
}

// track follows the events every metric or behaviour needs.
func (r *run) track(into *epochAcc, events []ledger.Event) {
	for _, ev := range events {
		switch e := ev.(type) {
		case *tokenomics.PoolRewarded:
			if e.Pool == tokenomics.ProtocolPool {
				into.poolRewards, _ = into.poolRewards.Add(e.Credited)
			}
		case *tokenomics.UsageRecorded:
			r.trackUsage(e)
		case *tokenomics.UsageSettled:
			for i := range e.Items {
				r.trackUsage(&e.Items[i])
			}
		case *tokenomics.AgentCreated:
			r.agentIdx[e.Agent] = len(r.agents)
			r.agents = append(r.agents, AgentInfo{ID: e.Agent, Creator: e.Creator, PriceIn: e.PriceIn, PriceOut: e.PriceOut})
		case *tokenomics.TokenLaunched:
			if i, ok := r.agentIdx[e.Agent]; ok {
				r.agents[i].Token = e.Asset
			}
		case *tokenomics.CurveGraduated:
			if i, ok := r.agentIdx[e.Agent]; ok {
				r.agents[i].Graduated = true
			}
		}
	}
}

func (r *run) trackUsage(e *tokenomics.UsageRecorded) {
	for _, w := range e.Weights {
		r.served[w.Recipient], _ = r.served[w.Recipient].Add(w.Credits)
	}
}

// closeEvents takes the rewards and report of an epoch close: what user
// accounts received in the native asset during the close, minted to them
// (tokenomics' provider and creator pools) or moved to them from a module
// account (contribution's rewards), and the epoch report.
func (r *run) closeEvents(results []ledger.Result, closes int, events []ledger.Event) {
	clear(r.rewards)
	n := 0
	for _, res := range results[:closes] {
		n += int(res.Events)
	}
	for _, ev := range events[:n] {
		switch e := ev.(type) {
		case *ledger.Minted:
			if e.Asset == r.c.native && !e.To.IsModule() {
				r.rewards[string(e.To)], _ = r.rewards[string(e.To)].Add(e.Amount)
			}
		case *ledger.Transferred:
			if e.Asset == r.c.native && e.From.IsModule() && !e.To.IsModule() {
				r.rewards[string(e.To)], _ = r.rewards[string(e.To)].Add(e.Amount)
			}
		case *tokenomics.EpochReport:
			rep := *e
			r.report = &rep
		}
	}
}

// feedCommands returns the oracle feeds' observations of price: the honest
// feeds first, then those an oracle attack distorts. (Feeds report once an
// epoch here; on a live network every feed is fresh at every moment, so a
// manipulated feed never sets the median alone, and reporting it last
// keeps that so.)
func (r *run) feedCommands(price int64, epoch int) []*ledger.Command {
	honest := make([]*ledger.Command, 0, len(r.c.feeds))
	var attacked []*ledger.Command
	noise := r.c.sc.Oracle.Noise
	for i, f := range r.c.feeds {
		p := price
		if noise > 0 {
			p += noise.MulDec(r.feedRand.Normal()).Mul(price)
		}
		distorted := false
		for _, ev := range r.c.sc.Events {
			if o := ev.Oracle; o != nil && epoch >= ev.At && (ev.Until == 0 || epoch < ev.Until) && i < o.Feeds {
				p, distorted = o.Factor.Mul(p), true
			}
		}
		cmd := &ledger.Command{Actor: f, Payload: &tokenomics.ObservePrice{Price: oraclePrice(max(p, 1))}}
		if distorted {
			attacked = append(attacked, cmd)
		} else {
			honest = append(honest, cmd)
		}
	}
	return append(honest, attacked...)
}

// directParams returns the operator's direct parameter changes due at the
// start of epoch.
func (r *run) directParams(epoch int) ([]*ledger.Command, error) {
	var out []*ledger.Command
	for _, ev := range r.c.sc.Events {
		pe := ev.Params
		if pe == nil || pe.Via != "direct" || ev.At != epoch {
			continue
		}
		v, err := paramJSON(pe)
		if err != nil {
			return nil, err
		}
		out = append(out, &ledger.Command{Actor: OperatorAccount, Payload: &control.SetParam{Module: pe.Module, Name: pe.Name, Value: v}})
	}
	return out, nil
}

func paramJSON(pe *ParamEvent) ([]byte, error) {
	var p scenario.Problems
	var b strings.Builder
	if !scenario.NodeJSON(&p, &pe.Value, "value", &b) {
		return nil, p.Err()
	}
	return []byte(b.String()), nil
}

// epochStart returns the time of epoch e's first block.
func (r *run) epochStart(e int) int64 {
	return r.c.genesis.GenesisTime.UnixNano() + int64(e)*int64(r.c.sc.EpochLength)
}

// refusedAccount is the actor Options.refuse gives a command: it exists
// nowhere, so every reducer refuses what it asks.
const refusedAccount ledger.AccountID = "sim-refused"

// tradeOffset separates an epoch's first block (closes, oracle) from its
// trading blocks.
const tradeOffset = int64(time.Second)

// play runs the whole run and fills r.rows; it stops between epochs when
// ctx is done.
func (r *run) play(ctx context.Context) error {
	if err := r.genesis(); err != nil {
		return err
	}
	epochs := r.c.sc.Epochs
	if r.opts.Epochs > 0 {
		epochs = r.opts.Epochs
	}
	r.rows = make([][]int64, 0, epochs)
	if err := r.refreshChain(r.epochStart(0) + tradeOffset); err != nil {
		return err
	}
	for _, p := range r.pops {
		p.env.Epochs = epochs
		r.refreshEnv(p.env, 0, r.epochStart(0)+tradeOffset)
		if err := p.b.Setup(p.env); err != nil {
			return fmt.Errorf("sim: population %s: setup: %w", p.spec.pop.Name, err)
		}
	}
	for e := 0; e <= epochs; e++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.epoch = e
		prev := r.cur
		if e > 0 {
			prev.boughtUSD, prev.soldUSD = r.mkt.boughtUSD, r.mkt.soldUSD
		}
		r.cur = epochAcc{}
		r.served, r.lastServed = r.lastServed, r.served
		clear(r.served)
		r.mkt.advance(e, r.nativeOf(ExchangeAccount))
		r.cur.price = r.mkt.price

		// The epoch's first block: the close of the last epoch (injected
		// as a sequencer does), the oracle's observations, and the
		// operator's parameter changes and governance steps.
		t := r.epochStart(e)
		cmds := r.feedCommands(r.mkt.price, e)
		if e < epochs {
			dp, err := r.directParams(e)
			if err != nil {
				return err
			}
			cmds = append(cmds, dp...)
			if r.gov != nil {
				r.blockTime = t
				gc, err := r.govCommands()
				if err != nil {
					return err
				}
				cmds = append(cmds, gc...)
			}
		}
		// The close's flows belong to the epoch it closes; the block's
		// commands count in this one.
		var first epochAcc
		x, err := r.exec(&first, t, cmds)
		if err != nil {
			return err
		}
		prev.poolRewards, _ = prev.poolRewards.Add(first.poolRewards)
		r.cur.commands, r.cur.rejected = first.commands, first.rejected
		if e > 0 {
			r.closeEvents(x.allResults, x.closes, x.allEvents)
			row, err := r.measure(&prev, e-1)
			if err != nil {
				return err
			}
			r.rows = append(r.rows, row)
			if r.opts.OnEpoch != nil {
				r.opts.OnEpoch()
			}
			if r.opts.CheckInvariants {
				if err := ledger.CheckState(r.st); err != nil {
					return fmt.Errorf("sim: run %d after epoch %d: %w", r.index, e-1, err)
				}
			}
		}
		if e == epochs {
			break
		}

		// The trading blocks.
		tt := t + tradeOffset
		if err := r.refreshChain(tt); err != nil {
			return err
		}
		if !r.breaker {
			r.cur.creditPrice = r.creditPrice
		}
		var all []*ledger.Command
		var owner []*popRun
		if r.gov != nil {
			votes, err := r.govVotes(tt)
			if err != nil {
				return err
			}
			all = append(all, votes...)
			owner = append(owner, make([]*popRun, len(votes))...)
		}
		for _, p := range r.pops {
			r.refreshEnv(p.env, e, tt)
			p.cmds, err = p.b.Step(p.env)
			if err != nil {
				return fmt.Errorf("sim: population %s: epoch %d: %w", p.spec.pop.Name, e, err)
			}
			r.stats.AgentSteps += uint64(len(p.spec.accounts))
			if d, ok := p.b.(Demander); ok {
				r.cur.demand = satAdd(r.cur.demand, d.Demand())
			}
			for _, cmd := range p.cmds {
				r.mkt.register(cmd, r.c.native)
			}
			p.outcomes = p.outcomes[:0]
			all = append(all, p.cmds...)
			for range p.cmds {
				owner = append(owner, p)
			}
		}
		if r.opts.refuse != nil {
			for i, cmd := range all {
				if owner[i] != nil && r.opts.refuse(e, cmd) {
					cmd.Actor = refusedAccount
				}
			}
		}
		// The market orders' fills, an epoch at a time: the map keeps its
		// room from epoch to epoch (a thousand orders grew it anew each).
		if r.filled == nil {
			r.filled = map[*ledger.Command]ledger.Amount{}
		}
		filled := r.filled
		clear(filled)
		if err := r.trading(tt, all, owner, filled); err != nil {
			return err
		}
		r.mkt.settle(func(c *ledger.Command) (ledger.Amount, bool) {
			t, ok := filled[c]
			return t, ok
		})
		for _, p := range r.pops {
			if o, ok := p.b.(Observer); ok {
				if err := o.Observe(p.env, p.outcomes); err != nil {
					return fmt.Errorf("sim: population %s: epoch %d: observe: %w", p.spec.pop.Name, e, err)
				}
			}
		}
	}
	return nil
}

// marketFill returns the native tokens an applied command moved through
// the exchange, read from its events: burned by the exchange's
// buy_credits (credits_bought), or transferred to the exchange by a sale
// (transferred, the fee leg excluded). ok is false for a command whose
// events show no such move.
func (r *run) marketFill(cmd *ledger.Command, events []ledger.Event) (ledger.Amount, bool) {
	var sum ledger.Amount
	found := false
	for _, ev := range events {
		switch e := ev.(type) {
		case *tokenomics.CreditsBought:
			if e.Buyer == ExchangeAccount {
				sum, _ = sum.Add(e.Burned)
				found = true
			}
		case *ledger.Transferred:
			if e.To == ExchangeAccount && e.From == cmd.Actor && e.Asset == r.c.native {
				sum, _ = sum.Add(e.Amount)
				found = true
			}
		}
	}
	return sum, found
}

func (r *run) nativeOf(acct ledger.AccountID) ledger.Amount {
	a, _ := ledger.BalanceOf(r.getter(), acct, r.c.native)
	return a
}

// refreshChain reads what every population shares for the trading blocks
// at time t: parameters, the credit price and the staking APR.
func (r *run) refreshChain(t int64) error {
	g := r.getter()
	p, err := tokenomics.ParamsAt(g, r.height+1)
	if err != nil {
		return err
	}
	r.params = p
	r.creditPrice, r.breaker = 0, false
	if pv, err := tokenomics.Price(g, r.height+1, t); err == nil && !pv.Median.IsZero() && !pv.Last.IsZero() {
		r.creditPrice, r.breaker = microPrice(pv.Median, pv.TWAP), pv.Tripped
	}
	r.apr = 0
	if info, err := tokenomics.PoolOf(g, tokenomics.ProtocolPool); err == nil {
		for _, a := range info.Assets {
			if a.Asset == r.c.native && !a.Amount.IsZero() && r.report != nil {
				// Rewards credited over the last epoch (measured at its close).
				r.apr = Dec(bigSat(r.c.annualised(r.lastPoolRewards(), a.Amount, int64(One))))
			}
		}
	}
	return nil
}

func (r *run) lastPoolRewards() ledger.Amount {
	if len(r.rows) == 0 {
		return ledger.Amount{}
	}
	return r.scr.lastPoolRewards
}

// refreshEnv updates a population's Env for epoch e's trading at time t.
func (r *run) refreshEnv(env *Env, e int, t int64) {
	env.Epoch, env.Height, env.Time = e, r.height, t
	env.Price, env.CreditPrice, env.CircuitOpen = r.mkt.price, r.creditPrice, r.breaker
	env.Params, env.Report, env.StakingAPR = &r.params, r.report, r.apr
}

// result returns the run's table.
func (r *run) result() *RunResult {
	res := &RunResult{Point: r.point, Run: r.index, Seed: r.seed, Columns: r.c.columnNames(), Rows: r.rows, Stats: r.stats}
	if r.opts.StateRoots {
		res.Root = r.head.StateRoot
	}
	return res
}
