package ledger

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A State over the same MemStore block after block keeps its entries and
// their decoded values (State.refresh). These tests compare it, operation
// by operation, with a fresh State per block over a plain Reader holding
// the same committed state: any stale entry or decoded value shows as a
// difference.

// mapReader is a Reader over a map, copying values, so that a State over
// it never takes the MemStore path.
type mapReader map[string][]byte

func (r mapReader) Get(key []byte) ([]byte, bool, error) {
	v, ok := r[string(key)]
	if !ok {
		return nil, false, nil
	}
	return bytes.Clone(v), true, nil
}

func (r mapReader) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	keys := make([]string, 0, len(r))
	for k := range r {
		if bytes.HasPrefix([]byte(k), prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !fn([]byte(k), bytes.Clone(r[k])) {
			break
		}
	}
	return nil
}

// testRec is a Record: a number, encoded as a uvarint.
type testRec struct{ n uint64 }

func (r *testRec) EncodeTo(e *Encoder) { e.Uint(r.n) }

func decodeTestRec(v []byte) (*testRec, error) {
	d := NewDecoder(v, "test record")
	r := &testRec{n: d.Uint()}
	return r, d.Finish()
}

func (r mapReader) apply(changes []Change) {
	for _, c := range changes {
		if c.NewOK {
			r[string(c.Key)] = bytes.Clone(c.New)
		} else {
			delete(r, string(c.Key))
		}
	}
}

type keptRun struct {
	t         *testing.T
	rng       *rand.Rand
	keys      []string
	store     *MemStore
	model     mapReader
	kept      *State // reused over store, as Step reuses its State
	ref       *State // fresh each block, over model
	blocks    int
	trace     int
	refused   int
	committed int // blocks committed with commitTo
	// blockOver: blocks that began with entries kept, and with some
	// of them trusted.
	keptBlocks, trustedBlocks int
}

func (k *keptRun) fail(format string, args ...any) {
	k.t.Helper()
	k.t.Fatalf("block %d, op %d: %s", k.blocks, k.trace, fmt.Sprintf(format, args...))
}

func (k *keptRun) key() []byte { return []byte(k.keys[k.rng.IntN(len(k.keys))]) }

// value returns bytes of one of the kinds the State decodes, or not.
func (k *keptRun) value() []byte {
	switch k.rng.IntN(4) {
	case 0:
		return EncodeAmount(NewAmount(k.rng.Uint64N(50)))
	case 1:
		e := NewEncoder(nil)
		(&testRec{n: k.rng.Uint64N(50)}).EncodeTo(e)
		return e.Bytes()
	case 2:
		return []byte{}
	}
	return []byte{0xff, byte(k.rng.IntN(4))}
}

func (k *keptRun) compareRead(key []byte) {
	k.t.Helper()
	v1, ok1 := k.kept.Get(key)
	v2, ok2 := k.ref.Get(key)
	if ok1 != ok2 || !bytes.Equal(v1, v2) {
		k.fail("Get(%q): kept State %q %v, fresh State %q %v", key, v1, ok1, v2, ok2)
	}
	if h1, h2 := k.kept.Has(key), k.ref.Has(key); h1 != h2 {
		k.fail("Has(%q): %v, fresh %v", key, h1, h2)
	}
}

