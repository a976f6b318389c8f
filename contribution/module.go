package contribution

import (
	"bytes"
	"math/big"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/ledger"
)

// ModuleName is the module's name.
const ModuleName = "contribution"

// PriceSource reports the reward asset's price in micro-USD per whole
// token, for the self-dealing cap. Tokenomics' oracle provides one; a nil
// source (or ok=false) leaves rewards uncapped.
type PriceSource interface {
	Price(g ledger.Getter) (microUSD uint64, ok bool)
}

// Module is the contribution module. Price may be nil.
type Module struct {
	Price PriceSource
}

// New returns the module.
func New(price PriceSource) Module { return Module{Price: price} }

func (Module) Name() string { return ModuleName }

func (Module) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "contribution_register", New: func() ledger.Payload { return new(Register) }},
		{Type: "contribution_record", New: func() ledger.Payload { return new(Record) }},
		{Type: "contribution_commit", New: func() ledger.Payload { return new(CommitWeights) }},
		{Type: "contribution_reveal", New: func() ledger.Payload { return new(RevealWeights) }},
	}
}

func (Module) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "contribution_registered", Version: 1, New: func() ledger.Event { return new(Registered) }},
		{Type: "contribution_recorded", Version: 1, New: func() ledger.Event { return new(Recorded) }},
		{Type: "contribution_committed", Version: 1, New: func() ledger.Event { return new(Committed) }},
		{Type: "contribution_revealed", Version: 1, New: func() ledger.Event { return new(Revealed) }},
		{Type: "contribution_epoch_scored", Version: 1, New: func() ledger.Event { return new(EpochScored) }},
	}
}

func blake(b []byte) ledger.Hash { return ledger.Hash(blake3.Sum256(b)) }

// InitGenesis sets the parameters and creates the module accounts.
func (Module) InitGenesis(ctx *ledger.Context, raw []byte) error {
	p, err := parseGenesisParams(raw)
	if err != nil {
		return err
	}
	if _, ok, err := ledger.GetAsset(ctx, p.RewardAsset); err != nil || !ok {
		return paramErr("reward_asset", "asset %s is not declared in the genesis", p.RewardAsset)
	}
	for _, a := range []ledger.AccountID{PoolAccount, StakeAccount, TreasuryAccount} {
		if err := ledger.EnsureModuleAccount(ctx, a); err != nil {
			return err
		}
	}
	return ledger.InitParams(ctx, ModuleName, p.encode())
}

func openEpoch(ctx *ledger.Context) (uint64, error) {
	c, err := ledger.GetChain(ctx)
	return c.Epoch, err
}

