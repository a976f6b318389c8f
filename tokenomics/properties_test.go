package tokenomics_test

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

const propGenesis = `{"chain_id": "prop", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1m",
 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 2}],
 "accounts": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "f1"}],
 "allocations": [{"account": "a", "asset": "COOP", "amount": "1000000000"}, {"account": "b", "asset": "COOP", "amount": "1000000000"},
                 {"account": "c", "asset": "COOP", "amount": "30000000"}, {"account": "a", "asset": "USDC", "amount": "100000"},
                 {"account": "b", "asset": "USDC", "amount": "100000"}],
 "params": {"tokenomics": {"oracle_feeds": ["f1"], "max_price_age": "1h", "twap_window": "3m", "breaker_bps": 5000, "breaker_cooldown": "2m",
   "emission_initial": "1000000", "emission_halving_epochs": 3, "emission_floor": "1000", "remint_cap": "100000",
   "stake_assets": [{"asset": "USDC", "weight_bps": 5000}], "unbonding_epochs": 1,
   "agent_deposit": "1000000", "agent_lock_epochs": 2, "graduation_lock_epochs": 2,
   "curve_supply": "1000000", "curve_sale_supply": "800000", "curve_virtual_base": "1000000",
   "curve_virtual_tokens": "1200000", "graduation_base": "500000"}}}`

var (
	propUsers  = []string{"a", "b", "c"}
	propAgents = []string{"ag1", "ag2", "ag3"}
	propPools  = []string{"protocol", "ag1", "ag2"}
)

func propAmount(t *rapid.T, label string) string {
	// Mostly small, sometimes large, sometimes huge (to hit overdrafts).
	switch rapid.IntRange(0, 3).Draw(t, label+"-scale") {
	case 0:
		return fmt.Sprint(rapid.Uint64Range(1, 200).Draw(t, label))
	case 1:
		return fmt.Sprint(rapid.Uint64Range(1, 2_000_000).Draw(t, label))
	case 2:
		return fmt.Sprint(rapid.Uint64Range(1, 200_000_000).Draw(t, label))
	}
	return fmt.Sprint(rapid.Uint64Range(1, 3_000_000_000).Draw(t, label))
}

// propSetup opens every mechanism so random commands reach deep states.
var propSetup = []string{
	`{"type": "observe_price", "actor": "f1", "payload": {"price": "1000000000000000000"}}`,
	`{"type": "create_agent", "actor": "a", "payload": {"agent": "ag1", "price_in": 1, "price_out": 2}}`,
	`{"type": "create_agent", "actor": "b", "payload": {"agent": "ag2", "price_in": 2, "price_out": 1}}`,
	`{"type": "create_agent", "actor": "c", "payload": {"agent": "ag3", "price_in": 1, "price_out": 1}}`,
	`{"type": "launch_token", "actor": "a", "payload": {"agent": "ag1", "symbol": "T1"}}`,
	`{"type": "launch_token", "actor": "b", "payload": {"agent": "ag2", "symbol": "T2"}}`,
	`{"type": "buy_credits", "actor": "a", "payload": {"amount": "10000000"}}`,
	`{"type": "buy_credits", "actor": "b", "payload": {"amount": "10000000"}}`,
	`{"type": "buy_credits", "actor": "c", "payload": {"amount": "10000000"}}`,
	`{"type": "stake", "actor": "a", "payload": {"pool": "protocol", "asset": "COOP", "amount": "10000000"}}`,
	`{"type": "stake", "actor": "b", "payload": {"pool": "ag1", "asset": "USDC", "amount": "1000"}}`,
	`{"type": "stake", "actor": "c", "payload": {"pool": "ag2", "asset": "COOP", "amount": "1000000"}}`,
	`{"type": "buy", "actor": "c", "payload": {"agent": "ag1", "amount": "100000", "min_out": "0"}}`,
}

