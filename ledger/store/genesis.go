package store

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/cockroachdb/pebble/v2"
	"github.com/zeebo/blake3"

	"github.com/coopera/coopera/ledger"
)

// A genesis is written in bounded batches: Step.GenesisChunked's chunks of
// state, the genesis document in pieces of genesisPiece bytes, then block
// 0, and last, in one synced batch, the format, the document's digest and
// the head. Until that batch, the store holds a partial genesis, marked by
// keyGenesisPartial (written before anything else), which BeginGenesis
// discards: a store has a ledger exactly when it has a head.
var (
	keyGenesisDigest  = []byte("m/genesis-digest")
	keyGenesisPartial = []byte("m/genesis-partial")
	prefixGenesisDoc  = []byte("m/genesis/")
)

// genesisPiece is the size of the stored pieces of the genesis document.
const genesisPiece = 1 << 20

// GenesisWriter writes a genesis into an empty store; see BeginGenesis.
type GenesisWriter struct {
	s      *DB
	doc    []byte // the document's unwritten tail
	pieces uint32
	digest *blake3.Hasher
	err    error
}

// BeginGenesis starts writing a genesis into a store that has no head. A
// partial genesis left by a crash or a failed write is discarded first
// (wiped reports it); a store that holds data but neither a head nor a
// partial genesis was not written by this package, and is refused with
// ledger.ErrCorrupt rather than overwritten.
func (s *DB) BeginGenesis() (w *GenesisWriter, wiped bool, err error) {
	if _, ok, err := s.Head(); err != nil || ok {
		if err == nil {
			err = errors.New("store: BeginGenesis on a store that has a head")
		}
		return nil, false, err
	}
	_, partial, err := s.get(keyGenesisPartial)
	if err != nil {
		return nil, false, err
	}
	if partial {
		if err := s.db.DeleteRange([]byte{0}, []byte{0xff}, pebble.Sync); err != nil {
			return nil, false, wrapErr("discard a partial genesis", err)
		}
		wiped = true
	}
	empty := true
	if err := s.scan(nil, func(k, _ []byte) bool { empty = false; return false }); err != nil {
		return nil, false, err
	}
	if !empty {
		return nil, false, ledger.Errorf(ledger.ErrCorrupt, "the store holds data but no ledger head; it is not a ledger this build wrote (move it away, or give a new directory)")
	}
	if err := s.commit(func(b *pebble.Batch) error { return b.Set(keyGenesisPartial, nil, nil) }, false); err != nil {
		return nil, false, err
	}
	return &GenesisWriter{s: s, digest: blake3.New()}, wiped, nil
}

// commit fills and commits one batch, synced or not.
func (s *DB) commit(fill func(*pebble.Batch) error, sync bool) error {
	return s.commitSized(0, fill, sync)
}

func (s *DB) commitSized(size int, fill func(*pebble.Batch) error, sync bool) error {
	if err := s.latch.fault(); err != nil {
		return err
	}
	b := s.db.NewBatchWithSize(size)
	defer b.Close()
	if err := fill(b); err != nil {
		return err
	}
	wo := pebble.NoSync
	if sync && s.wo == pebble.Sync {
		wo = pebble.Sync
	}
	if err := b.Commit(wo); err != nil {
		return wrapErr("commit", err)
	}
	return s.latch.fault()
}

// Chunk writes a chunk of the genesis's state and its events' account
// index, unsynced (the final batch makes them durable).
func (w *GenesisWriter) Chunk(c *ledger.GenesisChunk) error {
	return w.s.commit(func(b *pebble.Batch) error {
		for i := range c.Changes {
			if err := putChange(b, &c.Changes[i]); err != nil {
				return err
			}
		}
		return putAccountEvents(b, c.Events, 0, c.First)
	}, false)
}