// Decide decides the module's commands.
func (m Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	pb, err := ctx.Params(ModuleName)
	if err != nil {
		return err
	}
	p, err := decodeParams(pb)
	if err != nil {
		return err
	}
	epoch, err := openEpoch(ctx)
	if err != nil {
		return err
	}
	switch c := cmd.Payload.(type) {
	case *Register:
		if _, ok := ctx.Get(providerKey(cmd.Actor)); ok {
			return ledger.Errorf(ErrRegistered, "%s is already registered as a provider", cmd.Actor)
		}
		if _, ok := ctx.Get(validatorKey(cmd.Actor)); ok {
			return ledger.Errorf(ErrRegistered, "%s is already registered as a validator", cmd.Actor)
		}
		if c.Role == RoleValidator && c.Stake.Cmp(p.MinValidatorStake) < 0 {
			return ledger.Errorf(ErrLowStake, "validators stake at least %s base units of %s; %s offered %s", p.MinValidatorStake, p.RewardAsset, cmd.Actor, c.Stake)
		}
		if err := ledger.Move(ctx, cmd.Actor, StakeAccount, p.RewardAsset, c.Stake); err != nil {
			return err
		}
		return ctx.Emit(&Registered{Account: cmd.Actor, Role: c.Role, Stake: c.Stake, Height: ctx.Height})
	case *Record:
		if !p.isReporter(cmd.Actor) {
			return ledger.Errorf(ErrNotReporter, "%s is not an authorised reporter; reporters are %v", cmd.Actor, p.Reporters)
		}
		prov, ok, err := GetProvider(ctx, c.Provider)
		if err != nil {
			return err
		}
		if !ok {
			return ledger.Errorf(ErrUnknownProvider, "provider %s is not registered", c.Provider)
		}
		if role := kindRole[c.Kind]; role != prov.Role {
			return ledger.Errorf(ErrUnknownKind, "%s contributions belong to the %s role; %s is registered as %s", c.Kind, role, c.Provider, prov.Role)
		}
		if c.Quantity > p.MaxQuantity {
			return ledger.Errorf(ErrAbsurdQuantity, "quantity %d is above the limit of %d per record", c.Quantity, p.MaxQuantity)
		}
		price := p.price(c.Kind, c.Class)
		value, _, _ := ledger.NewAmount(price).MulDiv(c.Quantity, 1) // < 2^128
		return ctx.Emit(&Recorded{Epoch: epoch, Provider: c.Provider, Kind: c.Kind, Class: c.Class, Quantity: c.Quantity, Value: value, Credits: c.Credits, Source: c.Source, Reporter: cmd.Actor})
	case *CommitWeights:
		if _, ok := ctx.Get(validatorKey(cmd.Actor)); !ok {
			return ledger.Errorf(ErrNotValidator, "%s is not a registered validator", cmd.Actor)
		}
		if _, ok := ctx.Get(weightsKey(epoch, cmd.Actor)); ok {
			return ledger.Errorf(ErrAlreadyRevealed, "%s already revealed its weights for epoch %d", cmd.Actor, epoch)
		}
		return ctx.Emit(&Committed{Validator: cmd.Actor, Epoch: epoch, Hash: c.Hash, Height: ctx.Height})
	case *RevealWeights:
		if _, ok := ctx.Get(validatorKey(cmd.Actor)); !ok {
			return ledger.Errorf(ErrNotValidator, "%s is not a registered validator", cmd.Actor)
		}
		if _, ok := ctx.Get(weightsKey(epoch, cmd.Actor)); ok {
			return ledger.Errorf(ErrAlreadyRevealed, "%s already revealed its weights for epoch %d", cmd.Actor, epoch)
		}
		cm, ok, err := getCommit(ctx, epoch, cmd.Actor)
		if err != nil {
			return err
		}
		if !ok || cm.height >= ctx.Height {
			return ledger.Errorf(ErrNoCommit, "%s has no commitment for epoch %d in an earlier block; commit first, reveal later", cmd.Actor, epoch)
		}
		if WeightsHash(cmd.Actor, epoch, c.Weights, c.Salt) != cm.hash {
			return ledger.Errorf(ErrRevealMismatch, "the weights and salt do not hash to %s's commitment", cmd.Actor)
		}
		for _, w := range c.Weights {
			if _, ok := ctx.Get(providerKey(w.Provider)); !ok {
				return ledger.Errorf(ErrUnknownProvider, "weight on %s, which is not a registered provider", w.Provider)
			}
		}
		return ctx.Emit(&Revealed{Validator: cmd.Actor, Epoch: epoch, Weights: c.Weights})
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "contribution cannot decide %s", cmd.Payload.Type())
}

type commit struct {
	hash   ledger.Hash
	height uint64
}

func getCommit(g ledger.Getter, epoch uint64, v ledger.AccountID) (commit, bool, error) {
	b, ok := g.Get(commitKey(epoch, v))
	if !ok {
		return commit{}, false, nil
	}
	d := ledger.NewDecoder(b, "commitment")
	var c commit
	copy(c.hash[:], d.Fixed(32))
	c.height = d.Uint()
	return c, true, d.Finish()
}

