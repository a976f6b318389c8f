package tokenomics

import (
	"math/big"
	"strings"

	"github.com/coopera/coopera/ledger"
)

// Staking.
//
// Pools: "protocol" and one per agent (named by the agent's ID). The native
// token stakes at weight 10000 bps; every asset in stake_assets at its
// weight_bps, per whole token, decimals normalised.
//
// Principal. Per pool and asset the pool holds Amount base units for Shares
// shares. Staking a into a pool asset with A units held for S shares gives
// floor(a * S / A) shares (a shares into an empty one); a position of s
// shares is worth floor(s * A / S). Unstaking a removes ceil(a * S / A)
// shares (all of them when a is the whole position). Both roundings favour
// the pool, so the stake account always holds at least what positions are
// worth. Slashing by bps moves ceil(A * bps / 10000) of every asset of the
// pool to the treasury: A scales down, shares stay, so every position
// scales by the same factor (slashing "by scaling").
//
// Rewards (F1). Each position carries reward units = floor(shares *
// weight_bps * 10^native_decimals / (10000 * 10^asset_decimals)); shares,
// not amounts, so a slash leaves the split of rewards as it was. A pool
// keeps Acc, the cumulative reward per unit times 10^36: a reward r to a
// pool of U units adds floor(r * 10^36 / U) (the floored-away part, under
// U / 10^36 base units, goes to the treasury). A position settles
// floor(units * (Acc - Snap) / 10^36) and sets Snap = Acc: two reads, O(1)
// per staker, and nothing at epoch close iterates stakers. Every settlement
// (claim, restake, stake, unstake) pays out pending rewards first.
//
// Bound on rounding dust: a staker receives at most its exact pro-rata
// share, and less by under 1 base unit per settlement plus under
// units/10^36 per reward event. The pool credits the rewards account with
// exactly what its stakers can at most claim (see rewardPool); what they
// leave by flooring stays there, counted as the pool's Received - Paid, and
// is swept to the treasury when the pool's units return to zero (every
// staker then being settled).
//
// Unstaked funds wait in the unbonding account for unbonding_epochs epochs
// (withdraw_unbonded from epoch unstaked + unbonding_epochs on); unbonding
// funds are not slashed.

// Units returns the reward units of shares of an asset with weight bps.
func Units(shares ledger.Amount, weightBps uint32, nativeDecimals, assetDecimals uint8) (ledger.Amount, error) {
	num := new(big.Int).Mul(shares.Big(), big.NewInt(int64(weightBps)))
	num.Mul(num, ledger.Pow10(nativeDecimals))
	den := new(big.Int).Mul(bigBPS, ledger.Pow10(assetDecimals))
	return toAmount(num.Quo(num, den), "reward units")
}

// pending returns the account's unsettled rewards in pool.
func pending(v View, pool string, acct ledger.AccountID) (ledger.Amount, error) {
	pl, err := getPool(v, pool)
	if err != nil {
		return ledger.Amount{}, err
	}
	total := new(big.Int)
	scanView(v, posPrefix(pool, acct), func(k, val []byte) bool {
		var pos Position
		if err = decodeRecord(val, "position", &pos); err != nil {
			return false
		}
		d := new(big.Int).Sub(pl.Acc.Int, pos.Snap.Int)
		total.Add(total, mulDiv(pos.Units.Big(), d, AccScale, false))
		return true
	})
	if err != nil {
		return ledger.Amount{}, err
	}
	return toAmount(total, "pending rewards")
}

// settle pays the account's pending rewards in pool to it (or into the
// stake account if restake), and returns them.
func settle(ctx *ledger.Context, native ledger.AssetID, pool string, acct ledger.AccountID, restake bool) (ledger.Amount, error) {
	due, err := pending(ctx, pool, acct)
	if err != nil || due.IsZero() {
		return due, err
	}
	to := acct
	if restake {
		to = StakeAccount
	}
	if err := ledger.Move(ctx, RewardsAccount, to, native, due); err != nil {
		return due, err
	}
	return due, ctx.Emit(&RewardsClaimed{Pool: pool, Account: acct, Amount: due, Restaked: restake})
}

