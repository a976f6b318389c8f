package bridge

import (
	"encoding/binary"
	"fmt"

	"github.com/coopera/coopera/ledger"
)

// ModuleName is the module's name: params.bridge, accounts "mod:bridge/...".
const ModuleName = "bridge"

// SuspenseAccount holds deposits made to a ledger account that does not
// exist, is not a valid account ID, or is a module account: they are
// credited, so the supply stays backed and the deposit is not credited
// again, but no command moves them out in this version (a governed
// release is future work).
//
// It is booked (BookedAccounts): its balance of each asset is exactly
// the deposits credited to it, each recorded by its Deposited event with
// CreditedTo = SuspenseAccount, since nothing else credits or debits it.
// A user transfer into it (refused by the ledger) would hold funds that
// no deposit covers, and a governance treasury or pool naming it
// (refused by those modules' checks) could pay out what depositors are
// owed.
var SuspenseAccount = ledger.ModuleAccount(ModuleName, "suspense")

// Module is the bridge reducer. It holds no state.
type Module struct{}

var (
	_ ledger.Module             = Module{}
	_ ledger.Parameterized      = Module{}
	_ ledger.GenesisInitializer = Module{}
	_ ledger.Bookkeeper         = Module{}
)

// BookedAccounts lists the module's booked accounts (ledger.Bookkeeper):
// the suspense account, whose balance is the deposits credited to it.
// It is the bridge's only account: deposits mint and withdrawals burn, so
// no escrow holds what is in flight between the chains.
func (Module) BookedAccounts() []ledger.AccountID {
	return []ledger.AccountID{SuspenseAccount}
}

func (Module) Name() string { return ModuleName }

func (Module) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "bridge_deposit", New: func() ledger.Payload { return new(Deposit) }},
		{Type: "bridge_withdraw", New: func() ledger.Payload { return new(Withdraw) }},
		{Type: "bridge_anchor", New: func() ledger.Payload { return new(Anchor) }},
	}
}

func (Module) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "bridge_deposited", Version: 1, New: func() ledger.Event { return new(Deposited) }},
		{Type: "bridge_withdrawal_recorded", Version: 1, New: func() ledger.Event { return new(WithdrawalRecorded) }},
		{Type: "bridge_anchor_sealed", Version: 1, New: func() ledger.Event { return new(AnchorSealed) }},
	}
}

// InitGenesis stores params.bridge over the defaults and creates the
// suspense account.
func (Module) InitGenesis(ctx *ledger.Context, raw []byte) error {
	p, err := parseParams(raw)
	if err != nil {
		return err
	}
	if err := ledger.InitParams(ctx, ModuleName, p.encode()); err != nil {
		return err
	}
	return ledger.EnsureModuleAccount(ctx, SuspenseAccount)
}

// Decide decides the module's commands.
func (Module) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	p, err := ctxParams(ctx)
	if err != nil {
		return err
	}
	switch c := cmd.Payload.(type) {
	case *Deposit:
		return decideDeposit(ctx, &p, cmd.Actor, c)
	case *Withdraw:
		return decideWithdraw(ctx, &p, cmd.Actor, c)
	case *Anchor:
		return decideAnchor(ctx, &p, cmd.Actor)
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "bridge cannot decide %s", cmd.Payload.Type())
}

func decideDeposit(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *Deposit) error {
	if !p.Enabled() {
		return ledger.Errorf(ErrDisabled, "the bridge is not configured (params.bridge needs a chain_id and a vault)")
	}
	if !contains(p.Relayers, actor) {
		return ledger.Errorf(ErrNotRelayer, "%s is not a relayer; relayers are %v", actor, p.Relayers)
	}
	if c.ChainID != p.ChainID || c.Contract != p.Vault {
		return ledger.Errorf(ErrWrongSource, "deposit from chain %d contract %s; the bridge credits chain %d contract %s", c.ChainID, c.Contract, p.ChainID, p.Vault)
	}
	asset, ok := p.AssetOf(c.Token)
	if !ok {
		return ledger.Errorf(ErrUnknownToken, "token %s maps to no asset (params.bridge.tokens)", c.Token)
	}
	if h, ok := Credited(ctx, c.ChainID, c.Contract, c.Nonce); ok {
		return ledger.Errorf(ErrAlreadyCredited, "deposit %d of %s on chain %d was credited at height %d", c.Nonce, c.Contract, c.ChainID, h)
	}
	to := c.To
	if to.Validate() != nil || to.IsModule() {
		to = SuspenseAccount
	} else if _, ok := ctx.Get(ledger.AccountKey(to)); !ok {
		to = SuspenseAccount
	}
	ev := &Deposited{ChainID: c.ChainID, Contract: c.Contract, Nonce: c.Nonce, Token: c.Token, Asset: asset,
		From: c.From, To: c.To, CreditedTo: to, Amount: c.Amount, L1Block: c.L1Block, Relayer: actor, Height: ctx.Height}
	if err := ctx.Emit(ev); err != nil {
		return err
	}
	return ledger.Mint(ctx, to, asset, c.Amount)
}

