package contribution

import (
	"fmt"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/ledger"
)

// ModuleName is the module's name.
const ModuleName = "contribution"

// PriceSource reports the reward asset's price in units of 10^-18 USD per
// whole token (tokenomics.PriceDecimals), for the self-dealing cap.
// Tokenomics' oracle provides one; a nil source (or ok=false) leaves
// rewards uncapped.
type PriceSource interface {
	Price(g ledger.Getter) (price ledger.Amount, ok bool)
}

// Module is the contribution module. Price may be nil.
type Module struct {
	Price PriceSource
}

// New returns the module.
func New(price PriceSource) Module { return Module{Price: price} }

var (
	_ ledger.Parameterized      = Module{}
	_ ledger.GenesisInitializer = Module{}
	_ ledger.EpochEnder         = Module{}
	_ ledger.ParamsStateChecker = Module{}
	_ ledger.Bookkeeper         = Module{}
)

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
		{Type: "contribution_recorded", Version: 1, New: func() ledger.Event { return new(RecordedV1) }, Upcast: upcastRecorded},
		{Type: "contribution_recorded", Version: 2, New: func() ledger.Event { return new(Recorded) }},
		{Type: "contribution_committed", Version: 1, New: func() ledger.Event { return new(Committed) }},
		{Type: "contribution_revealed", Version: 1, New: func() ledger.Event { return new(RevealedV1) }, Upcast: upcastRevealed},
		{Type: "contribution_revealed", Version: 2, New: func() ledger.Event { return new(Revealed) }},
		{Type: "contribution_epoch_scored", Version: 1, New: func() ledger.Event { return new(EpochScoredV1) }},
		{Type: "contribution_epoch_scored", Version: 2, New: func() ledger.Event { return new(EpochScored) }},
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
	if err := p.checkState(ctx); err != nil {
		return err
	}
	return ledger.InitParams(ctx, ModuleName, p.encode())
}

// BookedAccounts lists the module's booked accounts
// (ledger.Bookkeeper): the stake account, whose balance is the stakes the
// registrations record. The pool is not booked: anyone may fund it.
func (Module) BookedAccounts() []ledger.AccountID { return []ledger.AccountID{StakeAccount} }

// CheckParamsState checks encoded parameters against state
// (ledger.ParamsStateChecker): the treasury, which every close pays its
// remainder to, must exist (a close that cannot pay it fails every epoch)
// and must not be a booked account (the remainder would be stranded where
// no record covers it).
func (Module) CheckParamsState(v ledger.ParamsView, encoded []byte) error {
	p, err := decodeParams(encoded)
	if err != nil {
		return err
	}
	return p.checkState(v)
}

func (p *Params) checkState(v ledger.ParamsView) error {
	if mod, ok := v.Booked(p.Treasury); ok {
		return paramErr("treasury", "%s is booked by module %s: its balance is what that module's records owe, and what each close pays there would be stranded; name an account that is not booked", p.Treasury, mod)
	}
	if _, ok := v.Get(ledger.AccountKey(p.Treasury)); !ok {
		return paramErr("treasury", "account %s does not exist", p.Treasury)
	}
	return nil
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
		if ctx.Rules() >= ledger.RulesV2 {
			if err := c.checkBounds(); err != nil {
				return err
			}
			if err := fitsEpoch(ctx, epoch, c, value); err != nil {
				return err
			}
		}
		return ctx.Emit(&Recorded{RecordedV1: RecordedV1{Epoch: epoch, Provider: c.Provider, Kind: c.Kind, Class: c.Class, Quantity: c.Quantity, Value: value, Credits: c.Credits, Source: c.Source, Reporter: cmd.Actor}, EnergyMJ: c.EnergyMJ})
	case *CommitWeights:
		if _, ok := ctx.Get(validatorKey(cmd.Actor)); !ok {
			return ledger.Errorf(ErrNotValidator, "%s is not a registered validator", cmd.Actor)
		}
		if revealedIn(ctx, cmd.Actor) == epoch+1 {
			return ledger.Errorf(ErrAlreadyRevealed, "%s already revealed its weights for epoch %d", cmd.Actor, epoch)
		}
		return ctx.Emit(&Committed{Validator: cmd.Actor, Epoch: epoch, Hash: c.Hash, Height: ctx.Height})
	case *RevealWeights:
		if _, ok := ctx.Get(validatorKey(cmd.Actor)); !ok {
			return ledger.Errorf(ErrNotValidator, "%s is not a registered validator", cmd.Actor)
		}
		if revealedIn(ctx, cmd.Actor) == epoch+1 {
			return ledger.Errorf(ErrAlreadyRevealed, "%s already revealed its weights for epoch %d", cmd.Actor, epoch)
		}
		height := ctx.Height // without commit-reveal, weights count from now
		if p.CommitReveal {
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
			height = cm.height
		}
		for _, w := range c.Weights {
			if _, ok := ctx.Get(providerKey(w.Provider)); !ok {
				return ledger.Errorf(ErrUnknownProvider, "weight on %s, which is not a registered provider", w.Provider)
			}
		}
		return ctx.Emit(&Revealed{Validator: cmd.Actor, Epoch: epoch, Height: height, Weights: c.Weights})
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "contribution cannot decide %s", cmd.Payload.Type())
}

