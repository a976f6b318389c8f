package tokenomics

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/coopera/coopera/ledger"
)

// Burn-and-mint equilibrium.
//
// Credits are USD-denominated and non-transferable: module state (not a
// ledger asset), 1 credit unit = 1 micro-USD. buy_credits burns B native
// base units at price P (10^-18 USD per whole token, min(median, TWAP))
// for floor(B * P / 10^(decimals+12)) credits; the floor's fraction of a
// micro-USD stays burned (the protocol's). record_usage spends credits:
//
//	C   = input_tokens * price_in + output_tokens * price_out
//	fee = ceil(C * fee_bps / 10000), split by fee_shares in credits: the
//	      treasury's, stakers' (the protocol pool) and creator's shares
//	      become credits served by them; the burn share is served by no one
//	net = C - fee, split by usage_shares (agent) or model_shares (model
//	      serving), each part floored, remainders to the treasury
//
// The credits served per recipient this epoch are its weight in the
// provider pool; an agent's usage C is its weight in the mining pool and
// its creator's in the creator pool.
//
// Each epoch t closes with, in this order:
//
//  1. E(t) = the emission schedule (never depends on burns):
//     halving: max(floor, initial >> floor(t / halving_epochs))
//     decay:   max(floor, floor(initial * (10000 - decay_bps)^t / 10000^t))
//  2. B(t) = native burned in the epoch, by anyone (credit purchases, fee
//     burns, other modules);
//     target(t) = floor(((s - 1) * target(t-1) + B(t)) / s), s =
//     remint_smoothing (7: HIP-20's 6/7 old + 1/7 new);
//     R(t) = min(target(t), remint_cap), the net-emission re-mint.
//  3. M = E(t) + R(t) is minted and split by epoch_shares (floored; the
//     treasury's share takes the remainder): the provider, mining and
//     creator pools go to their recipients pro rata to weight, floored.
//     Self-dealing cap (after HIP-10): the three usage pools together never
//     pay more than the value of the credits behind them. A recipient's
//     reward from a pool of share b (bps) is at most
//     floor(basis * 10^(decimals+12) * b / (price * (b_providers + b_mining
//     + b_creators))), its basis (micro-USD) valued at the cap price max(last median,
//     TWAP) and scaled by the pool's part of the usage pools. So someone
//     who buys credits and spends them on their own agent, on their own
//     platform, gets back at most what they burned. A pool with no weight,
//     the excess over caps, all floors' remainders, and every usage pool
//     if the oracle never had a price, go to the treasury. The stakers'
//     share is added to the protocol staking pool.
//  4. The epoch_report event: S(t+1) = S(t) - B(t) + M(t) exactly, where
//     M(t) counts every native mint of the epoch (by any module).

func decideBuyCredits(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *BuyCredits) error {
	to := c.To
	if to == "" {
		to = actor
	}
	if err := mustAccount(ctx, to, "credits recipient"); err != nil {
		return err
	}
	price, err := creditPrice(ctx, p, ctx.Time)
	if err != nil {
		return err
	}
	dec, err := decimals(ctx, p.NativeAsset)
	if err != nil {
		return err
	}
	// floor(B x P / 10^(decimals+12)): the fraction of a micro-USD is
	// burned with the tokens and credited to no one.
	credits, err := creditsFor(c.Amount, price, dec)
	if err != nil {
		return err
	}
	if credits.IsZero() {
		return ledger.Errorf(ErrAmountTooSmall, "%s base units at $%s per token buy less than 1 micro-USD of credits", c.Amount, FormatPrice(price))
	}
	if credits.Cmp(c.MinCredits) < 0 {
		return ledger.Errorf(ErrSlippage, "%s base units buy %s credits at $%s per token, below min_credits %s", c.Amount, credits, FormatPrice(price), c.MinCredits)
	}
	if err := ledger.Burn(ctx, actor, p.NativeAsset, c.Amount); err != nil {
		return err
	}
	return ctx.Emit(&CreditsBought{Buyer: actor, To: to, Burned: c.Amount, Price: price, Credits: credits})
}

