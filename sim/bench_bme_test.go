package sim

import (
	"context"
	"flag"
	"testing"
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
// usage in batches: a settlement a trading epoch instead of a record per
// consumer.
func TestBenchScenarioRuns(t *testing.T) {
	s, err := Load("testdata/bench/bme-1000.yaml")
	if err != nil {
		t.Fatal(err)
	}
	settles, records := 0, 0
	res, err := s.RunOne(0, &Options{Epochs: 2, OnBlock: func(_ RunID, b *BlockRecord) {
		for _, c := range b.Commands {
			switch c.Payload.Type() {
			case "settle_usage":
				settles++
			case "record_usage":
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
	if settles != 2 || records != 0 {
		t.Fatalf("%d settlements and %d usage records in 2 epochs; want 2 and 0", settles, records)
	}
}
