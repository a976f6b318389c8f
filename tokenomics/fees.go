package tokenomics

import (
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// Fees.
//
// The platform fee is fee_bps (default 100 = 1%) of the base of a platform
// transaction, rounded up: fee = ceil(base * fee_bps / 10000), so no
// transaction pays less than the rate and splitting a payment into small
// pieces cannot dodge it. It is paid by the payer on top of the base:
//
//   - transfer: each leg of a user transfer, in the leg's asset (legs from
//     or to a module account are exempt);
//   - trade: agent-token buys (on the native amount paid in) and sells (on
//     the native amount paid out, deducted from it);
//   - create: the deposit locked by create_agent.
//
// Service payments (record_usage) pay the same rate in credits; see bme.go.
//
// A native fee is split by fee_shares: burn = floor(fee * burn / 10000),
// stakers = floor(fee * stakers / 10000) (added to the protocol staking
// pool; to the treasury while the pool is empty), creator = floor(fee *
// creator / 10000) to the agent's creator (only trades have one), and the
// treasury gets the rest: its own share plus every rounding remainder and
// any share with no recipient. A fee in another asset goes wholly to the
// treasury (the burn and staking pools are native-only).

type feeSpec struct {
	kind    string
	payer   ledger.AccountID
	asset   ledger.AssetID
	base    ledger.Amount
	agent   string
	creator ledger.AccountID // "" when the payment has no agent
}

// FeeOf returns ceil(base * feeBps / 10000).
func FeeOf(base ledger.Amount, feeBps uint32) ledger.Amount { return ledger.BpsCeil(base, feeBps) }

// chargeFee charges the fee of f from its payer and returns it.
func chargeFee(ctx *ledger.Context, p *Params, f feeSpec) (ledger.Amount, error) {
	fee := ledger.BpsCeil(f.base, p.FeeBps)
	if fee.IsZero() {
		return fee, nil
	}
	bal, err := ledger.BalanceOf(ctx, f.payer, f.asset)
	if err != nil {
		return fee, err
	}
	if bal.Cmp(fee) < 0 {
		return fee, ledger.Errorf(ledger.ErrInsufficientFunds, "account %s has %s base units of %s left but owes a %s fee of %s (%d bps of %s, paid on top)",
			f.payer, bal, f.asset, f.kind, fee, p.FeeBps, f.base)
	}
	ev := &FeeCharged{Kind: f.kind, Payer: f.payer, Asset: f.asset, Base: f.base, Fee: fee, Agent: f.agent}
	var stakers ledger.Amount
	if f.asset == p.NativeAsset {
		ev.Burned = ledger.BpsFloor(fee, p.FeeShares.Burn)
		stakers = ledger.BpsFloor(fee, p.FeeShares.Stakers)
		if f.creator != "" {
			ev.Creator = ledger.BpsFloor(fee, p.FeeShares.Creator)
			ev.To = f.creator
		}
	}
	pay := moveFrom(ctx, f.payer, f.asset)
	if err := ledger.Burn(ctx, f.payer, f.asset, ev.Burned); err != nil {
		return fee, err
	}
	if ev.Stakers, err = rewardPool(ctx, ProtocolPool, stakers, pay); err != nil {
		return fee, err
	}
	if f.creator != "" && f.creator != f.payer {
		if err := pay(f.creator, ev.Creator); err != nil {
			return fee, err
		}
	}
	ev.Treasury = mustSub(mustSub(mustSub(fee, ev.Burned), ev.Stakers), ev.Creator)
	if err := pay(Treasury, ev.Treasury); err != nil {
		return fee, err
	}
	return fee, ctx.Emit(ev)
}

// payFunc pays native (or, for moveFrom, the given asset) to an account.
type payFunc func(to ledger.AccountID, a ledger.Amount) error

func moveFrom(ctx *ledger.Context, from ledger.AccountID, asset ledger.AssetID) payFunc {
	return func(to ledger.AccountID, a ledger.Amount) error { return ledger.Move(ctx, from, to, asset, a) }
}

func minting(ctx *ledger.Context, asset ledger.AssetID) payFunc {
	return func(to ledger.AccountID, a ledger.Amount) error { return ledger.Mint(ctx, to, asset, a) }
}

// AccScale scales the F1 accumulator: Pool.Acc is the cumulative reward per
// unit of reward weight times 10^36.
var AccScale = new(big.Int).Exp(big.NewInt(10), big.NewInt(36), nil)

// rewardPool adds amount (native) to a pool's stakers, paid with pay, and
// returns the part credited to them; the caller sends the rest to the
// treasury. The F1 increment is inc = floor(amount * AccScale / units).
// Stakers can together claim at most the sum over reward events of
// inc * units / AccScale (each claim floors units_i * dAcc / AccScale, and
// the units of a period sum to the pool's), so the pool keeps that sum
// exactly, as whole base units (Received) and a scaled fraction (Frac),
// and each event credits the whole units it adds:
// floor((Frac + inc * units) / AccScale). That is at most amount; the
// rest (Dust) is the treasury's.
func rewardPool(ctx *ledger.Context, pool string, amount ledger.Amount, pay payFunc) (ledger.Amount, error) {
	if amount.IsZero() {
		return ledger.Amount{}, nil
	}
	if _, ok := ctx.Get(poolKey(pool)); !ok {
		return ledger.Amount{}, nil // no pool yet: no units (what getPool would say)
	}
	pl, err := getPool(ctx, pool)
	if err != nil || pl.Units.IsZero() {
		return ledger.Amount{}, err
	}
	units := pl.Units.Big()
	inc := mulDiv(amount.Big(), AccScale, units, false)
	if inc.Sign() == 0 {
		return ledger.Amount{}, nil
	}
	scaled := new(big.Int).Mul(inc, units)
	scaled.Add(scaled, pl.Frac.Int)
	whole, frac := new(big.Int).QuoRem(scaled, AccScale, new(big.Int))
	credited, err := toAmount(whole, "pool reward")
	if err != nil {
		return ledger.Amount{}, err
	}
	if credited.Cmp(amount) > 0 {
		return ledger.Amount{}, ledger.Errorf(ledger.ErrInvariant, "pool %s would credit %s of %s", pool, credited, amount)
	}
	if err := pay(RewardsAccount, credited); err != nil {
		return ledger.Amount{}, err
	}
	ev := &PoolRewarded{Pool: pool, Amount: amount, Credited: credited, Dust: mustSub(amount, credited), Acc: natOf(new(big.Int).Add(pl.Acc.Int, inc)), Frac: natOf(frac)}
	return credited, ctx.Emit(ev)
}

func evolvePoolRewarded(st *ledger.State, e *PoolRewarded) error {
	pl, err := getPool(st, e.Pool)
	if err != nil {
		return err
	}
	if e.Acc.Int == nil || e.Frac.Int == nil || e.Acc.Cmp(pl.Acc.Int) < 0 {
		return ledger.Errorf(ledger.ErrInvariant, "pool %s: accumulator would go down", e.Pool)
	}
	pl.Acc, pl.Frac = e.Acc, e.Frac
	if pl.Received, err = add(pl.Received, e.Credited, "pool received"); err != nil {
		return err
	}
	savePool(st, pl)
	return nil
}