func (k *keptRun) op() {
	k.trace++
	key := k.key()
	kept, ref := k.kept, k.ref
	switch k.rng.IntN(11) {
	case 0, 1:
		k.compareRead(key)
	case 2:
		a1, ok1, err1 := kept.GetAmount(key)
		a2, ok2, err2 := ref.GetAmount(key)
		if a1 != a2 || ok1 != ok2 || (err1 == nil) != (err2 == nil) {
			k.fail("GetAmount(%q): %v %v %v, fresh %v %v %v", key, a1, ok1, err1, a2, ok2, err2)
		}
	case 3:
		// Record, then decode and keep, as reducers do.
		for _, st := range []*State{kept, ref} {
			if r, ok := st.Record(key); ok {
				v, _ := st.Get(key)
				e := NewEncoder(nil)
				r.EncodeTo(e)
				if !bytes.Equal(e.Bytes(), v) {
					k.fail("Record(%q) encodes to %q; the value is %q", key, e.Bytes(), v)
				}
				continue
			}
			if v, ok := st.Get(key); ok {
				if r, err := decodeTestRec(v); err == nil {
					st.KeepRecord(key, r)
				}
			}
		}
	case 4:
		a := NewAmount(k.rng.Uint64N(50))
		kept.SetAmount(key, a)
		ref.SetAmount(key, a)
	case 5:
		r := &testRec{n: k.rng.Uint64N(50)}
		kept.SetRecord(key, r)
		ref.SetRecord(key, r)
	case 6:
		v := k.value()
		kept.Set(key, v)
		ref.Set(key, v)
	case 7:
		kept.Delete(key)
		ref.Delete(key)
	case 8:
		// A refused command: some writes, then a rollback.
		m1, m2 := kept.Mark(), ref.Mark()
		if m1 != m2 {
			k.fail("Mark: %d, fresh %d", m1, m2)
		}
		for range 1 + k.rng.IntN(5) {
			key := k.key()
			if k.rng.IntN(2) == 0 {
				a := NewAmount(k.rng.Uint64N(50))
				kept.SetAmount(key, a)
				ref.SetAmount(key, a)
			} else {
				kept.Delete(key)
				ref.Delete(key)
			}
		}
		kept.Rollback(m1)
		ref.Rollback(m2)
		k.refused++
	case 9:
		prefix := []byte(k.keys[k.rng.IntN(len(k.keys))][:2])
		var s1, s2 []string
		kept.Scan(prefix, func(k, v []byte) bool { s1 = append(s1, string(k)+"="+string(v)); return true })
		ref.Scan(prefix, func(k, v []byte) bool { s2 = append(s2, string(k)+"="+string(v)); return true })
		if !slices.Equal(s1, s2) {
			k.fail("Scan(%q): %q, fresh %q", prefix, s1, s2)
		}
	case 10:
		k.compareRead(key)
		a1, _, err1 := kept.GetAmount(key)
		a2, _, err2 := ref.GetAmount(key)
		if a1 != a2 || (err1 == nil) != (err2 == nil) {
			k.fail("GetAmount(%q): %v %v, fresh %v %v", key, a1, err1, a2, err2)
		}
	}
}

// external changes the committed state behind the State's back: new
// values (sometimes the same bytes in new memory), deletions, keys that
// come back.
func (k *keptRun) external() []Change {
	var cs []Change
	seen := map[string]bool{}
	for range 1 + k.rng.IntN(6) {
		key := k.key()
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		c := Change{Key: key}
		if k.rng.IntN(3) > 0 {
			c.New, c.NewOK = k.value(), true
			if old, ok := k.model[string(key)]; ok && k.rng.IntN(3) == 0 {
				c.New = bytes.Clone(old)
			}
		}
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b Change) int { return bytes.Compare(a.Key, b.Key) })
	return cs
}

