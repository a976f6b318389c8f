package coopera

import "context"

// CrashForTest stops the engine like a killed process would: no lease
// release, no goodbye; the store is closed so the directory can be reused.
func (e *Engine) CrashForTest() {
	if e.rep != nil {
		e.rep.cancel()
		e.leader.Store(false) // so Close does not release the lease
	}
	e.Close()
}

// ForceLeaderForTest makes the engine sequence without holding the lease,
// as a node that wrongly believes it leads would.
func (e *Engine) ForceLeaderForTest() {
	done := make(chan struct{})
	e.control(func() {
		e.stopFollowing()
		e.leader.Store(true)
		close(done)
	})
	<-done
}

// LogForTest exposes the replicated log.
func (e *Engine) LogLastHeightForTest() uint64 {
	h, _, _ := e.rep.log.LastHeight(context.Background())
	return h
}

// FailForTest stops the sequencer as a storage fault would.
func FailForTest(e *Engine, err error) { e.setFatal(err) }
