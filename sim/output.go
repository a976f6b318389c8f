package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// Formats of the tidy tables.
const (
	FormatCSV     = "csv"
	FormatJSONL   = "jsonl"
	FormatParquet = "parquet"
)

// OutputOptions chooses what WriteDir writes.
type OutputOptions struct {
	// Formats of the per-run tables (runs.csv, runs.jsonl, runs.parquet).
	// Default all three.
	Formats []string
	// Reporter, if not nil, writes files derived from the tables (charts,
	// a report: package sim/report) into the output directory before it
	// is put in place. Default none: the tables only.
	Reporter Reporter
	// Overwrite replaces an existing output directory that is not empty.
	// Default false: WriteDir refuses it (ErrOutputExists) rather than
	// leave an earlier run's files beside the new ones.
	Overwrite bool
	// Command is the command line that asked for the outputs, recorded in
	// manifest.json (nothing else depends on it). Default none.
	Command []string
	// Runner computes the runs. Default Simulate, on this machine; a
	// distributed runner (package sim/distributed) gives the same bytes.
	Runner Runner
}

// A Reporter writes files derived from a finished simulation into dir
// (the output directory being written) and returns their names relative
// to dir. It runs after every table is written and never drives the
// simulation.
type Reporter interface {
	WriteReport(dir string, out *Output, points []*Point) ([]string, error)
}

// ErrOutputExists is returned by WriteDir for an output directory that
// exists and is not empty, unless OutputOptions.Overwrite is set.
var ErrOutputExists = errors.New("sim: the output directory exists and is not empty")

// Output is what WriteDir wrote.
type Output struct {
	Dir     string
	Files   []string // relative to Dir, sorted
	Points  int
	Runs    int // per point
	Epochs  int
	Columns []MetricInfo
	Totals  Totals
	Summary *Summary
}

// WriteDir runs the points and writes every output into dir:
//
//	runs.csv, runs.jsonl, runs.parquet   one row per run per epoch: point,
//	                                     run, epoch, then every metric
//	summary.csv, summary.jsonl           per point, epoch and metric: runs
//	                                     counted, mean, p5, p50, p95, min, max
//	points.csv                           each sweep point's values
//	meta.json                            scenario, columns with units, totals
//	columns.json                         every table column in order, with
//	                                     its unit and meaning
//	manifest.json                        scenario hash, seed, version,
//	                                     command line
//
// and what out.Reporter adds (package sim/report: charts/<metric>.png and
// report.html).
//
// The outputs are written into a new directory beside dir (named
// .<dir>.partial-*) that replaces dir only once every file is complete: an
// interrupted or failed run leaves dir as it was and no partial file
// anywhere. A dir that exists and is not empty is refused
// (ErrOutputExists) unless out.Overwrite is set.
//
// Every file but manifest.json's command line is a function of the
// scenario and its seed alone: the same inputs write the same bytes on any
// machine, whatever the number of workers. Results are streamed: memory
// does not grow with the number of runs (the summary reads the runs back
// from a scratch file).
func WriteDir(ctx context.Context, dir string, points []*Point, opts *Options, out *OutputOptions) (*Output, error) {
	if len(points) == 0 {
		return nil, errors.New("sim: no points to run")
	}
	if opts == nil {
		opts = &Options{}
	}
	if out == nil {
		out = &OutputOptions{}
	}
	if err := checkOutputDir(dir, out.Overwrite); err != nil {
		return nil, err
	}
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("sim: output %q: name a directory to create or replace, not the current or a parent one", dir)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(parent, "."+base+".partial-")
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(stage)
		}
	}()
	if err := os.Chmod(stage, 0o755); err != nil {
		return nil, err
	}
	res, err := writeDir(ctx, stage, points, opts, out)
	if err != nil {
		return nil, err
	}
	if err := commitDir(stage, dir, out.Overwrite); err != nil {
		return nil, err
	}
	committed = true
	res.Dir = dir
	return res, nil
}

