package tokenomics

import (
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// Value locking and the agent launchpad.
//
// create_agent locks agent_deposit native base units in the locked account
// for agent_lock_epochs epochs (a lock its creator can unlock from epoch
// created + agent_lock_epochs on), and pays the fee on the deposit.
//
// launch_token registers the agent's token (token_decimals decimals),
// mints curve_supply of it into the curve account and opens a
// constant-product curve over virtual reserves x0 = curve_virtual_base
// (native) and y0 = curve_virtual_tokens, k = x * y:
//
//	buy  dx native: x' = x + dx, y' = ceil(x * y / x'), tokens out = y - y'
//	sell dy tokens: y' = y + dy, x' = ceil(x * y / y'), native out = x - x'
//
// The ceilings keep the remainder in the curve, so x' * y' >= x * y: k
// never decreases and a buy followed by a sell never returns more than was
// paid. A buy pays the fee on top of dx; a sell pays it out of the native
// out; min_out bounds slippage (tokens for a buy, native after the fee for
// a sell). At most curve_sale_supply tokens are sold on the curve. When
// the real native raised reaches graduation_base the curve graduates:
// trading on it ends, and its liquidity (the native raised and every
// unsold token) is locked for graduation_lock_epochs, owned by the
// agent's creator. Nothing locked leaves before its unlock epoch: the only
// way out of the locked account is unlock.

// buyOut returns the reserves after buying with dx and the tokens out.
func (c *Curve) buyOut(dx ledger.Amount) (x, y, out ledger.Amount, ok bool) {
	k := new(big.Int).Mul(c.X.Big(), c.Y.Big())
	xb := new(big.Int).Add(c.X.Big(), dx.Big())
	yb := mulDiv(k, bigOne, xb, true)
	var e1, e2 error
	x, e1 = toAmount(xb, "curve reserve")
	y, e2 = toAmount(yb, "curve reserve")
	if e1 != nil || e2 != nil || y.Cmp(c.Y) > 0 {
		return ledger.Amount{}, ledger.Amount{}, ledger.Amount{}, false
	}
	return x, y, mustSub(c.Y, y), true
}

// sellOut returns the reserves after selling dy tokens and the native out.
func (c *Curve) sellOut(dy ledger.Amount) (x, y, out ledger.Amount, ok bool) {
	k := new(big.Int).Mul(c.X.Big(), c.Y.Big())
	yb := new(big.Int).Add(c.Y.Big(), dy.Big())
	xb := mulDiv(k, bigOne, yb, true)
	var e1, e2 error
	x, e1 = toAmount(xb, "curve reserve")
	y, e2 = toAmount(yb, "curve reserve")
	if e1 != nil || e2 != nil || x.Cmp(c.X) > 0 {
		return ledger.Amount{}, ledger.Amount{}, ledger.Amount{}, false
	}
	return x, y, mustSub(c.X, x), true
}

// QuoteBuy returns the tokens a buy with dx native base units gets
// (before checks of the sale supply and graduation).
func QuoteBuy(c Curve, dx ledger.Amount) ledger.Amount {
	_, _, out, _ := c.buyOut(dx)
	return out
}

// QuoteSell returns the native base units a sale of dy tokens pays before
// the fee.
func QuoteSell(c Curve, dy ledger.Amount) ledger.Amount {
	_, _, out, _ := c.sellOut(dy)
	return out
}

func newLock(ctx *ledger.Context, owner ledger.AccountID, asset ledger.AssetID, a ledger.Amount, epochs uint64, reason, agent string) (uint64, error) {
	if a.IsZero() {
		return 0, nil
	}
	epoch, err := currentEpoch(ctx)
	if err != nil {
		return 0, err
	}
	seq, err := getSeq(ctx)
	if err != nil {
		return 0, err
	}
	l := Lock{ID: seq + 1, Owner: owner, Asset: asset, Amount: a, Unlock: epoch + epochs, Reason: reason, Agent: agent}
	return l.ID, ctx.Emit(&ValueLocked{Lock: l})
}

func decideCreateAgent(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *CreateAgent) error {
	if _, ok, err := GetAgent(ctx, c.Agent); err != nil {
		return err
	} else if ok {
		return ledger.Errorf(ErrAgentExists, "agent %s already exists", c.Agent)
	}
	if c.Template != "" {
		if err := mustAccount(ctx, c.Template, "template developer"); err != nil {
			return err
		}
	}
	epoch, err := currentEpoch(ctx)
	if err != nil {
		return err
	}
	var lockID uint64
	if dep := p.AgentDeposit; !dep.IsZero() {
		fee := ledger.BpsCeil(dep, p.FeeBps)
		need, err := add(dep, fee, "deposit")
		if err != nil {
			return err
		}
		bal, err := ledger.BalanceOf(ctx, actor, p.NativeAsset)
		if err != nil {
			return err
		}
		if bal.Cmp(need) < 0 {
			return ledger.Errorf(ledger.ErrInsufficientFunds, "account %s has %s base units of %s; creating an agent locks %s and pays a fee of %s", actor, bal, p.NativeAsset, dep, fee)
		}
		if err := ledger.Move(ctx, actor, LockedAccount, p.NativeAsset, dep); err != nil {
			return err
		}
		if lockID, err = newLock(ctx, actor, p.NativeAsset, dep, p.AgentLockEpochs, "agent_deposit", c.Agent); err != nil {
			return err
		}
		if _, err := chargeFee(ctx, p, feeSpec{kind: "create", payer: actor, asset: p.NativeAsset, base: dep, agent: c.Agent}); err != nil {
			return err
		}
	}
	return ctx.Emit(&AgentCreated{Agent: c.Agent, Creator: actor, Template: c.Template, PriceIn: c.PriceIn, PriceOut: c.PriceOut, Deposit: lockID, Epoch: epoch})
}

func getAgentCurve(g ledger.Getter, id string) (Agent, Curve, error) {
	ag, ok, err := GetAgent(g, id)
	if err != nil {
		return ag, Curve{}, err
	}
	if !ok {
		return ag, Curve{}, ledger.Errorf(ErrUnknownAgent, "agent %s does not exist", id)
	}
	c, ok, err := GetCurve(g, id)
	if err != nil {
		return ag, c, err
	}
	if !ok {
		return ag, c, ledger.Errorf(ErrNotLaunched, "agent %s has no token on a curve; its creator launches one with launch_token", id)
	}
	if c.Graduated {
		return ag, c, ledger.Errorf(ErrGraduated, "agent %s's curve graduated; its token no longer trades on the curve", id)
	}
	return ag, c, nil
}

func decideLaunch(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *LaunchToken) error {
	ag, ok, err := GetAgent(ctx, c.Agent)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrUnknownAgent, "agent %s does not exist", c.Agent)
	}
	if ag.Creator != actor {
		return ledger.Errorf(ledger.ErrUnauthorized, "only agent %s's creator %s may launch its token", c.Agent, ag.Creator)
	}
	if ag.Token != "" {
		return ledger.Errorf(ErrAlreadyLaunched, "agent %s launched %s already", c.Agent, ag.Token)
	}
	if _, ok, err := ledger.GetAsset(ctx, c.Symbol); err != nil {
		return err
	} else if ok {
		return ledger.Errorf(ErrAssetExists, "asset %s exists; choose another symbol", c.Symbol)
	}
	if err := ctx.Emit(&ledger.AssetRegistered{Asset: c.Symbol, Name: "agent " + c.Agent, Decimals: p.TokenDecimals}); err != nil {
		return err
	}
	if err := ledger.Mint(ctx, CurveAccount, c.Symbol, p.CurveSupply); err != nil {
		return err
	}
	return ctx.Emit(&TokenLaunched{Agent: c.Agent, Asset: c.Symbol, Supply: p.CurveSupply, SaleSupply: p.CurveSaleSupply, X: p.CurveVirtualBase, Y: p.CurveVirtualTokens})
}

