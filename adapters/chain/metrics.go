package chain

import "sync/atomic"

// Metrics are the adapters' counters and gauges, updated as they step.
// They are plain atomics so that a host exports them as it likes (the
// Prometheus collectors of the engine, expvar, logs).
type Metrics struct {
	Head             atomic.Uint64 // the EVM head at the last step
	Safe             atomic.Uint64 // the safe (finalized or deep enough) block
	Lag              atomic.Uint64 // head − safe: how far credits trail the chain
	PendingDeposits  atomic.Uint64 // deposits seen, waiting for finality
	Credited         atomic.Uint64 // deposits credited
	Duplicates       atomic.Uint64 // deposits the ledger had credited before
	Rejected         atomic.Uint64 // deposits refused for good
	Reorgs           atomic.Uint64 // reorgs the relayer rewound
	Anchors          atomic.Uint64 // anchors posted on the EVM chain
	PendingWithdraws atomic.Uint64 // ledger withdrawals no posted anchor covers yet
}

func (m *Metrics) observe(r StepResult, pending int) {
	m.Head.Store(r.Head)
	m.Safe.Store(r.Safe)
	m.Lag.Store(r.Head - min(r.Safe, r.Head))
	m.PendingDeposits.Store(uint64(pending))
	m.Credited.Add(uint64(r.Credited))
	m.Duplicates.Add(uint64(r.Duplicates))
	m.Rejected.Add(uint64(r.Rejected))
}
