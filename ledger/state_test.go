package ledger

import (
	"bytes"
	"testing"
)

// An amount written with SetAmount reads, scans, rolls back and shows in
// Changes exactly as the same amount written with Set(EncodeAmount).
func TestStateAmountMatchesBytes(t *testing.T) {
	base := NewMemStore()
	base.Apply([]Change{{Key: []byte("b/x"), New: EncodeAmount(NewAmount(5)), NewOK: true}})
	run := func(typed bool) (*State, []byte) {
		st := NewState(base)
		set := func(k string, a Amount) {
			if typed {
				st.SetAmount([]byte(k), a)
			} else {
				st.Set([]byte(k), EncodeAmount(a))
			}
		}
		var trace []byte
		note := func() {
			st.Scan([]byte("b/"), func(k, v []byte) bool {
				trace = append(append(append(trace, k...), '='), v...)
				return true
			})
			a, ok, err := st.GetAmount([]byte("b/x"))
			trace = append(trace, a.String()...)
			if ok {
				trace = append(trace, '+')
			}
			if err != nil {
				t.Fatal(err)
			}
			v, _ := st.Get([]byte("b/y"))
			trace = append(append(trace, '|'), v...)
		}
		set("b/x", NewAmount(7))
		note()
		m := st.Mark()
		set("b/x", NewAmount(9))
		set("b/y", NewAmount(1<<40))
		note()
		st.Rollback(m)
		note()
		set("b/y", NewAmount(3))
		m = st.Mark()
		st.Delete([]byte("b/y"))
		set("b/x", NewAmount(5))
		note()
		st.Rollback(m)
		note()
		set("b/x", NewAmount(5))
		note()
		return st, trace
	}
	a, ta := run(true)
	b, tb := run(false)
	if !bytes.Equal(ta, tb) {
		t.Fatalf("reads differ:\n%q\n%q", ta, tb)
	}
	ca, cb := a.Changes(), b.Changes()
	if len(ca) != len(cb) || len(ca) != 1 {
		t.Fatalf("changes %d and %d, want 1", len(ca), len(cb))
	}
	for i := range ca {
		x, y := ca[i], cb[i]
		if !bytes.Equal(x.Key, y.Key) || !bytes.Equal(x.New, y.New) || x.NewOK != y.NewOK || !bytes.Equal(x.Old, y.Old) {
			t.Fatalf("change %d: %+v vs %+v", i, x, y)
		}
	}
	if _, _, err := NewState(base).GetAmount([]byte("b/x")); err != nil {
		t.Fatal(err)
	}
	st := NewState(base)
	st.Set([]byte("b/z"), []byte{2, 0, 1})
	if _, _, err := st.GetAmount([]byte("b/z")); err == nil {
		t.Fatal("a non-canonical amount decodes")
	}
}

type testRecord struct{ n uint64 }

func (r *testRecord) EncodeTo(e *Encoder) { e.Uint(r.n) }

// A record written with SetRecord reads, scans, rolls back and shows in
// Changes exactly as its encoding written with Set; Record returns it, or
// a record kept with KeepRecord, only while it is the key's value.
func TestStateRecordMatchesBytes(t *testing.T) {
	base := NewMemStore()
	enc := func(n uint64) []byte {
		e := NewEncoder(nil)
		e.Uint(n)
		return e.Bytes()
	}
	base.Apply([]Change{{Key: []byte("r/a"), New: enc(1), NewOK: true}})
	run := func(typed bool) (*State, []byte) {
		st := NewState(base)
		set := func(n uint64) {
			if typed {
				st.SetRecord([]byte("r/a"), &testRecord{n})
			} else {
				st.Set([]byte("r/a"), enc(n))
			}
		}
		var trace []byte
		note := func() {
			st.Scan([]byte("r/"), func(k, v []byte) bool {
				trace = append(append(append(trace, k...), '='), v...)
				return true
			})
			if r, ok := st.Record([]byte("r/a")); ok {
				v, _ := st.Get([]byte("r/a"))
				if !bytes.Equal(v, enc(r.(*testRecord).n)) {
					t.Fatalf("record %d, bytes %x", r.(*testRecord).n, v)
				}
			}
			v, ok := st.Get([]byte("r/a"))
			trace = append(append(trace, '|'), v...)
			if !ok {
				trace = append(trace, '-')
			}
		}
		note()
		st.KeepRecord([]byte("r/a"), &testRecord{1})
		set(7)
		note()
		m := st.Mark()
		set(9)
		st.Delete([]byte("r/a"))
		note()
		st.Rollback(m)
		note()
		m = st.Mark()
		set(300)
		st.Rollback(m)
		note()
		set(1)
		return st, trace
	}
	a, ta := run(true)
	b, tb := run(false)
	if !bytes.Equal(ta, tb) {
		t.Fatalf("reads differ:\n%q\n%q", ta, tb)
	}
	if len(a.Changes()) != 0 || len(b.Changes()) != 0 {
		t.Fatal("a key set back to its value changed")
	}
	st := NewState(base)
	st.KeepRecord([]byte("r/a"), &testRecord{1})
	m := st.Mark()
	st.Set([]byte("r/a"), enc(2))
	if _, ok := st.Record([]byte("r/a")); ok {
		t.Fatal("Record returns a record after Set")
	}
	st.Rollback(m)
	if r, ok := st.Record([]byte("r/a")); !ok || r.(*testRecord).n != 1 {
		t.Fatal("rollback loses the kept record")
	}
	st.SetAmount([]byte("r/a"), NewAmount(3))
	if _, ok := st.Record([]byte("r/a")); ok {
		t.Fatal("Record returns a record after SetAmount")
	}
	if c := st.Changes(); len(c) != 1 || !bytes.Equal(c[0].New, EncodeAmount(NewAmount(3))) {
		t.Fatalf("changes %+v", c)
	}
}
