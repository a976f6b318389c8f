package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopera/coopera/sim"
	"github.com/coopera/coopera/sim/report"
)

const scenario = `name: rep
seed: 3
runs: 3
epochs: 12
price: {model: gbm, initial: 1, volatility: 0.5}
market: {inventory: 1000000}
oracle: {feeds: 3}
populations:
  consumers: {count: 4, demand: {base: 10, noise: 0.3}}
  providers: {count: 2, sell: 0.5}
events:
  - {at: 3, params: {name: fee_bps, value: 200}}
  - {at: 5, until: 7, oracle: {feeds: 2, factor: 3}}
metrics: [supply, price, credits_spent, consumers.unserved, "param:tokenomics.fee_bps"]
sweep:
  grid:
    - {path: genesis.params.tokenomics.fee_shares, values: [{treasury: 2000, burn: 3000, stakers: 3000, creator: 2000}, {treasury: 5000, burn: 0, stakers: 3000, creator: 2000}]}
`

func write(t *testing.T, workers int, o report.Options) (string, *sim.Output) {
	t.Helper()
	s, err := sim.Parse([]byte(scenario), "rep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	out, err := sim.WriteDir(context.Background(), dir, pts, &sim.Options{Workers: workers}, &sim.OutputOptions{Reporter: report.New(o)})
	if err != nil {
		t.Fatal(err)
	}
	return dir, out
}

// The charts and the report are the same bytes whatever the workers, and
// the report holds the scenario's settings, an inline SVG per metric
// linked to its table, the sweep's values in the legends and the events.
func TestReport(t *testing.T) {
	a, out := write(t, 1, report.Options{})
	b, _ := write(t, 3, report.Options{})
	for _, f := range []string{"charts/supply.png", "charts/param_tokenomics.fee_bps.png", "report.html"} {
		if !slices.Contains(out.Files, f) {
			t.Fatalf("no %s in %v", f, out.Files)
		}
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between 1 and 3 workers (or is empty)", f)
		}
	}
	html, _ := os.ReadFile(filepath.Join(a, "report.html"))
	for _, want := range []string{
		"<svg", `href="#table-supply"`, `id="table-supply"`, `charts/supply.png`, // chart, table and PNG linked
		"genesis.params.tokenomics", "populations.consumers", "events[1]", // the settings
		"burn=3000, treasury=2000", "burn=0, treasury=5000", // legends name the swept values that vary
		"fee_bps→200", "oracle ×3 (2 feeds)", // scheduled events marked
	} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(string(html), "data:image/png") {
		t.Error("the report still embeds PNGs")
	}
	png, _ := os.ReadFile(filepath.Join(a, "charts/supply.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("charts/supply.png is not a PNG")
	}
	c, out := write(t, 1, report.Options{NoCharts: true})
	if _, err := os.Stat(filepath.Join(c, "charts")); !os.IsNotExist(err) || !slices.Contains(out.Files, "report.html") {
		t.Errorf("NoCharts: %v %v", err, out.Files)
	}
}

// The reporter, like the simulator, links no storage, replication or
// metrics server (layers_test.go checks package sim itself).
func TestReportLinksNoShell(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/cockroachdb/pebble", "github.com/nats-io/", "github.com/prometheus/", "github.com/coopera/coopera/ledger/store", "github.com/coopera/coopera/ledger/replication"} {
			if strings.HasPrefix(d, bad) || d == "github.com/coopera/coopera" {
				t.Errorf("sim/report links %s", d)
			}
		}
	}
}
