package sim

import (
	"testing"

	"github.com/coopera/coopera/tokenomics"
)

// An aggregated population's agent demand goes to every live agent, as
// its model demand goes to every server: it stands for many consumers. It
// all went to one agent drawn each epoch, so one creator took each
// epoch's mining and creator rewards (from a read-only audit of the
// simulator).
func TestAggregateDemandReachesEveryAgent(t *testing.T) {
	s, err := Parse([]byte(`name: aggregate
seed: 2
epochs: 6
market: {inventory: 100000000}
populations:
  consumers:
    count: 200
    aggregate: true
    demand: {base: 100}
    services: {models: 0.5, agents: 0.5}
  providers: {count: 3}
  creators: {count: 10, balance: 1000, create: 1.0, price_in: 1, price_out: 3, max_agents: 10}
`), "aggregate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	perEpoch := map[int]map[string]bool{}
	epoch := 0
	if _, err := s.RunOne(0, &Options{OnBlock: func(_ RunID, b *BlockRecord) {
		if b.Closes > 0 {
			epoch++
		}
		for _, c := range b.Commands {
			var agents []string
			switch p := c.Payload.(type) {
			case *tokenomics.RecordUsage:
				agents = append(agents, p.Agent)
			case *tokenomics.SettleUsage:
				for _, it := range p.Items {
					agents = append(agents, it.Agent)
				}
			}
			for _, a := range agents {
				if a == "" {
					continue
				}
				if perEpoch[epoch] == nil {
					perEpoch[epoch] = map[string]bool{}
				}
				perEpoch[epoch][a] = true
				most = max(most, len(perEpoch[epoch]))
			}
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if most < 5 {
		t.Fatalf("at most %d agents used in an epoch; want the demand spread over the live agents", most)
	}
}
