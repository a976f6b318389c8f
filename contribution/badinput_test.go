package contribution_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// TestBadInput: each malformed command is refused with its typed error by
// the JSON parser (so it never reaches a block); the state-dependent
// refusals (unknown provider, non-validator, reveal mismatch, absurd
// quantity, low stake, wrong role) are in testdata/epochs.txt, where the
// state root is shown unchanged.
func TestBadInput(t *testing.T) {
	m, err := ledger.NewMachine(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	reg := m.Registry()
	for _, tc := range []struct {
		name, json string
		want       *ledger.Error
	}{
		{"unknown role", `{"type":"contribution_register","actor":"a","payload":{"role":"miner","stake":"1"}}`, contribution.ErrUnknownRole},
		{"negative stake", `{"type":"contribution_register","actor":"a","payload":{"role":"compute","stake":"-1"}}`, ledger.ErrNegativeAmount},
		{"unknown kind", `{"type":"contribution_record","actor":"m","payload":{"provider":"p","kind":"vibes","quantity":1,"source":"s"}}`, contribution.ErrUnknownKind},
		{"zero quantity", `{"type":"contribution_record","actor":"m","payload":{"provider":"p","kind":"gpu_seconds","quantity":0,"source":"s"}}`, ledger.ErrZeroAmount},
		{"negative quantity", `{"type":"contribution_record","actor":"m","payload":{"provider":"p","kind":"gpu_seconds","quantity":-5,"source":"s"}}`, ledger.ErrMalformed},
		{"missing source", `{"type":"contribution_record","actor":"m","payload":{"provider":"p","kind":"gpu_seconds","quantity":5}}`, ledger.ErrMissingField},
		{"class on a non-GPU kind", `{"type":"contribution_record","actor":"m","payload":{"provider":"p","kind":"data_items","class":"h100","quantity":5,"source":"s"}}`, ledger.ErrMalformed},
		{"weights sum to zero", `{"type":"contribution_reveal","actor":"v","payload":{"weights":[{"provider":"p","weight":0}],"salt":"s"}}`, contribution.ErrWeights},
		{"no weights", `{"type":"contribution_reveal","actor":"v","payload":{"weights":[],"salt":"s"}}`, contribution.ErrWeights},
		{"unsorted weights", `{"type":"contribution_reveal","actor":"v","payload":{"weights":[{"provider":"q","weight":1},{"provider":"p","weight":1}],"salt":"s"}}`, contribution.ErrWeights},
		{"absurd weight", `{"type":"contribution_reveal","actor":"v","payload":{"weights":[{"provider":"p","weight":2000000000000}],"salt":"s"}}`, contribution.ErrWeights},
		{"empty commitment", `{"type":"contribution_commit","actor":"v","payload":{"hash":"0000000000000000000000000000000000000000000000000000000000000000"}}`, ledger.ErrMissingField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reg.ParseCommandJSON([]byte(tc.json))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want.Code)
			}
		})
	}
}

func TestParamsValidation(t *testing.T) {
	m := contribution.Module{}
	h, _ := ledgerHarness(t)
	cur, err := ledger.ParamsAt(h, contribution.ModuleName, 1)
	if err != nil {
		t.Fatal(err)
	}
	for name, val := range map[string]string{
		"shares":               `{"compute":5000,"models":5000,"data":1,"creators":0,"validators":0}`,
		"kappa":                `0`,
		"bond_bits":            `8`,
		"allocation":           `"pareto"`,
		"bonds_moving_average": `1000001`,
		"prices":               `{"telepathy":5}`,
		"nonsense":             `1`,
	} {
		if _, err := m.SetParam(cur, name, []byte(val)); !errors.Is(err, ledger.ErrInvalidParameter) {
			t.Errorf("%s=%s: %v, want ErrInvalidParameter", name, val, err)
		}
	}
	next, err := m.SetParam(cur, "kappa", []byte(`39321`))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := m.ParamsJSON(next)
	if !contains(string(js), `"kappa":39321`) {
		t.Fatalf("params after the change: %s", js)
	}
}

// A treasury that does not exist is refused against state, at genesis and
// for a change (governance checks ledger.ParamsStateChecker before it
// proposes and executes one): every close pays its remainder there, and a
// close that cannot failed every epoch (from a read-only audit).
func TestTreasuryMustExist(t *testing.T) {
	h, _ := ledgerHarness(t)
	cur, err := ledger.ParamsAt(h, contribution.ModuleName, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := contribution.Module{}
	ghost, err := m.SetParam(cur, "treasury", []byte(`"ghost"`))
	if err != nil {
		t.Fatal(err) // the ID is well formed: only state can tell
	}
	if err := m.CheckParamsState(h, ghost); !errors.Is(err, ledger.ErrInvalidParameter) {
		t.Fatalf("treasury ghost: %v; want ErrInvalidParameter", err)
	}
	if err := m.CheckParamsState(h, cur); err != nil {
		t.Fatalf("the genesis parameters: %v", err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"t","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":0}],"accounts":[{"id":"meter"}],
	 "params":{"contribution":{"reporters":["meter"],"treasury":"ghost"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	h2, err := ledgertest.New(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h2.Genesis(g); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "treasury: account ghost does not exist") {
		t.Fatalf("a genesis with treasury ghost: %v; want ErrInvalidGenesis naming the treasury", err)
	}
}

// A treasury that is a booked account (ledger.Bookkeeper: its balance is
// what its module's records say, as the registration stakes in
// contribution's own stake account, or tokenomics' stakers' principal) is
// refused, at genesis and for a change: every close pays its remainder
// there, where no record would cover it (from an audit).
func TestTreasuryMustNotBeBooked(t *testing.T) {
	booked := []ledger.AccountID{contribution.StakeAccount, tokenomics.StakeAccount, tokenomics.RewardsAccount}
	const genesis = `{"chain_id":"t","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":0}],"accounts":[{"id":"meter"}],
	 "params":{"contribution":{"reporters":["meter"],"treasury":%q}}}`
	newHarness := func() *ledgertest.Harness {
		h, err := ledgertest.New(tokenomics.Module{}, contribution.New(nil))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := newHarness()
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(genesis, contribution.TreasuryAccount)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	cur, err := ledger.ParamsAt(h, contribution.ModuleName, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := contribution.Module{}
	for _, id := range booked {
		next, err := m.SetParam(cur, "treasury", []byte(`"`+id+`"`))
		if err != nil {
			t.Fatal(err) // the ID is well formed: only the machine can tell
		}
		if err := m.CheckParamsState(h, next); !errors.Is(err, ledger.ErrInvalidParameter) || !strings.Contains(err.Error(), "booked") {
			t.Errorf("a change to treasury %s: %v; want ErrInvalidParameter saying it is booked", id, err)
		}
		g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(genesis, id)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newHarness().Genesis(g); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "treasury") {
			t.Errorf("a genesis with treasury %s: %v; want ErrInvalidGenesis naming the treasury", id, err)
		}
	}
}
