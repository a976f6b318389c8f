package sim_test

import (
	"fmt"
	"log"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/sim"
)

// A scenario runs through the same reducers as a ledger: here ten
// consumers spend $100 a day each at a constant $2 per COOP, so every
// epoch burns exactly $1,000 / $2 = 500 COOP, while the default schedule
// mints 1,000,000 COOP a day plus the re-mint of smoothed burns.
func Example() {
	s, err := sim.Parse([]byte(`
name: example
epochs: 3
price: {model: constant, initial: 2}
market: {inventory: 1000000}
populations:
  consumers: {count: 10, demand: {base: 100}}
  providers: {count: 2}
metrics: [supply, burned, minted, credits_spent, providers.active]
`), "example.yaml")
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.RunOne(0, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epoch", res.Columns)
	for e, row := range res.Rows {
		fmt.Println(e, row)
	}
	// Output:
	// epoch [supply burned minted credits_spent providers.active]
	// 0 [1999571428571 500000000 1000071428571 1000000000 2]
	// 1 [2999204081631 500000000 1000132653060 1000000000 2]
	// 2 [3998889212825 500000000 1000185131194 1000000000 2]
}

// holder is a custom behaviour: its agents sell a share of their tokens to
// the market in one epoch.
type holder struct {
	At    int     `yaml:"at"`
	Share sim.Dec `yaml:"share"`
	sold  int64
}

func (h *holder) Setup(env *sim.Env) error { return nil }

func (h *holder) Step(env *sim.Env) ([]*ledger.Command, error) {
	if env.Epoch != h.At {
		return nil, nil
	}
	var out []*ledger.Command
	for _, acct := range env.Accounts {
		amount, _, _ := env.NativeBalance(acct).MulDiv(uint64(h.Share), uint64(sim.One))
		if cmd := env.Sell(acct, amount); cmd != nil {
			out = append(out, cmd)
		}
	}
	return out, nil
}

// Observe counts the sales that went through.
func (h *holder) Observe(env *sim.Env, outcomes []sim.Outcome) error {
	for _, o := range outcomes {
		if o.Result.Code == "" {
			h.sold++
		}
	}
	return nil
}

func (h *holder) Metrics() []sim.MetricInfo {
	return []sim.MetricInfo{{Name: "sales", Unit: sim.UnitCount, Doc: "sales so far"}}
}

func (h *holder) Measure(env *sim.Env, dst []int64) { dst[0] = h.sold }

// A Go program adds its own behaviours with Register; scenarios name them
// in a population's behaviour field, and their fields are decoded strictly
// into the behaviour's struct.
func Example_customBehaviour() {
	sim.Register("holder", func(spec *sim.Spec) (sim.Behaviour, error) {
		h := &holder{Share: sim.One / 2}
		if err := spec.Decode(h); err != nil {
			return nil, err
		}
		if h.Share < 0 || h.Share > sim.One {
			spec.Invalid("share", "%s; give 0 to 1", h.Share)
		}
		return h, nil
	})
	s, err := sim.Parse([]byte(`
name: holders
epochs: 3
market: {inventory: 1000}
populations:
  whales:
    behaviour: holder
    count: 2
    balance: 1000
    at: 1
    share: 0.25
  providers: {count: 1}
metrics: [exchange, "balance:whales-0", whales.sales]
`), "holders.yaml")
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.RunOne(0, nil)
	if err != nil {
		log.Fatal(err)
	}
	for e, row := range res.Rows {
		fmt.Println(e, row)
	}
	// Output:
	// 0 [1000000000 1000000000 0]
	// 1 [1500000000 747500000 2]
	// 2 [1500000000 747500000 2]
}
