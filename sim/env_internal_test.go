package sim

import (
	"testing"

	"github.com/coopera/coopera/ledger"
)

// Reserve answers from the exchange's committed inventory less what the
// epoch has promised, and sees every block committed since it last read
// the inventory.
func TestReserveSeesCommittedInventory(t *testing.T) {
	s, err := Parse([]byte(`
name: reserve
epochs: 2
price: {model: constant, initial: 1}
market: {inventory: 100}
oracle: {feeds: 1}
populations:
  consumers: {count: 1, demand: {base: 1}}
  providers: {count: 1}
`), "reserve.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.compiled()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRun(c, &Options{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.genesis(); err != nil {
		t.Fatal(err)
	}
	h := &envHost{r: r, pop: r.pops[0]}
	inv := r.nativeOf(ExchangeAccount) // 100 whole tokens
	if inv.IsZero() {
		t.Fatal("the exchange holds nothing")
	}
	half, _, _ := inv.MulDiv(1, 2)
	if !h.Reserve(half) {
		t.Fatalf("Reserve(%s) of %s refused", half, inv)
	}
	// A block moves most of the inventory away (a transfer to the
	// operator); the next reservation must see it.
	away, _, _ := inv.MulDiv(9, 10)
	r.mkt.pending = ledger.Amount{}
	x, err := r.exec(&r.cur, r.epochStart(0)+tradeOffset, []*ledger.Command{{Actor: ExchangeAccount, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: OperatorAccount, Asset: r.c.native, Amount: away}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if x.results[0].Code != "" {
		t.Fatalf("the transfer was refused: %s", x.results[0].Msg)
	}
	left := r.nativeOf(ExchangeAccount)
	if left.Cmp(half) >= 0 {
		t.Fatalf("%s left after moving %s of %s", left, away, inv)
	}
	if h.Reserve(left) {
		t.Fatalf("Reserve(%s) granted with %s left: it read a stale inventory", left, left)
	}
	less, _ := left.Sub(ledger.NewAmount(1))
	if !h.Reserve(less) {
		t.Fatalf("Reserve(%s) refused with %s left", less, left)
	}
}