func poolExists(g ledger.Getter, pool string) error {
	if pool == ProtocolPool {
		return nil
	}
	if _, ok, err := GetAgent(g, pool); err != nil {
		return err
	} else if !ok {
		return ledger.Errorf(ErrUnknownAgent, "pool %s: no agent %s (pools are %q or an agent ID)", pool, pool, ProtocolPool)
	}
	return nil
}

// addStake computes and emits a stake of a from the actor's balance (or,
// for a restake, already moved into the stake account).
func addStake(ctx *ledger.Context, p *Params, pool string, acct ledger.AccountID, asset ledger.AssetID, a ledger.Amount, moved bool) error {
	weight, ok := p.stakeWeight(asset)
	if !ok {
		names := []ledger.AssetID{p.NativeAsset}
		for _, s := range p.StakeAssets {
			names = append(names, s.Asset)
		}
		return ledger.Errorf(ErrNotStakeable, "asset %s is not stakeable; stakeable assets: %v", asset, names)
	}
	nd, err := decimals(ctx, p.NativeAsset)
	if err != nil {
		return err
	}
	ad, err := decimals(ctx, asset)
	if err != nil {
		return err
	}
	pa, err := getPoolAsset(ctx, pool, asset)
	if err != nil {
		return err
	}
	shares := a
	if !pa.Shares.IsZero() {
		if pa.Amount.IsZero() {
			return ledger.Errorf(ErrPoolWiped, "pool %s's stake of %s was slashed to zero; its shares are worthless and it takes no new stake", pool, asset)
		}
		if shares, err = amountMulDiv(a, pa.Shares, pa.Amount, false, "shares"); err != nil {
			return err
		}
	}
	units, err := Units(shares, weight, nd, ad)
	if err != nil {
		return err
	}
	if shares.IsZero() || units.IsZero() {
		return ledger.Errorf(ErrAmountTooSmall, "staking %s base units of %s gives %s shares and %s reward units; stake more", a, asset, shares, units)
	}
	if !moved {
		if err := ledger.Move(ctx, acct, StakeAccount, asset, a); err != nil {
			return err
		}
	}
	if err := ctx.Emit(&StakeAdded{Pool: pool, Account: acct, Asset: asset, Amount: a, Shares: shares, Units: units}); err != nil {
		return err
	}
	if pool == ProtocolPool {
		return checkpointStake(ctx, acct)
	}
	return nil
}

func decideStake(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *Stake) error {
	if err := poolExists(ctx, c.Pool); err != nil {
		return err
	}
	if _, ok := p.stakeWeight(c.Asset); ok {
		bal, err := ledger.BalanceOf(ctx, actor, c.Asset)
		if err != nil {
			return err
		}
		if bal.Cmp(c.Amount) < 0 {
			return ledger.Errorf(ledger.ErrInsufficientFunds, "account %s has %s base units of %s, stakes %s", actor, bal, c.Asset, c.Amount)
		}
	}
	if _, err := settle(ctx, p.NativeAsset, c.Pool, actor, false); err != nil {
		return err
	}
	return addStake(ctx, p, c.Pool, actor, c.Asset, c.Amount, false)
}

// StakeValue returns what a position is worth: floor(shares * A / S).
func StakeValue(pos *Position, pa *PoolAsset) ledger.Amount {
	if pa.Shares.IsZero() {
		return ledger.Amount{}
	}
	v, _ := amountMulDiv(pos.Shares, pa.Amount, pa.Shares, false, "stake value")
	return v
}

func getPosition(g ledger.Getter, pool string, acct ledger.AccountID, asset ledger.AssetID) (Position, bool, error) {
	pos := Position{Pool: pool, Account: acct, Asset: asset, Snap: natOf(new(big.Int))}
	ok, err := load(g, posKey(pool, acct, asset), "position", &pos)
	return pos, ok, err
}

