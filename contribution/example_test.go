package contribution_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func ledgerHarness(t testing.TB) (*ledgertest.Harness, error) {
	h, err := ledgertest.New(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"ex","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":0}],"accounts":[{"id":"meter"},{"id":"gpu-a"},{"id":"gpu-b"}],
	 "allocations":[{"account":"mod:contribution/pool","asset":"COOP","amount":"1000"}],
	 "params":{"contribution":{"reporters":["meter"],"prices":{"gpu_seconds":1,"gpu_seconds:h100":4}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Genesis(g)
	return h, err
}

// Two GPU providers report metered time; with no validators voting, the
// compute pool (40% of 1,000) is split by contribution value
// C = P(device) x seconds: gpu-a 100 s on an H100 (price 4) = 400, gpu-b
// 600 s on a class priced 1 = 600. The rest goes to the treasury.
func Example() {
	h, _ := ledgerHarness(&testing.T{})
	cmds := []*ledger.Command{
		{Actor: "gpu-a", Payload: &contribution.Register{Role: "compute"}},
		{Actor: "gpu-b", Payload: &contribution.Register{Role: "compute"}},
		{Actor: "meter", Payload: &contribution.Record{Provider: "gpu-a", Kind: "gpu_seconds", Class: "h100", Quantity: 100, Source: "nvml:host-1"}},
		{Actor: "meter", Payload: &contribution.Record{Provider: "gpu-b", Kind: "gpu_seconds", Class: "a10", Quantity: 600, Source: "dcgm:host-2"}},
	}
	h.Apply(h.Time.Add(time.Second), cmds)
	c, _ := ledger.GetChain(h)
	end := time.Unix(0, c.EpochEnd())
	h.Apply(end, ledger.EpochCloses(c, end.UnixNano(), 1))
	fmt.Print(h.Balances(""))
	// Output:
	// gpu-a COOP 160
	// gpu-b COOP 240
	// mod:contribution/treasury COOP 600
}
