package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/coopera/coopera/sim"
)

// Charts: one per metric, drawn with gonum.org/v1/plot, epochs across:
// each point's median (p50) over its shaded p5–p95 band, parameters as
// step lines, the scenario's scheduled events (parameter changes, demand
// shocks, oracle attacks) as marked spans, and with a sweep a legend that
// names each point by its swept values. Values are plotted in human units
// (tokens, USD, percent); the tables keep the exact integers. Every chart
// is written as PNG (charts/) and SVG (inlined in the report). Charts are
// floating point and depend on the plotting library's rendering: the same
// build draws the same bytes, but unlike the tables they are not promised
// byte-identical across architectures.

const (
	chartW = 9 * vg.Inch
	chartH = 4.2 * vg.Inch
)

var palette = []color.RGBA{
	{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {148, 103, 189, 255},
	{255, 127, 14, 255}, {23, 190, 207, 255}, {140, 86, 75, 255}, {227, 119, 194, 255},
	{127, 127, 127, 255}, {188, 189, 34, 255}, {0, 0, 128, 255}, {128, 0, 0, 255},
}

type chartFile struct {
	name   string // file name, without extension
	metric string
	png    []byte
	svg    []byte
}

// charts draws one chart per metric.
func charts(s *sim.Summary, sc *sim.Scenario, points []*sim.Point) []chartFile {
	var out []chartFile
	labels := pointLabels(points)
	for c, col := range s.Columns {
		p := chart(s, sc, points, labels, c, col)
		f := chartFile{name: chartName(col.Name), metric: col.Name}
		legend := len(points) > 1
		var buf bytes.Buffer
		png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(110))}
		render(p, png, legend)
		if _, err := png.WriteTo(&buf); err == nil {
			f.png = bytes.Clone(buf.Bytes())
		}
		buf.Reset()
		svg := vgsvg.New(chartW, chartH)
		render(p, svg, legend)
		if _, err := svg.WriteTo(&buf); err == nil {
			f.svg = bytes.Clone(buf.Bytes())
		}
		out = append(out, f)
	}
	return out
}

// legendW is the width of the legend's panel beside a sweep's chart.
const legendW = 2.9 * vg.Inch

// render draws p on c, with its legend in a panel of its own on the right
// (never over the data) when legend is set.
func render(p *plot.Plot, c vg.CanvasSizer, legend bool) {
	dc := draw.New(c)
	if !legend {
		p.Draw(dc)
		return
	}
	leg := p.Legend
	p.Legend = plot.NewLegend()
	p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
	p.Legend = leg
	leg.Top, leg.Left = true, true
	leg.XOffs = vg.Points(4)
	leg.YOffs = -vg.Points(30)
	leg.Draw(draw.Crop(dc, dc.Max.X-legendW, 0, 0, 0))
}

func chartName(metric string) string {
	r := strings.NewReplacer("/", "_", ":", "_", " ", "_", "\\", "_")
	return r.Replace(metric)
}

// humanFloat converts a metric value to the chart's human unit.
func humanFloat(v int64, u sim.Unit, decimals uint8) float64 {
	switch u {
	case sim.UnitTokens:
		return float64(v) / math.Pow10(int(decimals))
	case sim.UnitUSD, sim.UnitPrice:
		return float64(v) / 1e6
	case sim.UnitBps:
		return float64(v) / 100
	}
	return float64(v)
}

// isParam reports whether a column is a parameter (drawn as steps).
func isParam(name string) bool { return strings.HasPrefix(name, "param:") }

