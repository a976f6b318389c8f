package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// keeper is a module with a booked account, mod:keeper/held, and one
// that is not booked, mod:keeper/open. books overrides what it books.
type keeper struct {
	ledgertest.Faucet
	books []ledger.AccountID
}

func (keeper) Name() string { return "keeper" }
func (k keeper) BookedAccounts() []ledger.AccountID {
	if k.books != nil {
		return k.books
	}
	return []ledger.AccountID{"mod:keeper/held"}
}
func (keeper) InitGenesis(ctx *ledger.Context, _ []byte) error {
	for _, id := range []ledger.AccountID{"mod:keeper/held", "mod:keeper/open"} {
		if err := ledger.EnsureModuleAccount(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// keeperGenesis is a chain where a holds 100 COOP.
const keeperGenesis = `{"chain_id":"b","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
 "assets":[{"id":"COOP","decimals":0}],"accounts":[{"id":"a"}],
 "allocations":[{"account":"a","asset":"COOP","amount":"100"}]}`

// A user transfer into a booked account is refused, whichever module
// keeps it, and changes nothing; other module accounts still take
// transfers.
func TestTransferIntoBookedAccountRefused(t *testing.T) {
	h, err := ledgertest.New(keeper{})
	if err != nil {
		t.Fatal(err)
	}
	if mod, ok := h.M.Booked("mod:keeper/held"); !ok || mod != "keeper" {
		t.Fatalf("Booked(mod:keeper/held) = %q, %v; want keeper, true", mod, ok)
	}
	for _, id := range []ledger.AccountID{"mod:keeper/open", "mod:keeper", "a"} {
		if mod, ok := h.M.Booked(id); ok {
			t.Fatalf("Booked(%s) = %q, true; want false", id, mod)
		}
	}
	if _, err := h.Genesis(ledgertest.ParseGenesis(t, keeperGenesis)); err != nil {
		t.Fatal(err)
	}
	transfer := func(legs ...ledger.Leg) *ledger.Block {
		b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{{Actor: "a", Payload: &ledger.Transfer{Legs: legs}}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one := ledger.NewAmount(1)
	b := transfer(ledger.Leg{To: "mod:keeper/open", Asset: "COOP", Amount: one})
	if err := b.Results[0].Err(); err != nil {
		t.Fatalf("a transfer into an account that is not booked: %v", err)
	}
	root := b.StateRoot
	b = transfer(ledger.Leg{To: "mod:keeper/open", Asset: "COOP", Amount: one}, ledger.Leg{To: "mod:keeper/held", Asset: "COOP", Amount: one})
	if err := b.Results[0].Err(); !errors.Is(err, ledger.ErrUnauthorized) || !strings.Contains(err.Error(), "booked by module keeper") {
		t.Fatalf("a transfer into a booked account: %v; want ErrUnauthorized naming its module", err)
	}
	if b.StateRoot != root {
		t.Fatal("the refused transfer changed the state root")
	}
}

// A module may book only its own accounts.
func TestBookingOthersAccountsRefused(t *testing.T) {
	for _, id := range []ledger.AccountID{"mod:other/held", "mod:keepers", "alice", "Bad"} {
		if _, err := ledger.NewMachine(keeper{books: []ledger.AccountID{id}}); err == nil {
			t.Errorf("a module keeper booking %s: no error", id)
		}
	}
	if _, err := ledger.NewMachine(keeper{books: []ledger.AccountID{"mod:keeper", "mod:keeper/a/b"}}); err != nil {
		t.Errorf("a module booking its own accounts: %v", err)
	}
}

// A genesis allocation into a booked account is refused, whichever
// module keeps it: no record of the module would cover the funds (a
// stake account allocated at genesis holds principal that no staker's
// position owes). The message names the allocation, the module and the
// fix. Other module accounts still take allocations.
func TestGenesisAllocationIntoBookedAccountRefused(t *testing.T) {
	const doc = `{"chain_id":"b","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":0}],"accounts":[{"id":"a"}],
	 "allocations":[{"account":"a","asset":"COOP","amount":"100"},{"account":%q,"asset":"COOP","amount":"5"}]}`
	genesis := func(to ledger.AccountID) (*ledgertest.Harness, error) {
		h, err := ledgertest.New(keeper{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Genesis(ledgertest.ParseGenesis(t, fmt.Sprintf(doc, to)))
		return h, err
	}
	h, err := genesis("mod:keeper/held")
	if !errors.Is(err, ledger.ErrInvalidGenesis) {
		t.Fatalf("an allocation into a booked account: %v; want ErrInvalidGenesis", err)
	}
	for _, want := range []string{"allocations[1].account", "mod:keeper/held is booked by module keeper", "allocate to the accounts that should own the funds"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if h.Height != 0 || len(h.Blocks) != 0 {
		t.Fatalf("a refused genesis left %d blocks", len(h.Blocks))
	}
	h, err = genesis("mod:keeper/open")
	if err != nil {
		t.Fatalf("an allocation into mod:keeper/open, which is not booked: %v", err)
	}
	if got := h.Balance(t, "mod:keeper/open", "COOP"); got != ledger.NewAmount(5) {
		t.Fatalf("mod:keeper/open has %s COOP; want its allocation of 5", got)
	}
}

// Under ledger.RulesV1 (blocks below StepOptions.RulesFrom) the accounts
// module refuses no booked account, as the builds before it did: a
// follower re-executes such blocks as they were decided. From RulesV2 on
// the transfer is refused.
func TestBookedTransferByRules(t *testing.T) {
	m, err := ledger.NewMachine(keeper{})
	if err != nil {
		t.Fatal(err)
	}
	g := ledgertest.ParseGenesis(t, keeperGenesis)
	for _, tc := range []struct {
		from   uint64
		refuse bool
	}{{from: 5, refuse: false}, {from: 0, refuse: true}} {
		c := ledgertest.NewChain(t, m, ledger.StepOptions{RulesFrom: tc.from}, g)
		b := c.Next(t, &ledger.Command{Actor: "a", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "mod:keeper/held", Asset: "COOP", Amount: ledger.NewAmount(7)}}}})
		if refused := b.Results[0].Code != ""; refused != tc.refuse {
			t.Errorf("RulesFrom %d: a transfer into a booked account refused %v, want %v (%v)", tc.from, refused, tc.refuse, b.Results[0].Err())
		}
	}
}
