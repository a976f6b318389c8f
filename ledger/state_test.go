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