func decideBuy(ctx *ledger.Context, p *Params, actor ledger.AccountID, b *Buy) error {
	ag, c, err := getAgentCurve(ctx, b.Agent)
	if err != nil {
		return err
	}
	x, y, out, ok := c.buyOut(b.Amount)
	if !ok {
		return overflow("curve reserves")
	}
	if out.IsZero() {
		return ledger.Errorf(ErrAmountTooSmall, "%s base units buy no %s; buy with more", b.Amount, c.Asset)
	}
	sold, err := add(c.Sold, out, "sold")
	if err != nil {
		return err
	}
	if sold.Cmp(c.SaleSupply) > 0 {
		return ledger.Errorf(ErrCurveExhausted, "buying with %s would take %s %s; %s remain for sale", b.Amount, out, c.Asset, mustSub(c.SaleSupply, c.Sold))
	}
	if out.Cmp(b.MinOut) < 0 {
		return ledger.Errorf(ErrSlippage, "%s base units buy %s %s, below min_out %s", b.Amount, out, c.Asset, b.MinOut)
	}
	fee := ledger.BpsCeil(b.Amount, p.FeeBps)
	need, err := add(b.Amount, fee, "buy")
	if err != nil {
		return err
	}
	bal, err := ledger.BalanceOf(ctx, actor, p.NativeAsset)
	if err != nil {
		return err
	}
	if bal.Cmp(need) < 0 {
		return ledger.Errorf(ledger.ErrInsufficientFunds, "account %s has %s base units of %s; the buy needs %s plus a fee of %s", actor, bal, p.NativeAsset, b.Amount, fee)
	}
	if err := ledger.Move(ctx, actor, CurveAccount, p.NativeAsset, b.Amount); err != nil {
		return err
	}
	if err := ledger.Move(ctx, CurveAccount, actor, c.Asset, out); err != nil {
		return err
	}
	if _, err := chargeFee(ctx, p, feeSpec{kind: "trade", payer: actor, asset: p.NativeAsset, base: b.Amount, agent: b.Agent, creator: ag.Creator}); err != nil {
		return err
	}
	if err := ctx.Emit(&CurveTraded{Agent: b.Agent, Trader: actor, Side: "buy", Base: b.Amount, Tokens: out, Fee: fee, X: x, Y: y}); err != nil {
		return err
	}
	raised, err := add(c.RealBase, b.Amount, "raised")
	if err != nil {
		return err
	}
	if raised.Cmp(p.GraduationBase) < 0 {
		return nil
	}
	// Graduation: lock the liquidity.
	unsold := mustSub(c.Supply, sold)
	for _, l := range []struct {
		asset ledger.AssetID
		a     ledger.Amount
	}{{p.NativeAsset, raised}, {c.Asset, unsold}} {
		if err := ledger.Move(ctx, CurveAccount, LockedAccount, l.asset, l.a); err != nil {
			return err
		}
		if _, err := newLock(ctx, ag.Creator, l.asset, l.a, p.GraduationLockEpochs, "graduated_liquidity", b.Agent); err != nil {
			return err
		}
	}
	return ctx.Emit(&CurveGraduated{Agent: b.Agent, Base: raised, Tokens: unsold})
}

