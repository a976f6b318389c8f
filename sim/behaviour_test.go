package sim

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// burner is a test behaviour: each agent buys credits worth usd each epoch
// and leaves them unspent, so the credits outstanding grow.
type burner struct {
	USD   Dec `yaml:"usd"`
	Every int `yaml:"every"`
	steps int
	seen  int
}

func (b *burner) Setup(env *Env) error {
	if env.Epoch != 0 || len(env.Accounts) == 0 {
		return errors.New("setup before epoch 0 with the population's accounts")
	}
	return nil
}

func (b *burner) Step(env *Env) ([]*ledger.Command, error) {
	b.steps++
	if env.Epoch%b.Every != 0 {
		return nil, nil
	}
	var out []*ledger.Command
	for _, a := range env.Accounts {
		if cmd := env.BuyCredits(a, int64(b.USD)/1000); cmd != nil {
			out = append(out, cmd)
		}
	}
	return out, nil
}

func (b *burner) Observe(env *Env, outcomes []Outcome) error {
	for _, o := range outcomes {
		for _, ev := range o.Events {
			if _, ok := ev.(*tokenomics.CreditsBought); ok {
				b.seen++
			}
		}
	}
	return nil
}

func init() {
	Register("test-burner", func(spec *Spec) (Behaviour, error) {
		b := &burner{Every: 1}
		if err := spec.Decode(b); err != nil {
			return nil, err
		}
		if b.USD <= 0 {
			spec.Invalid("usd", "give the USD each agent burns, above 0")
		}
		if b.Every < 1 {
			spec.Invalid("every", "%d; at least 1", b.Every)
		}
		return b, nil
	})
}

func TestCustomBehaviour(t *testing.T) {
	if !slices.Contains(Behaviours(), "test-burner") {
		t.Fatalf("Behaviours() = %v", Behaviours())
	}
	s, err := Parse([]byte(`name: custom
epochs: 6
price: {model: constant, initial: 4}
market: {inventory: 100000}
populations:
  burners:
    behaviour: test-burner
    count: 3
    usd: 8
    every: 2
metrics: [burned, credits_outstanding, credits_issued]
`), "custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RunOne(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every other epoch, 3 agents burn $8 at $4: 2 COOP each.
	for e, row := range res.Rows {
		want := int64(0)
		if e%2 == 0 {
			want = 3 * 2_000_000
		}
		if row[0] != want {
			t.Errorf("epoch %d burned %d, want %d", e, row[0], want)
		}
		if out := int64(3*8_000_000) * int64(e/2+1); row[1] != out {
			t.Errorf("epoch %d credits outstanding %d, want %d", e, row[1], out)
		}
	}
	// Its fields are decoded strictly, and its checks name them.
	for _, tc := range []struct{ field, want string }{
		{"usd: 8\n    every: 0", "populations.burners.every: 0; at least 1"},
		{"usd: 8\n    evry: 2", "populations.burners.evry: unknown field; the fields here are usd, every"},
		{"usd: eight", `populations.burners.usd: "eight" is not a decimal number`},
	} {
		_, err := Parse([]byte("name: c\nepochs: 2\npopulations:\n  burners:\n    behaviour: test-burner\n    count: 1\n    "+tc.field+"\n"), "c.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.field, err, tc.want)
		}
	}
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	for _, f := range []func(){
		func() { Register("consumer", func(*Spec) (Behaviour, error) { return nil, nil }) },
		func() { Register("test-nil", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			f()
		}()
	}
}

// A population without a behaviour field takes its name's behaviour, or
// its singular's.
func TestBehaviourByName(t *testing.T) {
	for name, want := range map[string]string{"consumers": "consumer", "trader": "trader", "whales": "whales"} {
		if got := behaviourName(&Population{Name: name}); got != want {
			t.Errorf("%s: behaviour %s, want %s", name, got, want)
		}
	}
}
