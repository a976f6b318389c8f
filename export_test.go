package coopera

import (
	"context"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// CrashForTest stops the engine like a killed process would: no lease
// release, no goodbye; the store is closed so the directory can be reused.
func (e *Engine) CrashForTest() {
	if e.fol != nil {
		e.fol.cancel()
		e.fol.leader.Store(false) // so Close does not release the lease
	}
	e.Close()
}

// ForceLeaderForTest makes the engine sequence without holding the lease,
// as a node that wrongly believes it leads would.
func (e *Engine) ForceLeaderForTest() {
	done := make(chan struct{})
	e.seq.control(func() {
		e.fol.stopFollowing()
		e.fol.leader.Store(true)
		close(done)
	})
	<-done
}

// LogForTest exposes the replicated log.
func (e *Engine) LogLastHeightForTest() uint64 {
	h, _, _ := e.fol.log.LastHeight(context.Background())
	return h
}

// FailForTest stops the sequencer as a storage fault would.
func FailForTest(e *Engine, err error) { e.seq.setFatal(err) }

// StallFollowingForTest stops a follower consuming the stream, as a node
// that falls behind would; ResumeFollowingForTest lets it go on.
func (e *Engine) StallFollowingForTest() {
	done := make(chan struct{})
	e.seq.control(func() { e.fol.stopFollowing(); close(done) })
	<-done
}

// ResumeFollowingForTest: see StallFollowingForTest.
func (e *Engine) ResumeFollowingForTest() {
	done := make(chan struct{})
	e.seq.control(func() { e.fol.follow(); close(done) })
	<-done
}

// SnapshotRestoresForTest counts the snapshots a running follower restored.
func (e *Engine) SnapshotRestoresForTest() int64 { return e.fol.restores.Load() }

// SetGenesisChunkKeysForTest makes a genesis written through o flush every
// n state keys, so that a small genesis is written in many chunks.
func SetGenesisChunkKeysForTest(o *Options, n int) { o.genesisChunkKeys = n }

// SetVerifyMemKeysForTest sets the most state keys a verify rebuilds in
// memory (0: never in memory) and returns a function restoring it.
func SetVerifyMemKeysForTest(n int) (restore func()) {
	old := verifyMemKeys
	verifyMemKeys = n
	return func() { verifyMemKeys = old }
}

// RawBlockForTest returns block h as stored.
func (e *Engine) RawBlockForTest(h uint64) ([]byte, error) {
	raw, _, err := e.rd.db.RawBlock(h)
	return raw, err
}

// InvariantsBuild reports a build with the `invariants` tag, whose engines
// always check invariants (Options.CheckInvariants).
const InvariantsBuild = invariantsBuild

// SubmitUncheckedForTest hands commands to the sequencer without Submit's
// checks, as a host that skipped them would, and waits for the answer.
func (e *Engine) SubmitUncheckedForTest(cmds ...*ledger.Command) error {
	r := &request{cmds: cmds, done: make(chan struct{}), queued: time.Now()}
	e.seq.reqs <- r
	<-r.done
	return r.err
}

// CheckSnapshotLogForTest makes the checks a node adopting a snapshot
// makes of what its state root does not cover (checkSnapshotLog) on the
// ledger in dir, opened read-only with the default modules.
func CheckSnapshotLogForTest(dir string) error {
	var o Options
	o.EnsureDefaults()
	m, err := ledger.NewMachine(o.Modules...)
	if err != nil {
		return err
	}
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	h, _, err := db.Head()
	if err != nil {
		return err
	}
	var idem ledger.LtHash
	if _, _, _, err := db.HeadState(nil, &idem); err != nil {
		return err
	}
	return checkSnapshotLog(db, m.Registry(), h, &idem)
}