func decideSell(ctx *ledger.Context, p *Params, actor ledger.AccountID, s *Sell) error {
	ag, c, err := getAgentCurve(ctx, s.Agent)
	if err != nil {
		return err
	}
	held, err := ledger.BalanceOf(ctx, actor, c.Asset)
	if err != nil {
		return err
	}
	if held.Cmp(s.Amount) < 0 {
		return ledger.Errorf(ledger.ErrInsufficientFunds, "account %s holds %s %s, sells %s", actor, held, c.Asset, s.Amount)
	}
	if s.Amount.Cmp(c.Sold) > 0 {
		return ledger.Errorf(ledger.ErrInsufficientFunds, "only %s %s were sold on the curve; it buys back at most that", c.Sold, c.Asset)
	}
	x, y, out, ok := c.sellOut(s.Amount)
	if !ok {
		return overflow("curve reserves")
	}
	if out.IsZero() {
		return ledger.Errorf(ErrAmountTooSmall, "%s %s sell for no %s; sell more", s.Amount, c.Asset, p.NativeAsset)
	}
	if out.Cmp(c.RealBase) > 0 {
		return ledger.Errorf(ledger.ErrInvariant, "curve %s would pay %s of %s raised", s.Agent, out, c.RealBase)
	}
	fee := ledger.BpsCeil(out, p.FeeBps)
	net := mustSub(out, fee)
	if net.Cmp(s.MinOut) < 0 {
		return ledger.Errorf(ErrSlippage, "%s %s sell for %s %s after a fee of %s, below min_out %s", s.Amount, c.Asset, net, p.NativeAsset, fee, s.MinOut)
	}
	if err := ledger.Move(ctx, actor, CurveAccount, c.Asset, s.Amount); err != nil {
		return err
	}
	if err := ledger.Move(ctx, CurveAccount, actor, p.NativeAsset, out); err != nil {
		return err
	}
	if _, err := chargeFee(ctx, p, feeSpec{kind: "trade", payer: actor, asset: p.NativeAsset, base: out, agent: s.Agent, creator: ag.Creator}); err != nil {
		return err
	}
	return ctx.Emit(&CurveTraded{Agent: s.Agent, Trader: actor, Side: "sell", Base: out, Tokens: s.Amount, Fee: fee, X: x, Y: y})
}

