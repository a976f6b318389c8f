package tokenomics

import (
	"bytes"
	"encoding/binary"
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// State layout. Every key of the module starts with "tk/"; identifiers
// never contain the 0x00 separator; times and numbers in keys are 8-byte
// big-endian so that key order is numeric order.
//
//	tk/feed/<feed>                       a feed's last observation
//	tk/oracle                            median, cumulative price, breaker
//	tk/twap/<time>                       median history for the TWAP
//	tk/credits/<account>                 credit balance (micro-USD)
//	tk/epoch                             epoch counters and smoothing target
//	tk/w/u/<recipient>                   credits served this epoch (providers)
//	tk/w/m/<agent>                       credits served by an agent (mining)
//	tk/w/c/<creator>                     credits served by a creator's agents
//	tk/report/<epoch>                    epoch report
//	tk/pool/<pool>                       staking pool: units, F1 accumulator
//	tk/pa/<pool>\x00<asset>              pool totals of one asset
//	tk/pos/<pool>\x00<account>\x00<asset> a staker's position
//	tk/ub/<account>\x00<id>              an unbonding entry
//	tk/agent/<agent>                     agent record
//	tk/curve/<agent>                     bonding curve of an agent's token
//	tk/lock/<id>                         a lock of value
//	tk/seq                               last id given to a lock or unbonding entry
const keyPrefix = "tk/"

var (
	keyOracle = []byte("tk/oracle")
	keyEpoch  = []byte("tk/epoch")
	keySeq    = []byte("tk/seq")

	twapPrefix   = []byte("tk/twap/")
	lockPrefix   = []byte("tk/lock/")
	reportPrefix = []byte("tk/report/")
)

// Weight pools: which per-epoch basis a weight key belongs to.
const (
	weightProviders = "u"
	weightMining    = "m"
	weightCreators  = "c"
)

// StakersRecipient is the provider-weight recipient standing for the
// protocol staking pool (the stakers' share of service fees). It cannot be
// an account ID, which must start with a letter or digit.
const StakersRecipient = "@stakers"

func key(parts ...string) []byte {
	n := len(keyPrefix)
	for _, p := range parts {
		n += len(p) + 1
	}
	// Inlined, a key of up to 64 bytes that its caller does not keep is
	// built on the caller's stack (a make of constant size).
	var k []byte
	if n <= 64 {
		k = make([]byte, 0, 64)
	} else {
		k = make([]byte, 0, n)
	}
	k = append(k, keyPrefix...)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

func be(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return string(b[:])
}

// timeKey orders int64 times as unsigned keys.
func timeKey(t int64) string { return be(uint64(t) ^ 1<<63) }

func keyTime(k []byte) int64 { return int64(binary.BigEndian.Uint64(k[len(k)-8:]) ^ 1<<63) }

func feedKey(id ledger.AccountID) []byte      { return key("feed/" + string(id)) }
func twapKey(t int64) []byte                  { return key("twap/" + timeKey(t)) }
func creditsKey(id ledger.AccountID) []byte   { return key("credits/" + string(id)) }
func weightKey(pool, recipient string) []byte { return key("w/" + pool + "/" + recipient) }
func weightPrefix(pool string) []byte         { return key("w/" + pool + "/") }
func reportKey(epoch uint64) []byte           { return key("report/" + be(epoch)) }
func poolKey(pool string) []byte              { return key("pool/" + pool) }
func poolAssetKey(pool string, a ledger.AssetID) []byte {
	return key("pa/"+pool, string(a))
}
func poolAssetPrefix(pool string) []byte { return append(key("pa/"+pool), 0) }
func posKey(pool string, acct ledger.AccountID, a ledger.AssetID) []byte {
	return key("pos/"+pool, string(acct), string(a))
}
func posPrefix(pool string, acct ledger.AccountID) []byte {
	return append(key("pos/"+pool, string(acct)), 0)
}
func unbondKey(acct ledger.AccountID, id uint64) []byte { return key("ub/"+string(acct), be(id)) }
func unbondPrefix(acct ledger.AccountID) []byte         { return append(key("ub/"+string(acct)), 0) }
func agentKey(id string) []byte                         { return key("agent/" + id) }
func curveKey(agent string) []byte                      { return key("curve/" + agent) }
func lockKey(id uint64) []byte                          { return key("lock/" + be(id)) }

// record is a state value with a canonical encoding.
type record interface {
	enc(e *ledger.Encoder)
	dec(d *ledger.Decoder)
}

// View reads state with prefix scans: a *ledger.State (over any
// ledger.Reader, for example a host's store) or a *ledger.Context.
type View interface {
	ledger.Getter
	Scan(prefix []byte, fn func(key, value []byte) bool)
}

// scanView scans v. A decision's view (a Context) scans without prefix
// escaping, so that callers build prefixes on the stack.
func scanView(v View, prefix []byte, fn func(key, value []byte) bool) {
	switch s := v.(type) {
	case *ledger.Context:
		s.Scan(prefix, fn)
	case ctxView:
		s.ctx.Scan(prefix, fn)
	default:
		v.Scan(bytes.Clone(prefix), fn)
	}
}

func load(g ledger.Getter, k []byte, what string, r record) (bool, error) {
	var v []byte
	var ok bool
	switch s := g.(type) {
	case *ledger.Context:
		v, ok = s.Get(k)
	case *ledger.State:
		v, ok = s.Get(k)
	default:
		// A copy, so that k never escapes: callers build keys on the
		// stack.
		v, ok = g.Get(bytes.Clone(k))
	}
	if !ok {
		return false, nil
	}
	return true, decodeRecord(v, what, r)
}

func decodeRecord(v []byte, what string, r record) error {
	d := ledger.NewDecoder(v, what)
	// The records decoded on hot paths by a concrete call, so that the
	// decoder stays on the stack; the rest through the interface.
	switch x := r.(type) {
	case *Position:
		x.dec(d)
	case *PoolAsset:
		x.dec(d)
	case *Pool:
		x.dec(d)
	case *Agent:
		x.dec(d)
	default:
		return decodeAny(v, what, r)
	}
	return finishRecord(d)
}

// decodeAny is decodeRecord through the record interface, whose call
// takes the decoder to the heap.
func decodeAny(v []byte, what string, r record) error {
	d := ledger.NewDecoder(v, what)
	r.dec(d)
	return finishRecord(d)
}

func finishRecord(d *ledger.Decoder) error {
	if err := d.Finish(); err != nil {
		return ledger.Errorf(ledger.ErrCorrupt, "%v", err)
	}
	return nil
}

func save(st *ledger.State, k []byte, r record) {
	e := ledger.NewEncoder(make([]byte, 0, 64))
	r.enc(e)
	st.Set(k, e.Bytes())
}

// getAmount reads an amount; an absent key is zero. A State decodes a
// key's value once per block, however often it is read.
func getAmount(st *ledger.State, k []byte) (ledger.Amount, error) {
	a, _, err := st.GetAmount(k)
	if err != nil {
		return ledger.Amount{}, amountErr(k, err)
	}
	return a, nil
}

func amountErr(k []byte, err error) error {
	// A copy of k (%q formats it as it does k), so k does not escape.
	return ledger.Errorf(ledger.ErrCorrupt, "%q: %v", string(k), err)
}

// getAmountOf is getAmount through any Getter.
func getAmountOf(g ledger.Getter, k []byte) (ledger.Amount, error) {
	v, ok := g.Get(k)
	return amountAt(k, v, ok)
}

// amountAt decodes key k's value v (zero if absent).
func amountAt(k, v []byte, ok bool) (ledger.Amount, error) {
	if !ok {
		return ledger.Amount{}, nil
	}
	a, err := ledger.DecodeAmount(v)
	if err != nil {
		return ledger.Amount{}, amountErr(k, err)
	}
	return a, nil
}

func setAmount(st *ledger.State, k []byte, a ledger.Amount) {
	if a.IsZero() {
		st.Delete(k)
		return
	}
	st.SetAmount(k, a)
}

func getSeq(g ledger.Getter) (uint64, error) {
	v, ok := g.Get(keySeq)
	if !ok {
		return 0, nil
	}
	d := ledger.NewDecoder(v, "tokenomics sequence")
	n := d.Uint()
	return n, d.Finish()
}

func bumpSeq(st *ledger.State, id uint64) error {
	cur, err := getSeq(st)
	if err != nil {
		return err
	}
	if id != cur+1 {
		return ledger.Errorf(ledger.ErrInvariant, "id %d given out of sequence (last %d)", id, cur)
	}
	e := ledger.NewEncoder(nil)
	e.Uint(id)
	st.Set(keySeq, e.Bytes())
	return nil
}

// Feed is an oracle feed's last observation.
type Feed struct {
	Price ledger.Amount `json:"price"` // 10^-18 USD per whole native token
	Time  int64         `json:"time"`  // block time, Unix ns
}

func (f *Feed) enc(e *ledger.Encoder) { e.Amount(f.Price); e.Int(f.Time) }
func (f *Feed) dec(d *ledger.Decoder) { f.Price, f.Time = d.Amount(), d.Int() }

// oracleState is the oracle's running record: the last median, the
// cumulative median price (price x ns) at its time, and the breaker.
type oracleState struct {
	Median     ledger.Amount
	Time       int64
	Cum        Cumulative
	Tripped    bool
	TrippedAt  int64
	LastBreach int64
}

func (o *oracleState) enc(e *ledger.Encoder) {
	e.Amount(o.Median)
	e.Int(o.Time)
	o.Cum.enc(e)
	e.Bool(o.Tripped)
	e.Int(o.TrippedAt)
	e.Int(o.LastBreach)
}
func (o *oracleState) dec(d *ledger.Decoder) {
	o.Median, o.Time = d.Amount(), d.Int()
	o.Cum.dec(d)
	o.Tripped, o.TrippedAt, o.LastBreach = d.Bool(), d.Int(), d.Int()
}

// twapPoint is a point of the median's history: from its key's time on,
// the median was Price; Cum is the cumulative price at that time.
type twapPoint struct {
	T     int64
	Cum   Cumulative
	Price ledger.Amount
}

func (p *twapPoint) enc(e *ledger.Encoder) { p.Cum.enc(e); e.Amount(p.Price) }
func (p *twapPoint) dec(d *ledger.Decoder) { p.Cum.dec(d); p.Price = d.Amount() }

// epochState carries the burn-and-mint counters between epoch closes.
type epochState struct {
	SnapMinted, SnapBurned ledger.Amount // native counters at the last close
	Target                 ledger.Amount // smoothed burn target (HIP-20)
	WProviders, WMining    ledger.Amount // weights this epoch
	WCreators              ledger.Amount
	CreditsIssued          ledger.Amount // lifetime
	CreditsSpent           ledger.Amount // lifetime
	EpochIssued            ledger.Amount // this epoch
	EpochSpent             ledger.Amount
}

func (s *epochState) fields() []*ledger.Amount {
	return []*ledger.Amount{&s.SnapMinted, &s.SnapBurned, &s.Target, &s.WProviders, &s.WMining, &s.WCreators,
		&s.CreditsIssued, &s.CreditsSpent, &s.EpochIssued, &s.EpochSpent}
}
func (s *epochState) enc(e *ledger.Encoder) {
	for _, f := range s.fields() {
		e.Amount(*f)
	}
}
func (s *epochState) dec(d *ledger.Decoder) {
	for _, f := range s.fields() {
		*f = d.Amount()
	}
}

// kept returns the record of type R that g keeps decoded for k, and
// whether g keeps records at all: a *ledger.State does, and a decision's
// *ledger.Context (concrete calls, so that k stays on the caller's stack).
func kept[R ledger.Record](g ledger.Getter, k []byte) (rec R, keeps, ok bool) {
	var r ledger.Record
	var found bool
	switch s := g.(type) {
	case *ledger.State:
		r, found = s.Record(k)
	case *ledger.Context:
		r, found = s.Record(k)
	default:
		return rec, false, false
	}
	if found {
		rec, ok = r.(R)
	}
	return rec, true, ok
}

// keep has g keep r as k's value decoded, if g keeps records (kept).
func keep(g ledger.Getter, k []byte, r ledger.Record) {
	switch s := g.(type) {
	case *ledger.State:
		s.KeepRecord(k, r)
	case *ledger.Context:
		s.KeepRecord(k, r)
	}
}

func getEpochState(g ledger.Getter) (epochState, error) {
	es, keeps, ok := kept[*epochState](g, keyEpoch)
	if ok {
		return *es, nil
	}
	s := new(epochState)
	found, err := load(g, keyEpoch, "tokenomics epoch state", s)
	if keeps && found && err == nil {
		keep(g, keyEpoch, s)
	}
	return *s, err
}

// EncodeTo implements ledger.Record: a State keeps the epoch state
// decoded for the rest of a block.
func (s *epochState) EncodeTo(e *ledger.Encoder) { s.enc(e) }

// saveEpochState writes the epoch state, to be encoded once per block.
func saveEpochState(st *ledger.State, es epochState) {
	st.SetRecord(keyEpoch, &es)
}

// Pool is a staking pool: its total reward units and the F1 accumulator,
// the cumulative reward per unit scaled by AccScale.
type Pool struct {
	ID       string        `json:"pool"`
	Units    ledger.Amount `json:"units"`
	Acc      Nat           `json:"acc"`
	Received ledger.Amount `json:"received"` // credited to stakers since the pool was last empty
	Paid     ledger.Amount `json:"paid"`     // paid out of Received
	// Frac is the credited reward not yet a whole base unit, scaled by
	// AccScale: Received * AccScale + Frac = the sum over reward events of
	// increment * units, an upper bound of what stakers can claim.
	Frac Nat `json:"frac"`
}

func (p *Pool) enc(e *ledger.Encoder) {
	e.Amount(p.Units)
	encBig(e, p.Acc.Int)
	e.Amount(p.Received)
	e.Amount(p.Paid)
	encBig(e, p.Frac.Int)
}
func (p *Pool) dec(d *ledger.Decoder) {
	p.Units, p.Acc, p.Received, p.Paid, p.Frac = d.Amount(), natOf(decBig(d)), d.Amount(), d.Amount(), natOf(decBig(d))
}

// poolRecord is a Pool as a ledger.Record, which a State keeps decoded: a
// Pool read from state shares its Acc and Frac with it, so neither is ever
// modified in place (they are replaced).
type poolRecord struct{ Pool }

func (p *poolRecord) EncodeTo(e *ledger.Encoder) { p.enc(e) }

func getPool(g ledger.Getter, id string) (Pool, error) {
	k := poolKey(id)
	r, keeps, ok := kept[*poolRecord](g, k)
	if ok {
		pl := r.Pool
		pl.ID = id
		return pl, nil
	}
	p := Pool{ID: id, Acc: natOf(new(big.Int)), Frac: natOf(new(big.Int))}
	found, err := load(g, k, "pool "+id, &p)
	p.ID = id
	if keeps && found && err == nil {
		keep(g, k, &poolRecord{p})
	}
	return p, err
}

// savePool writes a pool, to be encoded when its bytes are needed.
func savePool(st *ledger.State, p Pool) {
	st.SetRecord(poolKey(p.ID), &poolRecord{p})
}

// PoolAsset is a pool's total of one asset: Amount base units held for
// Shares position shares. Slashing lowers Amount, never Shares.
type PoolAsset struct {
	Asset  ledger.AssetID `json:"asset"`
	Amount ledger.Amount  `json:"amount"`
	Shares ledger.Amount  `json:"shares"`
}

func (p *PoolAsset) enc(e *ledger.Encoder) { e.Amount(p.Amount); e.Amount(p.Shares) }
func (p *PoolAsset) dec(d *ledger.Decoder) { p.Amount, p.Shares = d.Amount(), d.Amount() }

func getPoolAsset(g ledger.Getter, pool string, a ledger.AssetID) (PoolAsset, error) {
	pa := PoolAsset{Asset: a}
	_, err := load(g, poolAssetKey(pool, a), "pool asset", &pa)
	return pa, err
}

// Position is a staker's stake of one asset in one pool.
type Position struct {
	Pool    string           `json:"pool"`
	Account ledger.AccountID `json:"account"`
	Asset   ledger.AssetID   `json:"asset"`
	Shares  ledger.Amount    `json:"shares"`
	Units   ledger.Amount    `json:"units"` // reward weight
	Snap    Nat              `json:"snap"`  // pool accumulator when last settled
}

func (p *Position) enc(e *ledger.Encoder) {
	e.Amount(p.Shares)
	e.Amount(p.Units)
	encBig(e, p.Snap.Int)
}
func (p *Position) dec(d *ledger.Decoder) {
	p.Shares, p.Units, p.Snap = d.Amount(), d.Amount(), natOf(decBig(d))
}

// positionUnits decodes a position's units alone, checking the record as
// decodeRecord does (the fields as dec reads them), without making its
// accumulator snapshot.
func positionUnits(v []byte) (ledger.Amount, error) {
	d := ledger.NewDecoder(v, "position")
	d.Amount()
	u := d.Amount()
	checkBig(d)
	return u, finishRecord(d)
}

// Unbonding is stake on its way out: it can be withdrawn from epoch
// Release on.
type Unbonding struct {
	ID      uint64           `json:"id"`
	Account ledger.AccountID `json:"account"`
	Pool    string           `json:"pool"`
	Asset   ledger.AssetID   `json:"asset"`
	Amount  ledger.Amount    `json:"amount"`
	Release uint64           `json:"release_epoch"`
}

func (u *Unbonding) enc(e *ledger.Encoder) {
	e.String(u.Pool)
	e.String(string(u.Asset))
	e.Amount(u.Amount)
	e.Uint(u.Release)
}
func (u *Unbonding) dec(d *ledger.Decoder) {
	u.Pool, u.Asset, u.Amount, u.Release = d.String(), ledger.AssetID(d.String()), d.Amount(), d.Uint()
}

// Agent is an agent's record.
type Agent struct {
	ID       string           `json:"agent"`
	Creator  ledger.AccountID `json:"creator"`
	Template ledger.AccountID `json:"template,omitempty"`
	PriceIn  uint64           `json:"price_in"`  // credits (micro-USD) per input token
	PriceOut uint64           `json:"price_out"` // credits (micro-USD) per output token
	Deposit  uint64           `json:"deposit_lock,omitempty"`
	Token    ledger.AssetID   `json:"token,omitempty"`
	Created  uint64           `json:"created_epoch"`
}

func (a *Agent) enc(e *ledger.Encoder) {
	e.String(string(a.Creator))
	e.String(string(a.Template))
	e.Uint(a.PriceIn)
	e.Uint(a.PriceOut)
	e.Uint(a.Deposit)
	e.String(string(a.Token))
	e.Uint(a.Created)
}
func (a *Agent) dec(d *ledger.Decoder) {
	a.Creator, a.Template = ledger.AccountID(d.String()), ledger.AccountID(d.String())
	a.PriceIn, a.PriceOut, a.Deposit = d.Uint(), d.Uint(), d.Uint()
	a.Token, a.Created = ledger.AssetID(d.String()), d.Uint()
}

// GetAgent reads an agent.
func GetAgent(g ledger.Getter, id string) (Agent, bool, error) {
	k := agentKey(id)
	r, keeps, ok := kept[*agentRecord](g, k)
	if ok {
		ag := r.Agent
		ag.ID = id
		return ag, true, nil
	}
	a := Agent{ID: id}
	ok, err := load(g, k, "agent "+id, &a)
	a.ID = id
	if keeps && ok && err == nil {
		keep(g, k, &agentRecord{a})
	}
	return a, ok, err
}

// agentRecord is an Agent as a ledger.Record, which a State keeps decoded
// (an Agent holds no memory its readers could change).
type agentRecord struct{ Agent }

func (a *agentRecord) EncodeTo(e *ledger.Encoder) { a.enc(e) }

// saveAgent writes an agent, to be encoded when its bytes are needed.
func saveAgent(st *ledger.State, a Agent) {
	st.SetRecord(agentKey(a.ID), &agentRecord{a})
}

// Curve is an agent token's bonding curve: constant product X*Y over
// virtual reserves. X is the virtual base (native) reserve, Y the virtual
// token reserve; RealBase native and Supply-Sold tokens are really held.
type Curve struct {
	Agent      string         `json:"agent"`
	Asset      ledger.AssetID `json:"asset"`
	X          ledger.Amount  `json:"x"`
	Y          ledger.Amount  `json:"y"`
	RealBase   ledger.Amount  `json:"real_base"`
	Sold       ledger.Amount  `json:"sold"`
	Supply     ledger.Amount  `json:"supply"`
	SaleSupply ledger.Amount  `json:"sale_supply"`
	Graduated  bool           `json:"graduated"`
}

func (c *Curve) enc(e *ledger.Encoder) {
	e.String(string(c.Asset))
	for _, a := range []ledger.Amount{c.X, c.Y, c.RealBase, c.Sold, c.Supply, c.SaleSupply} {
		e.Amount(a)
	}
	e.Bool(c.Graduated)
}
func (c *Curve) dec(d *ledger.Decoder) {
	c.Asset = ledger.AssetID(d.String())
	c.X, c.Y, c.RealBase, c.Sold, c.Supply, c.SaleSupply = d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount(), d.Amount()
	c.Graduated = d.Bool()
}

// GetCurve reads an agent's curve; ok is false before launch_token.
func GetCurve(g ledger.Getter, agent string) (Curve, bool, error) {
	c := Curve{Agent: agent}
	ok, err := load(g, curveKey(agent), "curve "+agent, &c)
	c.Agent = agent
	return c, ok, err
}

// Lock is value locked until an epoch: an agent's creation deposit or a
// graduated curve's liquidity.
type Lock struct {
	ID     uint64           `json:"id"`
	Owner  ledger.AccountID `json:"owner"`
	Asset  ledger.AssetID   `json:"asset"`
	Amount ledger.Amount    `json:"amount"`
	Unlock uint64           `json:"unlock_epoch"`
	Reason string           `json:"reason"`
	Agent  string           `json:"agent,omitempty"`
}

func (l *Lock) enc(e *ledger.Encoder) {
	e.String(string(l.Owner))
	e.String(string(l.Asset))
	e.Amount(l.Amount)
	e.Uint(l.Unlock)
	e.String(l.Reason)
	e.String(l.Agent)
}
func (l *Lock) dec(d *ledger.Decoder) {
	l.Owner, l.Asset, l.Amount = ledger.AccountID(d.String()), ledger.AssetID(d.String()), d.Amount()
	l.Unlock, l.Reason, l.Agent = d.Uint(), d.String(), d.String()
}

// GetLock reads a lock.
func GetLock(g ledger.Getter, id uint64) (Lock, bool, error) {
	l := Lock{ID: id}
	ok, err := load(g, lockKey(id), "lock", &l)
	l.ID = id
	return l, ok, err
}

// Credits returns an account's credit balance in micro-USD.
func Credits(g ledger.Getter, id ledger.AccountID) (ledger.Amount, error) {
	switch s := g.(type) {
	case *ledger.State:
		return getAmount(s, creditsKey(id))
	case *ledger.Context:
		k := creditsKey(id)
		a, _, err := s.GetAmount(k)
		if err != nil {
			return ledger.Amount{}, amountErr(k, err)
		}
		return a, nil
	case ledger.MemView:
		// A concrete call: the key stays on the stack.
		k := creditsKey(id)
		v, ok := s.Get(k)
		return amountAt(k, v, ok)
	}
	return getAmountOf(g, creditsKey(id))
}
