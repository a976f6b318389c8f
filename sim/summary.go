package sim

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// spill keeps every run's table on disk, in run order, so that the summary
// can read each epoch's values across runs without holding every run in
// memory.
type spill struct {
	f      *os.File
	w      *bufio.Writer
	cols   int
	epochs int
	jobs   int
	buf    []byte
}

func newSpill(dir string, cols, epochs int) (*spill, error) {
	f, err := os.CreateTemp(dir, ".sim-spill-*")
	if err != nil {
		return nil, err
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<16), cols: cols, epochs: epochs}, nil
}

func (s *spill) write(r *RunResult) error {
	for _, row := range r.Rows {
		s.buf = s.buf[:0]
		for _, v := range row {
			s.buf = binary.LittleEndian.AppendUint64(s.buf, uint64(v))
		}
		if _, err := s.w.Write(s.buf); err != nil {
			return err
		}
	}
	s.jobs++
	return nil
}

func (s *spill) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// read fills dst with epochs [e0, e0+n) of job j, row-major.
func (s *spill) read(j, e0, n int, dst []int64) error {
	rowBytes := s.cols * 8
	off := (int64(j)*int64(s.epochs) + int64(e0)) * int64(rowBytes)
	b := make([]byte, n*rowBytes)
	if _, err := s.f.ReadAt(b, off); err != nil {
		return fmt.Errorf("sim: reading back run tables: %w", err)
	}
	for i := range dst[:n*s.cols] {
		dst[i] = int64(binary.LittleEndian.Uint64(b[i*8:]))
	}
	return nil
}

// Stat summarises one metric in one epoch across a point's runs.
type Stat struct {
	N            int    // runs with a value
	Mean         string // exact mean, rounded to 6 decimals; "" when N is 0
	P5, P50, P95 int64  // nearest-rank quantiles
	Min, Max     int64
	hasQuantiles bool
}

// Summary is the summary across runs. It keeps, for the charts and the
// report, the quantiles of the first ChartedPoints points; the summary
// files have every point.
type Summary struct {
	Points  int
	Epochs  int
	Columns []MetricInfo
	// charted[p][c][e] for the first ChartedPoints points.
	charted [][][]Stat
	csv     *bufio.Writer
	jsonl   *bufio.Writer
	tmpCSV  *os.File
	tmpJSON *os.File
}

// ChartedPoints is how many sweep points Summary.Stat keeps (and the
// charts and report show); the summary files have every point.
const ChartedPoints = 12

// Stat returns the summary of a metric in an epoch at one of the first
// ChartedPoints points.
func (s *Summary) Stat(point, column, epoch int) (Stat, bool) {
	if point >= len(s.charted) || column >= len(s.Columns) || epoch >= s.Epochs {
		return Stat{}, false
	}
	return s.charted[point][column][epoch], true
}

// summarize computes the quantiles of every metric in every epoch across
// each point's runs, writing them to scratch files that writeCSV and
// writeJSONL copy out.
func summarize(sp *spill, points []*Point, runs, epochs int, cols []MetricInfo) (*Summary, error) {
	if err := sp.w.Flush(); err != nil {
		return nil, err
	}
	s := &Summary{Points: len(points), Epochs: epochs, Columns: cols}
	dir := filepath.Dir(sp.f.Name())
	var err error
	if s.tmpCSV, err = os.CreateTemp(dir, ".sim-summary-*"); err != nil {
		return nil, err
	}
	if s.tmpJSON, err = os.CreateTemp(dir, ".sim-summary-*"); err != nil {
		return nil, err
	}
	s.csv, s.jsonl = bufio.NewWriterSize(s.tmpCSV, 1<<16), bufio.NewWriterSize(s.tmpJSON, 1<<16)
	s.csv.WriteString("point,epoch,metric,runs,mean,p5,p50,p95,min,max\n")
	nc := len(cols)
	// Read as many epochs at a time as fit in about 32 MiB.
	chunk := max(1, (32<<20)/(8*nc*max(1, runs)))
	chunk = min(chunk, epochs)
	bufs := make([][]int64, runs)
	for i := range bufs {
		bufs[i] = make([]int64, chunk*nc)
	}
	vals := make([]int64, 0, runs)
	for pi, pt := range points {
		var charted [][]Stat
		if pi < ChartedPoints {
			charted = make([][]Stat, nc)
			for c := range charted {
				charted[c] = make([]Stat, epochs)
			}
			s.charted = append(s.charted, charted)
		}
		for e0 := 0; e0 < epochs; e0 += chunk {
			n := min(chunk, epochs-e0)
			for r := range runs {
				if err := sp.read(pi*runs+r, e0, n, bufs[r]); err != nil {
					return nil, err
				}
			}
			for e := range n {
				for c := range nc {
					vals = vals[:0]
					for r := range runs {
						if v := bufs[r][e*nc+c]; v != Missing {
							vals = append(vals, v)
						}
					}
					st := statOf(vals)
					if charted != nil {
						charted[c][e0+e] = st
					}
					s.writeStat(pt.Index, e0+e, cols[c].Name, &st)
				}
			}
		}
	}
	if err := s.csv.Flush(); err != nil {
		return nil, err
	}
	if err := s.jsonl.Flush(); err != nil {
		return nil, err
	}
	return s, nil
}

