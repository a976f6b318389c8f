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
		g, err := ledger.ParseGenesis([]byte(strings.Replace(providerPoolGenesis, `"provider_pool": "pp"`, `"provider_pool": "`+string(pool)+`"`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Genesis(g); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "provider_pool") {
			t.Errorf("a genesis with provider_pool %s: %v; want ErrInvalidGenesis naming provider_pool", pool, err)
		}
	}
}
