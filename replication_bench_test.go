package coopera_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// BenchmarkReplicated64Callers: durable transfers through a leader on a
// three-server JetStream cluster (replicas 3, fsync on every write), with
// two followers; reports transfers/s, the followers' lag in blocks (p50,
// p99, sampled every 5 ms) and a new node's catch-up rate in blocks/s.
func BenchmarkReplicated64Callers(b *testing.B) { benchReplicated(b, 64, 1) }

// BenchmarkReplicatedBatch: the same cluster, 4 callers each submitting
// batches of 1,000 transfers.
func BenchmarkReplicatedBatch(b *testing.B) { benchReplicated(b, 4, 1000) }

func benchReplicated(b *testing.B, callers, batch int) {
	c := startNATS(b, 3)
	g := benchGenesis(benchAccounts)
	mk := func(id string) *coopera.Engine {
		return openNode(b, c, b.TempDir(), id, 3, func(o *coopera.Options) { o.Genesis = g; o.Clock = nil })
	}
	nodes := []*coopera.Engine{mk("n0"), mk("n1"), mk("n2")}
	defer func() {
		for _, n := range nodes {
			n.Close()
		}
	}()
	leader := waitLeader(b, nodes...)
	ctx := context.Background()

	var lags []uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			lh := leader.Head().Height
			for _, n := range nodes {
				if n != leader {
					if fh := n.Head().Height; lh > fh {
						lags = append(lags, lh-fh)
					} else {
						lags = append(lags, 0)
					}
				}
			}
		}
	}()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(int64(batch))) - batch
				if i >= b.N {
					return
				}
				cmds := make([]*ledger.Command, 0, batch)
				for j := i; j < min(i+batch, b.N); j++ {
					cmds = append(cmds, benchTransfer(j))
				}
				if _, err := leader.SubmitBatch(ctx, cmds); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	b.ReportMetric(histMean(leader, "coopera_publish_seconds")*1e6, "publish-µs")
	b.ReportMetric(histMean(leader, "coopera_fsync_seconds")*1e6, "fsync-µs")
	b.ReportMetric(histMean(leader, "coopera_commit_seconds")*1e6, "commit-µs")
	if len(lags) > 0 {
		slices.Sort(lags)
		b.ReportMetric(float64(lags[len(lags)/2]), "lag-p50-blocks")
		b.ReportMetric(float64(lags[len(lags)*99/100]), "lag-p99-blocks")
	}
	// A new node catches up from the stream.
	want := leader.Head()
	t0 := time.Now()
	fresh := mk("fresh")
	defer fresh.Close()
	converge(b, want, fresh)
	b.ReportMetric(float64(want.Height)/time.Since(t0).Seconds(), "catchup-blocks/s")
}

func histMean(e *coopera.Engine, name string) float64 {
	mfs, _ := e.Metrics().Gather()
	for _, mf := range mfs {
		if mf.GetName() == name {
			h := mf.GetMetric()[0].GetHistogram()
			if h.GetSampleCount() > 0 {
				return h.GetSampleSum() / float64(h.GetSampleCount())
			}
		}
	}
	return 0
}