// statOf summarises values (it sorts them).
func statOf(vals []int64) Stat {
	n := len(vals)
	if n == 0 {
		return Stat{}
	}
	slices.Sort(vals)
	rank := func(bps int) int64 {
		// Nearest rank: the ceil(q n)-th smallest.
		i := (bps*n + 9999) / 10000
		return vals[max(i, 1)-1]
	}
	sum := new(big.Int)
	for _, v := range vals {
		sum.Add(sum, big.NewInt(v))
	}
	// Mean to 6 decimals, rounded half away from zero.
	scaled := new(big.Int).Mul(sum, big.NewInt(2_000_000))
	den := big.NewInt(int64(2 * n))
	if scaled.Sign() >= 0 {
		scaled.Add(scaled, big.NewInt(int64(n)))
	} else {
		scaled.Sub(scaled, big.NewInt(int64(n)))
	}
	q := new(big.Int).Quo(scaled, den) // mean x 10^6, rounded
	return Stat{N: n, Mean: formatMicro(q), P5: rank(500), P50: rank(5000), P95: rank(9500),
		Min: vals[0], Max: vals[n-1], hasQuantiles: true}
}

// formatMicro formats q / 10^6 without trailing zeros.
func formatMicro(q *big.Int) string {
	neg := q.Sign() < 0
	a := new(big.Int).Abs(q)
	ip, fp := new(big.Int).QuoRem(a, big.NewInt(1_000_000), new(big.Int))
	s := ip.String()
	if fp.Sign() != 0 {
		f := fmt.Sprintf("%06d", fp.Int64())
		for f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	if neg {
		s = "-" + s
	}
	return s
}

func (s *Summary) writeStat(point, epoch int, metric string, st *Stat) {
	b := make([]byte, 0, 128)
	b = strconv.AppendInt(b, int64(point), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(epoch), 10)
	b = append(b, ',')
	b = append(b, csvField(metric)...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(st.N), 10)
	if st.N == 0 {
		b = append(b, ",,,,,,\n"...)
	} else {
		b = append(b, ',')
		b = append(b, st.Mean...)
		for _, v := range []int64{st.P5, st.P50, st.P95, st.Min, st.Max} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, '\n')
	}
	s.csv.Write(b)

	b = b[:0]
	b = append(b, `{"point":`...)
	b = strconv.AppendInt(b, int64(point), 10)
	b = append(b, `,"epoch":`...)
	b = strconv.AppendInt(b, int64(epoch), 10)
	b = append(b, `,"metric":`...)
	b = strconv.AppendQuote(b, metric)
	b = append(b, `,"runs":`...)
	b = strconv.AppendInt(b, int64(st.N), 10)
	if st.N == 0 {
		b = append(b, `,"mean":null,"p5":null,"p50":null,"p95":null,"min":null,"max":null}`...)
	} else {
		b = append(b, `,"mean":`...)
		b = append(b, st.Mean...)
		for i, v := range []int64{st.P5, st.P50, st.P95, st.Min, st.Max} {
			b = append(b, `,"`...)
			b = append(b, []string{"p5", "p50", "p95", "min", "max"}[i]...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, '}')
	}
	b = append(b, '\n')
	s.jsonl.Write(b)
}

func (s *Summary) copyOut(f *os.File, w io.Writer) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, f)
	return err
}

func (s *Summary) writeCSV(w io.Writer) error   { return s.copyOut(s.tmpCSV, w) }
func (s *Summary) writeJSONL(w io.Writer) error { return s.copyOut(s.tmpJSON, w) }

// close removes the scratch files.
func (s *Summary) close() {
	for _, f := range []*os.File{s.tmpCSV, s.tmpJSON} {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
}