// Evolve applies the module's events.
func (m Module) Evolve(st *ledger.State, ev ledger.Event) error {
	switch e := ev.(type) {
	case *Registered:
		if e.Role == RoleValidator {
			st.Set(validatorKey(e.Account), encodeValidator(&Validator{Stake: e.Stake, Registered: e.Height}))
		} else {
			st.Set(providerKey(e.Account), encodeProvider(&Provider{Role: e.Role, Stake: e.Stake, Registered: e.Height}))
		}
		return nil
	case *Recorded:
		k := recordKey(e.Epoch, e.Provider)
		var r record
		if v, ok := st.Get(k); ok {
			var err error
			if r, err = decodeRecord(v); err != nil {
				return err
			}
		}
		var ok bool
		if r.Value, ok = r.Value.Add(e.Value); !ok {
			return ledger.Errorf(ledger.ErrAmountOverflow, "contribution of %s overflows", e.Provider)
		}
		if r.Credits+e.Credits < r.Credits {
			return ledger.Errorf(ledger.ErrAmountOverflow, "credits of %s overflow", e.Provider)
		}
		r.Credits += e.Credits
		r.Count++
		st.Set(k, encodeRecord(&r))
		return nil
	case *Committed:
		enc := ledger.NewEncoder(nil)
		enc.Fixed(e.Hash[:])
		enc.Uint(e.Height)
		st.Set(commitKey(e.Epoch, e.Validator), enc.Bytes())
		return nil
	case *Revealed:
		st.Set(weightsKey(e.Epoch, e.Validator), encodeWeights(e.Weights))
		return nil
	case *EpochScored:
		return m.applyScores(st, e)
	}
	return ledger.Errorf(ledger.ErrUnknownEvent, "contribution cannot apply %s", ev.EventType())
}

// EndEpoch scores the closing epoch and pays the pool out.
func (m Module) EndEpoch(ctx *ledger.Context, epoch uint64) error {
	pb, err := ctx.Params(ModuleName)
	if err != nil {
		return err
	}
	p, err := decodeParams(pb)
	if err != nil {
		return err
	}
	pl, err := m.plan(ctx, &p, epoch, ctx.Height)
	if err != nil {
		return err
	}
	if err := ctx.Emit(&pl.summary); err != nil {
		return err
	}
	for _, t := range pl.transfers {
		if err := ledger.Move(ctx, PoolAccount, t.to, p.RewardAsset, t.amount); err != nil {
			return err
		}
	}
	return nil
}

type payment struct {
	to     ledger.AccountID
	amount ledger.Amount
}

// plan is an epoch's scoring and payout.
type plan struct {
	summary    EpochScored
	transfers  []payment // pool -> recipients, the treasury last
	provIDs    []ledger.AccountID
	provRes    []ProviderResult
	valIDs     []ledger.AccountID
	valRes     []ValidatorResult
	bonds      [][]bond
	workingKey [][]byte // the epoch's records, commits and reveals, to clear
}