// fitsEpoch refuses a record that would overflow one of its provider's
// sums for the epoch (ledger.ErrAmountOverflow), before anything is
// emitted: the sums stay as they are, and the provider's later records
// that fit still apply. With the bounds on a record (MaxRecordCredits,
// MaxRecordEnergyMJ, max_quantity) it takes many records to get here.
func fitsEpoch(ctx *ledger.Context, epoch uint64, c *Record, value ledger.Amount) error {
	v, ok := ctx.Get(recordKey(epoch, c.Provider))
	if !ok {
		return nil
	}
	r, err := decodeRecord(v)
	if err != nil {
		return err
	}
	full := func(what string, has, adds any) error {
		return ledger.Errorf(ledger.ErrAmountOverflow, "%s's %s in epoch %d (%v from %d records) plus this record's %v would overflow; the record is refused (the provider's records that fit still apply): record it in the next epoch", c.Provider, what, epoch, has, r.Count, adds)
	}
	if _, ok := r.Value.Add(value); !ok {
		return full("contribution", r.Value, value)
	}
	if r.Credits+c.Credits < r.Credits {
		return full("credits", r.Credits, c.Credits)
	}
	if r.EnergyMJ+c.EnergyMJ < r.EnergyMJ {
		return full("energy_mj", r.EnergyMJ, c.EnergyMJ)
	}
	return nil
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

// revealedIn returns 1 + the epoch of a validator's last weights, or 0
// when it has none.
func revealedIn(g ledger.Getter, v ledger.AccountID) uint64 {
	b, ok := g.Get(currentWeightsKey(v))
	if !ok {
		return 0
	}
	d := ledger.NewDecoder(b, "weights")
	return d.Uint() + 1
}

// Evolve applies the module's events. It only writes what the events
// carry: no event makes it score or decide anything.
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
		if r.EnergyMJ+e.EnergyMJ < r.EnergyMJ {
			return ledger.Errorf(ledger.ErrAmountOverflow, "energy of %s overflows", e.Provider)
		}
		r.EnergyMJ += e.EnergyMJ
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
		enc := ledger.NewEncoder(make([]byte, 0, 16+len(e.Weights)*12))
		enc.Uint(e.Epoch)
		enc.Uint(e.Height)
		enc.Fixed(encodeWeights(e.Weights))
		st.Set(currentWeightsKey(e.Validator), enc.Bytes())
		return nil
	case *EpochScored:
		return applyScores(st, e)
	case *EpochScoredV1:
		return ledger.Errorf(ledger.ErrUnknownVersion, "contribution_epoch_scored v1 (epoch %d) carries no scores to apply; replay only applies events, so this history replays only with the coopera release that wrote it", e.Epoch)
	}
	return ledger.Errorf(ledger.ErrUnknownEvent, "contribution cannot apply %s", ev.EventType())
}

