package tokenomics_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

const badGenesis = `{"chain_id": "bad", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
 "assets": [{"id": "COOP", "decimals": 6}, {"id": "USDC", "decimals": 6}],
 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "carol"}, {"id": "f1"}, {"id": "plat"}],
 "allocations": [{"account": "alice", "asset": "COOP", "amount": "100000000"},
                 {"account": "bob", "asset": "COOP", "amount": "100000000"},
                 {"account": "carol", "asset": "COOP", "amount": "10"}],
 "params": {"tokenomics": {"oracle_feeds": ["f1"], "agent_deposit": "1000000", "agent_lock_epochs": 5, "unbonding_epochs": 2,
   "curve_supply": "1000000", "curve_sale_supply": "800000", "curve_virtual_base": "1000000",
   "curve_virtual_tokens": "1200000", "graduation_base": "500000"}}}`

// harness returns a harness after genesis g and the setup commands, each
// of which must apply, one block per line, a second apart.
func harness(t *testing.T, g string, setup ...string) *ledgertest.Harness {
	t.Helper()
	h, err := ledgertest.New(tokenomics.Module{}, govStub{})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := ledger.ParseGenesis([]byte(g))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(gen); err != nil {
		t.Fatal(err)
	}
	for _, line := range setup {
		apply(t, h, h.Time.Add(time.Second), line)
	}
	return h
}

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func cmd(t tb, h *ledgertest.Harness, js string) *ledger.Command {
	t.Helper()
	c, err := h.M.Registry().ParseCommandJSON([]byte(js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return c
}

// apply runs one command as a block and fails the test if it is rejected.
func apply(t tb, h *ledgertest.Harness, at time.Time, js string) *ledger.Block {
	t.Helper()
	b, err := h.Apply(at, []*ledger.Command{cmd(t, h, js)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Results[0].Err(); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return b
}

// TestBadInputChangesNothing submits each bad command alone in a block
// and checks its typed error and that the state root did not move.
func TestBadInputChangesNothing(t *testing.T) {
	h := harness(t, badGenesis,
		`{"type": "observe_price", "actor": "f1", "payload": {"price": "1000000000000000000"}}`,
		`{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1000000"}}`,
		`{"type": "create_agent", "actor": "bob", "payload": {"agent": "aria", "price_in": 1, "price_out": 1}}`,
		`{"type": "create_agent", "actor": "bob", "payload": {"agent": "grad", "price_in": 1, "price_out": 1}}`,
		`{"type": "create_agent", "actor": "bob", "payload": {"agent": "idle", "price_in": 1, "price_out": 1}}`,
		`{"type": "launch_token", "actor": "bob", "payload": {"agent": "aria", "symbol": "ARIA"}}`,
		`{"type": "launch_token", "actor": "bob", "payload": {"agent": "grad", "symbol": "GRAD"}}`,
		`{"type": "buy", "actor": "alice", "payload": {"agent": "aria", "amount": "100000", "min_out": "0"}}`,
		`{"type": "buy", "actor": "alice", "payload": {"agent": "grad", "amount": "100000", "min_out": "0"}}`,
		`{"type": "buy", "actor": "bob", "payload": {"agent": "grad", "amount": "400000", "min_out": "0"}}`,
		`{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "10000000"}}`,
		`{"type": "unstake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "1000000"}}`,
	)
	if c, _, _ := tokenomics.GetCurve(h, "grad"); !c.Graduated {
		t.Fatal("setup: grad did not graduate")
	}
	cases := []struct {
		name string
		cmd  string
		want error
	}{
		{"fee shares not summing", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "fee_shares", "value": {"treasury": 1, "burn": 0, "stakers": 0, "creator": 0}}}`, ledger.ErrInvalidParameter},
		// Shares are uint32s: these sums wrap around to 10000 and 0, and
		// once made every transfer, or every usage record, panic.
		{"fee shares wrapping to 10000", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "fee_shares", "value": {"treasury": 4294967295, "burn": 10001, "stakers": 0, "creator": 0}}}`, ledger.ErrInvalidParameter},
		{"usage shares wrapping to 0", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "usage_shares", "value": {"launchpad": 4294967295, "template": 1, "tools": 0, "platform": 0}}}`, ledger.ErrInvalidParameter},
		{"model shares wrapping", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "model_shares", "value": {"platform": 4294967295, "model": 2}}}`, ledger.ErrInvalidParameter},
		{"epoch shares wrapping to 10000", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "epoch_shares", "value": {"providers": 4294967295, "mining": 0, "creators": 0, "stakers": 0, "treasury": 10001}}}`, ledger.ErrInvalidParameter},
		{"a transfer into the rewards account", `{"type": "transfer", "actor": "alice", "payload": {"legs": [{"to": "mod:tokenomics/rewards", "asset": "COOP", "amount": "1000"}]}}`, ledger.ErrUnauthorized},
		{"a transfer into the stake account", `{"type": "transfer", "actor": "alice", "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "10"}, {"to": "mod:tokenomics/stake", "asset": "COOP", "amount": "1000"}]}}`, ledger.ErrUnauthorized},
		{"a provider pool that does not exist", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "ghost"}}`, ledger.ErrInvalidParameter},
		// Booked accounts hold what their module's records say: epoch
		// rewards minted into one would be stranded (from an audit).
		{"a provider pool that is the stake account", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "mod:tokenomics/stake"}}`, ledger.ErrInvalidParameter},
		{"a provider pool that is the rewards account", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "mod:tokenomics/rewards"}}`, ledger.ErrInvalidParameter},
		{"a provider pool that is the unbonding account", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "mod:tokenomics/unbonding"}}`, ledger.ErrInvalidParameter},
		{"a provider pool that is the locked account", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "mod:tokenomics/locked"}}`, ledger.ErrInvalidParameter},
		{"a provider pool that is the curve account", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "mod:tokenomics/curve"}}`, ledger.ErrInvalidParameter},
		{"a null value, decoded as zero", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "fee_bps", "value": null}}`, ledger.ErrInvalidParameter},
		{"fee rate out of bounds", `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "fee_bps", "value": 10001}}`, ledger.ErrInvalidParameter},
		{"no fee left for a transfer", `{"type": "transfer", "actor": "carol", "payload": {"legs": [{"to": "bob", "asset": "COOP", "amount": "10"}]}}`, ledger.ErrInsufficientFunds},
		{"unauthorised feed", `{"type": "observe_price", "actor": "alice", "payload": {"price": "1000000000000000000"}}`, ledger.ErrUnauthorized},
		{"price above max_price", `{"type": "observe_price", "actor": "f1", "payload": {"price": "1000000000000000000000000001"}}`, tokenomics.ErrPriceOutOfRange},
		{"credits too small", `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1", "min_credits": "2"}}`, tokenomics.ErrSlippage},
		{"burning more than held", `{"type": "buy_credits", "actor": "carol", "payload": {"amount": "11"}}`, ledger.ErrInsufficientFunds},
		{"usage beyond credits", `{"type": "record_usage", "actor": "alice", "payload": {"agent": "aria", "platform": "plat", "input_tokens": 1000001, "output_tokens": 0}}`, tokenomics.ErrInsufficientCredits},
		{"usage of an unknown agent", `{"type": "record_usage", "actor": "alice", "payload": {"agent": "nope", "platform": "plat", "input_tokens": 1}}`, tokenomics.ErrUnknownAgent},
		{"usage for someone else", `{"type": "record_usage", "actor": "bob", "payload": {"consumer": "alice", "agent": "aria", "platform": "plat", "input_tokens": 1}}`, ledger.ErrUnauthorized},
		{"usage on an unknown platform", `{"type": "record_usage", "actor": "alice", "payload": {"agent": "aria", "platform": "ghost", "input_tokens": 1}}`, ledger.ErrUnknownAccount},
		{"selling more than held", `{"type": "sell", "actor": "alice", "payload": {"agent": "aria", "amount": "1000000", "min_out": "0"}}`, ledger.ErrInsufficientFunds},
		{"buying an unlaunched token", `{"type": "buy", "actor": "alice", "payload": {"agent": "idle", "amount": "1000", "min_out": "0"}}`, tokenomics.ErrNotLaunched},
		{"selling an unlaunched token", `{"type": "sell", "actor": "alice", "payload": {"agent": "idle", "amount": "1000", "min_out": "0"}}`, tokenomics.ErrNotLaunched},
		{"buying a graduated token", `{"type": "buy", "actor": "alice", "payload": {"agent": "grad", "amount": "1000", "min_out": "0"}}`, tokenomics.ErrGraduated},
		{"selling a graduated token", `{"type": "sell", "actor": "alice", "payload": {"agent": "grad", "amount": "1000", "min_out": "0"}}`, tokenomics.ErrGraduated},
		{"buy below min_out", `{"type": "buy", "actor": "alice", "payload": {"agent": "aria", "amount": "1000", "min_out": "1000000"}}`, tokenomics.ErrSlippage},
		{"sell below min_out", `{"type": "sell", "actor": "alice", "payload": {"agent": "aria", "amount": "1000", "min_out": "1000000"}}`, tokenomics.ErrSlippage},
		{"buy past the sale supply", `{"type": "buy", "actor": "bob", "payload": {"agent": "aria", "amount": "90000000", "min_out": "0"}}`, tokenomics.ErrCurveExhausted},
		{"launching twice", `{"type": "launch_token", "actor": "bob", "payload": {"agent": "aria", "symbol": "ARIB"}}`, tokenomics.ErrAlreadyLaunched},
		{"launching a taken symbol", `{"type": "launch_token", "actor": "bob", "payload": {"agent": "idle", "symbol": "USDC"}}`, tokenomics.ErrAssetExists},
		{"launching someone else's agent", `{"type": "launch_token", "actor": "alice", "payload": {"agent": "idle", "symbol": "IDLE"}}`, ledger.ErrUnauthorized},
		{"creating a taken agent", `{"type": "create_agent", "actor": "alice", "payload": {"agent": "aria", "price_in": 1, "price_out": 1}}`, tokenomics.ErrAgentExists},
		{"unstaking more than staked", `{"type": "unstake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "9000001"}}`, tokenomics.ErrInsufficientStake},
		{"unstaking what was never staked", `{"type": "unstake", "actor": "bob", "payload": {"pool": "protocol", "asset": "COOP", "amount": "1"}}`, tokenomics.ErrInsufficientStake},
		{"withdrawing before unbonding ends", `{"type": "withdraw_unbonded", "actor": "alice", "payload": {"id": 6}}`, tokenomics.ErrStillUnbonding},
		{"withdrawing someone else's unbonding", `{"type": "withdraw_unbonded", "actor": "bob", "payload": {"id": 6}}`, tokenomics.ErrUnknownUnbonding},
		{"staking an unregistered asset", `{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "USDC", "amount": "1"}}`, tokenomics.ErrNotStakeable},
		{"staking into an unknown pool", `{"type": "stake", "actor": "alice", "payload": {"pool": "nope", "asset": "COOP", "amount": "1"}}`, tokenomics.ErrUnknownAgent},
		{"staking more than held", `{"type": "stake", "actor": "carol", "payload": {"pool": "protocol", "asset": "COOP", "amount": "11"}}`, ledger.ErrInsufficientFunds},
		{"claiming nothing", `{"type": "claim_rewards", "actor": "bob", "payload": {"pool": "protocol"}}`, tokenomics.ErrNothingToClaim},
		{"restaking nothing", `{"type": "restake", "actor": "bob", "payload": {"pool": "protocol"}}`, tokenomics.ErrNothingToClaim},
		{"slashing without authority", `{"type": "slash_pool", "actor": "bob", "payload": {"pool": "protocol", "bps": 100}}`, ledger.ErrUnauthorized},
		{"slashing an empty pool", `{"type": "gov_slash", "actor": "bob", "payload": {"pool": "idle", "bps": 100}}`, tokenomics.ErrInsufficientStake},
		{"unlocking early", `{"type": "unlock", "actor": "bob", "payload": {"id": 1}}`, tokenomics.ErrStillLocked},
		{"unlocking another's lock", `{"type": "unlock", "actor": "alice", "payload": {"id": 1}}`, ledger.ErrUnauthorized},
		{"unlocking nothing", `{"type": "unlock", "actor": "bob", "payload": {"id": 999}}`, tokenomics.ErrUnknownLock},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := h.Acc.Root()
			b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{cmd(t, h, c.cmd)})
			if err != nil {
				t.Fatal(err)
			}
			got := b.Results[0].Err()
			if !errors.Is(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			if b.Results[0].Msg == "" {
				t.Fatalf("%v: the error should say what to fix", got)
			}
			if b.StateRoot != before {
				t.Fatalf("a rejected command changed the state root")
			}
		})
	}
}

