package coopera_test

import (
	"context"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// metricValues returns, for each of the engine's histograms, its sample
// count and sum, and for each counter its value.
func metricValues(t *testing.T, e *coopera.Engine) (counts, sums map[string]float64) {
	t.Helper()
	mfs, err := e.Metrics().Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts, sums = map[string]float64{}, map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				counts[mf.GetName()] += float64(h.GetSampleCount())
				sums[mf.GetName()] += h.GetSampleSum()
			} else if c := m.GetCounter(); c != nil {
				sums[mf.GetName()] += c.GetValue()
			}
		}
	}
	return counts, sums
}

// A commit's latency is broken down by phase: each request's wait for its
// block, each block's execution, its write and its fsync, and the size of
// the blocks, so that an operator can tell queueing from execution from
// the disk. Each phase is observed once per request or block (a request
// answered without a block waits in the queue all the same), and the
// phases of a block fit within its commit latency.
func TestCommitLatencyBreakdown(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	for range 10 {
		if _, err := e.Submit(ctx, transfer("alice", "bob", "COOP", 1)); err != nil {
			t.Fatal(err)
		}
	}
	batch := make([]*ledger.Command, 20)
	for i := range batch {
		batch[i] = transfer("alice", "carol", "COOP", 1)
	}
	if _, err := e.SubmitBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// A resubmission answered by the original makes no block.
	for range 2 {
		c := transfer("alice", "bob", "COOP", 1)
		c.Key = "once"
		if _, err := e.Submit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	counts, sums := metricValues(t, e)
	const requests, blocks, commands = 13, 12, 31
	for name, want := range map[string]float64{
		"coopera_queue_seconds":   requests,
		"coopera_execute_seconds": blocks,
		"coopera_write_seconds":   blocks,
		"coopera_fsync_seconds":   blocks,
		"coopera_commit_seconds":  blocks,
		"coopera_block_commands":  blocks,
	} {
		if counts[name] != want {
			t.Errorf("%s has %v samples, want %v", name, counts[name], want)
		}
		if sums[name] <= 0 {
			t.Errorf("%s sums to %v, want a positive total", name, sums[name])
		}
	}
	if sums["coopera_blocks_total"] != blocks || sums["coopera_commands_total"] != commands || sums["coopera_block_commands"] != commands {
		t.Errorf("blocks_total %v, commands_total %v, block_commands sum %v; want %d blocks of %d commands in all",
			sums["coopera_blocks_total"], sums["coopera_commands_total"], sums["coopera_block_commands"], blocks, commands)
	}
	// A block's commit runs from its start to its acknowledgement: its
	// execution, write and fsync happen within it, one after the other.
	if phases := sums["coopera_execute_seconds"] + sums["coopera_write_seconds"] + sums["coopera_fsync_seconds"]; phases > sums["coopera_commit_seconds"] {
		t.Errorf("execute + write + fsync = %v s, more than the commits' %v s", phases, sums["coopera_commit_seconds"])
	}
}