func (k *keptRun) block(ops int) {
	k.blocks++
	if k.kept == nil {
		k.kept = NewState(k.store)
	} else {
		k.kept.reset(k.store)
	}
	k.ref = NewState(k.model)
	for range ops {
		k.op()
	}
	if k.rng.IntN(5) == 0 {
		// Committed with commitTo, with no list of changes (the
		// simulator's Step.CommitTo).
		if err := k.kept.commitTo(k.store); err != nil {
			k.fail("commitTo: %v", err)
		}
		k.model.apply(k.ref.Changes())
		k.committed++
		k.sameStore()
		return
	}
	c1, c2 := k.kept.Changes(), k.ref.Changes()
	k.sameChanges(c1, c2)
	switch k.rng.IntN(8) {
	case 0:
		// A rollback after Changes, which the host does not commit.
		k.kept.Rollback(0)
		k.ref.Rollback(0)
	case 1:
		// A write after Changes, which the host does not commit.
		key, a := k.key(), NewAmount(k.rng.Uint64N(50))
		k.kept.SetAmount(key, a)
		k.ref.SetAmount(key, a)
	}
	switch r := k.rng.IntN(16); {
	case r < 3: // committed
		k.store.Apply(c1)
		k.model.apply(c2)
	case r < 6: // committed with commitTo, after Changes (and what followed)
		if err := k.kept.commitTo(k.store); err != nil {
			k.fail("commitTo: %v", err)
		}
		k.model.apply(k.ref.Changes())
		k.committed++
		k.sameStore()
	case r == 10 && len(c1) > 0: // committed with a value altered in place
		j := k.rng.IntN(len(c1))
		c1[j].New, c1[j].NewOK = k.value(), true
		k.store.Apply(c1)
		k.model.apply(c1)
	case r == 11 && len(c1) > 0: // committed with a key altered in place
		j := k.rng.IntN(len(c1))
		c1[j].Key = k.key()
		k.store.Apply(c1)
		k.model.apply(c1)
	case r == 12 && len(c1) > 0: // committed in part
		k.store.Apply(c1[:len(c1)-1])
		k.model.apply(c2[:len(c2)-1])
	case r == 13: // committed twice, the second time after another change
		k.store.Apply(c1)
		k.model.apply(c2)
		ext := k.external()
		k.store.Apply(ext)
		k.model.apply(ext)
		k.store.Apply(c1)
		k.model.apply(c2)
	case r == 14: // an empty Apply
		k.store.Apply(nil)
	case r < 7 || r >= 10: // abandoned: nothing committed
	case r < 9: // committed, then changed by someone else
		k.store.Apply(c1)
		k.model.apply(c2)
		ext := k.external()
		k.store.Apply(ext)
		k.model.apply(ext)
	default: // abandoned, and the state changed by someone else
		ext := k.external()
		k.store.Apply(ext)
		k.model.apply(ext)
	}
}

// sameStore fails unless the store holds exactly the model's state.
func (k *keptRun) sameStore() {
	k.t.Helper()
	var got []string
	k.store.scan(nil, func(key, v []byte) bool { got = append(got, string(key)+"="+string(v)); return true })
	var want []string
	k.model.Scan(nil, func(key, v []byte) bool { want = append(want, string(key)+"="+string(v)); return true })
	if !slices.Equal(got, want) {
		k.fail("after commitTo the store holds %q, want %q", got, want)
	}
	if k.store.Len() != len(want) {
		k.fail("the store counts %d keys, holds %d", k.store.Len(), len(want))
	}
}

func newKeptRun(t *testing.T, seed uint64, nkeys int) *keptRun {
	k := &keptRun{t: t, rng: rand.New(rand.NewPCG(seed, 7)), store: NewMemStore(), model: mapReader{}}
	for i := range nkeys {
		k.keys = append(k.keys, fmt.Sprintf("%c/%d", 'a'+i%3, i))
	}
	return k
}

// A State kept over a MemStore reads, decodes, scans, rolls back and
// changes exactly as a fresh State per block, whatever happens to the
// store between blocks.
func TestStateKeptMatchesFresh(t *testing.T) {
	for seed := range uint64(40) {
		k := newKeptRun(t, seed, 6+int(seed%4)*8)
		for range 60 {
			k.block(1 + k.rng.IntN(40))
		}
		if k.refused == 0 || k.committed == 0 {
			t.Fatalf("%d commands rolled back, %d blocks committed with commitTo; want some of each", k.refused, k.committed)
		}
	}
}

// Keys deleted until the store compacts its index, and then written
// again, get new store entries: a State must not read the old ones.
func TestStateKeptAcrossCompaction(t *testing.T) {
	store, model := NewMemStore(), mapReader{}
	var keys [][]byte
	var put []Change
	for i := range 3000 {
		keys = append(keys, fmt.Appendf(nil, "k/%05d", i))
		put = append(put, Change{Key: keys[i], New: EncodeAmount(NewAmount(uint64(i + 1))), NewOK: true})
	}
	store.Apply(put)
	model.apply(put)
	st := NewState(store)
	read := func(what string) {
		t.Helper()
		ref := NewState(model)
		for _, k := range keys {
			a1, ok1, _ := st.GetAmount(k)
			a2, ok2, _ := ref.GetAmount(k)
			if a1 != a2 || ok1 != ok2 {
				t.Fatalf("%s: %s is %v %v, fresh %v %v", what, k, a1, ok1, a2, ok2)
			}
		}
	}
	read("first block")
	var del []Change
	for _, k := range keys {
		del = append(del, Change{Key: k})
	}
	store.Apply(del) // compacts: every entry dropped from the store's map
	model.apply(del)
	if store.dead != 0 {
		t.Fatalf("the store did not compact (%d tombstones)", store.dead)
	}
	st.reset(store)
	read("after deletion")
	var back []Change
	for i, k := range keys {
		if i%2 == 0 {
			back = append(back, Change{Key: k, New: EncodeAmount(NewAmount(uint64(7 * i))), NewOK: true})
		}
	}
	store.Apply(back)
	model.apply(back)
	st.reset(store)
	read("after the keys came back")
}

