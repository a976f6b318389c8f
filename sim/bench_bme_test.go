package sim

import (
	"context"
	"flag"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

var benchScenarioFile = flag.String("sim.scenario", "testdata/bench/bme-1000.yaml", "scenario of BenchmarkScenario")

// BenchmarkScenario runs a scenario file (default: the burn-and-mint
// economy of 1,000 consumers and 1,000 providers) as the command line
// does, without writing its tables; -sim.runs and -sim.epochs, when set
// on the command line, override the scenario's.
//
//	go test ./sim -run '^$' -bench Scenario -benchtime 1x
func BenchmarkScenario(b *testing.B) {
	s, err := Load(*benchScenarioFile)
	if err != nil {
		b.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		b.Fatal(err)
	}
	opts := &Options{}
	flag.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "sim.runs":
			opts.Runs = *benchRuns
		case "sim.epochs":
			opts.Epochs = *benchEpochs
		}
	})
	var steps, cmds uint64
	b.ResetTimer()
	for range b.N {
		tot, err := Simulate(context.Background(), pts, opts, func(*RunResult) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		steps += tot.AgentSteps
		cmds += tot.Commands
	}
	b.ReportMetric(float64(cmds)/float64(b.N), "commands/op")
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "agent-steps/s")
}

// The benchmark's scenario stays valid and runs, settling its consumers'
// usage in batches: each consumer's usage in a settlement of the block
// that holds its purchase, one settlement a trading block.
func TestBenchScenarioRuns(t *testing.T) {
	s, err := Load("testdata/bench/bme-1000.yaml")
	if err != nil {
		t.Fatal(err)
	}
	settles, items, records := 0, 0, 0
	res, err := s.RunOne(0, &Options{Epochs: 2, OnBlock: func(_ RunID, b *BlockRecord) {
		buyers := map[ledger.AccountID]bool{}
		for _, c := range b.Commands {
			switch p := c.Payload.(type) {
			case *tokenomics.BuyCredits:
				buyers[p.To] = true
			case *tokenomics.SettleUsage:
				settles++
				items += len(p.Items)
				for _, it := range p.Items {
					if !buyers[it.Consumer] {
						t.Errorf("block %d settles %s's usage without its purchase", b.Height, it.Consumer)
					}
				}
			case *tokenomics.RecordUsage:
				records++
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || res.Stats.AgentSteps != 2*2000 {
		t.Fatalf("%d rows, %d agent-steps; want 2 rows of 2,000 agents", len(res.Rows), res.Stats.AgentSteps)
	}
	// Every consumer uses what it buys: 1,000 records an epoch, in
	// settlements of up to block_size - 1.
	if items+records != 2*1000 || records > 2 || settles > 2*(1000/31+1) {
		t.Fatalf("2 epochs: %d settlements of %d records, %d records alone; want 2,000 records, nearly all settled, %d settlements at most",
			settles, items, records, 2*(1000/31+1))
	}
}
