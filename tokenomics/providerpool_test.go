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

const providerPoolGenesis = `{"chain_id": "pp", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
 "assets": [{"id": "COOP", "decimals": 6}],
 "accounts": [{"id": "alice"}, {"id": "bob"}, {"id": "plat"}, {"id": "g1"}, {"id": "f1"}, {"id": "pp"}],
 "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000000"}],
 "params": {"tokenomics": {"oracle_feeds": ["f1"], "max_price_age": "8760h", "agent_deposit": "0",
   "emission_initial": "1000", "remint_cap": "0", "provider_pool": "pp"}}}`

// While provider_pool takes the providers' share, each close clears the
// epoch's provider weights: they used to pile up, and once the pool was
// unset a close paid all of them against one epoch's total, more than the
// providers' share (the treasury's part, then a panic).
func TestProviderPoolClearsWeights(t *testing.T) {
	h := harness(t, providerPoolGenesis,
		`{"type": "observe_price", "actor": "f1", "payload": {"price": "2000000000000000000"}}`,
		`{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1000000000"}}`,
	)
	weights := func() int {
		n := 0
		h.Store.Scan([]byte("tk/w/"), func(_, _ []byte) bool { n++; return true })
		return n
	}
	usage := func(tokens int) {
		apply(t, h, h.Time.Add(time.Second), `{"type": "record_usage", "actor": "alice", "payload": {"platform": "plat", "gpu": "g1", "input_tokens": `+itoa(tokens)+`, "price_in": 10}}`)
	}
	closeEpoch := func() *ledger.Block {
		b, err := h.Next(h.Time.Add(25*time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range b.Events {
			if f, ok := ev.(*ledger.EpochWorkFailed); ok {
				t.Fatalf("epoch %d: %s work failed: %s %s", f.Epoch, f.Module, f.Code, f.Msg)
			}
		}
		return b
	}
	for range 3 {
		usage(100000)
	}
	if weights() == 0 {
		t.Fatal("usage left no provider weight to clear")
	}
	b := closeEpoch()
	forwarded := false
	for _, ev := range b.Events {
		if e, ok := ev.(*tokenomics.ProviderWeightsForwarded); ok && e.Pool == "pp" && !e.Amount.IsZero() {
			forwarded = true
		}
	}
	if !forwarded || weights() != 0 {
		t.Fatalf("a close with provider_pool set: forwarded %v, %d provider weights left; want the share forwarded and none left", forwarded, weights())
	}
	apply(t, h, h.Time.Add(time.Second), `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": ""}}`)
	for range 3 {
		usage(1000)
		b := closeEpoch()
		// The providers are paid on this epoch's one record alone.
		var basis ledger.Amount
		var rep *tokenomics.EpochReport
		for _, ev := range b.Events {
			switch e := ev.(type) {
			case *tokenomics.RewardPaid:
				if e.Pool == "providers" {
					basis, _ = basis.Add(e.Basis)
				}
			case *tokenomics.EpochReport:
				rep = e
			}
		}
		if rep == nil || basis.Cmp(rep.CreditsSpent) > 0 {
			t.Fatalf("epoch report %+v; providers paid on %s credits of usage", rep, basis)
		}
	}
}

func itoa(n int) string { return ledger.NewAmount(uint64(n)).String() }

// provider_pool can be set from empty (it is left out of the parameters'
// JSON while empty, and set_param used to take that for an unknown name),
// to an account that exists.
func TestProviderPoolCanBeSet(t *testing.T) {
	h := harness(t, badGenesis)
	apply(t, h, h.Time.Add(time.Second), `{"type": "set_param", "actor": "bob", "payload": {"module": "tokenomics", "name": "provider_pool", "value": "plat"}}`)
	apply(t, h, h.Time.Add(time.Second), `{"type": "transfer", "actor": "bob", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "1"}]}}`)
	p, err := tokenomics.ParamsAt(h, h.Height)
	if err != nil || p.ProviderPool != "plat" {
		t.Fatalf("provider_pool %q, %v; want plat", p.ProviderPool, err)
	}
}

// A provider pool that is a booked account (ledger.Bookkeeper: its
// balance is what its module's records say) is refused at genesis, as a
// change to one is (TestBadInputChangesNothing): each close would mint the
// providers' share where no record covers it.
func TestProviderPoolNotBookedAtGenesis(t *testing.T) {
	for _, pool := range []ledger.AccountID{tokenomics.StakeAccount, tokenomics.RewardsAccount, tokenomics.UnbondingAccount, tokenomics.LockedAccount, tokenomics.CurveAccount} {
		h, err := ledgertest.New(tokenomics.Module{}, govStub{})
		if err != nil {
			t.Fatal(err)
		}
		g := ledgertest.ParseGenesis(t, strings.Replace(providerPoolGenesis, `"provider_pool": "pp"`, `"provider_pool": "`+string(pool)+`"`, 1))
		if _, err := h.Genesis(g); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "provider_pool") {
			t.Errorf("a genesis with provider_pool %s: %v; want ErrInvalidGenesis naming provider_pool", pool, err)
		}
	}
}

// legacyParams stands in for a chain whose state names a booked account
// as provider_pool, set before the parameter checks existed or left by a
// release that booked the account since: its genesis rewrites
// tokenomics' parameters with provider_pool = pool, bypassing the checks.
type legacyParams struct{ pool ledger.AccountID }

func (legacyParams) Name() string                   { return "legacy" }
func (legacyParams) Commands() []ledger.CommandSpec { return nil }
func (legacyParams) Events() []ledger.EventSpec     { return nil }
func (legacyParams) Decide(*ledger.Context, *ledger.Command) error {
	return ledger.Errorf(ledger.ErrUnknownCommand, "legacy has no commands")
}
func (legacyParams) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "legacy has no events")
}
func (l legacyParams) InitGenesis(ctx *ledger.Context, _ []byte) error {
	cur, err := ctx.Params(tokenomics.ModuleName)
	if err != nil {
		return err
	}
	next, err := (tokenomics.Module{}).SetParam(cur, "provider_pool", []byte(`"`+l.pool+`"`))
	if err != nil {
		return err
	}
	return ledger.InitParams(ctx, tokenomics.ModuleName, next)
}