func decideWithdraw(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *Withdraw) error {
	if !p.Enabled() {
		return ledger.Errorf(ErrDisabled, "the bridge is not configured (params.bridge needs a chain_id and a vault)")
	}
	token, ok := p.TokenOf(c.Asset)
	if !ok {
		return ledger.Errorf(ErrUnknownToken, "asset %s is not bridged (params.bridge.tokens)", c.Asset)
	}
	cur, err := GetCursor(ctx)
	if err != nil {
		return err
	}
	w := Withdrawal{Nonce: cur.Withdrawals + 1, ChainID: p.ChainID, Vault: p.Vault, Account: actor, Asset: c.Asset,
		Token: token, Recipient: c.Recipient, Amount: c.Amount, Height: ctx.Height}
	if err := ctx.Emit(&WithdrawalRecorded{w}); err != nil {
		return err
	}
	return ledger.Burn(ctx, actor, c.Asset, c.Amount)
}

func decideAnchor(ctx *ledger.Context, p *Params, actor ledger.AccountID) error {
	if !contains(p.Anchorers, actor) {
		return ledger.Errorf(ErrNotAnchorer, "%s is not an anchorer; anchorers are %v", actor, p.Anchorers)
	}
	cur, err := GetCursor(ctx)
	if err != nil {
		return err
	}
	// A difference, not a sum: an interval near 2^64 ("never") would wrap.
	if cur.Anchors > 0 && ctx.Height-cur.AnchorHeight < p.AnchorInterval {
		next := "never"
		if n := cur.AnchorHeight + p.AnchorInterval; n >= cur.AnchorHeight {
			next = fmt.Sprint(n)
		}
		return ledger.Errorf(ErrTooEarly, "the last anchor is at height %d; the next may come at %s (anchor_interval %d)", cur.AnchorHeight, next, p.AnchorInterval)
	}
	first := cur.Anchored + 1
	last := min(cur.Withdrawals, cur.Anchored+uint64(p.MaxAnchorWithdrawals))
	leaves := make([]Hash32, 0, last+1-first)
	for n := first; n <= last; n++ {
		w, ok, err := GetWithdrawal(ctx, n)
		if err != nil {
			return err
		}
		if !ok {
			return ledger.Errorf(ledger.ErrCorrupt, "bridge withdrawal %d is missing", n)
		}
		leaves = append(leaves, w.Leaf())
	}
	return ctx.Emit(&AnchorSealed{Index: cur.Anchors + 1, Height: ctx.Height, FirstNonce: first, LastNonce: last, Root: MerkleRoot(leaves)})
}

// Evolve applies the module's events.
func (Module) Evolve(st *ledger.State, ev ledger.Event) error {
	switch e := ev.(type) {
	case *Deposited:
		key := DepositStateKey(e.ChainID, e.Contract, e.Nonce)
		if _, ok := st.Get(key); ok {
			return ledger.Errorf(ErrAlreadyCredited, "deposit %d of %s on chain %d was credited before", e.Nonce, e.Contract, e.ChainID)
		}
		st.Set(key, binary.BigEndian.AppendUint64(nil, e.Height))
		return addTotals(st, e.Asset, e.Amount, true)
	case *WithdrawalRecorded:
		cur, err := GetCursor(st)
		if err != nil {
			return err
		}
		if e.Nonce != cur.Withdrawals+1 {
			return ledger.Errorf(ledger.ErrCorrupt, "withdrawal nonce %d; the next is %d", e.Nonce, cur.Withdrawals+1)
		}
		cur.Withdrawals = e.Nonce
		st.Set(cursorKey, cur.encode())
		enc := ledger.NewEncoder(make([]byte, 0, 96))
		e.encode(enc)
		st.Set(withdrawKey(e.Nonce), enc.Bytes())
		return addTotals(st, e.Asset, e.Amount, false)
	case *AnchorSealed:
		cur, err := GetCursor(st)
		if err != nil {
			return err
		}
		if e.Index != cur.Anchors+1 || e.FirstNonce != cur.Anchored+1 || e.LastNonce > cur.Withdrawals || e.LastNonce+1 < e.FirstNonce {
			return ledger.Errorf(ledger.ErrCorrupt, "anchor %d (nonces %d..%d) does not follow the cursor %+v", e.Index, e.FirstNonce, e.LastNonce, cur)
		}
		cur.Anchors, cur.AnchorHeight, cur.Anchored = e.Index, e.Height, e.LastNonce
		st.Set(cursorKey, cur.encode())
		enc := ledger.NewEncoder(make([]byte, 0, 64))
		e.Encode(enc)
		st.Set(anchorKey(e.Index), enc.Bytes())
		return nil
	}
	return ledger.Errorf(ledger.ErrUnknownEvent, "bridge cannot apply %s", ev.EventType())
}

func addTotals(st *ledger.State, asset ledger.AssetID, amt ledger.Amount, deposit bool) error {
	t, err := GetTotals(st, asset)
	if err != nil {
		return err
	}
	var ok bool
	if deposit {
		t.Deposited, ok = t.Deposited.Add(amt)
	} else {
		t.Withdrawn, ok = t.Withdrawn.Add(amt)
	}
	if !ok {
		return ledger.Errorf(ledger.ErrAmountOverflow, "bridge totals of %s overflow", asset)
	}
	putTotals(st, asset, t)
	return nil
}