func chart(s *sim.Summary, sc *sim.Scenario, points []*sim.Point, labels []string, c int, col sim.MetricInfo) *plot.Plot {
	p := plot.New()
	p.Title.Text = col.Name
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = unitLabel(col.Unit)
	p.X.Tick.Marker = intTicks{}
	p.Y.Tick.Marker = humanTicks{}
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font.Size = vg.Points(12)
		ax.Tick.Label.Font.Size = vg.Points(11)
	}
	p.Add(plotter.NewGrid())
	dec := sc.Decimals()
	lo, hi, have := math.Inf(1), math.Inf(-1), false
	type series struct{ band, mid []plotter.XYs }
	all := make([]series, min(len(points), sim.ChartedPoints))
	for pi := range all {
		var band, mid plotter.XYs
		var sr series
		flush := func() {
			if len(mid) > 0 {
				poly := make(plotter.XYs, 0, 2*len(band))
				for _, b := range band {
					poly = append(poly, plotter.XY{X: b.X, Y: b.Y})
				}
				sr.band = append(sr.band, poly)
				sr.mid = append(sr.mid, mid)
			}
			band, mid = nil, nil
		}
		var lows plotter.XYs
		for e := 0; e < s.Epochs; e++ {
			st, _ := s.Stat(pi, c, e)
			if st.N == 0 {
				// Close the band: the highs forwards, then the lows back.
				for i := len(lows) - 1; i >= 0; i-- {
					band = append(band, lows[i])
				}
				lows = nil
				flush()
				continue
			}
			x := float64(e)
			p5, p50, p95 := humanFloat(st.P5, col.Unit, dec), humanFloat(st.P50, col.Unit, dec), humanFloat(st.P95, col.Unit, dec)
			band = append(band, plotter.XY{X: x, Y: p95})
			lows = append(lows, plotter.XY{X: x, Y: p5})
			mid = append(mid, plotter.XY{X: x, Y: p50})
			lo, hi, have = math.Min(lo, p5), math.Max(hi, p95), true
		}
		for i := len(lows) - 1; i >= 0; i-- {
			band = append(band, lows[i])
		}
		flush()
		all[pi] = sr
	}
	if !have {
		p.Title.Text = col.Name + " (no values)"
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, float64(max(1, s.Epochs-1)), 0, 1
		return p
	}
	// A constant series gets a range around its value (distinct ticks);
	// the baseline shows when the range allows it.
	if lo == hi {
		d := math.Max(math.Abs(lo)*0.1, 1)
		if col.Unit != sim.UnitCount && col.Unit != sim.UnitBps {
			d = math.Max(math.Abs(lo)*0.1, 1e-6)
		}
		if lo >= 0 {
			lo, hi = max(0, lo-d), hi+d // a non-negative series keeps a non-negative axis
		} else {
			lo, hi = lo-d, hi+d
		}
	} else if lo > 0 && lo < hi/4 {
		lo = 0
	}
	p.Y.Min, p.Y.Max = lo, hi
	if col.Unit == sim.UnitCount && hi-lo <= 10 {
		p.Y.Tick.Marker = intTicks{} // counts: no fractional labels
	}
	p.X.Min, p.X.Max = 0, float64(max(1, s.Epochs-1))
	addEvents(p, sc, s.Epochs, lo, hi)
	step := plotter.NoStep
	if isParam(col.Name) {
		step = plotter.PostStep
	}
	for pi, sr := range all {
		clr := palette[pi%len(palette)]
		fill := color.NRGBA{clr.R, clr.G, clr.B, 56}
		for _, b := range sr.band {
			if len(b) < 3 {
				continue
			}
			poly, err := plotter.NewPolygon(b)
			if err != nil {
				continue
			}
			poly.Color = fill
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
	}
	for pi, sr := range all {
		clr := palette[pi%len(palette)]
		for i, m := range sr.mid {
			ln, err := plotter.NewLine(m)
			if err != nil {
				continue
			}
			ln.StepStyle = step
			ln.LineStyle.Color = clr
			ln.LineStyle.Width = vg.Points(1.6)
			p.Add(ln)
			if i == 0 && len(points) > 1 && pi < len(points) {
				p.Legend.Add(labels[pi], ln)
			}
		}
	}
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	return p
}

