package contribution_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// boundsGenesis is testdata/cap.txt's chain: COOP (2 decimals) at 2 USD,
// a pool of 10,000.
const boundsGenesis = `{"chain_id": "bounds", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1h",
 "assets": [{"id": "COOP", "decimals": 2}],
 "accounts": [{"id": "meter"}, {"id": "p1"}, {"id": "p2"}],
 "allocations": [{"account": "mod:contribution/pool", "asset": "COOP", "amount": "10000"}],
 "params": {"contribution": {"reporters": ["meter"]}}}`

// One bad record must not break a provider's epoch. A record of 2^64-1
// credits used to apply: the provider's credits for the epoch were then
// at their maximum, so its self-dealing cap allowed any reward (it was
// capped by nothing), and every later record of the epoch with credits
// was refused (amount_overflow), the good ones too. A record's credits
// and energy are now bounded (MaxRecordCredits, MaxRecordEnergyMJ): the
// bad records are refused, the later ones apply, and the cap holds.
func TestBadRecordDoesNotBreakTheEpoch(t *testing.T) {
	h := ledgertest.Start(t, boundsGenesis, contribution.New(fixedPrice(2_000_000)))
	// As testdata/cap.txt: COOP (2 decimals) at 2 USD, a pool of 10,000.
	run := func(p ledger.Payload, actor ledger.AccountID) error {
		t.Helper()
		b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{{Actor: actor, Payload: p}})
		if err != nil {
			t.Fatal(err)
		}
		return b.Results[0].Err()
	}
	record := func(p ledger.AccountID, q, credits, energy uint64) error {
		t.Helper()
		return run(&contribution.Record{Provider: p, Kind: "gpu_seconds", Quantity: q, Credits: credits, EnergyMJ: energy, Source: "m"}, "meter")
	}
	for _, p := range []ledger.AccountID{"p1", "p2"} {
		if err := run(&contribution.Register{Role: contribution.RoleCompute, Stake: ledger.NewAmount(0)}, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []struct {
		what            string
		credits, energy uint64
	}{
		{"2^64-1 credits", math.MaxUint64, 0},
		{"2^64-1 mJ", 0, math.MaxUint64},
		{"MaxRecordCredits+1 credits", contribution.MaxRecordCredits + 1, 0},
		{"MaxRecordEnergyMJ+1 mJ", 0, contribution.MaxRecordEnergyMJ + 1},
	} {
		if err := record("p1", 1, bad.credits, bad.energy); !errors.Is(err, contribution.ErrAbsurdQuantity) {
			t.Fatalf("a record of %s: %v; want ErrAbsurdQuantity", bad.what, err)
		}
	}
	// Later records apply; so does one at the bounds.
	if err := record("p1", 100, 3_000_000, 0); err != nil {
		t.Fatalf("a record after the bad ones: %v", err)
	}
	if err := record("p1", 1, 1, 5_000); err != nil {
		t.Fatalf("a record after the bad ones: %v", err)
	}
	if err := record("p2", 300, contribution.MaxRecordCredits, contribution.MaxRecordEnergyMJ); err != nil {
		t.Fatalf("a record at the bounds: %v", err)
	}
	pend, err := contribution.PendingContribution(h, "p1", 0)
	if err != nil || pend.Credits != 3_000_001 || pend.EnergyMJ != 5_000 || pend.Records != 2 {
		t.Fatalf("p1's epoch so far: %+v, %v; want 3000001 credits and 5000 mJ from 2 records", pend, err)
	}
	// p1 would earn 101/401 of the compute pool of 4,000 (1,007 base
	// units); its 3,000,001 micro-USD of credits are worth 150 at 2 USD.
	c, _ := ledger.GetChain(h)
	if _, err := h.Apply(h.Time.Add(time.Hour), ledger.EpochCloses(c, h.Time.Add(time.Hour).UnixNano(), 1)); err != nil {
		t.Fatal(err)
	}
	rs, err := contribution.ProviderResults(view{h}, "p1")
	if err != nil || len(rs) != 1 || rs[0].Reward != ledger.NewAmount(150) || rs[0].Capped != ledger.NewAmount(857) {
		t.Fatalf("p1's results: %+v, %v; want epoch 0's reward of 150, 857 capped", rs, err)
	}
}

// earlierRecords stands in for a chain whose open epoch holds records
// from a release without the bounds on a record: its genesis registers
// p1 and records credits and energy just short of 2^64 for it.
type earlierRecords struct{}

func (earlierRecords) Name() string                   { return "earlier" }
func (earlierRecords) Commands() []ledger.CommandSpec { return nil }
func (earlierRecords) Events() []ledger.EventSpec     { return nil }
func (earlierRecords) Decide(*ledger.Context, *ledger.Command) error {
	return ledger.Errorf(ledger.ErrUnknownCommand, "earlier has no commands")
}
func (earlierRecords) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "earlier has no events")
}
func (earlierRecords) InitGenesis(ctx *ledger.Context, _ []byte) error {
	if err := ctx.Emit(&contribution.Registered{Account: "p1", Role: contribution.RoleCompute, Stake: ledger.NewAmount(0)}); err != nil {
		return err
	}
	return ctx.Emit(&contribution.Recorded{RecordedV1: contribution.RecordedV1{Provider: "p1", Kind: "gpu_seconds", Quantity: 1, Value: ledger.NewAmount(1),
		Credits: math.MaxUint64 - 10, Source: "m", Reporter: "meter"}, EnergyMJ: math.MaxUint64 - 10})
}

