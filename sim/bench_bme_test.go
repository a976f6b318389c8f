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