// pointLabels names each sweep point by its swept values: the last segment
// of each path with its value, and of an object value only the fields
// that vary between points (named alone).
func pointLabels(points []*sim.Point) []string {
	vary := map[string]map[string]bool{} // path -> object field -> varies
	objs := make([]map[string]map[string]string, len(points))
	for i, pt := range points {
		objs[i] = map[string]map[string]string{}
		for _, v := range pt.Values {
			var m map[string]json.RawMessage
			if json.Unmarshal([]byte(v.Value), &m) == nil {
				fs := map[string]string{}
				for k, x := range m {
					fs[k] = string(x)
				}
				objs[i][v.Path] = fs
			}
		}
	}
	for i := 1; i < len(points); i++ {
		for path, fs := range objs[i] {
			if vary[path] == nil {
				vary[path] = map[string]bool{}
			}
			for k, x := range fs {
				if objs[0][path][k] != x {
					vary[path][k] = true
				}
			}
		}
	}
	out := make([]string, len(points))
	for i, pt := range points {
		var parts []string
		for _, v := range pt.Values {
			name := v.Path
			if j := strings.LastIndex(name, "."); j >= 0 {
				name = name[j+1:]
			}
			if fs, ok := objs[i][v.Path]; ok {
				var keys []string
				for k := range vary[v.Path] {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				for _, k := range keys {
					parts = append(parts, k+"="+strings.Trim(fs[k], `"`))
				}
				continue
			}
			parts = append(parts, name+"="+strings.Trim(v.Value, `"`))
		}
		if len(parts) == 0 {
			parts = []string{"point " + strconv.Itoa(pt.Index)}
		}
		out[i] = strings.Join(parts, ", ")
	}
	return out
}

// addEvents marks the scenario's scheduled events: a shaded span from at
// to until, or a dashed line at at for an event without an end, labelled
// at the top.
func addEvents(p *plot.Plot, sc *sim.Scenario, epochs int, lo, hi float64) {
	var labels plotter.XYLabels
	for _, ev := range sc.Events {
		if ev.At >= epochs {
			continue
		}
		x0 := float64(ev.At)
		var text string
		switch {
		case ev.Params != nil:
			pe := ev.Params
			text = pe.Name + "→" + strings.Trim(pe.ValueJSON(), `"`)
			if pe.Via == "governance" {
				text += " (proposed)"
			}
		case ev.Demand != nil:
			text = "demand ×" + ev.Demand.Factor.String()
		case ev.Oracle != nil:
			text = fmt.Sprintf("oracle ×%s (%d feeds)", ev.Oracle.Factor, ev.Oracle.Feeds)
		default:
			continue
		}
		shade := color.NRGBA{90, 90, 90, 36}
		if ev.Until > ev.At {
			x1 := float64(min(ev.Until, epochs-1))
			if poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}}); err == nil {
				poly.Color = shade
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
		}
		if ln, err := plotter.NewLine(plotter.XYs{{X: x0, Y: lo}, {X: x0, Y: hi}}); err == nil {
			ln.LineStyle.Color = color.NRGBA{90, 90, 90, 200}
			ln.LineStyle.Width = vg.Points(0.8)
			ln.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
			p.Add(ln)
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: x0, Y: hi})
		labels.Labels = append(labels.Labels, " "+text)
	}
	if len(labels.XYs) == 0 {
		return
	}
	if l, err := plotter.NewLabels(labels); err == nil {
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(9)
			l.TextStyle[i].Color = color.NRGBA{60, 60, 60, 255}
			l.TextStyle[i].YAlign = draw.YTop
		}
		p.Add(l)
	}
}

// humanTicks are the default round ticks labelled with k, M and B.
type humanTicks struct{}

func (humanTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = tickLabel(ts[i].Value)
		}
	}
	return ts
}

func tickLabel(v float64) string {
	a := math.Abs(v)
	for _, s := range []struct {
		suffix string
		f      float64
	}{{"B", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if a >= s.f {
			return strconv.FormatFloat(v/s.f, 'g', 4, 64) + s.suffix
		}
	}
	if a < 1e-12 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// intTicks are labelled ticks at round whole epochs (a step of 1, 2 or 5
// times a power of ten giving about six labels), with unlabelled ticks
// between them.
type intTicks struct{}

func (intTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	step := 1.0
	for _, f := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000} {
		step = f
		if span/f <= 7 {
			break
		}
	}
	minor := step / 5
	if minor < 1 {
		minor = step
	}
	var out []plot.Tick
	for v := math.Ceil(min/minor) * minor; v <= max; v += minor {
		t := plot.Tick{Value: v}
		if math.Mod(v, step) == 0 {
			t.Label = strconv.FormatInt(int64(v), 10)
		}
		out = append(out, t)
	}
	return out
}