func genEconomyCommand(t *rapid.T) string {
	ui := rapid.IntRange(0, len(propUsers)-1).Draw(t, "user")
	u := propUsers[ui]
	other := propUsers[(ui+rapid.IntRange(1, len(propUsers)-1).Draw(t, "other"))%len(propUsers)]
	ag := rapid.SampledFrom(propAgents).Draw(t, "agent")
	pool := rapid.SampledFrom(propPools).Draw(t, "pool")
	asset := rapid.SampledFrom([]string{"COOP", "COOP", "USDC"}).Draw(t, "asset")
	amt := propAmount(t, "amount")
	switch rapid.IntRange(0, 17).Draw(t, "kind") {
	case 0, 1:
		return fmt.Sprintf(`{"type": "transfer", "actor": %q, "payload": {"legs": [{"to": %q, "asset": %q, "amount": %q}]}}`, u, other, asset, amt)
	case 2:
		return fmt.Sprintf(`{"type": "observe_price", "actor": "f1", "payload": {"price": "%d"}}`, rapid.Uint64Range(500_000_000_000_000_000, 3_000_000_000_000_000_000).Draw(t, "price"))
	case 3:
		return fmt.Sprintf(`{"type": "buy_credits", "actor": %q, "payload": {"amount": %q}}`, u, amt)
	case 4:
		in := rapid.Uint64Range(0, 5000).Draw(t, "in")
		out := rapid.Uint64Range(1, 5000).Draw(t, "out")
		if rapid.Bool().Draw(t, "model") {
			return fmt.Sprintf(`{"type": "record_usage", "actor": %q, "payload": {"platform": %q, "gpu": %q, "input_tokens": %d, "output_tokens": %d, "price_in": 3, "price_out": 7}}`, u, other, u, in, out)
		}
		return fmt.Sprintf(`{"type": "record_usage", "actor": %q, "payload": {"agent": %q, "platform": %q, "tools": [%q], "input_tokens": %d, "output_tokens": %d}}`, u, ag, other, u, in, out)
	case 5, 6:
		return fmt.Sprintf(`{"type": "stake", "actor": %q, "payload": {"pool": %q, "asset": %q, "amount": %q}}`, u, pool, asset, amt)
	case 7:
		return fmt.Sprintf(`{"type": "unstake", "actor": %q, "payload": {"pool": %q, "asset": %q, "amount": %q}}`, u, pool, asset, amt)
	case 8:
		return fmt.Sprintf(`{"type": "withdraw_unbonded", "actor": %q, "payload": {"id": %d}}`, u, rapid.IntRange(1, 30).Draw(t, "id"))
	case 9:
		return fmt.Sprintf(`{"type": "claim_rewards", "actor": %q, "payload": {"pool": %q}}`, u, pool)
	case 10:
		return fmt.Sprintf(`{"type": "restake", "actor": %q, "payload": {"pool": %q}}`, u, pool)
	case 11:
		return fmt.Sprintf(`{"type": "gov_slash", "actor": %q, "payload": {"pool": %q, "bps": %d}}`, u, pool, rapid.IntRange(1, 10000).Draw(t, "bps"))
	case 12:
		return fmt.Sprintf(`{"type": "create_agent", "actor": %q, "payload": {"agent": %q, "price_in": %d, "price_out": %d}}`, u, ag, rapid.IntRange(0, 5).Draw(t, "pin"), rapid.IntRange(1, 5).Draw(t, "pout"))
	case 13:
		return fmt.Sprintf(`{"type": "launch_token", "actor": %q, "payload": {"agent": %q, "symbol": "T%s"}}`, u, ag, ag[2:])
	case 14, 15:
		return fmt.Sprintf(`{"type": "buy", "actor": %q, "payload": {"agent": %q, "amount": %q, "min_out": "0"}}`, u, ag, amt)
	case 16:
		return fmt.Sprintf(`{"type": "sell", "actor": %q, "payload": {"agent": %q, "amount": %q, "min_out": "0"}}`, u, ag, amt)
	}
	return fmt.Sprintf(`{"type": "unlock", "actor": %q, "payload": {"id": %d}}`, u, rapid.IntRange(1, 30).Draw(t, "id"))
}

