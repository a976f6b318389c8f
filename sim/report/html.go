package report

import (
	"html/template"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/coopera/coopera/sim"
)

// The HTML report: one self-contained page (charts inlined as SVG) with
// the scenario's settings, the sweep points, and per metric its chart,
// linked to a table of its quantiles at a few epochs and to its PNG.

var reportTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Name}} — coopera sim</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:960px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left}.doc{color:#555}img{max-width:100%;border:1px solid #eee}
nav a{margin-right:.8em;white-space:nowrap}code{background:#f3f3f3;padding:0 3px}
</style></head><body>
<h1>{{.Name}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
<table>
<tr><th>seed</th><td>{{.Seed}}</td></tr>
<tr><th>runs per point</th><td>{{.Runs}}</td></tr>
<tr><th>epochs</th><td>{{.Epochs}} of {{.EpochLength}}</td></tr>
<tr><th>sweep points</th><td>{{.Points}}</td></tr>
<tr><th>blocks</th><td>{{.Blocks}}</td></tr>
<tr><th>commands (rejected)</th><td>{{.Commands}} ({{.Rejected}})</td></tr>
<tr><th>agent-steps</th><td>{{.AgentSteps}}</td></tr>
</table>
<h2>Scenario</h2>
<table>
{{range .Settings}}<tr><th><code>{{.Key}}</code></th><td style="text-align:left"><code>{{.Value}}</code></td></tr>
{{end}}</table>
{{if .PointRows}}<h2>Sweep points</h2>
<table><tr><th>point</th>{{range .PointPaths}}<th><code>{{.}}</code></th>{{end}}</tr>
{{range .PointRows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
{{if .Truncated}}<p class="doc">Charts and tables show the first {{.Charted}} points; summary.csv has them all.</p>{{end}}
{{end}}
<nav>{{range .Metrics}}<a href="#{{.Name}}">{{.Name}}</a> {{end}}</nav>
{{range .Metrics}}
<h2 id="{{.Name}}">{{.Name}}</h2>
<p class="doc">{{.Doc}} ({{.Unit}}). Median across runs, with the 5th–95th percentile band; scheduled events shaded. <a href="#table-{{.Name}}">table</a> · <a href="charts/{{.File}}.png">PNG</a></p>
{{if .Chart}}<figure>{{.Chart}}</figure>{{end}}
<table id="table-{{.Name}}"><tr><th>point</th><th>epoch</th><th>p5</th><th>p50</th><th>p95</th><th>mean</th></tr>
{{range .Rows}}<tr><td>{{.Point}}</td><td>{{.Epoch}}</td><td>{{.P5}}</td><td>{{.P50}}</td><td>{{.P95}}</td><td>{{.Mean}}</td></tr>
{{end}}</table>
{{end}}
<p class="doc">Written by coopera sim. Values are exact integers in the tables (runs.csv, summary.csv: base units, micro-USD, basis points); here in human units.</p>
</body></html>
`))

type reportMetric struct {
	Name, Doc, Unit, File string
	Chart                 template.HTML // inline SVG
	Rows                  []reportRow
}

// inlineSVG prepares an SVG document for inlining in HTML: without its XML
// declaration, scaled to the page's width.
func inlineSVG(svg []byte) template.HTML {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	s = strings.Replace(s, "<svg", `<svg style="max-width:100%;height:auto"`, 1)
	return template.HTML(s)
}

type reportRow struct {
	Point, Epoch       int
	P5, P50, P95, Mean string
}

func writeHTML(w io.Writer, sc *sim.Scenario, points []*sim.Point, out *sim.Output, charts []chartFile) error {
	sum := out.Summary
	data := struct {
		Name, Description, Seed, EpochLength   string
		Runs, Epochs, Points, Charted          int
		Blocks, Commands, Rejected, AgentSteps uint64
		PointPaths                             []string
		PointRows                              [][]string
		Truncated                              bool
		Settings                               []sim.Setting
		Metrics                                []reportMetric
	}{
		Settings: sc.Settings(),
		Name:     sc.Name, Description: sc.Description, Seed: strconv.FormatUint(sc.Seed, 10), EpochLength: sc.EpochLength.String(),
		Runs: out.Runs, Epochs: out.Epochs, Points: len(points), Charted: min(len(points), sim.ChartedPoints),
		Blocks: out.Totals.Blocks, Commands: out.Totals.Commands, Rejected: out.Totals.Rejected, AgentSteps: out.Totals.AgentSteps,
		Truncated: len(points) > sim.ChartedPoints,
	}
	if len(points) > 1 {
		for _, v := range points[0].Values {
			data.PointPaths = append(data.PointPaths, v.Path)
		}
		for _, pt := range points {
			row := []string{strconv.Itoa(pt.Index)}
			for _, v := range pt.Values {
				row = append(row, v.Value)
			}
			data.PointRows = append(data.PointRows, row)
		}
	}
	chartOf := map[string]template.HTML{}
	for _, c := range charts {
		if c.svg != nil {
			chartOf[c.metric] = inlineSVG(c.svg)
		}
	}
	epochs := reportEpochs(out.Epochs)
	for ci, col := range out.Columns {
		m := reportMetric{Name: col.Name, Doc: col.Doc, Unit: unitLabel(col.Unit), File: chartName(col.Name), Chart: chartOf[col.Name]}
		for p := 0; p < len(points) && p < sim.ChartedPoints; p++ {
			for _, e := range epochs {
				st, _ := sum.Stat(p, ci, e)
				row := reportRow{Point: points[p].Index, Epoch: e}
				if st.N > 0 {
					d := sc.Decimals()
					row.P5, row.P50, row.P95 = humanValue(st.P5, col.Unit, d), humanValue(st.P50, col.Unit, d), humanValue(st.P95, col.Unit, d)
					row.Mean = humanMean(st.Mean, col.Unit, d)
				}
				m.Rows = append(m.Rows, row)
			}
		}
		data.Metrics = append(data.Metrics, m)
	}
	return reportTmpl.Execute(w, data)
}

// reportEpochs picks the epochs the report's tables show.
func reportEpochs(n int) []int {
	var out []int
	for _, e := range []int{0, n / 4, n / 2, 3 * n / 4, n - 1} {
		if e >= 0 && (len(out) == 0 || out[len(out)-1] != e) {
			out = append(out, e)
		}
	}
	return out
}

// humanMean formats an exact mean (decimal text) in human units.
func humanMean(mean string, u sim.Unit, decimals uint8) string {
	r, ok := new(big.Rat).SetString(mean)
	if !ok {
		return mean
	}
	// Round to an integer, then format like the quantiles.
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !n.IsInt64() {
		return mean
	}
	return humanValue(n.Int64(), u, decimals)
}
