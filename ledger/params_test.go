package ledger_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
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

// A module whose end-of-epoch work fails does not stop epochs closing; its
// effects are undone and the failure is recorded.
func TestFailingEpochWorkIsRecorded(t *testing.T) {
	h, err := ledgertest.New(ledgertest.Failing{})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := ledger.ParseGenesis([]byte(`{"chain_id":"f","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h","assets":[{"id":"COOP","decimals":0}],"accounts":[{"id":"a"}]}`))
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	c, _ := ledger.GetChain(h)
	at := h.Time.Add(time.Hour)
	b, err := h.Apply(at, ledger.EpochCloses(c, at.UnixNano(), 5))
	if err != nil {
		t.Fatal(err)
	}
	if b.Results[0].Code != "" || len(b.Events) != 2 {
		t.Fatalf("close: %+v, events %v", b.Results[0], b.Events)
	}
	f, ok := b.Events[0].(*ledger.EpochWorkFailed)
	if !ok || f.Module != "failing" || f.Code != "invalid_parameter" {
		t.Fatalf("first event %#v", b.Events[0])
	}
	if c, _ := ledger.GetChain(h); c.Epoch != 1 {
		t.Fatalf("epoch %d after the close, want 1", c.Epoch)
	}
	if a, _, _ := ledger.GetAsset(h, "COOP"); !a.Minted.IsZero() {
		t.Fatal("the failed work's mint was kept")
	}
}
