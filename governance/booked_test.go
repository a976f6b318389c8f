package governance_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// bookedGenesis is a chain with governance and tokenomics; %s is the
// governance parameters' extra fields.
func bookedGenesis(t ledgertest.TB, extra string) *ledger.Genesis {
	v1, _ := testSets(t)
	return ledgertest.ParseGenesis(t, fmt.Sprintf(`{"chain_id": "booked", "genesis_time": %q, "epoch_length": "1000h",
	 "assets": [{"id": "COOP", "decimals": 6}],
	 "accounts": [{"id": "a"}, {"id": "b"}],
	 "allocations": [{"account": "a", "asset": "COOP", "amount": "1000000"}],
	 "params": {"governance": {"policy_hash": %q, "voting_period": "1h", "late_quorum_extension": "0s", "timelock": "0s", "max_live_proposals": 0%s}}}`,
		propStart, v1.HashHex(), extra))
}

func bookedModules() []ledger.Module {
	return []ledger.Module{tokenomics.Module{}, govtest.Module{}, governance.New(govtest.Module{})}
}

// A booked account (ledger.Bookkeeper: its balance is exactly what its
// module's records say) can be neither the treasury nor the recipient of
// a treasury spend: as treasury, a spend would take stakers' principal or
// proposers' deposits; as recipient, the funds would land where no record
// covers them. Both are refused when proposed, with nothing changed, and
// at genesis (from an audit: a parameter change made mod:tokenomics/stake
// the treasury, and the next treasury_spend paid out the stake).
func TestBookedAccountsAreRefused(t *testing.T) {
	booked := []ledger.AccountID{tokenomics.StakeAccount, tokenomics.RewardsAccount, tokenomics.UnbondingAccount,
		tokenomics.LockedAccount, tokenomics.CurveAccount, governance.DepositsAccount}
	h, err := ledgertest.New(bookedModules()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(bookedGenesis(t, "")); err != nil {
		t.Fatal(err)
	}
	at := h.Time.Add(time.Second)
	b, err := h.Apply(at, []*ledger.Command{{Actor: "a", Payload: &govtest.SetStake{Account: "a", Amount: ledger.NewAmount(10)}}})
	if err != nil || b.Results[0].Code != "" {
		t.Fatalf("setup: %v %+v", err, b.Results)
	}
	root := b.StateRoot
	var cmds []*ledger.Command
	var what []string
	for _, id := range booked {
		amount := ledger.NewAmount(1)
		cmds = append(cmds,
			decided(t, "a", &governance.Propose{Title: "treasury", Deposit: ledger.NewAmount(1), Actions: []governance.Action{
				{Kind: governance.ParameterChange, Module: governance.ModuleName, Name: "treasury", Value: []byte(`"` + id + `"`)}}}),
			decided(t, "a", &governance.Propose{Title: "spend", Deposit: ledger.NewAmount(1), Actions: []governance.Action{
				{Kind: governance.TreasurySpend, To: id, Asset: "COOP", Amount: &amount}}}),
			// Tokenomics mints each close's provider share to the pool.
			decided(t, "a", &governance.Propose{Title: "pool", Deposit: ledger.NewAmount(1), Actions: []governance.Action{
				{Kind: governance.ParameterChange, Module: tokenomics.ModuleName, Name: "provider_pool", Value: []byte(`"` + id + `"`)}}}))
		what = append(what, "treasury "+string(id), "a spend to "+string(id), "provider_pool "+string(id))
	}
	at = at.Add(time.Second)
	b, err = h.Apply(at, cmds)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range b.Results {
		if r.Code != governance.ErrInvalidProposal.Code || !strings.Contains(r.Msg, "booked") {
			t.Errorf("a proposal of %s: %s %s; want %s saying it is booked", what[i], r.Code, r.Msg, governance.ErrInvalidProposal.Code)
		}
	}
	if b.StateRoot != root {
		t.Error("the rejected proposals changed the state root")
	}

	for _, id := range booked {
		h, err := ledgertest.New(bookedModules()...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Genesis(bookedGenesis(t, fmt.Sprintf(`, "treasury": %q`, id))); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "treasury") {
			t.Errorf("a genesis with treasury %s: %v; want ErrInvalidGenesis naming the treasury", id, err)
		}
	}
}

// vault stands in for a module with a booked account, mod:vault/held,
// in two releases: one that does not book it (as every module before
// booked accounts existed) and one that does.
type vault struct{ books bool }

var vaultHeld = ledger.ModuleAccount("vault", "held")

func (vault) Name() string                             { return "vault" }
func (vault) Commands() []ledger.CommandSpec           { return nil }
func (vault) Events() []ledger.EventSpec               { return nil }
func (vault) Evolve(*ledger.State, ledger.Event) error { return errors.New("vault has no events") }
func (vault) Decide(*ledger.Context, *ledger.Command) error {
	return errors.New("vault has no commands")
}
func (vault) InitGenesis(ctx *ledger.Context, _ []byte) error {
	return ledger.EnsureModuleAccount(ctx, vaultHeld)
}
func (v vault) BookedAccounts() []ledger.AccountID {
	if v.books {
		return []ledger.AccountID{vaultHeld}
	}
	return nil
}

// Proposals queued before an upgrade that books an account are checked
// again when they execute: a spend into the booked account, a change
// making it the treasury, and a spend from a treasury that an earlier
// release let become it all fail, and the account keeps its balance.
func TestUpgradeThatBooksRefusesQueuedProposals(t *testing.T) {
	modules := func(books bool) []ledger.Module {
		return []ledger.Module{govtest.Module{}, governance.New(govtest.Module{}), vault{books: books}}
	}
	h, err := ledgertest.New(modules(false)...)
	if err != nil {
		t.Fatal(err)
	}
	g := propGenesis(t)
	g.Allocations = append(g.Allocations,
		ledger.GenesisAllocation{Account: vaultHeld, Asset: "COOP", Amount: ledger.NewAmount(500)},
		ledger.GenesisAllocation{Account: governance.DefaultTreasury, Asset: "COOP", Amount: ledger.NewAmount(100)})
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	at := h.Time
	apply := func(cmds ...*ledger.Command) *ledger.Block {
		t.Helper()
		at = at.Add(time.Second)
		b, err := h.Apply(at, cmds)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range b.Results {
			if r.Code != "" {
				t.Fatalf("block %d command %d: %s %s", b.Height, i, r.Code, r.Msg)
			}
		}
		return b
	}
	ref := func(id uint64) governance.ProposalRef { return governance.ProposalRef{Proposal: id} }
	one, hundred := ledger.NewAmount(1), ledger.NewAmount(100)
	toHeld := []byte(`"` + vaultHeld + `"`)
	apply(&ledger.Command{Actor: "a", Payload: &govtest.SetStake{Account: "a", Amount: ledger.NewAmount(10)}})
	apply(
		decided(t, "a", &governance.Propose{Title: "1: spend into held", Actions: []governance.Action{
			{Kind: governance.TreasurySpend, To: vaultHeld, Asset: "COOP", Amount: &one}}}),
		decided(t, "a", &governance.Propose{Title: "2: held as treasury", Actions: []governance.Action{
			{Kind: governance.ParameterChange, Module: governance.ModuleName, Name: "treasury", Value: toHeld}}}),
		decided(t, "a", &governance.Propose{Title: "3: held as treasury, before the upgrade", Actions: []governance.Action{
			{Kind: governance.ParameterChange, Module: governance.ModuleName, Name: "treasury", Value: toHeld}}}),
		decided(t, "a", &governance.Propose{Title: "4: spend from the treasury", Actions: []governance.Action{
			{Kind: governance.TreasurySpend, To: "b", Asset: "COOP", Amount: &hundred}}}))
	yes := governance.Yes
	var votes, queue []*ledger.Command
	for id := uint64(1); id <= 4; id++ {
		votes = append(votes, &ledger.Command{Actor: "a", Payload: &governance.Vote{Proposal: id, Option: &yes}})
		queue = append(queue, &ledger.Command{Actor: "a", Payload: &governance.TallyVotes{ProposalRef: ref(id)}},
			&ledger.Command{Actor: "a", Payload: &governance.Queue{ProposalRef: ref(id)}})
	}
	apply(votes...)
	at = at.Add(2 * time.Hour)
	apply(queue...)
	// The release without booking executes proposal 3.
	apply(&ledger.Command{Actor: "a", Payload: &governance.Execute{ProposalRef: ref(3)}})
	if p, _, _ := governance.GetProposal(h, 3); p.Status != governance.StatusExecuted {
		t.Fatalf("proposal 3 before the upgrade: %s (%s)", p.Status, p.FailReason)
	}

	// The upgrade: the same chain, run by the release that books held.
	m, err := ledger.NewMachine(modules(true)...)
	if err != nil {
		t.Fatal(err)
	}
	h.M = m
	h.Step = ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true})
	h.Replay = ledger.NewStep(m, ledger.StepOptions{CheckInvariants: true})
	for _, id := range []uint64{1, 2, 4} {
		apply(&ledger.Command{Actor: "a", Payload: &governance.Execute{ProposalRef: ref(id)}})
		p, _, err := governance.GetProposal(h, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != governance.StatusFailed || !strings.Contains(p.FailReason, "booked") {
			t.Errorf("proposal %d (%s) after the upgrade: %s (%s); want failed, saying why", id, p.Title, p.Status, p.FailReason)
		}
	}
	if got := h.Balance(t, vaultHeld, "COOP"); got != ledger.NewAmount(500) {
		t.Errorf("held has %s COOP; want its 500", got)
	}
	if got := h.Balance(t, "b", "COOP"); !got.IsZero() {
		t.Errorf("b has %s COOP; want none", got)
	}
}