func decideUnstake(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *Unstake) error {
	pos, ok, err := getPosition(ctx, c.Pool, actor, c.Asset)
	if err != nil {
		return err
	}
	pa, err := getPoolAsset(ctx, c.Pool, c.Asset)
	if err != nil {
		return err
	}
	value := StakeValue(&pos, &pa)
	if !ok || value.Cmp(c.Amount) < 0 {
		return ledger.Errorf(ErrInsufficientStake, "%s has %s base units of %s staked in pool %s, unstakes %s", actor, value, c.Asset, c.Pool, c.Amount)
	}
	if _, err := settle(ctx, p.NativeAsset, c.Pool, actor, false); err != nil {
		return err
	}
	ev := &StakeRemoved{Pool: c.Pool, Account: actor, Asset: c.Asset, Amount: c.Amount, Shares: pos.Shares, Units: pos.Units}
	if c.Amount.Cmp(value) != 0 {
		if ev.Shares, err = amountMulDiv(c.Amount, pa.Shares, pa.Amount, true, "shares"); err != nil {
			return err
		}
		ev.Shares = minAmount(ev.Shares, pos.Shares)
		if ev.Units, err = amountMulDiv(pos.Units, ev.Shares, pos.Shares, true, "units"); err != nil {
			return err
		}
		ev.Units = minAmount(ev.Units, pos.Units)
	}
	if p.UnbondingEpochs == 0 {
		if err := ledger.Move(ctx, StakeAccount, actor, c.Asset, c.Amount); err != nil {
			return err
		}
	} else {
		epoch, err := currentEpoch(ctx)
		if err != nil {
			return err
		}
		seq, err := getSeq(ctx)
		if err != nil {
			return err
		}
		ev.ID, ev.Release = seq+1, epoch+p.UnbondingEpochs
		if err := ledger.Move(ctx, StakeAccount, UnbondingAccount, c.Asset, c.Amount); err != nil {
			return err
		}
	}
	if err := ctx.Emit(ev); err != nil {
		return err
	}
	if c.Pool == ProtocolPool {
		if err := checkpointStake(ctx, actor); err != nil {
			return err
		}
	}
	return sweepDust(ctx, p, c.Pool)
}

// sweepDust sends what a pool's rewards leave behind once its units are
// gone (rounding: Received - Paid) to the treasury.
func sweepDust(ctx *ledger.Context, p *Params, pool string) error {
	pl, err := getPool(ctx, pool)
	if err != nil {
		return err
	}
	if pl.Units.IsZero() && (!pl.Received.IsZero() || pl.Frac.Sign() != 0) {
		dust := mustSub(pl.Received, pl.Paid)
		if err := ledger.Move(ctx, RewardsAccount, Treasury, p.NativeAsset, dust); err != nil {
			return err
		}
		return ctx.Emit(&DustSwept{Pool: pool, Amount: dust})
	}
	return nil
}

// closeWiped closes the positions of a pool's stake of asset after a slash
// took all of it. They are worth nothing and can return nothing, but their
// reward units would go on earning, no one could unstake them, and the
// pool would refuse the asset (ErrPoolWiped) for good. Each holder is paid
// the rewards pending before the slash; then each position's shares and
// units leave the pool (stake_removed of amount 0), and the governance
// stake is checkpointed.
func closeWiped(ctx *ledger.Context, pool string, asset ledger.AssetID) error {
	p, err := ctxParams(ctx)
	if err != nil {
		return err
	}
	prefix := append(key("pos/"+pool), 0)
	var wiped []Position
	ctx.Scan(prefix, func(k, v []byte) bool {
		acct, a, ok := strings.Cut(string(k[len(prefix):]), "\x00")
		if !ok || ledger.AssetID(a) != asset {
			return true
		}
		pos := Position{Pool: pool, Account: ledger.AccountID(acct), Asset: asset}
		if err = decodeRecord(v, "position", &pos); err != nil {
			return false
		}
		wiped = append(wiped, pos)
		return true
	})
	if err != nil {
		return err
	}
	for _, pos := range wiped {
		if _, err := settle(ctx, p.NativeAsset, pool, pos.Account, false); err != nil {
			return err
		}
		if err := ctx.Emit(&StakeRemoved{Pool: pool, Account: pos.Account, Asset: asset, Shares: pos.Shares, Units: pos.Units}); err != nil {
			return err
		}
		if pool == ProtocolPool {
			if err := checkpointStake(ctx, pos.Account); err != nil {
				return err
			}
		}
	}
	return sweepDust(ctx, p, pool)
}

