package store

import (
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera/ledger"
)

// keyRulesFrom holds the height from which the ledger's blocks are decided
// by ledger.LatestRules, the blocks below it by the rules before
// (ledger.StepOptions.RulesFrom): 8 bytes, big-endian. It is a property of
// the ledger, not of the build or the node opening it: a new ledger
// records it with its genesis; a ledger written by a build before the
// record has none until its owner records one (the engine does when it
// is given a height).
var keyRulesFrom = []byte("m/rules-from")

// RulesFrom returns the recorded height from which the ledger's blocks are
// decided by ledger.LatestRules; ok is false when the ledger has no record.
// A record of another length than 8 bytes is ledger.ErrCorrupt.
func (s *DB) RulesFrom() (height uint64, ok bool, err error) {
	v, ok, err := s.get(keyRulesFrom)
	switch {
	case err != nil || !ok:
		return 0, false, err
	case len(v) != 8:
		return 0, false, ledger.Errorf(ledger.ErrCorrupt, "the rules height record (m/rules-from) is %d bytes, want 8", len(v))
	}
	return binary.BigEndian.Uint64(v), true, nil
}

// SetRulesFrom records h as the height from which the ledger's blocks are
// decided by ledger.LatestRules, in a synced write.
func (s *DB) SetRulesFrom(h uint64) error {
	return s.commit(func(b *pebble.Batch) error { return putRulesFrom(b, h) }, true)
}

func putRulesFrom(b *pebble.Batch, h uint64) error {
	return b.Set(keyRulesFrom, binary.BigEndian.AppendUint64(nil, h), nil)
}

// RecordRulesFrom makes Finish record h as the new ledger's rules height
// (see DB.RulesFrom) in the batch that completes the genesis, so that no
// ledger exists without it.
func (w *GenesisWriter) RecordRulesFrom(h uint64) {
	w.rulesFrom, w.recordRules = h, true
}
