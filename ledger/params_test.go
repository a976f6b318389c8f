package ledger_test

import (
	"bytes"
	"testing"

	"github.com/coopera/coopera/ledger"
)

// Two parameter changes to one module in one block: neither is visible in
// that block, both are from the next one.
func TestTwoParamChangesInOneBlock(t *testing.T) {
	st := ledger.NewState(ledger.NewMemStore())
	// Genesis parameters.
	apply := func(e *ledger.ParamsChanged) {
		if err := (ledger.Chain{}).Evolve(st, e); err != nil {
			t.Fatal(err)
		}
	}
	apply(&ledger.ParamsChanged{Module: "m", Params: []byte("A")})
	// Block 5: two changes, each effective from 6.
	apply(&ledger.ParamsChanged{Module: "m", Params: []byte("B"), EffectiveHeight: 6})
	apply(&ledger.ParamsChanged{Module: "m", Params: []byte("C"), EffectiveHeight: 6})
	for h, want := range map[uint64]string{5: "A", 6: "C", 7: "C"} {
		got, err := ledger.ParamsAt(st, "m", h)
		if err != nil || !bytes.Equal(got, []byte(want)) {
			t.Fatalf("params at %d: %q %v, want %q", h, got, err, want)
		}
	}
	// Block 9: a later change promotes C and is pending itself.
	apply(&ledger.ParamsChanged{Module: "m", Params: []byte("D"), EffectiveHeight: 10})
	for h, want := range map[uint64]string{9: "C", 10: "D"} {
		if got, _ := ledger.ParamsAt(st, "m", h); !bytes.Equal(got, []byte(want)) {
			t.Fatalf("params at %d: %q, want %q", h, got, want)
		}
	}
}