func decideWithdraw(ctx *ledger.Context, actor ledger.AccountID, c *WithdrawUnbonded) error {
	var u Unbonding
	ok, err := load(ctx, unbondKey(actor, c.ID), "unbonding", &u)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrUnknownUnbonding, "%s has no unbonding entry %d", actor, c.ID)
	}
	epoch, err := currentEpoch(ctx)
	if err != nil {
		return err
	}
	if epoch < u.Release {
		return ledger.Errorf(ErrStillUnbonding, "unbonding entry %d releases at epoch %d; epoch %d is open", c.ID, u.Release, epoch)
	}
	if err := ledger.Move(ctx, UnbondingAccount, actor, u.Asset, u.Amount); err != nil {
		return err
	}
	return ctx.Emit(&UnbondingWithdrawn{Account: actor, ID: c.ID, Asset: u.Asset, Amount: u.Amount})
}

func decideClaim(ctx *ledger.Context, p *Params, actor ledger.AccountID, pool string, restake bool) error {
	due, err := settle(ctx, p.NativeAsset, pool, actor, restake)
	if err != nil {
		return err
	}
	if due.IsZero() {
		return ledger.Errorf(ErrNothingToClaim, "%s has no pending rewards in pool %s", actor, pool)
	}
	if restake {
		return addStake(ctx, p, pool, actor, p.NativeAsset, due, true)
	}
	return nil
}

// Slash scales every asset staked in pool down by bps (1..10000), moving
// ceil(amount * bps / 10000) of each to the treasury. Governance calls it
// when executing a slashing proposal; the slash_pool command calls it for
// a listed slasher.
func Slash(ctx *ledger.Context, pool string, bps uint32, reason string) error {
	if bps == 0 || bps > BPS {
		return ledger.Errorf(ledger.ErrInvalidAmount, "slash of %d bps; give 1..10000", bps)
	}
	if err := validatePool(pool); err != nil {
		return err
	}
	var assets []PoolAsset
	var err error
	prefix := poolAssetPrefix(pool)
	ctx.Scan(prefix, func(k, v []byte) bool {
		pa := PoolAsset{Asset: ledger.AssetID(k[len(prefix):])}
		if err = decodeRecord(v, "pool asset", &pa); err != nil {
			return false
		}
		if !pa.Amount.IsZero() {
			assets = append(assets, pa)
		}
		return true
	})
	if err != nil {
		return err
	}
	if len(assets) == 0 {
		return ledger.Errorf(ErrInsufficientStake, "pool %s has no stake to slash", pool)
	}
	for _, pa := range assets {
		cut := minAmount(ledger.BpsCeil(pa.Amount, bps), pa.Amount)
		if err := ledger.Move(ctx, StakeAccount, Treasury, pa.Asset, cut); err != nil {
			return err
		}
		if err := ctx.Emit(&StakeSlashed{Pool: pool, Asset: pa.Asset, Bps: bps, Amount: cut, Reason: reason}); err != nil {
			return err
		}
		if cut == pa.Amount {
			if err := closeWiped(ctx, pool, pa.Asset); err != nil {
				return err
			}
		}
	}
	return nil
}

func evolveStakeAdded(st *ledger.State, e *StakeAdded) error {
	pl, err := getPool(st, e.Pool)
	if err != nil {
		return err
	}
	pos, _, err := getPosition(st, e.Pool, e.Account, e.Asset)
	if err != nil {
		return err
	}
	pa, err := getPoolAsset(st, e.Pool, e.Asset)
	if err != nil {
		return err
	}
	if pos.Shares, err = add(pos.Shares, e.Shares, "shares"); err != nil {
		return err
	}
	if pos.Units, err = add(pos.Units, e.Units, "units"); err != nil {
		return err
	}
	pos.Snap = pl.Acc
	if pa.Amount, err = add(pa.Amount, e.Amount, "pool stake"); err != nil {
		return err
	}
	if pa.Shares, err = add(pa.Shares, e.Shares, "pool shares"); err != nil {
		return err
	}
	if pl.Units, err = add(pl.Units, e.Units, "pool units"); err != nil {
		return err
	}
	save(st, posKey(e.Pool, e.Account, e.Asset), &pos)
	save(st, poolAssetKey(e.Pool, e.Asset), &pa)
	savePool(st, pl)
	return nil
}

