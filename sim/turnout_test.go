package sim

import (
	"testing"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
)

// Each staker turns out once per proposal with chance turnout, however
// many epochs the vote lasts: a draw every epoch made 0.3 over a 10-day
// vote turn out 97% (from a read-only audit of the simulator).
func TestTurnoutIsOncePerProposal(t *testing.T) {
	s, err := Parse([]byte(`name: turnout
seed: 3
epochs: 20
modules: [tokenomics, governance]
genesis:
  params:
    governance: {voting_period: 240h, timelock: 48h}
price: {model: constant, initial: 1.0}
market: {inventory: 10000000}
populations:
  stakers: {count: 400, balance: 10000, target_apr: 1.0}
events:
  - {at: 2, params: {name: fee_bps, value: 120, via: governance, turnout: 0.3}}
`), "turnout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	voters := map[ledger.AccountID]bool{}
	if _, err := s.RunOne(0, &Options{OnBlock: func(_ RunID, b *BlockRecord) {
		for i, c := range b.Commands {
			if _, ok := c.Payload.(*governance.Vote); ok && b.Results[b.Closes+i].Code == "" {
				voters[c.Actor] = true
			}
		}
	}}); err != nil {
		t.Fatal(err)
	}
	// 400 draws at 0.3: 120 expected, a standard deviation of 9.
	if n := len(voters); n < 80 || n > 160 {
		t.Fatalf("%d of 400 stakers voted with turnout 0.3; want about 120", n)
	}
}
