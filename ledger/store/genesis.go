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
// state, each with its part of block 0's events, the genesis document in
// pieces of genesisPiece bytes, and last, in one synced batch, the start
// of block 0, the format, the document's digest and the head. Until that
// batch, the store holds a partial genesis, marked by keyGenesisPartial
// (written before anything else), which BeginGenesis discards: a store
// has a ledger exactly when it has a head.
var (
	keyGenesisDigest  = []byte("m/genesis-digest")
	keyGenesisPartial = []byte("m/genesis-partial")
	prefixGenesisDoc  = []byte("m/genesis/")
	// Block 0 of a chunked genesis is stored in pieces rather than under
	// blockKey(0): piece 0 is ledger.GenesisBlock.Prefix, piece i > 0 the
	// Body of chunk i-1. RawBlock(0) joins them.
	prefixBlock0 = []byte("m/block0/")
)

// genesisPiece is the size of the stored pieces of the genesis document.
const genesisPiece = 1 << 20

// GenesisWriter writes a genesis into an empty store; see BeginGenesis.
type GenesisWriter struct {
	s      *DB
	doc    []byte // the document's unwritten tail
	pieces uint32 // of the document
	chunks uint32 // of block 0's body
	digest *blake3.Hasher
	err    error
	// rulesFrom is recorded with the head when recordRules is set
	// (RecordRulesFrom).
	rulesFrom   uint64
	recordRules bool
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

// Chunk writes a chunk of the genesis's state, its events' account index
// and its part of block 0, unsynced (the final batch makes them durable).
// It implements ledger.GenesisSink.
func (w *GenesisWriter) Chunk(c *ledger.GenesisChunk) error {
	w.chunks++
	return w.s.commitSized(len(c.Body)+len(c.Changes)*96+len(c.Events)*48, func(b *pebble.Batch) error {
		for i := range c.Changes {
			if err := putChange(b, &c.Changes[i]); err != nil {
				return err
			}
		}
		if err := b.Set(pieceKey(prefixBlock0, w.chunks), c.Body, nil); err != nil {
			return err
		}
		if w.s.noIndex {
			return nil
		}
		return putAccountEvents(b, c.Events, 0, c.First)
	}, false)
}

// Body hands back block 0's events as Chunk stored them, chunk by chunk
// (ledger.GenesisSink).
func (w *GenesisWriter) Body(fn func(p []byte) error) error {
	n, err := w.s.pieces(prefixBlock0, 1, fn)
	if err == nil && n != w.chunks {
		err = ledger.Errorf(ledger.ErrCorrupt, "block 0: %d of %d chunks stored", n, w.chunks)
	}
	return err
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
	k := pieceKey(prefixGenesisDoc, w.pieces)
	w.pieces++
	return w.s.commit(func(b *pebble.Batch) error { return b.Set(k, p, nil) }, false)
}

// Finish completes the genesis (gb is Step.GenesisChunked's result): the
// document's last piece, then, in one synced batch, the start of block 0,
// the format, the document's digest, the rules height (RecordRulesFrom)
// and the head.
func (w *GenesisWriter) Finish(gb *ledger.GenesisBlock) error {
	if w.err != nil {
		return w.err
	}
	if len(w.doc) > 0 || w.pieces == 0 {
		if err := w.piece(w.doc); err != nil {
			return err
		}
		w.doc = nil
	}
	return w.s.commit(func(b *pebble.Batch) error {
		if err := b.Set(pieceKey(prefixBlock0, 0), gb.Prefix, nil); err != nil {
			return err
		}
		if err := putFormat(b); err != nil {
			return err
		}
		if err := w.s.putNoAccountIndex(b); err != nil {
			return err
		}
		if err := putIndexed(b, 0); err != nil {
			return err
		}
		if w.recordRules {
			if err := putRulesFrom(b, w.rulesFrom); err != nil {
				return err
			}
		}
		if err := b.Set(keyGenesisDigest, w.digest.Sum(nil), nil); err != nil {
			return err
		}
		if err := b.Delete(keyGenesisPartial, nil); err != nil {
			return err
		}
		return b.Set(keyHead, encodeHead(&gb.Head), nil)
	}, true)
}

func pieceKey(prefix []byte, i uint32) []byte {
	return binary.BigEndian.AppendUint32(bytes.Clone(prefix), i)
}

// pieces calls fn with the values of the pieces stored under prefix from
// piece first on, in order, and returns how many there were; a gap is
// ErrCorrupt.
func (s *DB) pieces(prefix []byte, first uint32, fn func(p []byte) error) (uint32, error) {
	next := first
	var bad, ferr error
	err := s.scanRange(pieceKey(prefix, first), prefixEnd(prefix), func(k, v []byte) bool {
		if len(k) != len(prefix)+4 || binary.BigEndian.Uint32(k[len(prefix):]) != next {
			bad = ledger.Errorf(ledger.ErrCorrupt, "%s: piece %x out of order (want piece %d)", prefix, k, next)
			return false
		}
		next++
		ferr = fn(v)
		return ferr == nil
	})
	if err == nil {
		err = bad
	}
	if err == nil {
		err = ferr
	}
	return next - first, err
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
	var doc []byte
	err := s.GenesisPieces(func(p []byte) error { doc = append(doc, p...); return nil })
	return doc, err
}

// GenesisPieces calls fn with the stored genesis document in pieces, in
// order, then checks the whole against its digest: a mismatch is
// ErrCorrupt, returned after fn has seen every piece (the caller discards
// what it built from them).
func (s *DB) GenesisPieces(fn func(p []byte) error) error {
	if v, ok, err := s.get(keyGenesis); err != nil || ok { // format 2: one record, no digest
		if err == nil {
			// Only a format-2 directory holds it: in a later one it would
			// replace the document its digest covers.
			var f []byte
			if f, _, err = s.get(keyFormat); err == nil {
				if d := ledger.NewDecoder(f, "format"); d.Uint() != 2 || d.Finish() != nil {
					return ledger.Errorf(ledger.ErrCorrupt, "a format-2 genesis record in a directory of format %x", f)
				}
				err = fn(v)
			}
		}
		return err
	}
	h := blake3.New()
	n, err := s.pieces(prefixGenesisDoc, 0, func(p []byte) error { h.Write(p); return fn(p) })
	if err != nil {
		return err
	}
	if n == 0 {
		return ledger.Errorf(ledger.ErrCorrupt, "no genesis record")
	}
	want, ok, err := s.GenesisDigest()
	if err != nil {
		return err
	}
	if !ok || ledger.Hash(h.Sum(nil)) != want {
		return ledger.Errorf(ledger.ErrCorrupt, "the stored genesis document does not match its digest")
	}
	return nil
}

// RawBlockPieces calls fn with block h's encoding in pieces, in order:
// block 0 of a chunked genesis piece by piece, any other block whole.
func (s *DB) RawBlockPieces(h uint64, fn func(p []byte) error) error {
	raw, ok, err := s.get(blockKey(h))
	if err != nil {
		return err
	}
	if ok {
		return fn(raw)
	}
	if h == 0 {
		if n, err := s.pieces(prefixBlock0, 0, fn); err != nil || n > 0 {
			return err
		}
	}
	return ledger.Errorf(ledger.ErrCorrupt, "block %d is missing from the log", h)
}

// rawBlock0 joins the pieces of a chunked genesis's block 0 (ok is false
// if there are none).
func (s *DB) rawBlock0() ([]byte, bool, error) {
	var raw []byte
	n, err := s.pieces(prefixBlock0, 0, func(p []byte) error { raw = append(raw, p...); return nil })
	return raw, n > 0, err
}

// BlockHeader returns block h's header after checking its body hash, as
// Block does, but without decoding (or, for a chunked genesis's block 0,
// holding) the body.
func (s *DB) BlockHeader(h uint64) (*ledger.Header, error) {
	_, hdr, err := s.RawBlockHeader(h)
	return hdr, err
}

// RawBlockHeader is BlockHeader with the header's encoding: the start of
// the stored block, up to its body.
func (s *DB) RawBlockHeader(h uint64) ([]byte, *ledger.Header, error) {
	bh := blake3.New()
	var hdr *ledger.Header
	var raw []byte
	err := s.RawBlockPieces(h, func(p []byte) error {
		if hdr != nil {
			bh.Write(p)
			return nil
		}
		var off int
		var err error
		hdr, off, err = ledger.DecodeHeader(p) // the first piece holds the header
		if err == nil {
			raw = append([]byte(nil), p[:off]...)
			bh.Write(p[off:])
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if hdr.Height != h {
		return nil, nil, ledger.Errorf(ledger.ErrCorrupt, "block stored at height %d says it is height %d", h, hdr.Height)
	}
	if got := ledger.Hash(bh.Sum(nil)); got != hdr.BodyHash {
		return nil, nil, ledger.Errorf(ledger.ErrCorrupt, "block %d: body hash %s does not match the header's %s", h, got.Short(), hdr.BodyHash.Short())
	}
	return raw, hdr, nil
}