func evolveStakeRemoved(st *ledger.State, e *StakeRemoved) error {
	pl, err := getPool(st, e.Pool)
	if err != nil {
		return err
	}
	pos, ok, err := getPosition(st, e.Pool, e.Account, e.Asset)
	if err != nil {
		return err
	}
	pa, err := getPoolAsset(st, e.Pool, e.Asset)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ErrInsufficientStake, "%s has no %s staked in pool %s", e.Account, e.Asset, e.Pool)
	}
	if pos.Shares, err = sub(pos.Shares, e.Shares, "shares"); err != nil {
		return err
	}
	if pos.Units, err = sub(pos.Units, e.Units, "units"); err != nil {
		return err
	}
	if pa.Amount, err = sub(pa.Amount, e.Amount, "pool stake"); err != nil {
		return err
	}
	if pa.Shares, err = sub(pa.Shares, e.Shares, "pool shares"); err != nil {
		return err
	}
	if pl.Units, err = sub(pl.Units, e.Units, "pool units"); err != nil {
		return err
	}
	pos.Snap = pl.Acc
	if pos.Shares.IsZero() {
		st.Delete(posKey(e.Pool, e.Account, e.Asset))
	} else {
		save(st, posKey(e.Pool, e.Account, e.Asset), &pos)
	}
	if pa.Shares.IsZero() && pa.Amount.IsZero() {
		st.Delete(poolAssetKey(e.Pool, e.Asset))
	} else {
		save(st, poolAssetKey(e.Pool, e.Asset), &pa)
	}
	savePool(st, pl)
	if e.ID != 0 {
		if err := bumpSeq(st, e.ID); err != nil {
			return err
		}
		save(st, unbondKey(e.Account, e.ID), &Unbonding{Pool: e.Pool, Asset: e.Asset, Amount: e.Amount, Release: e.Release})
	}
	return nil
}

func evolveWithdrawn(st *ledger.State, e *UnbondingWithdrawn) error {
	k := unbondKey(e.Account, e.ID)
	if _, ok := st.Get(k); !ok {
		return ledger.Errorf(ErrUnknownUnbonding, "%s has no unbonding entry %d", e.Account, e.ID)
	}
	st.Delete(k)
	return nil
}

func evolveClaimed(st *ledger.State, e *RewardsClaimed) error {
	pl, err := getPool(st, e.Pool)
	if err != nil {
		return err
	}
	if pl.Paid, err = add(pl.Paid, e.Amount, "pool paid"); err != nil {
		return err
	}
	if pl.Paid.Cmp(pl.Received) > 0 {
		return ledger.Errorf(ledger.ErrInvariant, "pool %s would pay %s of %s received", e.Pool, pl.Paid, pl.Received)
	}
	savePool(st, pl)
	type kv struct {
		k   []byte
		pos Position
	}
	var list []kv
	st.Scan(posPrefix(e.Pool, e.Account), func(k, v []byte) bool {
		var pos Position
		if err = decodeRecord(v, "position", &pos); err != nil {
			return false
		}
		list = append(list, kv{append([]byte(nil), k...), pos})
		return true
	})
	if err != nil {
		return err
	}
	for _, x := range list {
		x.pos.Snap = pl.Acc
		save(st, x.k, &x.pos)
	}
	return nil
}

func evolveDustSwept(st *ledger.State, e *DustSwept) error {
	pl, err := getPool(st, e.Pool)
	if err != nil {
		return err
	}
	if !pl.Units.IsZero() {
		return ledger.Errorf(ledger.ErrInvariant, "pool %s swept with %s units staked", e.Pool, pl.Units)
	}
	pl.Received, pl.Paid, pl.Frac = ledger.Amount{}, ledger.Amount{}, natOf(new(big.Int))
	savePool(st, pl)
	return nil
}

func evolveSlashed(st *ledger.State, e *StakeSlashed) error {
	pa, err := getPoolAsset(st, e.Pool, e.Asset)
	if err != nil {
		return err
	}
	if pa.Amount, err = sub(pa.Amount, e.Amount, "pool stake"); err != nil {
		return err
	}
	save(st, poolAssetKey(e.Pool, e.Asset), &pa)
	return nil
}