// applyScores stores an epoch's results and bonds as the event carries
// them, records the close height and clears the epoch's records and
// commitments.
func applyScores(st *ledger.State, e *EpochScored) error {
	for i := range e.Providers {
		p := &e.Providers[i]
		r := ProviderResult{Contribution: p.Contribution, Consensus: p.Consensus, Incentive: p.Incentive, Trust: p.Trust, Reward: p.Reward, Flagged: p.Flagged, Capped: p.Capped}
		if v, ok := st.Get(recordKey(e.Epoch, e.Columns[p.Column])); ok {
			rec, err := decodeRecord(v)
			if err != nil {
				return err
			}
			r.EnergyMJ = rec.EnergyMJ // the epoch's records are cleared below
		}
		st.Set(providerResultKey(e.Columns[p.Column], e.Epoch), encodeProviderResult(&r))
	}
	remap, err := remapColumns(st, e.Columns)
	if err != nil {
		return err
	}
	same := len(remap) == len(e.Columns) // the stored rows need no remapping
	for c, j := range remap {
		same = same && int(j) == c
	}
	for i := range e.Validators {
		v := &e.Validators[i]
		if len(v.BondColumns) != len(v.BondChanges) {
			return ledger.Errorf(ledger.ErrCorrupt, "epoch %d: %s has %d bond columns and %d changes", e.Epoch, v.Validator, len(v.BondColumns), len(v.BondChanges))
		}
		r := ValidatorResult{Active: v.Active, Dividend: v.Dividend, VTrust: v.VTrust, Reward: v.Reward}
		st.Set(validatorResultKey(v.Validator, e.Epoch), encodeValidatorResult(&r))
		old, _ := st.Get(bondsKey(v.Validator))
		if same && len(v.BondColumns) == 0 {
			continue // unchanged, byte for byte
		}
		row, err := rewriteBonds(old, remap, v.BondColumns, v.BondChanges)
		if err != nil {
			return ledger.Errorf(ledger.ErrCorrupt, "epoch %d: %s: %v", e.Epoch, v.Validator, err)
		}
		if row == nil {
			st.Delete(bondsKey(v.Validator))
			continue
		}
		st.Set(bondsKey(v.Validator), row)
	}
	for _, id := range e.Cleared {
		st.Delete(bondsKey(id))
	}
	st.Set(columnsKey(), encodeColumns(e.Columns))
	enc := ledger.NewEncoder(nil)
	enc.Uint(e.Height)
	st.Set(lastCloseKey(), enc.Bytes())
	st.DeletePrefix(recordPrefix(e.Epoch))
	st.DeletePrefix(commitPrefix(e.Epoch))
	return nil
}

// EndEpoch scores the closing epoch, once, and pays the pool out: the
// EpochScored event carries the scores, its Evolve stores them, and the
// transfers follow.
func (m Module) EndEpoch(ctx *ledger.Context, epoch uint64) error {
	pb, err := ctx.Params(ModuleName)
	if err != nil {
		return err
	}
	p, err := decodeParams(pb)
	if err != nil {
		return err
	}
	ev, pay, err := planEpoch(m, ctx, &p, epoch, ctx.Height)
	if err != nil {
		return err
	}
	warn, err := keepBookedTreasury(ctx, &p, ev, &pay)
	if err != nil {
		return err
	}
	if err := ctx.Emit(ev); err != nil {
		return err
	}
	if warn != nil {
		if err := ctx.Emit(warn); err != nil {
			return err
		}
	}
	for _, t := range pay {
		if err := ledger.Move(ctx, PoolAccount, t.to, p.RewardAsset, t.amount); err != nil {
			return err
		}
	}
	return nil
}

// keepBookedTreasury keeps the treasury's part of the close in the pool
// when the treasury is a booked account (ledger.Bookkeeper): the
// parameter checks refuse one, but a chain may hold one from before they
// existed, or from a release that booked the account since, and paying
// there would strand the funds where no record covers them. The part
// stays in the pool for the next close (ev.Treasury becomes zero: nothing
// was paid there), and the returned epoch_work_failed event, which
// changes no state, says so, so that operators see it and change the
// parameter. It returns nil when the treasury is not booked.
func keepBookedTreasury(ctx *ledger.Context, p *Params, ev *EpochScored, pay *[]payment) (*ledger.EpochWorkFailed, error) {
	mod, booked := ctx.Booked(p.Treasury)
	if !booked {
		return nil, nil
	}
	kept := ev.Treasury
	if !kept.IsZero() {
		// plan pays the treasury last.
		n := len(*pay)
		if n == 0 || (*pay)[n-1].to != p.Treasury || (*pay)[n-1].amount != kept {
			return nil, ledger.Errorf(ledger.ErrCorrupt, "epoch %d: the plan's last payment is not the treasury's %s", ev.Epoch, kept)
		}
		*pay = (*pay)[:n-1]
		ev.Treasury = ledger.Amount{}
	}
	return &ledger.EpochWorkFailed{Epoch: ev.Epoch, Module: ModuleName, Code: ledger.ErrInvalidParameter.Code,
		Msg: fmt.Sprintf("treasury %s is booked by module %s: the treasury's %s base units of %s stay in the pool for the next close, not paid there where no record covers them (the rest of the close went on); set contribution.treasury to an account that is not booked", p.Treasury, mod, kept, p.RewardAsset)}, nil
}
