package sim

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Charts: one PNG per metric, epochs across, with each point's median (p50)
// as a line over its p5–p95 band. Every coordinate is computed in integers
// and the labels use a bitmap font, so a chart is the same bytes on every
// machine.

const (
	chartW, chartH = 900, 420
	padL, padR     = 96, 24
	padT, padB     = 40, 44
)

var palette = []color.RGBA{
	{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {148, 103, 189, 255},
	{255, 127, 14, 255}, {23, 190, 207, 255}, {140, 86, 75, 255}, {227, 119, 194, 255},
	{127, 127, 127, 255}, {188, 189, 34, 255}, {0, 0, 128, 255}, {128, 0, 0, 255},
}

type chartFile struct {
	name   string // file name
	metric string
	png    []byte
}

// charts draws one chart per metric.
func (s *Summary) charts(sc *Scenario) []chartFile {
	var out []chartFile
	for c, col := range s.Columns {
		img := s.chart(sc, c, col)
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, img); err != nil {
			continue
		}
		out = append(out, chartFile{name: chartName(col.Name) + ".png", metric: col.Name, png: buf.Bytes()})
	}
	return out
}

func chartName(metric string) string {
	r := strings.NewReplacer("/", "_", ":", "_", " ", "_", "\\", "_")
	return r.Replace(metric)
}

func (s *Summary) chart(sc *Scenario, c int, col MetricInfo) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	fill(img, img.Bounds(), color.RGBA{255, 255, 255, 255})
	// The value range over every charted point's band.
	lo, hi, have := int64(0), int64(0), false
	for p := range s.charted {
		for e := 0; e < s.Epochs; e++ {
			st := s.charted[p][c][e]
			if !st.hasQuantiles {
				continue
			}
			if !have {
				lo, hi, have = st.P5, st.P95, true
			}
			lo, hi = min(lo, st.P5), max(hi, st.P95)
		}
	}
	if lo > 0 && lo < hi/4 {
		lo = 0 // show the baseline when the range allows it
	}
	if hi == lo {
		hi = lo + 1
	}
	plot := image.Rect(padL, padT, chartW-padR, chartH-padB)
	axis := color.RGBA{60, 60, 60, 255}
	grid := color.RGBA{225, 225, 225, 255}
	for i := 0; i <= 4; i++ {
		y := plot.Max.Y - (plot.Dy()*i)/4
		hline(img, plot.Min.X, plot.Max.X, y, grid)
		v := lo + int64(mulDivSat(hi-lo, int64(i), 4))
		label := humanValue(v, col.Unit, sc.c.decimals)
		drawText(img, plot.Min.X-6-textWidth(label), y+4, label, axis)
	}
	hline(img, plot.Min.X, plot.Max.X, plot.Max.Y, axis)
	vline(img, plot.Min.X, plot.Min.Y, plot.Max.Y, axis)
	last := max(1, s.Epochs-1)
	for i := 0; i <= 4; i++ {
		e := last * i / 4
		x := plot.Min.X + plot.Dx()*e/last
		vline(img, x, plot.Max.Y, plot.Max.Y+4, axis)
		label := strconv.Itoa(e)
		drawText(img, x-textWidth(label)/2, plot.Max.Y+18, label, axis)
	}
	drawText(img, plot.Min.X+plot.Dx()/2-textWidth("epoch")/2, chartH-8, "epoch", axis)
	title := col.Name + " (" + unitLabel(col.Unit) + ")"
	drawText(img, padL, 22, title, color.RGBA{0, 0, 0, 255})
	if !have {
		drawText(img, plot.Min.X+20, plot.Min.Y+30, "no values", axis)
		return img
	}
	xOf := func(e int) int { return plot.Min.X + plot.Dx()*e/last }
	yOf := func(v int64) int {
		return plot.Max.Y - int(scale(v-lo, int64(plot.Dy()), hi-lo))
	}
	// Bands first, then the lines over them.
	for p := range s.charted {
		col := palette[p%len(palette)]
		band := color.RGBA{uint8((int(col.R) + 3*255) / 4), uint8((int(col.G) + 3*255) / 4), uint8((int(col.B) + 3*255) / 4), 255}
		for e := 0; e < s.Epochs; e++ {
			st := s.charted[p][c][e]
			if !st.hasQuantiles {
				continue
			}
			x0, x1 := xOf(e), xOf(min(e+1, last))
			if e == last {
				x1 = x0 + 1
			}
			for x := x0; x < max(x1, x0+1); x++ {
				vline(img, x, yOf(st.P95), yOf(st.P5), band)
			}
		}
	}
	for p := range s.charted {
		col := palette[p%len(palette)]
		prevX, prevY, have := 0, 0, false
		for e := 0; e < s.Epochs; e++ {
			st := s.charted[p][c][e]
			if !st.hasQuantiles {
				have = false
				continue
			}
			x, y := xOf(e), yOf(st.P50)
			if have {
				line(img, prevX, prevY, x, y, col)
			} else {
				img.SetRGBA(x, y, col)
			}
			prevX, prevY, have = x, y, true
		}
	}
	if len(s.charted) > 1 {
		x := plot.Max.X - 90
		for p := range s.charted {
			y := plot.Min.Y + 8 + 14*p
			col := palette[p%len(palette)]
			for dy := -1; dy <= 1; dy++ {
				hline(img, x, x+16, y+dy, col)
			}
			drawText(img, x+22, y+4, "point "+strconv.Itoa(p), axis)
		}
	}
	return img
}