func evolveCreditsBought(st *ledger.State, e *CreditsBought) error {
	bal, err := getAmount(st, creditsKey(e.To))
	if err != nil {
		return err
	}
	if bal, err = add(bal, e.Credits, "credits"); err != nil {
		return err
	}
	setAmount(st, creditsKey(e.To), bal)
	es, err := getEpochState(st)
	if err != nil {
		return err
	}
	if es.CreditsIssued, err = add(es.CreditsIssued, e.Credits, "credits issued"); err != nil {
		return err
	}
	if es.EpochIssued, err = add(es.EpochIssued, e.Credits, "credits issued"); err != nil {
		return err
	}
	saveEpochState(st, es)
	return nil
}

// weights accumulates credits served per recipient: a handful per usage
// record, so a slice searched linearly.
type weights struct{ ws []Weight }

func (w *weights) add(to string, a ledger.Amount) {
	if a.IsZero() {
		return
	}
	for i := range w.ws {
		if x := &w.ws[i]; x.Recipient == to {
			s, ok := x.Credits.Add(a)
			if !ok {
				panic("tokenomics: weight overflow") // bounded by the credits spent
			}
			x.Credits = s
			return
		}
	}
	w.ws = append(w.ws, Weight{Recipient: to, Credits: a})
}

// sorted returns the weights by recipient (recipients are unique).
func (w *weights) sorted() []Weight {
	slices.SortFunc(w.ws, func(a, b Weight) int { return strings.Compare(a.Recipient, b.Recipient) })
	return w.ws
}

// UsageCost returns in*priceIn + out*priceOut in credits.
func UsageCost(in, priceIn, out, priceOut uint64) (ledger.Amount, bool) {
	a, _, ok1 := ledger.NewAmount(in).MulDiv(priceIn, 1)
	b, _, ok2 := ledger.NewAmount(out).MulDiv(priceOut, 1)
	s, ok3 := a.Add(b)
	return s, ok1 && ok2 && ok3
}

func decideUsage(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *RecordUsage) error {
	ev := new(UsageRecorded)
	if err := usageEvent(ctx, p, actor, c, nil, ev, nil); err != nil {
		return err
	}
	return ctx.Emit(ev)
}