// A kept entry's decoded value is dropped when the store holds other
// bytes, even of the same length, and kept while it holds the same ones.
func TestStateKeptDecodedInvalidated(t *testing.T) {
	store := NewMemStore()
	key := []byte("b/x")
	store.Apply([]Change{{Key: key, New: EncodeAmount(NewAmount(5)), NewOK: true}})
	st := NewState(store)
	if a, _, _ := st.GetAmount(key); a != NewAmount(5) {
		t.Fatalf("read %v, want 5", a)
	}
	st.SetAmount(key, NewAmount(6))
	store.Apply(st.Changes())
	st.reset(store)
	if e := st.m["b/x"]; e == nil || e.kind != decAmount {
		t.Fatal("the entry was not kept with its decoded value")
	}
	if a, _, _ := st.GetAmount(key); a != NewAmount(6) {
		t.Fatalf("read %v, want 6", a)
	}
	if st.m["b/x"].kind != decAmount {
		t.Fatal("the decoded value was dropped though the store holds the bytes it was encoded to")
	}
	// Someone else writes 9 (same length).
	store.Apply([]Change{{Key: key, New: EncodeAmount(NewAmount(9)), NewOK: true}})
	st.reset(store)
	if a, _, _ := st.GetAmount(key); a != NewAmount(9) {
		t.Fatalf("after another writer: read %v, want 9", a)
	}
	// A block that is abandoned: the store keeps 9.
	st.SetAmount(key, NewAmount(11))
	st.Changes()
	st.reset(store)
	if a, _, _ := st.GetAmount(key); a != NewAmount(9) {
		t.Fatalf("after an abandoned block: read %v, want 9", a)
	}
	// A State moved to another store starts afresh.
	other := NewMemStore()
	other.Apply([]Change{{Key: key, New: EncodeAmount(NewAmount(2)), NewOK: true}})
	st.reset(other)
	if a, _, _ := st.GetAmount(key); a != NewAmount(2) {
		t.Fatalf("over another store: read %v, want 2", a)
	}
}

// Keys written while a Scan runs, and Scans nested in its callback, do
// not disturb the keys the running Scan visits, nor the list of written
// keys (writtenSorted sorts in place, and merges into spare memory, only
// while no Scan runs).
func TestStateScanWritesDuringScan(t *testing.T) {
	for _, newKeys := range []int{1, 2, 5, 40} {
		st := NewState(NewMemStore())
		for i := range 200 { // room in the written list for what follows
			st.SetAmount(fmt.Appendf(nil, "z/%03d", i), NewAmount(1))
		}
		st.Changes()
		st.reset(st.base)
		var want []string
		for i := range 21 {
			k := fmt.Sprintf("a/%02d", i)
			st.SetAmount([]byte(k), NewAmount(uint64(i+1)))
			want = append(want, k)
			if i == 19 {
				st.writtenSorted() // sorted in place
			}
		}
		st.writtenSorted() // merged: the spare memory is now in use
		var got []string
		n := 0
		st.Scan([]byte("a/"), func(k, v []byte) bool {
			got = append(got, string(k))
			// Keys that sort before the scanned ones, then a nested
			// Scan, which sorts them in.
			for range newKeys {
				st.SetAmount(fmt.Appendf(nil, "0/%03d", n), NewAmount(1))
				n++
			}
			st.Scan([]byte("0/"), func(k, v []byte) bool { return true })
			return true
		})
		if !slices.Equal(got, want) {
			t.Fatalf("%d keys written a visit: the scan visited %q, want %q", newKeys, got, want)
		}
		var changed []string
		for _, c := range st.Changes() {
			changed = append(changed, string(c.Key))
		}
		for i := range n {
			want = append(want, fmt.Sprintf("0/%03d", i))
		}
		slices.Sort(want)
		if !slices.Equal(changed, want) {
			t.Fatalf("%d keys written a visit: the block changes %q, want %q", newKeys, changed, want)
		}
	}
}