// A chain whose provider_pool is a booked account (here the stake
// account, which holds the stakers' principal) does not mint the
// providers' share there at each close: the close pays the providers by
// their weights, exactly as a chain without provider_pool does, and says
// so in an epoch_work_failed event. The stake account keeps what the
// stakers staked, and the harness checks conservation and the invariants
// at every block.
func TestBookedProviderPoolIsNotPaid(t *testing.T) {
	run := func(pool ledger.AccountID) (*ledgertest.Harness, []*ledger.Block) {
		h := ledgertest.Start(t, providerPoolGenesis, tokenomics.Module{}, govStub{}, legacyParams{pool})
		if p, err := tokenomics.ParamsAt(h, 0); err != nil || p.ProviderPool != pool {
			t.Fatalf("provider_pool at genesis %q, %v; want %q", p.ProviderPool, err, pool)
		}
		for _, c := range []string{
			`{"type": "observe_price", "actor": "f1", "payload": {"price": "2000000000000000000"}}`,
			`{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1000000000"}}`,
			`{"type": "stake", "actor": "alice", "payload": {"pool": "protocol", "asset": "COOP", "amount": "5000000"}}`,
			`{"type": "record_usage", "actor": "alice", "payload": {"platform": "plat", "gpu": "g1", "input_tokens": 100000, "price_in": 10}}`,
			`{"type": "record_usage", "actor": "alice", "payload": {"platform": "plat", "gpu": "g1", "input_tokens": 3000, "price_in": 10}}`,
		} {
			apply(t, h, h.Time.Add(time.Second), c)
		}
		var closes []*ledger.Block
		for range 2 {
			b, err := h.Next(h.Time.Add(25*time.Hour), nil)
			if err != nil {
				t.Fatal(err)
			}
			closes = append(closes, b)
			apply(t, h, h.Time.Add(time.Second), `{"type": "record_usage", "actor": "alice", "payload": {"platform": "plat", "gpu": "g1", "input_tokens": 7000, "price_in": 10}}`)
		}
		return h, closes
	}
	booked, bookedCloses := run(tokenomics.StakeAccount)
	unset, _ := run("")
	for _, b := range bookedCloses {
		var failed *ledger.EpochWorkFailed
		for _, ev := range b.Events {
			switch e := ev.(type) {
			case *tokenomics.ProviderWeightsForwarded:
				t.Fatalf("block %d forwarded %s to the booked %s", b.Height, e.Amount, e.Pool)
			case *ledger.EpochWorkFailed:
				failed = e
			}
		}
		if failed == nil || failed.Module != tokenomics.ModuleName || failed.Code != "invalid_parameter" ||
			!strings.Contains(failed.Msg, "provider_pool mod:tokenomics/stake is booked by module tokenomics") {
			t.Fatalf("block %d: epoch_work_failed %+v; want tokenomics saying provider_pool is booked", b.Height, failed)
		}
	}
	if got := booked.Balance(t, tokenomics.StakeAccount, "COOP"); got != ledger.NewAmount(5000000) {
		t.Errorf("the stake account holds %s COOP; want the 5000000 staked", got)
	}
	if got := booked.Balance(t, "g1", "COOP"); got.IsZero() {
		t.Error("the GPU that served the usage was paid nothing")
	}
	// Every balance and supply counter is the one of the chain without
	// provider_pool: the providers were paid by their weights.
	if a, b := booked.Balances(""), unset.Balances(""); a != b {
		t.Errorf("balances with a booked provider_pool:\n%s\nwithout provider_pool:\n%s", a, b)
	}
	if a, b := booked.Supply(), unset.Supply(); a != b {
		t.Errorf("supply with a booked provider_pool:\n%s\nwithout provider_pool:\n%s", a, b)
	}
}