// TestEconomyProperties drives random blocks of every tokenomics command
// (and transfers, and epoch closes) through the state machine. The harness
// checks after each block that balances are conserved per asset (all
// balances, module accounts included, equal genesis + minted - burned),
// that none is negative, and that replay reproduces the state root. This
// test adds, after every block:
//
//   - credits: the sum of credit balances equals issued - spent;
//   - each module account holds exactly what its records say: stake = the
//     pools' totals, unbonding = the entries, locked = the locks, curve =
//     the live curves' reserves, rewards = the pools' received - paid;
//   - every fee is ceil(base * fee_bps / 10000) and its parts sum to it;
//   - no curve's k = x * y ever decreases;
//   - nothing locked leaves before its unlock epoch;
//   - every epoch report has the scheduled emission, S(t+1) = S(t) - B(t) +
//     M(t), and starts where the previous one ended;
//
// and at the end that replaying the whole log from genesis on fresh state
// reproduces every state root.
func TestEconomyProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h, err := ledgertest.New(tokenomics.Module{}, govStub{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := ledger.ParseGenesis([]byte(propGenesis))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Genesis(g); err != nil {
			t.Fatal(err)
		}
		params, err := tokenomics.ParamsAt(h, 0)
		if err != nil {
			t.Fatal(err)
		}
		var setup []*ledger.Command
		for _, js := range propSetup {
			setup = append(setup, cmd(t, h, js))
		}
		b, err := h.Apply(h.Time.Add(time.Second), setup)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range b.Results {
			if r.Code != "" {
				t.Fatalf("setup %s: %v", propSetup[i], r.Err())
			}
		}
		k := map[string]*big.Int{}
		locks := map[uint64]uint64{} // id -> unlock epoch
		var lastSupply *ledger.Amount
		at := h.Time
		for range rapid.IntRange(1, 15).Draw(t, "blocks") {
			at = at.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "secs")) * time.Second)
			c, _ := ledger.GetChain(h)
			cmds := ledger.EpochCloses(c, at.UnixNano(), 100)
			for range rapid.IntRange(1, 8).Draw(t, "cmds") {
				cmds = append(cmds, cmd(t, h, genEconomyCommand(t)))
			}
			b, err := h.Apply(at, cmds)
			if err != nil {
				t.Fatal(err)
			}
			epoch := c.Epoch
			next := 0
			for i, r := range b.Results {
				switch cmds[i].Payload.(type) {
				case *tokenomics.Unstake, *tokenomics.ClaimRewards, *tokenomics.Restake, *tokenomics.WithdrawUnbonded, *tokenomics.Unlock:
					// These pay out of module accounts: a shortfall there
					// is a bookkeeping bug, never the user's fault.
					if r.Code == ledger.ErrInsufficientFunds.Code || r.Code == ledger.ErrInvariant.Code {
						t.Fatalf("%s: %v", cmds[i], r.Err())
					}
				}
				evs := b.Events[next : next+int(r.Events)]
				next += int(r.Events)
				for _, ev := range evs {
					switch e := ev.(type) {
					case *ledger.EpochClosed:
						epoch = e.Epoch + 1
					case *tokenomics.FeeCharged:
						want := new(big.Int).Mul(e.Base.Big(), big.NewInt(int64(params.FeeBps)))
						want.Add(want, big.NewInt(tokenomics.BPS-1))
						want.Quo(want, big.NewInt(tokenomics.BPS))
						if e.Fee.Big().Cmp(want) != 0 {
							t.Fatalf("fee %s on %s, want ceil = %s", e.Fee, e.Base, want)
						}
						parts := new(big.Int)
						for _, p := range []ledger.Amount{e.Treasury, e.Burned, e.Stakers, e.Creator} {
							parts.Add(parts, p.Big())
						}
						if parts.Cmp(e.Fee.Big()) != 0 {
							t.Fatalf("fee parts sum to %s, fee %s", parts, e.Fee)
						}
					case *tokenomics.ValueLocked:
						locks[e.ID] = e.Unlock
					case *tokenomics.ValueUnlocked:
						if epoch < locks[e.ID] {
							t.Fatalf("lock %d left at epoch %d, before %d", e.ID, epoch, locks[e.ID])
						}
					case *tokenomics.EpochReport:
						if want := tokenomics.Emission(&params, e.Epoch); e.Emission != want {
							t.Fatalf("epoch %d emitted %s, schedule says %s", e.Epoch, e.Emission, want)
						}
						s := new(big.Int).Sub(e.SupplyBefore.Big(), e.Burned.Big())
						if s.Add(s, e.Minted.Big()).Cmp(e.Supply.Big()) != 0 {
							t.Fatalf("epoch %d: %s - %s + %s != %s", e.Epoch, e.SupplyBefore, e.Burned, e.Minted, e.Supply)
						}
						if lastSupply != nil && *lastSupply != e.SupplyBefore {
							t.Fatalf("epoch %d starts at %s; the last ended at %s", e.Epoch, e.SupplyBefore, *lastSupply)
						}
						sup := e.Supply
						lastSupply = &sup
					}
				}
			}
			checkBooks(t, h, &params, k)
		}
		// Replay the whole log on fresh state: the same root at every block.
		if err := h.ReplayAll(); err != nil {
			t.Fatal(err)
		}
	})
}