// TestBadPriceChangesNothing covers the oracle's refusals: no feeds, no
// observation yet, stale feeds, and the breaker.
func TestBadPriceChangesNothing(t *testing.T) {
	noFeeds := `{"chain_id": "bad", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	 "assets": [{"id": "COOP", "decimals": 6}], "accounts": [{"id": "alice"}],
	 "allocations": [{"account": "alice", "asset": "COOP", "amount": "100"}]}`
	buy := `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "10"}}`
	check := func(h *ledgertest.Harness, at time.Time, want error) {
		t.Helper()
		before := h.Acc.Root()
		b, err := h.Apply(at, []*ledger.Command{cmd(t, h, buy)})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Results[0].Err(); !errors.Is(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if b.StateRoot != before {
			t.Fatal("a rejected purchase changed the state root")
		}
	}
	check(harness(t, noFeeds), time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC), tokenomics.ErrNoPrice)

	h := harness(t, badGenesis)
	check(h, h.Time.Add(time.Second), tokenomics.ErrNoPrice) // a feed, but no observation
	apply(t, h, h.Time.Add(time.Second), `{"type": "observe_price", "actor": "f1", "payload": {"price": "1000000000000000000"}}`)
	check(h, h.Time.Add(11*time.Minute), tokenomics.ErrStalePrice) // max_price_age is 10m
	apply(t, h, h.Time.Add(time.Second), `{"type": "observe_price", "actor": "f1", "payload": {"price": "1000000000000000000"}}`)
	b := apply(t, h, h.Time.Add(time.Minute), `{"type": "observe_price", "actor": "f1", "payload": {"price": "5000000000000000000"}}`)
	if _, ok := b.Events[len(b.Events)-1].(*tokenomics.CircuitTripped); !ok {
		t.Fatalf("a 5x jump did not trip the breaker: %v", b.Events)
	}
	check(h, h.Time.Add(time.Second), tokenomics.ErrCircuitOpen)
}