// usageEvent decides one usage record: its cost, fee and the split of the
// credits served. spent, if not nil, holds the credits already spent by
// earlier items of the same settlement, which the consumer's credits must
// also cover. It fills ev; its weights are carved from slab when slab
// has room (a settlement's items share one).
func usageEvent(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *RecordUsage, spent map[ledger.AccountID]ledger.Amount, ev *UsageRecorded, slab *[]Weight) error {
	consumer := c.Consumer
	if consumer == "" {
		consumer = actor
	}
	if consumer != actor && !containsAccount(p.UsageReporters, actor) {
		return ledger.Errorf(ledger.ErrUnauthorized, "%s may only record its own usage; %s is not in usage_reporters", actor, actor)
	}
	accts := []struct {
		id   ledger.AccountID
		role string
	}{{consumer, "consumer"}, {c.Platform, "platform"}, {c.GPU, "gpu"}, {c.Model, "model"}}
	for _, t := range c.Tools {
		accts = append(accts, struct {
			id   ledger.AccountID
			role string
		}{t, "tool provider"})
	}
	for _, a := range accts {
		if a.id == "" {
			continue
		}
		if err := mustAccount(ctx, a.id, a.role); err != nil {
			return err
		}
	}
	var agent Agent
	priceIn, priceOut := c.PriceIn, c.PriceOut
	if c.Agent != "" {
		var ok bool
		var err error
		if agent, ok, err = GetAgent(ctx, c.Agent); err != nil {
			return err
		} else if !ok {
			return ledger.Errorf(ErrUnknownAgent, "agent %s does not exist", c.Agent)
		}
		priceIn, priceOut = agent.PriceIn, agent.PriceOut
	}
	cost, ok := UsageCost(c.Input, priceIn, c.Output, priceOut)
	if !ok {
		return overflow("usage cost")
	}
	if cost.IsZero() {
		return ledger.Errorf(ledger.ErrZeroAmount, "usage costs 0 credits: %d input tokens at %d and %d output tokens at %d", c.Input, priceIn, c.Output, priceOut)
	}
	have, err := Credits(ctx, consumer)
	if err != nil {
		return err
	}
	if spent != nil {
		have, _ = have.Sub(spent[consumer]) // spent never exceeds have
	}
	if have.Cmp(cost) < 0 {
		return ledger.Errorf(ErrInsufficientCredits, "%s has %s credits; the usage costs %s (%d x %d + %d x %d); buy credits first",
			consumer, have, cost, c.Input, priceIn, c.Output, priceOut)
	}
	fee := ledger.BpsCeil(cost, p.FeeBps)
	net := mustSub(cost, fee)
	var w weights
	n := 8 + len(c.Tools) // the most weights a record makes
	if slab == nil {
		w.ws = make([]Weight, 0, n)
	} else {
		if len(*slab) < n {
			*slab = make([]Weight, max(n, 256))
		}
		// Room for the most; the item keeps only what it uses (below).
		w.ws = (*slab)[:0:n]
	}
	treasury := string(Treasury)

	// The fee, in credits.
	fs := p.FeeShares
	feeStakers := ledger.BpsFloor(fee, fs.Stakers)
	var feeCreator ledger.Amount
	if c.Agent != "" {
		feeCreator = ledger.BpsFloor(fee, fs.Creator)
	}
	feeBurn := ledger.BpsFloor(fee, fs.Burn)
	w.add(StakersRecipient, feeStakers)
	w.add(string(agent.Creator), feeCreator)
	w.add(treasury, mustSub(mustSub(mustSub(fee, feeStakers), feeCreator), feeBurn))

	// The net, through the value network.
	var parts ledger.Amount
	part := func(to ledger.AccountID, bps uint32) ledger.Amount {
		a := ledger.BpsFloor(net, bps)
		w.add(string(to), a)
		parts, _ = parts.Add(a)
		return a
	}
	if c.Agent != "" {
		us := p.UsageShares
		template := agent.Template
		if template == "" {
			template = agent.Creator
		}
		part(Treasury, us.Launchpad)
		part(template, us.Template)
		part(c.Platform, us.Platform)
		if len(c.Tools) == 0 {
			part(agent.Creator, us.Tools)
		} else {
			tools := ledger.BpsFloor(net, us.Tools)
			each, _, _ := tools.MulDiv(1, uint64(len(c.Tools)))
			for _, t := range c.Tools {
				w.add(string(t), each)
				parts, _ = parts.Add(each)
			}
		}
		part(agent.Creator, BPS-us.Launchpad-us.Template-us.Platform-us.Tools)
	} else {
		ms := p.ModelShares
		part(c.Platform, ms.Platform)
		if c.Model != "" {
			part(c.Model, ms.Model)
		} else {
			part(c.GPU, ms.Model) // open-source: the model takes 0
		}
		part(c.GPU, BPS-ms.Platform-ms.Model)
	}
	w.add(treasury, mustSub(net, parts))
	if spent != nil {
		spent[consumer], _ = spent[consumer].Add(cost) // at most have
	}
	ws := w.sorted()
	if slab != nil {
		// The next item's weights start after this one's; capped, so an
		// append to this one's never writes into them.
		ws, *slab = ws[:len(ws):len(ws)], (*slab)[len(ws):]
	}
	*ev = UsageRecorded{Consumer: consumer, Agent: c.Agent, Creator: agent.Creator, Input: c.Input, Output: c.Output,
		Credits: cost, Fee: fee, Weights: ws, Ref: c.Ref}
	return nil
}

func addAt(st *ledger.State, k []byte, a ledger.Amount) error {
	v, err := getAmount(st, k)
	if err != nil {
		return err
	}
	if v, err = add(v, a, "weight"); err != nil {
		return err
	}
	setAmount(st, k, v)
	return nil
}