// plan computes an epoch's scores and payouts from state. Evolve of
// EpochScored calls it again on the same state, so it must read only what
// the events before EpochScored leave in place.
func (m Module) plan(g interface {
	ledger.Getter
	Scan([]byte, func(k, v []byte) bool)
}, p *Params, epoch, height uint64) (*plan, error) {
	pl := &plan{summary: EpochScored{Epoch: epoch, Height: height}}
	pool, err := ledger.BalanceOf(g, PoolAccount, p.RewardAsset)
	if err != nil {
		return nil, err
	}
	pl.summary.Pool = pool

	// Providers with contributions this epoch, in ID order.
	var provs []provIn
	var ferr error
	prefix := recordPrefix(epoch)
	g.Scan(prefix, func(k, v []byte) bool {
		pl.workingKey = append(pl.workingKey, bytes.Clone(k))
		id := ledger.AccountID(k[len(prefix):])
		r, err := decodeRecord(v)
		if err != nil {
			ferr = err
			return false
		}
		pr, ok, err := GetProvider(g, id)
		if err != nil || !ok {
			ferr = ledger.Errorf(ledger.ErrCorrupt, "contribution of unregistered provider %s", id)
			return false
		}
		provs = append(provs, provIn{id: id, role: pr.Role, value: r.Value, cred: r.Credits, registered: pr.Registered})
		return true
	})
	if ferr != nil {
		return nil, ferr
	}
	index := make(map[string]int, len(provs))
	for j, pv := range provs {
		index[string(pv.id)] = j
	}
	// Validators that revealed, with enough stake; weights filtered.
	var vals []valIn
	wprefix := weightsPrefix(epoch)
	g.Scan(wprefix, func(k, v []byte) bool {
		pl.workingKey = append(pl.workingKey, bytes.Clone(k))
		id := ledger.AccountID(k[len(wprefix):])
		val, ok, err := GetValidator(g, id)
		if err != nil || !ok {
			ferr = ledger.Errorf(ledger.ErrCorrupt, "weights of unregistered validator %s", id)
			return false
		}
		if val.Stake.Cmp(p.MinValidatorStake) < 0 {
			return true // below the (possibly raised) minimum: no vote
		}
		cm, _, err := getCommit(g, epoch, id)
		if err != nil {
			ferr = err
			return false
		}
		// Resolve weights to provider indexes without allocating: a
		// weight counts if its provider contributed this epoch, was
		// registered before the commitment, and is not the validator.
		var idxs []int
		var raws []uint64
		d := ledger.NewDecoder(v, "weights")
		n := d.Len(2)
		for range n {
			pid := d.Fixed(d.Len(1))
			w := d.Uint()
			j, ok := index[string(pid)]
			if !ok || w == 0 || provs[j].id == id || provs[j].registered > cm.height {
				continue
			}
			idxs = append(idxs, j)
			raws = append(raws, w)
		}
		if err := d.Finish(); err != nil {
			ferr = err
			return false
		}
		vi := valIn{id: id, stake: val.Stake, idx: idxs, raw: raws}
		if b, ok := g.Get(bondsKey(id)); ok {
			if vi.bonds, ferr = decodeBonds(b); ferr != nil {
				return false
			}
		}
		vals = append(vals, vi)
		return true
	})
	if ferr != nil {
		return nil, ferr
	}
	cprefix := commitPrefix(epoch)
	g.Scan(cprefix, func(k, v []byte) bool {
		pl.workingKey = append(pl.workingKey, bytes.Clone(k))
		return true
	})
	pl.summary.Providers, pl.summary.Validators = uint64(len(provs)), uint64(len(vals))

	y := yuma(vals, provs, p.KappaBps, p.BondAlphaBps)
	voted := false
	for _, v := range y.vtrust {
		if v > 0 {
			voted = true
		}
	}

	// Split the pool among roles; remainders go to the treasury.
	var treasury, paid big.Int
	poolB := pool.Big()
	rolePool := func(bps uint32) *big.Int {
		x := new(big.Int).Mul(poolB, big.NewInt(int64(bps)))
		return x.Quo(x, big.NewInt(BPS))
	}
	allocated := new(big.Int)
	pl.provIDs = make([]ledger.AccountID, len(provs))
	pl.provRes = make([]ProviderResult, len(provs))
	rewards := make([]*big.Int, len(provs))
	var price uint64
	var havePrice bool
	var decimals uint8
	if m.Price != nil {
		price, havePrice = m.Price.Price(g)
		if a, ok, _ := ledger.GetAsset(g, p.RewardAsset); ok {
			decimals = a.Decimals
		}
	}
	for _, role := range providerRoles {
		rp := rolePool(p.Shares.of(role))
		allocated.Add(allocated, rp)
		// score_j = C_j x I_j with a vote, C_j without one.
		var members []int
		sumScore, sumC, sumI := new(big.Int), new(big.Int), new(big.Int)
		scores := map[int]*big.Int{}
		for j, pv := range provs {
			if pv.role != role {
				continue
			}
			members = append(members, j)
			s := pv.value.Big()
			if voted {
				s.Mul(s, new(big.Int).SetUint64(y.incentive[j]))
			}
			scores[j] = s
			sumScore.Add(sumScore, s)
			sumC.Add(sumC, pv.value.Big())
			sumI.Add(sumI, new(big.Int).SetUint64(y.incentive[j]))
		}
		for _, j := range members {
			r := new(big.Int)
			if sumScore.Sign() > 0 {
				r.Mul(rp, scores[j])
				r.Quo(r, sumScore)
			}
			res := ProviderResult{Epoch: epoch, Contribution: provs[j].value, Consensus: y.consensus[j], Incentive: y.incentive[j], Trust: y.trust[j]}
			// Outlier: claimed share of the role above consensus share by
			// more than OutlierBps.
			if voted {
				lhs := new(big.Int).Mul(provs[j].value.Big(), sumI)
				lhs.Mul(lhs, big.NewInt(BPS))
				rhs := new(big.Int).Mul(new(big.Int).SetUint64(y.incentive[j]), sumC)
				rhs.Mul(rhs, big.NewInt(int64(BPS+p.OutlierBps)))
				if lhs.Cmp(rhs) > 0 {
					res.Flagged = true
					pl.summary.Flagged++
					r = new(big.Int)
				}
			}
			// Self-dealing cap: never more than the credits served are worth.
			if havePrice && price > 0 && r.Sign() > 0 {
				max := new(big.Int).SetUint64(provs[j].cred)
				max.Mul(max, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil))
				max.Quo(max, new(big.Int).SetUint64(price))
				if r.Cmp(max) > 0 {
					res.Capped, _ = ledger.AmountFromBig(new(big.Int).Sub(r, max))
					r = max
				}
			}
			res.Reward, _ = ledger.AmountFromBig(r)
			rewards[j] = r
			pl.provIDs[j] = provs[j].id
			pl.provRes[j] = res
		}
	}
	for j := range provs {
		if rewards[j].Sign() > 0 {
			a, _ := ledger.AmountFromBig(rewards[j])
			pl.transfers = append(pl.transfers, payment{provs[j].id, a})
			paid.Add(&paid, rewards[j])
		}
	}
	// Validators: their share by dividends x validator trust.
	vp := rolePool(p.Shares.Validators)
	allocated.Add(allocated, vp)
	pl.valIDs = make([]ledger.AccountID, len(vals))
	pl.valRes = make([]ValidatorResult, len(vals))
	pl.bonds = y.bonds
	sumV := new(big.Int)
	vscore := make([]*big.Int, len(vals))
	for i := range vals {
		vscore[i] = new(big.Int).Mul(new(big.Int).SetUint64(y.dividend[i]), new(big.Int).SetUint64(y.vtrust[i]))
		sumV.Add(sumV, vscore[i])
	}
	for i, v := range vals {
		r := new(big.Int)
		if sumV.Sign() > 0 {
			r.Mul(vp, vscore[i])
			r.Quo(r, sumV)
		}
		amt, _ := ledger.AmountFromBig(r)
		pl.valIDs[i] = v.id
		pl.valRes[i] = ValidatorResult{Epoch: epoch, Dividend: y.dividend[i], VTrust: y.vtrust[i], Reward: amt}
		if r.Sign() > 0 {
			pl.transfers = append(pl.transfers, payment{v.id, amt})
			paid.Add(&paid, r)
		}
	}
	// Nothing to score: the pool waits for the next epoch.
	if len(provs) == 0 && len(vals) == 0 {
		pl.transfers = nil
		return pl, nil
	}
	// Everything not paid goes to the treasury: withheld and capped rewards,
	// roles with no score, and every rounding remainder.
	treasury.Sub(poolB, &paid)
	if treasury.Sign() > 0 {
		a, _ := ledger.AmountFromBig(&treasury)
		pl.transfers = append(pl.transfers, payment{p.Treasury, a})
	}
	pl.summary.Paid, _ = ledger.AmountFromBig(&paid)
	pl.summary.Treasury, _ = ledger.AmountFromBig(&treasury)
	return pl, nil
}