// Write adds p to the genesis document (GenesisWriter is an io.Writer for
// ledger.WriteGenesisJSON).
func (w *GenesisWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	w.digest.Write(p)
	w.doc = append(w.doc, p...)
	for len(w.doc) >= genesisPiece && w.err == nil {
		w.err = w.piece(w.doc[:genesisPiece])
		w.doc = append(w.doc[:0], w.doc[genesisPiece:]...)
	}
	return len(p), w.err
}

func (w *GenesisWriter) piece(p []byte) error {
	k := binary.BigEndian.AppendUint32(bytes.Clone(prefixGenesisDoc), w.pieces)
	w.pieces++
	return w.s.commit(func(b *pebble.Batch) error { return b.Set(k, p, nil) }, false)
}

// Finish writes block 0 (rd is Step.GenesisChunked's result), then the
// format, the document's digest and the head in one synced batch, which
// completes the genesis.
func (w *GenesisWriter) Finish(rd *ledger.Ready) error {
	if w.err != nil {
		return w.err
	}
	if len(w.doc) > 0 || w.pieces == 0 {
		if err := w.piece(w.doc); err != nil {
			return err
		}
		w.doc = nil
	}
	raw := rd.Block.Raw()
	if err := w.s.commitSized(len(raw)+64, func(b *pebble.Batch) error { return b.Set(blockKey(0), raw, nil) }, false); err != nil {
		return err
	}
	return w.s.commit(func(b *pebble.Batch) error {
		if err := putFormat(b); err != nil {
			return err
		}
		if err := b.Set(keyGenesisDigest, w.digest.Sum(nil), nil); err != nil {
			return err
		}
		if err := b.Delete(keyGenesisPartial, nil); err != nil {
			return err
		}
		return b.Set(keyHead, encodeHead(&rd.Head), nil)
	}, true)
}

func putFormat(b *pebble.Batch) error {
	e := ledger.NewEncoder(nil)
	e.Uint(FormatVersion)
	return b.Set(keyFormat, e.Bytes(), nil)
}

// putGenesisDoc stores a whole genesis document in pieces, with its digest
// (block 0 written in one Commit: a replay's copy of a ledger).
func putGenesisDoc(b *pebble.Batch, doc []byte) error {
	for i := 0; i == 0 || len(doc) > 0; i++ {
		p := doc[:min(len(doc), genesisPiece)]
		doc = doc[len(p):]
		if err := b.Set(binary.BigEndian.AppendUint32(bytes.Clone(prefixGenesisDoc), uint32(i)), p, nil); err != nil {
			return err
		}
	}
	return nil
}

// GenesisDigest returns the BLAKE3 digest of the stored genesis document
// (ok is false for a directory written in format 2, which kept none).
func (s *DB) GenesisDigest() (ledger.Hash, bool, error) {
	v, ok, err := s.get(keyGenesisDigest)
	if err != nil || !ok {
		return ledger.Hash{}, false, err
	}
	if len(v) != 32 {
		return ledger.Hash{}, false, ledger.Errorf(ledger.ErrCorrupt, "genesis digest of %d bytes", len(v))
	}
	return ledger.Hash(v), true, nil
}

// Genesis returns the stored genesis document, checked against its digest.
func (s *DB) Genesis() ([]byte, error) {
	if v, ok, err := s.get(keyGenesis); err != nil || ok { // format 2: one record
		return v, err
	}
	var doc []byte
	next := uint32(0)
	var bad error
	err := s.scan(prefixGenesisDoc, func(k, v []byte) bool {
		if len(k) != len(prefixGenesisDoc)+4 || binary.BigEndian.Uint32(k[len(prefixGenesisDoc):]) != next {
			bad = ledger.Errorf(ledger.ErrCorrupt, "genesis document piece %x out of order (want piece %d)", k, next)
			return false
		}
		next++
		doc = append(doc, v...)
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, err
	}
	if next == 0 {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "no genesis record")
	}
	want, ok, err := s.GenesisDigest()
	if err != nil {
		return nil, err
	}
	if !ok || ledger.Hash(blake3.Sum256(doc)) != want {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "the stored genesis document does not match its digest")
	}
	return doc, nil
}