func evolveUsage(st *ledger.State, e *UsageRecorded) error {
	bal, err := getAmount(st, creditsKey(e.Consumer))
	if err != nil {
		return err
	}
	nb, ok := bal.Sub(e.Credits)
	if !ok {
		return ledger.Errorf(ErrInsufficientCredits, "%s has %s credits, needs %s", e.Consumer, bal, e.Credits)
	}
	setAmount(st, creditsKey(e.Consumer), nb)
	es, err := getEpochState(st)
	if err != nil {
		return err
	}
	if es.CreditsSpent, err = add(es.CreditsSpent, e.Credits, "credits spent"); err != nil {
		return err
	}
	if es.EpochSpent, err = add(es.EpochSpent, e.Credits, "credits spent"); err != nil {
		return err
	}
	for _, w := range e.Weights {
		if err := addAt(st, weightKey(weightProviders, w.Recipient), w.Credits); err != nil {
			return err
		}
		if es.WProviders, err = add(es.WProviders, w.Credits, "provider weight"); err != nil {
			return err
		}
	}
	if e.Agent != "" {
		if err := addAt(st, weightKey(weightMining, e.Agent), e.Credits); err != nil {
			return err
		}
		if err := addAt(st, weightKey(weightCreators, string(e.Creator)), e.Credits); err != nil {
			return err
		}
		if es.WMining, err = add(es.WMining, e.Credits, "mining weight"); err != nil {
			return err
		}
		if es.WCreators, err = add(es.WCreators, e.Credits, "creator weight"); err != nil {
			return err
		}
	}
	saveEpochState(st, es)
	return nil
}

// Emission returns the schedule's emission for an epoch, in native base
// units. It depends on the parameters and the epoch number only.
func Emission(p *Params, epoch uint64) ledger.Amount {
	var e *big.Int
	switch p.EmissionKind {
	case EmissionHalving:
		k := epoch / p.EmissionHalvingEpochs
		if k >= 128 {
			e = new(big.Int)
		} else {
			e = new(big.Int).Rsh(p.EmissionInitial.Big(), uint(k))
		}
	case EmissionDecay:
		d := uint64(p.EmissionDecayBps)
		if d == 0 || d >= BPS {
			e = new(big.Int) // refused by Validate
			break
		}
		// (1 - d/10000)^t <= exp(-t d / 10000) < 2^-128 once t d > 887300,
		// and the initial amount is below 2^128: the result floors to 0.
		// Beyond that point the exact power is not computed.
		if epoch > 887300/d {
			e = new(big.Int)
			break
		}
		t := new(big.Int).SetUint64(epoch)
		num := new(big.Int).Exp(big.NewInt(int64(BPS-d)), t, nil)
		den := new(big.Int).Exp(bigBPS, t, nil)
		e = mulDiv(p.EmissionInitial.Big(), num, den, false)
	default:
		e = new(big.Int)
	}
	out, _ := ledger.AmountFromBig(e) // at most the initial amount
	if out.Cmp(p.EmissionFloor) < 0 {
		return p.EmissionFloor
	}
	return out
}