// TestInvalidPayloads covers what Validate refuses before any state is
// read: such commands never reach a block.
func TestInvalidPayloads(t *testing.T) {
	h, err := ledgertest.New(tokenomics.Module{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		js   string
		want error
	}{
		{`{"type": "stake", "actor": "a", "payload": {"pool": "protocol", "asset": "COOP", "amount": "0"}}`, ledger.ErrZeroAmount},
		{`{"type": "stake", "actor": "a", "payload": {"pool": "protocol", "asset": "COOP", "amount": "-5"}}`, ledger.ErrNegativeAmount},
		{`{"type": "unstake", "actor": "a", "payload": {"pool": "protocol", "asset": "COOP", "amount": "0"}}`, ledger.ErrZeroAmount},
		{`{"type": "buy_credits", "actor": "a", "payload": {"amount": "0"}}`, ledger.ErrZeroAmount},
		{`{"type": "buy", "actor": "a", "payload": {"agent": "x", "amount": "0", "min_out": "0"}}`, ledger.ErrZeroAmount},
		{`{"type": "sell", "actor": "a", "payload": {"agent": "x", "amount": "-1", "min_out": "0"}}`, ledger.ErrNegativeAmount},
		{`{"type": "observe_price", "actor": "a", "payload": {"price": "0"}}`, ledger.ErrZeroAmount},
		{`{"type": "observe_price", "actor": "a", "payload": {"price": -1}}`, ledger.ErrInvalidAmount},
		{`{"type": "observe_price", "actor": "a", "payload": {"price": 1000000}}`, ledger.ErrInvalidAmount}, // a JSON number, not a string
		{`{"type": "record_usage", "actor": "a", "payload": {"agent": "x", "platform": "p", "input_tokens": 0}}`, ledger.ErrZeroAmount},
		{`{"type": "record_usage", "actor": "a", "payload": {"platform": "p", "input_tokens": 5}}`, ledger.ErrMissingField},
		{`{"type": "record_usage", "actor": "a", "payload": {"agent": "x", "input_tokens": 5}}`, ledger.ErrMissingField},
		{`{"type": "create_agent", "actor": "a", "payload": {"agent": "Bad", "price_in": 1}}`, ledger.ErrInvalidID},
		{`{"type": "create_agent", "actor": "a", "payload": {"agent": "protocol", "price_in": 1}}`, ledger.ErrInvalidID},
		{`{"type": "create_agent", "actor": "a", "payload": {"agent": "x", "price_in": 0, "price_out": 0}}`, ledger.ErrZeroAmount},
		{`{"type": "slash_pool", "actor": "a", "payload": {"pool": "protocol", "bps": 0}}`, ledger.ErrInvalidAmount},
		{`{"type": "slash_pool", "actor": "a", "payload": {"pool": "protocol", "bps": 10001}}`, ledger.ErrInvalidAmount},
		{`{"type": "unlock", "actor": "a", "payload": {"id": 0}}`, ledger.ErrMissingField},
		{`{"type": "launch_token", "actor": "a", "payload": {"agent": "x", "symbol": "lower"}}`, ledger.ErrInvalidID},
		// An empty tool once became a provider weight that no epoch close
		// could pay, failing every close's tokenomics work from then on.
		{`{"type": "record_usage", "actor": "a", "payload": {"agent": "x", "platform": "p", "tools": [""], "input_tokens": 5}}`, ledger.ErrMissingField},
		{`{"type": "settle_usage", "actor": "a", "payload": {"items": [{"consumer": "c", "agent": "x", "platform": "p", "tools": ["t", ""], "input_tokens": 5}]}}`, ledger.ErrMissingField},
		// Module accounts hold what their records say: a reward minted
		// into one would be stranded.
		{`{"type": "record_usage", "actor": "a", "payload": {"platform": "mod:tokenomics/stake", "gpu": "g", "input_tokens": 5, "price_in": 1}}`, ledger.ErrMalformed},
		{`{"type": "record_usage", "actor": "a", "payload": {"platform": "p", "gpu": "mod:tokenomics/rewards", "input_tokens": 5, "price_in": 1}}`, ledger.ErrMalformed},
		{`{"type": "record_usage", "actor": "a", "payload": {"platform": "p", "gpu": "g", "model": "mod:tokenomics/curve", "input_tokens": 5, "price_in": 1}}`, ledger.ErrMalformed},
		{`{"type": "record_usage", "actor": "a", "payload": {"agent": "x", "platform": "p", "tools": ["mod:tokenomics/locked"], "input_tokens": 5}}`, ledger.ErrMalformed},
		{`{"type": "record_usage", "actor": "a", "payload": {"consumer": "mod:tokenomics/treasury", "agent": "x", "platform": "p", "input_tokens": 5}}`, ledger.ErrMalformed},
	} {
		_, err := h.M.Registry().ParseCommandJSON([]byte(c.js))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.js, err, c.want)
		}
	}
}

// A genesis cannot allocate into the module's booked accounts, as a
// transfer cannot pay into them (TestBadInputChangesNothing): COOP
// allocated to the stake account would be principal that no staker's
// position owes. Stakers are allocated their COOP and stake it.
func TestGenesisAllocationIntoBookedAccountRefused(t *testing.T) {
	for _, to := range (tokenomics.Module{}).BookedAccounts() {
		h, err := ledgertest.New(tokenomics.Module{}, govStub{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := ledger.ParseGenesis([]byte(badGenesis))
		if err != nil {
			t.Fatal(err)
		}
		g.Allocations = append(g.Allocations, ledger.GenesisAllocation{Account: to, Asset: "COOP", Amount: ledger.NewAmount(1000)})
		if _, err := h.Genesis(g); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), string(to)+" is booked by module tokenomics") {
			t.Errorf("a genesis allocating to %s: %v; want ErrInvalidGenesis saying it is booked", to, err)
		}
	}
}