// scale returns floor(v * span / total), exactly.
func scale(v, span, total int64) int64 {
	if total <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(v), big.NewInt(span))
	n.Quo(n, big.NewInt(total))
	return n.Int64()
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	for x := x0; x <= x1; x++ {
		img.SetRGBA(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	for y := y0; y <= y1; y++ {
		img.SetRGBA(x, y, c)
	}
}

// line draws with Bresenham's algorithm, two pixels thick.
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	err := dx + dy
	for {
		img.SetRGBA(x0, y0, c)
		img.SetRGBA(x0, y0+1, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func drawText(img *image.RGBA, x, y int, s string, c color.RGBA) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func textWidth(s string) int { return 7 * len(s) }

func unitLabel(u Unit) string {
	switch u {
	case UnitTokens:
		return "tokens"
	case UnitUSD:
		return "USD"
	case UnitPrice:
		return "USD per token"
	case UnitBps:
		return "%"
	case UnitOther:
		return "base units"
	}
	return "count"
}

// humanValue formats a metric value in human units, exactly, with at most
// three significant decimals and a k/M/B suffix.
func humanValue(v int64, u Unit, decimals uint8) string {
	var num, den *big.Int
	switch u {
	case UnitTokens:
		num, den = big.NewInt(v), pow10(decimals)
	case UnitUSD, UnitPrice:
		num, den = big.NewInt(v), big.NewInt(1_000_000)
	case UnitBps:
		num, den = big.NewInt(v), big.NewInt(100)
	default:
		num, den = big.NewInt(v), big.NewInt(1)
	}
	suffix := ""
	abs := new(big.Int).Abs(num)
	for _, s := range []struct {
		name string
		f    int64
	}{{"B", 1_000_000_000}, {"M", 1_000_000}, {"k", 1_000}} {
		if abs.Cmp(new(big.Int).Mul(den, big.NewInt(s.f))) >= 0 {
			den = new(big.Int).Mul(den, big.NewInt(s.f))
			suffix = s.name
			break
		}
	}
	// Three decimals, rounded toward zero.
	q := new(big.Int).Mul(num, big.NewInt(1000))
	q.Quo(q, den)
	out := formatMilli(q) + suffix
	if u == UnitBps {
		out += "%"
	}
	return out
}

func formatMilli(q *big.Int) string {
	neg := q.Sign() < 0
	a := new(big.Int).Abs(q)
	ip, fp := new(big.Int).QuoRem(a, big.NewInt(1000), new(big.Int))
	s := ip.String()
	if fp.Sign() != 0 {
		f := strconv.FormatInt(fp.Int64()+1000, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}