// EndEpoch runs the epoch's burn-and-mint close (see the order above).
func (Module) EndEpoch(ctx *ledger.Context, epoch uint64) error {
	p, err := ctxParams(ctx)
	if err != nil {
		return err
	}
	es, err := getEpochState(ctx)
	if err != nil {
		return err
	}
	native, ok, err := ledger.GetAsset(ctx, p.NativeAsset)
	if err != nil {
		return err
	}
	if !ok {
		return ledger.Errorf(ledger.ErrUnknownAsset, "native asset %s is not registered", p.NativeAsset)
	}
	burned := mustSub(native.Burned, es.SnapBurned)
	rep := &EpochReport{Epoch: epoch, Emission: Emission(p, epoch)}
	s := big.NewInt(int64(p.RemintSmoothing))
	tgt := new(big.Int).Mul(es.Target.Big(), new(big.Int).Sub(s, bigOne))
	tgt.Add(tgt, burned.Big())
	tgt.Quo(tgt, s)
	if rep.Target, err = toAmount(tgt, "remint target"); err != nil {
		return err
	}
	rep.Remint = minAmount(rep.Target, p.RemintCap)
	total, err := add(rep.Emission, rep.Remint, "epoch mint")
	if err != nil {
		return err
	}
	sh := p.EpochShares
	provPool, minePool, creatorPool, stakePool := ledger.BpsFloor(total, sh.Providers), ledger.BpsFloor(total, sh.Mining), ledger.BpsFloor(total, sh.Creators), ledger.BpsFloor(total, sh.Stakers)
	if rep.Price, err = capPrice(ctx, p, ctx.Time); err != nil {
		return err
	}
	dec := native.Decimals
	mint := minting(ctx, p.NativeAsset)
	ep := epochAlloc{ctx: ctx, p: p, epoch: epoch, price: rep.Price, dec: dec, mint: mint, capDen: sh.Providers + sh.Mining + sh.Creators}

	forward, err := providerPool(ctx, p, epoch)
	if err != nil {
		return err
	}
	if forward != "" {
		// Another module distributes the providers' share (and caps it).
		if err := mint(forward, provPool); err != nil {
			return err
		}
		rep.Providers = provPool
		if err := ctx.Emit(&ProviderWeightsForwarded{Epoch: epoch, Pool: forward, Amount: provPool}); err != nil {
			return err
		}
	} else if rep.Providers, err = ep.allocate("providers", weightProviders, sh.Providers, es.WProviders, provPool, func(to string, a ledger.Amount) (ledger.Amount, error) {
		if to == StakersRecipient {
			return rewardPool(ctx, ProtocolPool, a, mint)
		}
		return a, mint(ledger.AccountID(to), a)
	}); err != nil {
		return err
	}
	if rep.Mining, err = ep.allocate("mining", weightMining, sh.Mining, es.WMining, minePool, func(agent string, a ledger.Amount) (ledger.Amount, error) {
		pl, err := getPool(ctx, agent)
		if err != nil {
			return ledger.Amount{}, err
		}
		if !pl.Units.IsZero() {
			return rewardPool(ctx, agent, a, mint)
		}
		// No one staked on the agent: its creator takes the reward.
		ag, _, err := GetAgent(ctx, agent)
		if err != nil {
			return ledger.Amount{}, err
		}
		return a, mint(ag.Creator, a)
	}); err != nil {
		return err
	}
	if rep.Creators, err = ep.allocate("creators", weightCreators, sh.Creators, es.WCreators, creatorPool, func(to string, a ledger.Amount) (ledger.Amount, error) {
		return a, mint(ledger.AccountID(to), a)
	}); err != nil {
		return err
	}
	if rep.Stakers, err = rewardPool(ctx, ProtocolPool, stakePool, mint); err != nil {
		return err
	}
	paid := rep.Providers
	for _, a := range []ledger.Amount{rep.Mining, rep.Creators, rep.Stakers} {
		paid, _ = paid.Add(a)
	}
	if rep.Treasury, err = sub(total, paid, "the epoch's treasury share"); err != nil {
		return err
	}
	if err := mint(Treasury, rep.Treasury); err != nil {
		return err
	}

	after, _, err := ledger.GetAsset(ctx, p.NativeAsset)
	if err != nil {
		return err
	}
	rep.Burned = mustSub(after.Burned, es.SnapBurned)
	rep.Minted = mustSub(after.Minted, es.SnapMinted)
	before := new(big.Int).Add(native.Genesis.Big(), es.SnapMinted.Big())
	before.Sub(before, es.SnapBurned.Big())
	if rep.SupplyBefore, err = toAmount(before, "supply"); err != nil {
		return err
	}
	rep.Supply = after.Supply()
	check := new(big.Int).Sub(before, rep.Burned.Big())
	check.Add(check, rep.Minted.Big())
	if check.Cmp(rep.Supply.Big()) != 0 {
		return ledger.Errorf(ledger.ErrInvariant, "epoch %d: S(t) %s - B %s + M %s != S(t+1) %s", epoch, rep.SupplyBefore, rep.Burned, rep.Minted, rep.Supply)
	}
	rep.CreditsIssued, rep.CreditsSpent = es.EpochIssued, es.EpochSpent
	rep.CreditsOutstand = mustSub(es.CreditsIssued, es.CreditsSpent)
	return ctx.Emit(rep)
}

// providerPool returns the account the close forwards the providers'
// share to: provider_pool, unless that is a booked account
// (ledger.Bookkeeper). The parameter checks refuse a booked one, but a
// chain may hold one from before they existed, or from a release that
// booked the account since; minting there would strand the share where
// no record covers it. The close then pays the providers by their
// weights, as if provider_pool were unset (the weights are kept whether
// it is set or not), and says so with an epoch_work_failed event, which
// changes no state, so that operators see it and change the parameter.
func providerPool(ctx *ledger.Context, p *Params, epoch uint64) (ledger.AccountID, error) {
	if p.ProviderPool == "" {
		return "", nil
	}
	mod, booked := ctx.Booked(p.ProviderPool)
	if !booked {
		return p.ProviderPool, nil
	}
	return "", ctx.Emit(&ledger.EpochWorkFailed{Epoch: epoch, Module: ModuleName, Code: ledger.ErrInvalidParameter.Code,
		Msg: fmt.Sprintf("provider_pool %s is booked by module %s: the providers' share was paid by their weights, as if provider_pool were unset, not minted there where no record covers it (the rest of the close went on); set provider_pool to the distributing module's pool, or unset it", p.ProviderPool, mod)})
}