// checkOutputDir refuses a dir that exists and is not empty, unless
// overwrite, and a path that is not a directory.
func checkOutputDir(dir string, overwrite bool) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("sim: output %s is not a directory", dir)
	}
	if overwrite {
		return nil
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("%w: %s (%d entries); choose another or overwrite it", ErrOutputExists, dir, len(names))
	}
	return nil
}

// commitDir puts the finished stage in dir's place: dir, if it exists, is
// moved aside first and removed after.
func commitDir(stage, dir string, overwrite bool) error {
	if err := checkOutputDir(dir, overwrite); err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		old := stage + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
		if err := os.Rename(stage, dir); err != nil {
			os.Rename(old, dir)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(stage, dir)
}

// writeDir writes every output into dir, a new empty directory.
func writeDir(ctx context.Context, dir string, points []*Point, opts *Options, out *OutputOptions) (*Output, error) {
	formats := out.Formats
	if len(formats) == 0 {
		formats = []string{FormatCSV, FormatJSONL, FormatParquet}
	}
	for _, f := range formats {
		if f != FormatCSV && f != FormatJSONL && f != FormatParquet {
			return nil, fmt.Errorf("sim: unknown format %q; formats: csv, jsonl, parquet", f)
		}
	}
	first := points[0].Scenario
	cols := first.Columns()
	epochs, runs := first.Epochs, first.Runs
	if opts.Epochs > 0 {
		epochs = opts.Epochs
	}
	if opts.Runs > 0 {
		runs = opts.Runs
	}
	for _, pt := range points[1:] {
		sc := pt.Scenario
		if !slices.Equal(sc.c.columnNames(), first.c.columnNames()) {
			return nil, fmt.Errorf("sim: sweep point %d has other metrics than point 0; a sweep may change values, not the tables' columns", pt.Index)
		}
		if opts.Epochs <= 0 && sc.Epochs != epochs || opts.Runs <= 0 && sc.Runs != runs {
			return nil, fmt.Errorf("sim: sweep point %d has other epochs or runs than point 0; sweep them in separate scenarios", pt.Index)
		}
	}
	res := &Output{Dir: dir, Points: len(points), Runs: runs, Epochs: epochs, Columns: cols}
	w := &tableWriter{dir: dir, cols: cols, epochs: epochs}
	defer w.abort()
	for _, f := range formats {
		if err := w.open(f); err != nil {
			return nil, err
		}
	}
	spill, err := newSpill(dir, len(cols), epochs)
	if err != nil {
		return nil, err
	}
	defer spill.remove()
	runner := out.Runner
	if runner == nil {
		runner = Simulate
	}
	totals, err := runner(ctx, points, opts, func(r *RunResult) error {
		if len(r.Rows) != epochs {
			return fmt.Errorf("sim: point %d run %d has %d epochs, want %d", r.Point, r.Run, len(r.Rows), epochs)
		}
		if err := w.write(r); err != nil {
			return err
		}
		return spill.write(r)
	})
	if err != nil {
		return nil, err
	}
	res.Totals = *totals
	if err := w.close(); err != nil {
		return nil, err
	}
	res.Files = append(res.Files, w.files...)
	sum, err := summarize(spill, points, runs, epochs, cols)
	if err != nil {
		return nil, err
	}
	defer sum.close()
	res.Summary = sum
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"summary.csv", sum.writeCSV},
		{"summary.jsonl", sum.writeJSONL},
		{"points.csv", func(wr io.Writer) error { return writePoints(wr, points) }},
		{"meta.json", func(wr io.Writer) error { return writeMeta(wr, first, points, res) }},
		{"columns.json", func(wr io.Writer) error { return writeColumns(wr, cols) }},
		{"manifest.json", func(wr io.Writer) error { return writeManifest(wr, first, points, res, formats, out.Command) }},
	} {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, f.name)
	}
	if out.Reporter != nil {
		files, err := out.Reporter.WriteReport(dir, res, points)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, files...)
	}
	slices.Sort(res.Files)
	return res, nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := fn(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tableWriter writes the per-run tables in the chosen formats.
type tableWriter struct {
	dir    string
	cols   []MetricInfo
	epochs int
	files  []string

	csvF, jsonF, pqF *os.File
	csv, jsonl       *bufio.Writer
	pq               *parquet.Writer
	pqCols           []int // parquet column index of point, run, epoch, then each metric
	pqRows           []parquet.Row
	buf              []byte
}

func (w *tableWriter) open(format string) error {
	path := filepath.Join(w.dir, "runs."+format)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w.files = append(w.files, "runs."+format)
	switch format {
	case FormatCSV:
		w.csvF, w.csv = f, bufio.NewWriterSize(f, 1<<16)
		b := []byte("point,run,epoch")
		for _, c := range w.cols {
			b = append(b, ',')
			b = append(b, csvField(c.Name)...)
		}
		b = append(b, '\n')
		_, err = w.csv.Write(b)
		return err
	case FormatJSONL:
		w.jsonF, w.jsonl = f, bufio.NewWriterSize(f, 1<<16)
	case FormatParquet:
		w.pqF = f
		// Columns in the CSV's order; units and descriptions in the
		// file's key/value metadata.
		names := append([]string{"point", "run", "epoch"}, columnNamesOf(w.cols)...)
		nodes := []parquet.Node{parquet.Int(32), parquet.Int(32), parquet.Int(32)}
		for range w.cols {
			nodes = append(nodes, parquet.Optional(parquet.Int(64)))
		}
		schema := parquet.NewSchema("runs", newOrderedGroup(names, nodes))
		opts := append([]parquet.WriterOption{schema, parquet.CreatedBy("coopera-sim", "1", "0"),
			parquet.Compression(&zstd.Codec{Level: zstd.SpeedDefault}), parquet.MaxRowsPerRowGroup(1 << 16)},
			parquetMetadata(TableColumns(w.cols))...)
		w.pq = parquet.NewWriter(f, opts...)
		for _, n := range names {
			leaf, ok := schema.Lookup(n)
			if !ok {
				return fmt.Errorf("sim: parquet schema lacks column %q", n)
			}
			w.pqCols = append(w.pqCols, leaf.ColumnIndex)
		}
	}
	return nil
}

func columnNamesOf(cols []MetricInfo) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func (w *tableWriter) write(r *RunResult) error {
	for e, row := range r.Rows {
		if w.csv != nil {
			b := w.buf[:0]
			b = strconv.AppendInt(b, int64(r.Point), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(r.Run), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(e), 10)
			for _, v := range row {
				b = append(b, ',')
				if v != Missing {
					b = strconv.AppendInt(b, v, 10)
				}
			}
			b = append(b, '\n')
			w.buf = b
			if _, err := w.csv.Write(b); err != nil {
				return err
			}
		}
		if w.jsonl != nil {
			b := w.buf[:0]
			b = append(b, `{"point":`...)
			b = strconv.AppendInt(b, int64(r.Point), 10)
			b = append(b, `,"run":`...)
			b = strconv.AppendInt(b, int64(r.Run), 10)
			b = append(b, `,"epoch":`...)
			b = strconv.AppendInt(b, int64(e), 10)
			for i, v := range row {
				b = append(b, ',')
				b = strconv.AppendQuote(b, w.cols[i].Name)
				b = append(b, ':')
				if v == Missing {
					b = append(b, "null"...)
				} else {
					b = strconv.AppendInt(b, v, 10)
				}
			}
			b = append(b, "}\n"...)
			w.buf = b
			if _, err := w.jsonl.Write(b); err != nil {
				return err
			}
		}
		if w.pq != nil {
			row2 := make(parquet.Row, 3+len(row))
			row2[0] = parquet.Int32Value(int32(r.Point)).Level(0, 0, w.pqCols[0])
			row2[1] = parquet.Int32Value(int32(r.Run)).Level(0, 0, w.pqCols[1])
			row2[2] = parquet.Int32Value(int32(e)).Level(0, 0, w.pqCols[2])
			for i, v := range row {
				if v == Missing {
					row2[3+i] = parquet.NullValue().Level(0, 0, w.pqCols[3+i])
				} else {
					row2[3+i] = parquet.Int64Value(v).Level(0, 1, w.pqCols[3+i])
				}
			}
			// Values must be in column order.
			slices.SortFunc(row2, func(a, b parquet.Value) int { return a.Column() - b.Column() })
			w.pqRows = append(w.pqRows, row2)
		}
	}
	if w.pq != nil && len(w.pqRows) > 0 {
		if _, err := w.pq.WriteRows(w.pqRows); err != nil {
			return err
		}
		w.pqRows = w.pqRows[:0]
	}
	return nil
}

func (w *tableWriter) close() error {
	var errs []error
	if w.csv != nil {
		errs = append(errs, w.csv.Flush(), w.csvF.Close())
		w.csv = nil
	}
	if w.jsonl != nil {
		errs = append(errs, w.jsonl.Flush(), w.jsonF.Close())
		w.jsonl = nil
	}
	if w.pq != nil {
		errs = append(errs, w.pq.Close(), w.pqF.Close())
		w.pq = nil
	}
	return errors.Join(errs...)
}

// abort closes what is open after a failure.
func (w *tableWriter) abort() {
	for _, f := range []*os.File{w.csvF, w.jsonF, w.pqF} {
		if f != nil {
			f.Close()
		}
	}
}

func writePoints(w io.Writer, points []*Point) error {
	var paths []string
	for _, pt := range points {
		for _, v := range pt.Values {
			if !slices.Contains(paths, v.Path) {
				paths = append(paths, v.Path)
			}
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("point")
	for _, p := range paths {
		bw.WriteString("," + csvField(p))
	}
	bw.WriteString("\n")
	for _, pt := range points {
		bw.WriteString(strconv.Itoa(pt.Index))
		for _, p := range paths {
			bw.WriteString(",")
			for _, v := range pt.Values {
				if v.Path == p {
					bw.WriteString(csvField(v.Value))
				}
			}
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

type metaColumn struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Doc  string `json:"doc,omitempty"`
}

func writeMeta(w io.Writer, sc *Scenario, points []*Point, out *Output) error {
	cols := []metaColumn{{"point", "count", "sweep point"}, {"run", "count", "run within the point"}, {"epoch", "count", "epoch, from 0"}}
	for _, c := range out.Columns {
		cols = append(cols, metaColumn{c.Name, c.Unit.String(), c.Doc})
	}
	type metaPoint struct {
		Index  int          `json:"index"`
		Values []PointValue `json:"values"`
	}
	pts := make([]metaPoint, len(points))
	for i, p := range points {
		pts[i] = metaPoint{p.Index, p.Values}
		if pts[i].Values == nil {
			pts[i].Values = []PointValue{}
		}
	}
	m := map[string]any{
		"scenario":     sc.Name,
		"description":  sc.Description,
		"seed":         strconv.FormatUint(sc.Seed, 10),
		"runs":         out.Runs,
		"epochs":       out.Epochs,
		"epoch_length": sc.EpochLength.String(),
		"native":       string(sc.c.native),
		"decimals":     sc.c.decimals,
		"columns":      cols,
		"points":       pts,
		"totals": map[string]uint64{
			"runs": uint64(out.Totals.Runs), "blocks": out.Totals.Blocks, "commands": out.Totals.Commands,
			"rejected": out.Totals.Rejected, "agent_steps": out.Totals.AgentSteps,
		},
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