// The keys Changes returns share one allocation, each capped to its own
// bytes, and a MemStore keeps copies of the keys it inserts rather than
// that shared memory.
func TestChangesKeysShareMemory(t *testing.T) {
	st := NewState(NewMemStore())
	names := []string{"a/1", "a/22", "b/333", "c/4444"}
	for _, k := range names {
		st.Set([]byte(k), []byte(k))
	}
	st.Get([]byte("d/read-only"))
	cs := st.Changes()
	if len(cs) != len(names) {
		t.Fatalf("%d changes, want %d", len(cs), len(names))
	}
	for i := range cs {
		cs[i].Key = append(cs[i].Key, "!!"...) // must not run into the next key
	}
	for i, c := range cs {
		if string(c.Key) != names[i]+"!!" {
			t.Fatalf("change %d: key %q, want %q", i, c.Key, names[i]+"!!")
		}
	}
	cs = st.Changes()
	store := NewMemStore()
	store.Apply(cs)
	for i := range cs {
		clear(cs[i].Key)
	}
	var got []string
	store.Scan(nil, func(k, v []byte) bool { got = append(got, string(k)); return true })
	if !slices.Equal(got, names) {
		t.Fatalf("the store scans %q, want %q", got, names)
	}
}

// blockOver plays a block with kept over over, a plain Reader, as a Step
// with StepOptions.KeepStateBytes does: the host's word that it applied
// the block unaltered (Step.Applied) is given exactly when it did and
// nothing else changed the state; sometimes it applies the block and says
// nothing.
func (k *keptRun) blockOver(ops int, over mapReader, keepMax int64) {
	k.blocks++
	if k.kept == nil {
		k.kept = NewState(over)
		k.kept.keepMax = keepMax
	} else {
		k.kept.reset(over)
	}
	var held int64
	for _, e := range k.kept.m {
		held += entrySize(e)
	}
	if held != k.kept.keptBytes {
		k.fail("the kept entries hold %d bytes, counted %d", held, k.kept.keptBytes)
	}
	if len(k.kept.m) > 0 {
		if held > keepMax {
			k.fail("kept %d bytes, over the bound of %d", held, keepMax)
		}
		k.keptBlocks++
		if k.kept.trustFrom < k.kept.gen {
			k.trustedBlocks++
		}
	}
	k.ref = NewState(k.model)
	for range ops {
		k.op()
	}
	c1, c2 := k.kept.Changes(), k.ref.Changes()
	k.sameChanges(c1, c2)
	switch k.rng.IntN(8) {
	case 0:
		k.kept.Rollback(0) // after Changes: the host must not be trusted
		k.ref.Rollback(0)
	case 1:
		key, a := k.key(), NewAmount(k.rng.Uint64N(50))
		k.kept.SetAmount(key, a) // likewise
		k.ref.SetAmount(key, a)
	}
	switch r := k.rng.IntN(10); {
	case r < 5: // applied unaltered, and the host says so
		over.apply(c1)
		k.model.apply(c2)
		k.kept.hostApplied = true
	case r == 5: // applied unaltered, the host silent
		over.apply(c1)
		k.model.apply(c2)
	case r == 6: // applied, then changed by someone else
		over.apply(c1)
		k.model.apply(c2)
		ext := k.external()
		over.apply(ext)
		k.model.apply(ext)
	case r == 7: // abandoned
	default: // abandoned, and the state changed by someone else
		ext := k.external()
		over.apply(ext)
		k.model.apply(ext)
	}
}