type epochAlloc struct {
	ctx   *ledger.Context
	p     *Params
	epoch uint64
	price ledger.Amount
	dec   uint8
	mint  payFunc
	// capDen is providers + mining + creators bps: a pool of capNum bps
	// caps a recipient at capNum/capDen of the value of its basis, so the
	// three usage pools together never pay more than the credits served.
	capDen uint32
}

// allocate splits pool among the weights of one basis, pro rata and capped,
// paying each recipient with pay (which returns what reached it; the rest
// is the treasury's). It returns the total that reached recipients.
func (ep *epochAlloc) allocate(name, basis string, capNum uint32, total, pool ledger.Amount, pay func(to string, a ledger.Amount) (ledger.Amount, error)) (ledger.Amount, error) {
	var ws []Weight
	var err error
	ep.ctx.Scan(weightPrefix(basis), func(k, v []byte) bool {
		var a ledger.Amount
		if a, err = ledger.DecodeAmount(v); err != nil {
			err = ledger.Errorf(ledger.ErrCorrupt, "weight %q: %v", k, err)
			return false
		}
		ws = append(ws, Weight{Recipient: string(k[len(weightPrefix(basis)):]), Credits: a})
		return true
	})
	if err != nil {
		return ledger.Amount{}, err
	}
	var paidTotal ledger.Amount
	for _, w := range ws {
		var share, reward ledger.Amount
		if !total.IsZero() {
			if share, err = amountMulDiv(pool, w.Credits, total, false, "reward"); err != nil {
				return ledger.Amount{}, err
			}
		}
		if !ep.price.IsZero() && ep.capDen != 0 {
			// floor(basis * 10^(dec+12) * pool_bps / (price * usage_bps))
			capTokens, ok := tokensForCreditsAmount(w.Credits, ep.dec, uint64(capNum), uint64(ep.capDen), ep.price)
			if !ok {
				capTokens = ledger.MaxAmount
			}
			reward = minAmount(share, capTokens)
		}
		if err := ep.ctx.Emit(&RewardPaid{Epoch: ep.epoch, Pool: name, Recipient: w.Recipient, Basis: w.Credits, Reward: reward, Capped: mustSub(share, reward)}); err != nil {
			return ledger.Amount{}, err
		}
		reached, err := pay(w.Recipient, reward)
		if err != nil {
			return ledger.Amount{}, err
		}
		paidTotal, _ = paidTotal.Add(reached)
	}
	return paidTotal, nil
}

// evolveProviderWeightsForwarded clears the epoch's provider weights.
func evolveProviderWeightsForwarded(st *ledger.State) error {
	st.DeletePrefix(weightPrefix(weightProviders))
	return nil
}

func evolveRewardPaid(st *ledger.State, e *RewardPaid) error {
	var basis string
	switch e.Pool {
	case "providers":
		basis = weightProviders
	case "mining":
		basis = weightMining
	case "creators":
		basis = weightCreators
	default:
		return ledger.Errorf(ledger.ErrMalformed, "reward_paid for unknown pool %q", e.Pool)
	}
	st.Delete(weightKey(basis, e.Recipient))
	return nil
}

func evolveReport(st *ledger.State, e *EpochReport) error {
	es, err := getEpochState(st)
	if err != nil {
		return err
	}
	if es.SnapMinted, err = add(es.SnapMinted, e.Minted, "minted"); err != nil {
		return err
	}
	if es.SnapBurned, err = add(es.SnapBurned, e.Burned, "burned"); err != nil {
		return err
	}
	es.Target = e.Target
	es.WProviders, es.WMining, es.WCreators = ledger.Amount{}, ledger.Amount{}, ledger.Amount{}
	es.EpochIssued, es.EpochSpent = ledger.Amount{}, ledger.Amount{}
	saveEpochState(st, es)
	save(st, reportKey(e.Epoch), e)
	return nil
}
