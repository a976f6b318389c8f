package store

import (
	"strings"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/coopera/coopera/ledger"
)

// ErrStorage reports that the file system failed a write or an fsync of
// the store's write-ahead log (an I/O error, a full disk). The store
// refuses every write after it, and no block written after it is reported
// durable; every block reported durable before it is on disk. Reopen the
// ledger once the disk is healthy.
var ErrStorage = ledger.NewCode("storage")

// StorageError is the store's storage fault: errors.Is matches it against
// ErrStorage and against its cause (syscall.ENOSPC, for example).
type StorageError struct {
	Op  string // "write WAL", "sync WAL"
	Err error
}

func (e *StorageError) Error() string { return "coopera: storage: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns ErrStorage and the cause.
func (e *StorageError) Unwrap() []error { return []error{ErrStorage, e.Err} }

// A failed write or fsync of Pebble's write-ahead log is fatal to Pebble:
// its next log write panics, sometimes with a mutex held, which ends the
// process. So the store keeps such failures from Pebble. walFS hands Pebble
// log files whose first failure latches the store's fault and which, from
// then on, write and sync nothing while reporting success. The store
// checks the latch before every commit and after every fsync wait, so a
// block is reported durable only if every write and sync of the log before
// its waiter was released really succeeded (the latch is set before the
// failing call returns to Pebble's flusher, which releases waiters after).
// Pebble itself goes on as if its log were healthy until the store closes;
// the log on disk ends where the failure was.

// latch holds the store's first storage fault.
type latch struct{ failed atomic.Pointer[StorageError] }

func (l *latch) set(op string, err error) {
	l.failed.CompareAndSwap(nil, &StorageError{Op: op, Err: err})
}

// fault returns the storage fault, or nil. (A nil *StorageError must not
// become a non-nil error.)
func (l *latch) fault() error {
	if se := l.failed.Load(); se != nil {
		return se
	}
	return nil
}

type walFS struct {
	vfs.FS
	l *latch
}

func isWAL(name string) bool { return strings.HasSuffix(name, ".log") }

func (fs *walFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !isWAL(name) {
		return f, err
	}
	return &walFile{File: f, l: fs.l}, nil
}

func (fs *walFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, category)
	return fs.wrap(name, f, err)
}

func (fs *walFS) ReuseForWrite(oldname, newname string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname, category)
	return fs.wrap(newname, f, err)
}

func (fs *walFS) OpenReadWrite(name string, category vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := fs.FS.OpenReadWrite(name, category, opts...)
	return fs.wrap(name, f, err)
}

func (fs *walFS) Unwrap() vfs.FS { return fs.FS }

type walFile struct {
	vfs.File
	l *latch
}

func (f *walFile) Write(p []byte) (int, error) {
	if f.l.fault() != nil {
		return len(p), nil
	}
	if _, err := f.File.Write(p); err != nil {
		f.l.set("write WAL", err)
	}
	return len(p), nil
}

func (f *walFile) WriteAt(p []byte, off int64) (int, error) {
	if f.l.fault() != nil {
		return len(p), nil
	}
	if _, err := f.File.WriteAt(p, off); err != nil {
		f.l.set("write WAL", err)
	}
	return len(p), nil
}

func (f *walFile) Preallocate(off, n int64) error {
	if f.l.fault() != nil {
		return nil
	}
	if err := f.File.Preallocate(off, n); err != nil {
		f.l.set("preallocate WAL", err)
	}
	return nil
}

func (f *walFile) Sync() error {
	if f.l.fault() != nil {
		return nil
	}
	if err := f.File.Sync(); err != nil {
		f.l.set("sync WAL", err)
	}
	return nil
}

func (f *walFile) SyncData() error {
	if f.l.fault() != nil {
		return nil
	}
	if err := f.File.SyncData(); err != nil {
		f.l.set("sync WAL", err)
	}
	return nil
}

func (f *walFile) SyncTo(n int64) (bool, error) {
	if f.l.fault() != nil {
		return true, nil
	}
	full, err := f.File.SyncTo(n)
	if err != nil {
		f.l.set("sync WAL", err)
		return true, nil
	}
	return full, nil
}

// Close latches a failure too: Pebble closes a log when it rotates to the
// next one, and panics if that fails.
func (f *walFile) Close() error {
	if err := f.File.Close(); err != nil {
		f.l.set("close WAL", err)
	}
	return nil
}