// applyScores recomputes the epoch's plan, checks it against the event,
// stores the results and bonds and clears the epoch's working records.
func (m Module) applyScores(st *ledger.State, e *EpochScored) error {
	p, err := ParamsAt(stateGetter{st}, e.Height)
	if err != nil {
		return err
	}
	pl, err := m.plan(st, &p, e.Epoch, e.Height)
	if err != nil {
		return err
	}
	if pl.summary != *e {
		return ledger.Errorf(ledger.ErrDivergence, "epoch %d rescored to %+v, the event says %+v", e.Epoch, pl.summary, *e)
	}
	for j, id := range pl.provIDs {
		st.Set(providerResultKey(id, e.Epoch), encodeProviderResult(&pl.provRes[j]))
	}
	for i, id := range pl.valIDs {
		st.Set(validatorResultKey(id, e.Epoch), encodeValidatorResult(&pl.valRes[i]))
		if len(pl.bonds[i]) == 0 {
			st.Delete(bondsKey(id))
		} else {
			st.Set(bondsKey(id), encodeBonds(pl.bonds[i]))
		}
	}
	for _, k := range pl.workingKey {
		st.Delete(k)
	}
	return nil
}

type stateGetter struct{ st *ledger.State }

func (s stateGetter) Get(k []byte) ([]byte, bool) { return s.st.Get(k) }
