package store

import (
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2"

	"github.com/coopera/coopera/ledger"
)

// Checking the account-event index.
//
// A ledger's state root covers its state, and its blocks chain by hash,
// but nothing covers the account-event index: a store copied from
// elsewhere (a replicated node adopting a snapshot) could lack entries,
// and its AccountEvents would then silently miss events, or hold entries
// that no block gives. CheckAccountIndex compares the stored index with
// the one the blocks give, as a multiset hash (ledger.LtHash) of the keys,
// so the check holds one hash, not the index.

// AddAccountIndex adds to acc the account-event index entries of events,
// events[0] being event first of the block at height: the entries the
// store writes for them (with the block, or IndexBlocks).
func AddAccountIndex(acc *ledger.LtHash, events []ledger.Event, height uint64, first int) {
	var key []byte
	for i, ev := range events {
		eachEventAccount(ev, func(a ledger.AccountID) {
			key = acctEvKey(key[:0], a, height, uint32(first+i))
			acc.Add(key, nil)
		})
	}
}

// CheckAccountIndex reports, as ledger.ErrCorrupt, an account-event index
// other than want: the entries of blocks 0 to Indexed() (AddAccountIndex),
// each with an empty value, and none of a later block; for a ledger
// created without the index (AccountIndex false), no entry at all. It
// reads the whole index once.
func (s *DB) CheckAccountIndex(want *ledger.LtHash) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{pAcctEv}, UpperBound: []byte{pAcctEv + 1}})
	if err != nil {
		return wrapErr("account index", err)
	}
	var got ledger.LtHash
	indexed := s.indexed.Load()
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		// pAcctEv, an account of at least one byte, 0, height, index.
		if err := checkIndexEntry(k, len(it.Value()), s.noIndex, indexed); err != nil {
			it.Close()
			return err
		}
		got.Add(k, nil)
	}
	if err := it.Error(); err != nil {
		it.Close()
		return wrapErr("account index", err)
	}
	if err := it.Close(); err != nil {
		return wrapErr("account index", err)
	}
	if got.Root() != want.Root() {
		return ledger.Errorf(ledger.ErrCorrupt, "the account-event index differs from the one its blocks 0 to %d give (an entry missing, added or changed)", indexed)
	}
	return nil
}

// checkIndexEntry checks the shape of one stored index entry: key k and a
// value of vlen bytes, in a store without the index (noIndex) or one
// whose index reaches block indexed.
func checkIndexEntry(k []byte, vlen int, noIndex bool, indexed uint64) error {
	if noIndex {
		return ledger.Errorf(ledger.ErrCorrupt, "the ledger was created without the account-event index, yet holds an entry of it")
	}
	if len(k) < 1+1+1+12 || k[len(k)-13] != 0 {
		return ledger.Errorf(ledger.ErrCorrupt, "an account-event index key of %d bytes is malformed", len(k))
	}
	if vlen != 0 {
		return ledger.Errorf(ledger.ErrCorrupt, "an account-event index entry holds a value of %d bytes; entries hold none", vlen)
	}
	if h := binary.BigEndian.Uint64(k[len(k)-12:]); h > indexed {
		return ledger.Errorf(ledger.ErrCorrupt, "the account-event index holds an entry of block %d; its record says it reaches block %d", h, indexed)
	}
	return nil
}