// A record that would overflow its provider's sums for the epoch is
// refused before it changes anything (amount_overflow, saying what to
// do), and the provider's records that fit still apply; the epoch closes
// and the next one starts empty.
func TestRecordThatWouldOverflowTheEpochIsRefused(t *testing.T) {
	h := ledgertest.Start(t, `{"chain_id": "full", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1h",
	 "assets": [{"id": "COOP", "decimals": 2}],
	 "accounts": [{"id": "meter"}, {"id": "p1"}],
	 "allocations": [{"account": "mod:contribution/pool", "asset": "COOP", "amount": "10000"}],
	 "params": {"contribution": {"reporters": ["meter"]}}}`, contribution.New(nil), earlierRecords{})
	record := func(credits, energy uint64) (*ledger.Block, error) {
		t.Helper()
		b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{{Actor: "meter", Payload: &contribution.Record{
			Provider: "p1", Kind: "gpu_seconds", Quantity: 1, Credits: credits, EnergyMJ: energy, Source: "m"}}})
		if err != nil {
			t.Fatal(err)
		}
		return b, b.Results[0].Err()
	}
	for _, over := range []struct{ credits, energy uint64 }{{11, 0}, {0, 11}} {
		root := h.Blocks[len(h.Blocks)-1].StateRoot
		b, err := record(over.credits, over.energy)
		if !errors.Is(err, ledger.ErrAmountOverflow) || !strings.Contains(err.Error(), "record it in the next epoch") {
			t.Fatalf("a record of %d credits and %d mJ over a full epoch: %v; want ErrAmountOverflow saying what to do", over.credits, over.energy, err)
		}
		if b.StateRoot != root {
			t.Fatal("the refused record changed the state")
		}
	}
	for _, fits := range []struct{ credits, energy uint64 }{{10, 10}, {0, 0}} {
		if _, err := record(fits.credits, fits.energy); err != nil {
			t.Fatalf("a record of %d credits and %d mJ that fits: %v", fits.credits, fits.energy, err)
		}
	}
	pend, err := contribution.PendingContribution(h, "p1", 0)
	if err != nil || pend.Credits != math.MaxUint64 || pend.EnergyMJ != math.MaxUint64 || pend.Records != 3 {
		t.Fatalf("p1's epoch so far: %+v, %v; want both sums at 2^64-1 from 3 records", pend, err)
	}
	c, _ := ledger.GetChain(h)
	b, err := h.Apply(h.Time.Add(time.Hour), ledger.EpochCloses(c, h.Time.Add(time.Hour).UnixNano(), 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range b.Events {
		if f, ok := ev.(*ledger.EpochWorkFailed); ok {
			t.Fatalf("the close failed: %s %s", f.Code, f.Msg)
		}
	}
	if _, err := record(3_000_000, 5_000); err != nil {
		t.Fatalf("a record in the next epoch: %v", err)
	}
}

// Below ledger.StepOptions.RulesFrom a record is decided by RulesV1, as the
// builds before the bounds decided it: a record over MaxRecordCredits
// applies, so that a follower re-executes such an older block as it was.
// From RulesV2 on it is refused.
func TestRecordBoundsByRules(t *testing.T) {
	m, err := ledger.NewMachine(contribution.New(fixedPrice(2_000_000)))
	if err != nil {
		t.Fatal(err)
	}
	g := ledgertest.ParseGenesis(t, boundsGenesis)
	for _, tc := range []struct {
		from   uint64
		refuse bool
	}{{10, false}, {0, true}} {
		c := ledgertest.NewChain(t, m, ledger.StepOptions{RulesFrom: tc.from}, g)
		c.Next(t, &ledger.Command{Actor: "p1", Payload: &contribution.Register{Role: contribution.RoleCompute, Stake: ledger.NewAmount(0)}})
		b := c.Next(t, &ledger.Command{Actor: "meter", Payload: &contribution.Record{Provider: "p1", Kind: "gpu_seconds", Quantity: 1, Credits: contribution.MaxRecordCredits + 1, Source: "m"}})
		if refused := errors.Is(b.Results[0].Err(), contribution.ErrAbsurdQuantity); refused != tc.refuse {
			t.Errorf("RulesFrom %d: a record over MaxRecordCredits: %v; refused %v, want %v", tc.from, b.Results[0].Err(), refused, tc.refuse)
		}
	}
}