func (k *keptRun) sameChanges(c1, c2 []Change) {
	k.t.Helper()
	if len(c1) != len(c2) {
		k.fail("%d changes, fresh %d", len(c1), len(c2))
	}
	for i := range c1 {
		a, b := c1[i], c2[i]
		if !bytes.Equal(a.Key, b.Key) || a.OldOK != b.OldOK || a.NewOK != b.NewOK || !bytes.Equal(a.Old, b.Old) || !bytes.Equal(a.New, b.New) {
			k.fail("change %d: %+v, fresh %+v", i, a, b)
		}
	}
}

// A State kept over a plain Reader (the engine's, StepOptions.
// KeepStateBytes) reads, decodes, scans and changes exactly as a fresh
// State per block, trusting its kept values only on the host's word and
// only when nothing was written after Changes; it counts the bytes it
// keeps exactly, and past its bound keeps nothing.
func TestStateKeptOverReaderMatchesFresh(t *testing.T) {
	for _, keepMax := range []int64{1 << 20, 4 << 10, 1} {
		kept, trusted := 0, 0
		for seed := range uint64(40) {
			k := newKeptRun(t, seed, 6+int(seed%4)*8)
			over := mapReader{}
			for range 60 {
				k.blockOver(1+k.rng.IntN(40), over, keepMax)
			}
			kept, trusted = kept+k.keptBlocks, trusted+k.trustedBlocks
		}
		switch {
		case keepMax > 1 && (kept == 0 || trusted == 0 || trusted == kept):
			t.Fatalf("bound %d: %d blocks kept entries, %d of them trusted; want some, and some not trusted", keepMax, kept, trusted)
		case keepMax == 1 && kept != 0:
			t.Fatalf("bound of 1 byte: %d blocks kept entries; want none", kept)
		}
	}
}

// flakyReader fails every read while fail is set.
type flakyReader struct {
	r    mapReader
	fail bool
}

var errFlaky = fmt.Errorf("flaky read")

func (f *flakyReader) Get(key []byte) ([]byte, bool, error) {
	if f.fail {
		return nil, false, errFlaky
	}
	return f.r.Get(key)
}

func (f *flakyReader) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	if f.fail {
		return errFlaky
	}
	return f.r.Scan(prefix, fn)
}

// A block that hit a read error is never trusted, whatever the host
// says: the next block reads every kept key again, and the bytes kept are
// still counted exactly.
func TestStateKeptAfterReadError(t *testing.T) {
	f := &flakyReader{r: mapReader{"a": EncodeAmount(NewAmount(1)), "b": EncodeAmount(NewAmount(2))}}
	st := NewState(f)
	st.keepMax = 1 << 20
	if a, _, _ := st.GetAmount([]byte("a")); a != NewAmount(1) {
		t.Fatalf("a = %v", a)
	}
	f.fail = true
	st.GetAmount([]byte("b"))
	if st.Err() == nil {
		t.Fatal("the read error was not latched")
	}
	st.SetAmount([]byte("a"), NewAmount(7)) // a write in the failed block
	st.Changes()
	st.hostApplied = true // a host wrongly vouching for the failed block
	f.fail = false
	f.r["b"] = EncodeAmount(NewAmount(3))
	st.reset(f)
	if st.trustFrom != st.gen {
		t.Fatal("the block after a read error trusts what it kept")
	}
	for key, want := range map[string]Amount{"a": NewAmount(1), "b": NewAmount(3)} {
		if got, _, err := st.GetAmount([]byte(key)); err != nil || got != want {
			t.Fatalf("after the failed block %s = %v (%v), want %v", key, got, err, want)
		}
	}
	var held int64
	for _, e := range st.m {
		held += entrySize(e)
	}
	if held != st.keptBytes {
		t.Fatalf("the kept entries hold %d bytes, counted %d", held, st.keptBytes)
	}
}