func decideUnlock(ctx *ledger.Context, actor ledger.AccountID, u *Unlock) error {
	l, ok, err := GetLock(ctx, u.ID)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrUnknownLock, "no lock %d", u.ID)
	}
	if l.Owner != actor {
		return ledger.Errorf(ledger.ErrUnauthorized, "lock %d belongs to %s", u.ID, l.Owner)
	}
	epoch, err := currentEpoch(ctx)
	if err != nil {
		return err
	}
	if epoch < l.Unlock {
		return ledger.Errorf(ErrStillLocked, "lock %d unlocks at epoch %d; epoch %d is open", u.ID, l.Unlock, epoch)
	}
	if err := ledger.Move(ctx, LockedAccount, l.Owner, l.Asset, l.Amount); err != nil {
		return err
	}
	return ctx.Emit(&ValueUnlocked{ID: l.ID, Owner: l.Owner, Asset: l.Asset, Amount: l.Amount})
}

func evolveAgentCreated(st *ledger.State, e *AgentCreated) error {
	if _, ok := st.Get(agentKey(e.Agent)); ok {
		return ledger.Errorf(ErrAgentExists, "agent %s already exists", e.Agent)
	}
	saveAgent(st, Agent{ID: e.Agent, Creator: e.Creator, Template: e.Template, PriceIn: e.PriceIn, PriceOut: e.PriceOut, Deposit: e.Deposit, Created: e.Epoch})
	return nil
}

func evolveLocked(st *ledger.State, e *ValueLocked) error {
	if err := bumpSeq(st, e.ID); err != nil {
		return err
	}
	save(st, lockKey(e.ID), &e.Lock)
	return nil
}

func evolveUnlocked(st *ledger.State, e *ValueUnlocked) error {
	if _, ok := st.Get(lockKey(e.ID)); !ok {
		return ledger.Errorf(ErrUnknownLock, "no lock %d", e.ID)
	}
	st.Delete(lockKey(e.ID))
	return nil
}

func evolveLaunched(st *ledger.State, e *TokenLaunched) error {
	ag, ok, err := GetAgent(st, e.Agent)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrUnknownAgent, "agent %s does not exist", e.Agent)
	}
	ag.Token = e.Asset
	saveAgent(st, ag)
	save(st, curveKey(e.Agent), &Curve{Asset: e.Asset, X: e.X, Y: e.Y, Supply: e.Supply, SaleSupply: e.SaleSupply})
	return nil
}

func evolveTraded(st *ledger.State, e *CurveTraded) error {
	c, ok, err := GetCurve(st, e.Agent)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrNotLaunched, "agent %s has no curve", e.Agent)
	}
	c.X, c.Y = e.X, e.Y
	switch e.Side {
	case "buy":
		if c.RealBase, err = add(c.RealBase, e.Base, "raised"); err != nil {
			return err
		}
		if c.Sold, err = add(c.Sold, e.Tokens, "sold"); err != nil {
			return err
		}
	case "sell":
		if c.RealBase, err = sub(c.RealBase, e.Base, "raised"); err != nil {
			return err
		}
		if c.Sold, err = sub(c.Sold, e.Tokens, "sold"); err != nil {
			return err
		}
	default:
		return ledger.Errorf(ledger.ErrMalformed, "curve trade side %q", e.Side)
	}
	save(st, curveKey(e.Agent), &c)
	return nil
}

func evolveGraduated(st *ledger.State, e *CurveGraduated) error {
	c, ok, err := GetCurve(st, e.Agent)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrNotLaunched, "agent %s has no curve", e.Agent)
	}
	c.Graduated = true
	save(st, curveKey(e.Agent), &c)
	return nil
}