// Below ledger.StepOptions.RulesFrom a block is decided by RulesV1, before
// booked accounts: a spend to mod:tokenomics/stake is proposed (as the
// builds before decided it, so that a follower re-executes such a block
// as it was), and the escrow as treasury is refused with the message of
// then. From RulesV2 on both are refused as booked.
func TestBookedChecksByRules(t *testing.T) {
	m, err := ledger.NewMachine(bookedModules()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from               uint64
		spendOK, escrowOld bool
	}{{from: 10, spendOK: true, escrowOld: true}, {from: 0}} {
		c := ledgertest.NewChain(t, m, ledger.StepOptions{RulesFrom: tc.from}, bookedGenesis(t, ""))
		if b := c.Next(t, &ledger.Command{Actor: "a", Payload: &govtest.SetStake{Account: "a", Amount: ledger.NewAmount(10)}}); b.Results[0].Code != "" {
			t.Fatalf("setup: %+v", b.Results)
		}
		amount := ledger.NewAmount(1)
		r := c.Next(t,
			decided(t, "a", &governance.Propose{Title: "spend", Deposit: ledger.NewAmount(1), Actions: []governance.Action{
				{Kind: governance.TreasurySpend, To: tokenomics.StakeAccount, Asset: "COOP", Amount: &amount}}}),
			decided(t, "a", &governance.Propose{Title: "treasury", Deposit: ledger.NewAmount(1), Actions: []governance.Action{
				{Kind: governance.ParameterChange, Module: governance.ModuleName, Name: "treasury", Value: []byte(`"` + governance.DepositsAccount + `"`)}}})).Results
		if ok := r[0].Code == ""; ok != tc.spendOK {
			t.Errorf("RulesFrom %d: a spend to the stake account proposed %v, want %v (%v)", tc.from, ok, tc.spendOK, r[0].Err())
		}
		if old := strings.Contains(r[1].Msg, "deposit escrow; name another account"); r[1].Code == "" || old != tc.escrowOld {
			t.Errorf("RulesFrom %d: the escrow as treasury: %v; want refused with the message of RulesV1: %v", tc.from, r[1].Err(), tc.escrowOld)
		}
	}
}
