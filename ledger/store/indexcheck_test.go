package store

import (
	"fmt"
	"slices"
	"testing"

	"github.com/coopera/coopera/ledger"
)

// namesEvent is an event naming accounts as a module's event may: in any
// order, some more than once.
type namesEvent struct{ names []ledger.AccountID }

func (*namesEvent) EventType() string              { return "names" }
func (*namesEvent) EventVersion() uint16           { return 1 }
func (*namesEvent) Encode(*ledger.Encoder)         {}
func (*namesEvent) Decode(*ledger.Decoder)         {}
func (e *namesEvent) Accounts() []ledger.AccountID { return e.names }
func (e *namesEvent) String() string               { return fmt.Sprint(e.names) }

var _ ledger.AccountEvent = (*namesEvent)(nil)

// An account an event names twice has one index entry, which the store
// writes once and the check counts once: a multiset hash of the entries
// counting it twice would refuse an intact snapshot.
func TestIndexEntriesOncePerAccount(t *testing.T) {
	long := make([]ledger.AccountID, 0, 40)
	for i := range 20 {
		long = append(long, ledger.AccountID(fmt.Sprintf("acct-%d", i%10)))
	}
	for _, tc := range []struct {
		names, want []ledger.AccountID
	}{
		{[]ledger.AccountID{"a", "b", "a"}, []ledger.AccountID{"a", "b"}},
		{[]ledger.AccountID{"a", "a", "b"}, []ledger.AccountID{"a", "b"}},
		{long, long[:10]},
	} {
		ev := &namesEvent{names: tc.names}
		var got []ledger.AccountID
		eachEventAccount(ev, func(a ledger.AccountID) { got = append(got, a) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: indexed under %v, want %v", ev, got, tc.want)
		}
		var run keyRun
		run.accountEvents([]ledger.Event{ev}, 7, 3)
		var written, want ledger.LtHash
		for _, e := range run.ents {
			written.Add(run.buf[e.k0:e.k1], nil)
		}
		AddAccountIndex(&want, []ledger.Event{ev}, 7, 3)
		if written.Root() != want.Root() || len(run.ents) != len(tc.want) {
			t.Errorf("%v: %d entries written, and the check's hash of them differs: %v", ev, len(run.ents), written.Root() != want.Root())
		}
	}
}
