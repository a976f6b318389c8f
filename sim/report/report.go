// Package report draws a simulation's charts and HTML report from its
// finished tables: it is a sim.Reporter, run by sim.WriteDir after every
// table is written, and never drives the simulation (package sim, which
// computes the runs, links no plotting library).
//
// Charts are drawn with gonum.org/v1/plot, one per metric: each point's
// median over its shaded p5–p95 band, parameters as step lines, the
// scenario's scheduled events marked as spans, and for a sweep a legend
// naming each point by its swept values. Values are plotted in human
// units (tokens, USD, percent); the tables keep the exact integers. They
// are floating point: the same build draws the same bytes.
package report

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/coopera/coopera/sim"
)

// Options chooses what the reporter writes. The zero value writes both.
type Options struct {
	NoCharts bool // leave out charts/<metric>.png
	NoReport bool // leave out report.html
}

// New returns the reporter that writes charts/<metric>.png and
// report.html (the charts inlined as SVG, the scenario's settings, each
// chart linked to its table of quantiles and to its PNG).
func New(o Options) sim.Reporter { return reporter(o) }

type reporter Options

func (r reporter) WriteReport(dir string, out *sim.Output, points []*sim.Point) ([]string, error) {
	if r.NoCharts && r.NoReport || len(points) == 0 || out.Summary == nil {
		return nil, nil
	}
	sc := points[0].Scenario
	cs := charts(out.Summary, sc, points)
	var files []string
	if !r.NoCharts {
		if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.png == nil {
				continue
			}
			name := filepath.Join("charts", c.name+".png")
			if err := os.WriteFile(filepath.Join(dir, name), c.png, 0o644); err != nil {
				return nil, err
			}
			files = append(files, filepath.ToSlash(name))
		}
	}
	if !r.NoReport {
		var b bytes.Buffer
		if err := writeHTML(&b, sc, points, out, cs); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "report.html"), b.Bytes(), 0o644); err != nil {
			return nil, err
		}
		files = append(files, "report.html")
	}
	return files, nil
}