// checkBooks compares every module account with the records behind it.
func checkBooks(t *rapid.T, h *ledgertest.Harness, p *tokenomics.Params, k map[string]*big.Int) {
	v := ledger.NewState(h.Store)
	want := map[ledger.AccountID]map[ledger.AssetID]*big.Int{}
	addTo := func(acct ledger.AccountID, asset ledger.AssetID, a ledger.Amount) {
		if want[acct] == nil {
			want[acct] = map[ledger.AssetID]*big.Int{}
		}
		if want[acct][asset] == nil {
			want[acct][asset] = new(big.Int)
		}
		want[acct][asset].Add(want[acct][asset], a.Big())
	}
	// Credits.
	credits := new(big.Int)
	v.Scan([]byte("tk/credits/"), func(_, val []byte) bool {
		a, err := ledger.DecodeAmount(val)
		if err != nil {
			t.Fatal(err)
		}
		credits.Add(credits, a.Big())
		return true
	})
	sb, err := tokenomics.Supply(v, h.Height)
	if err != nil {
		t.Fatal(err)
	}
	if credits.Cmp(sb.CreditsOutstanding.Big()) != 0 {
		t.Fatalf("credit balances sum to %s, outstanding %s", credits, sb.CreditsOutstanding)
	}
	// Pools, curves.
	for _, pool := range propPools {
		pi, err := tokenomics.PoolOf(v, pool)
		if err != nil {
			t.Fatal(err)
		}
		for _, pa := range pi.Assets {
			addTo(tokenomics.StakeAccount, pa.Asset, pa.Amount)
		}
		addTo(tokenomics.RewardsAccount, p.NativeAsset, mustDiff(t, pi.Received, pi.Paid))
	}
	for _, ag := range propAgents {
		c, ok, err := tokenomics.GetCurve(h, ag)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		kk := new(big.Int).Mul(c.X.Big(), c.Y.Big())
		if prev := k[ag]; prev != nil && kk.Cmp(prev) < 0 {
			t.Fatalf("curve %s: k fell from %s to %s", ag, prev, kk)
		}
		k[ag] = kk
		if !c.Graduated {
			addTo(tokenomics.CurveAccount, p.NativeAsset, c.RealBase)
			addTo(tokenomics.CurveAccount, c.Asset, mustDiff(t, c.Supply, c.Sold))
		}
	}
	for _, u := range propUsers {
		ubs, err := tokenomics.UnbondingOf(v, ledger.AccountID(u))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ubs {
			addTo(tokenomics.UnbondingAccount, e.Asset, e.Amount)
		}
	}
	ls, err := tokenomics.Locks(v, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		addTo(tokenomics.LockedAccount, l.Asset, l.Amount)
	}
	for _, acct := range []ledger.AccountID{tokenomics.StakeAccount, tokenomics.RewardsAccount, tokenomics.CurveAccount, tokenomics.UnbondingAccount, tokenomics.LockedAccount} {
		// Every balance the account has must be accounted for, and
		// every accounted amount must be there.
		seen := map[ledger.AssetID]bool{}
		h.Store.Scan(ledger.BalancePrefix(acct), func(key, val []byte) bool {
			asset := ledger.AssetID(key[bytes.IndexByte(key, 0)+1:])
			seen[asset] = true
			a, _ := ledger.DecodeAmount(val)
			w := want[acct][asset]
			if w == nil {
				w = new(big.Int)
			}
			if a.Big().Cmp(w) != 0 {
				t.Fatalf("%s holds %s %s, its records say %s", acct, a, asset, w)
			}
			return true
		})
		for asset, w := range want[acct] {
			if !seen[asset] && w.Sign() != 0 {
				t.Fatalf("%s holds no %s, its records say %s", acct, asset, w)
			}
		}
	}
}

func mustDiff(t *rapid.T, a, b ledger.Amount) ledger.Amount {
	d, ok := a.Sub(b)
	if !ok {
		t.Fatalf("%s - %s is negative", a, b)
	}
	return d
}