// Scan, against a model of the state: random writes (some encoded only
// when needed), deletions and rollbacks; scans of random prefixes stopped
// at random points, nested, panicking, and writing keys none of the scans
// in progress visits, enough that the block's written keys are sometimes
// sorted in and sometimes still a tail, in the middle of a scan too; over
// a plain Reader and over a MemStore.
func TestStateScanMatchesModel(t *testing.T) {
	prefixes := []string{"", "a", "a/", "a/1", "ab/", "b/", "b/x", "c/"}
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 11))
		keys := make([]string, 0, 150)
		for i := range 150 {
			keys = append(keys, []string{"a/", "ab/", "b/", "b/x", "c/"}[i%5]+fmt.Sprint(i*7%97))
		}
		base := mapReader{}
		for _, k := range keys {
			if rng.IntN(2) == 0 {
				base[k] = []byte{byte(rng.IntN(9))}
			}
		}
		model := map[string][]byte{}
		for k, v := range base {
			model[k] = v
		}
		st := NewState(base)
		if seed%2 == 1 { // the simulator's base: a MemStore
			mem := NewMemStore()
			var cs []Change
			for k, v := range base {
				cs = append(cs, Change{Key: []byte(k), New: v, NewOK: true})
			}
			slices.SortFunc(cs, func(a, b Change) int { return bytes.Compare(a.Key, b.Key) })
			mem.Apply(cs)
			st = NewState(mem)
		}
		panicked := 0
		type saved struct {
			mark  int
			model map[string][]byte
		}
		var marks []saved
		want := func(prefix string) []string {
			var ks []string
			for k := range model {
				if strings.HasPrefix(k, prefix) {
					ks = append(ks, k)
				}
			}
			slices.Sort(ks) // by key ("b/x2=" sorts after "b/x21=")
			out := make([]string, len(ks))
			for i, k := range ks {
				out[i] = k + "=" + string(model[k])
			}
			return out
		}
		var active []string // the prefixes of the scans in progress
		outside := func(k string) bool {
			for _, p := range active {
				if strings.HasPrefix(k, p) {
					return false
				}
			}
			return true
		}
		var scan func(depth int)
		scan = func(depth int) {
			prefix := prefixes[rng.IntN(len(prefixes))]
			w := want(prefix)
			stop := 1 + rng.IntN(len(w)+1) // fn sees at least one key, if any
			var got []string
			active = append(active, prefix)
			defer func() { active = active[:len(active)-1] }()
			st.Scan([]byte(prefix), func(k, v []byte) bool {
				got = append(got, string(k)+"="+string(v))
				if rng.IntN(3) == 0 {
					// Writes during the scans, of keys none of them
					// visits, enough that a nested scan sorts them in.
					for range rng.IntN(40) {
						if k := keys[rng.IntN(len(keys))]; outside(k) {
							v := []byte{byte('A' + rng.IntN(26))}
							st.Set([]byte(k), v)
							model[k] = v
						}
					}
				}
				if depth < 2 && rng.IntN(4) == 0 {
					scan(depth + 1)
				}
				if depth < 2 && rng.IntN(16) == 0 {
					// A nested scan whose callback panics, recovered
					// as the block step recovers a reducer's panic.
					func() {
						defer func() { _ = recover() }()
						st.Scan([]byte(prefix), func(k, v []byte) bool { panic("reducer bug") })
					}()
					panicked++
				}
				return len(got) < stop
			})
			if stop < len(w) {
				w = w[:stop]
			}
			if !slices.Equal(got, w) {
				t.Fatalf("seed %d: Scan(%q) visited %q, want %q", seed, prefix, got, w)
			}
		}
		for range 450 {
			k := keys[rng.IntN(len(keys))]
			switch r := rng.IntN(10); {
			case r < 2:
				v := []byte{byte('a' + rng.IntN(26))}
				st.Set([]byte(k), v)
				model[k] = v
			case r < 4: // encoded only when its bytes are needed
				a := NewAmount(rng.Uint64N(1000))
				st.SetAmount([]byte(k), a)
				model[k] = EncodeAmount(a)
			case r < 5:
				st.Delete([]byte(k))
				delete(model, k)
			case r < 6:
				snap := map[string][]byte{}
				for k, v := range model {
					snap[k] = v
				}
				marks = append(marks, saved{st.Mark(), snap})
			case r < 7 && len(marks) > 0:
				m := marks[len(marks)-1]
				marks = marks[:len(marks)-1]
				st.Rollback(m.mark)
				model = m.model
			case r == 7 && rng.IntN(8) == 0:
				st.writtenSorted() // as Changes does: the tail sorted in
			default:
				scan(0)
			}
		}
		if panicked == 0 {
			t.Fatalf("seed %d: no scan panicked", seed)
		}
	}
}
