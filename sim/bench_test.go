package sim

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks of agent-steps (one agent acting in one epoch, through the
// reducers) per second, and of peak heap, configurable from the command
// line:
//
//	go test ./sim -run '^$' -bench AgentSteps -sim.agents 1000 -sim.epochs 3650 -sim.runs 32
//
// The defaults are small so that "go test -bench ." stays quick;
// scripts/sim-bench.sh runs the big configuration through the CLI.
var (
	benchAgents = flag.Int("sim.agents", 200, "agents per run in BenchmarkAgentSteps")
	benchEpochs = flag.Int("sim.epochs", 30, "epochs per run in BenchmarkAgentSteps")
	benchRuns   = flag.Int("sim.runs", 2, "runs in BenchmarkAgentSteps")
	benchBlock  = flag.Int("sim.block", 0, "commands per block in the benchmarks (0: the default)")
	benchMixes  = flag.String("sim.mix", "mixed,consumers,consumers-aggregate,stakers", "population mixes in BenchmarkAgentSteps")
)

// benchScenario returns a scenario of n agents in one of the mixes:
//
//	mixed                70% consumers, 5% providers, 15% stakers, 5% creators, 5% traders
//	consumers            consumers and 2% providers
//	consumers-aggregate  the same, consumers aggregated (one account acts)
//	stakers              stakers staking and unstaking around their target
func benchScenario(mix string, n, epochs int) string {
	block := ""
	if *benchBlock > 0 {
		block = fmt.Sprintf("block_size: %d\n", *benchBlock)
	}
	head := fmt.Sprintf("name: bench-%s\nseed: 1\nepochs: %d\n"+block+"market: {inventory: 1000000000}\nprice: {model: gbm, initial: 0.5, volatility: 0.6}\noracle: {feeds: 3}\npopulations:\n", mix, epochs)
	pct := func(p int) int { return max(1, n*p/100) }
	switch mix {
	case "consumers", "consumers-aggregate":
		agg := mix == "consumers-aggregate"
		return head + fmt.Sprintf("  consumers: {count: %d, aggregate: %v, demand: {base: 5, noise: 0.3}}\n  providers: {count: %d}\n", n-pct(2), agg, pct(2))
	case "stakers":
		return head + fmt.Sprintf("  stakers: {count: %d, balance: 1000, target_apr: 0.5, target_spread: 0.9}\n", n)
	}
	return head + fmt.Sprintf(`  consumers: {count: %d, demand: {base: 5, noise: 0.3}, services: {models: 0.8, agents: 0.2}}
  providers: {count: %d, active: %d, cost: 1, sell: 0.5, exit_after: 14}
  stakers: {count: %d, balance: 10000, target_apr: 0.1, target_spread: 0.5}
  creators: {count: %d, balance: 1000, create: 0.02, launch: 0.5}
  traders: {count: %d, balance: 1000, trade: 0.3}
`, n-pct(5)-pct(15)-pct(5)-pct(5), pct(5), max(1, pct(5)/2), pct(15), pct(5), pct(5))
}

// heapPeak samples the heap until stopped and returns its peak in bytes.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

func benchRun(b *testing.B, text string, runs int) {
	s, err := Parse([]byte(text), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	stop := heapPeak()
	var steps, cmds uint64
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		tot, err := Simulate(context.Background(), pts, &Options{Runs: runs}, func(*RunResult) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		steps += tot.AgentSteps
		cmds += tot.Commands
	}
	secs := time.Since(start).Seconds()
	b.StopTimer()
	peak := stop()
	b.ReportMetric(float64(steps)/secs, "agent-steps/s")
	b.ReportMetric(float64(cmds)/secs, "commands/s")
	b.ReportMetric(float64(cmds)/float64(steps), "commands/step")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkAgentSteps measures agent-steps per second on every core for
// each population mix.
func BenchmarkAgentSteps(b *testing.B) {
	for _, mix := range strings.Split(*benchMixes, ",") {
		b.Run(fmt.Sprintf("%s/agents=%d/epochs=%d/runs=%d", mix, *benchAgents, *benchEpochs, *benchRuns), func(b *testing.B) {
			benchRun(b, benchScenario(mix, *benchAgents, *benchEpochs), *benchRuns)
		})
	}
}

// BenchmarkScaling shows how time and memory scale with runs, epochs and
// agents from a base of the mixed population (agent-steps/s should stay
// flat; peak heap should not grow with runs).
func BenchmarkScaling(b *testing.B) {
	base := struct{ agents, epochs, runs int }{100, 20, 2}
	for _, tc := range []struct {
		name                 string
		agents, epochs, runs int
	}{
		{"base", base.agents, base.epochs, base.runs},
		{"runs x4", base.agents, base.epochs, 4 * base.runs},
		{"epochs x4", base.agents, 4 * base.epochs, base.runs},
		{"agents x4", 4 * base.agents, base.epochs, base.runs},
	} {
		b.Run(fmt.Sprintf("%s/agents=%d/epochs=%d/runs=%d", strings.ReplaceAll(tc.name, " ", ""), tc.agents, tc.epochs, tc.runs), func(b *testing.B) {
			benchRun(b, benchScenario("mixed", tc.agents, tc.epochs), tc.runs)
		})
	}
}
