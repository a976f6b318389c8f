package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

const outScenario = `name: out
seed: 4
epochs: 5
market: {inventory: 1000000}
populations:
  consumers: {count: 3, demand: {base: 5}}
  providers: {count: 2, sell: 0.5}
`

func outPoints(t *testing.T) []*Point {
	t.Helper()
	s, err := Parse([]byte(outScenario), "dir/out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// Parquet holds the CSV's columns in the CSV's order, with every column's
// unit and description in the file's metadata, as columns.json lists them.
func TestParquetColumnsInTableOrder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "o")
	out, err := WriteDir(context.Background(), dir, outPoints(t), nil, &OutputOptions{Command: []string{"coopera", "sim", "run"}})
	if err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Split(strings.SplitN(string(csv), "\n", 2)[0], ",")
	f, err := os.Open(filepath.Join(dir, "runs.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fl := range pf.Schema().Fields() {
		names = append(names, fl.Name())
	}
	if !slices.Equal(names, header) {
		t.Fatalf("parquet columns %v\nwant the CSV's %v", names, header)
	}
	// The rows read back by position match the CSV.
	rows := make([]parquet.Row, pf.NumRows())
	n, _ := parquet.NewReader(f).ReadRows(rows)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	for i, v := range rows[n-1] {
		got := ""
		if !v.IsNull() {
			got = itoa64(v.Int64())
		}
		if want := strings.Split(lines[len(lines)-1], ",")[i]; got != want {
			t.Errorf("column %d (%s): parquet %q, csv %q", i, header[i], got, want)
		}
	}
	var cols []ColumnInfo
	js, _ := os.ReadFile(filepath.Join(dir, "columns.json"))
	if err := json.Unmarshal(js, &cols); err != nil {
		t.Fatal(err)
	}
	meta, ok := pf.Lookup("coopera.columns")
	if !ok {
		t.Fatal("parquet metadata lacks coopera.columns")
	}
	var pcols []ColumnInfo
	if err := json.Unmarshal([]byte(meta), &pcols); err != nil || !slices.Equal(cols, pcols) {
		t.Fatalf("parquet coopera.columns %v differs from columns.json %v (%v)", pcols, cols, err)
	}
	for i, c := range cols {
		if c.Name != header[i] || c.Unit == "" || c.Description == "" {
			t.Errorf("columns.json[%d] = %+v, header %s", i, c, header[i])
		}
		if u, _ := pf.Lookup(c.Name + ".unit"); u != c.Unit {
			t.Errorf("parquet %s.unit = %q, want %q", c.Name, u, c.Unit)
		}
	}
	if u, _ := pf.Lookup("supply.unit"); u != "base units" {
		t.Errorf("supply.unit = %q", u)
	}
	var m Manifest
	js, _ = os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(outScenario))
	if m.ScenarioHash != hex.EncodeToString(sum[:]) || m.Seed != "4" || m.File != "out.yaml" || m.Runs != 1 || m.Epochs != 5 ||
		!slices.Equal(m.Command, []string{"coopera", "sim", "run"}) || m.Version == "" || m.GoVersion == "" {
		t.Errorf("manifest %+v", m)
	}
	for _, name := range []string{"columns.json", "manifest.json"} {
		if !slices.Contains(out.Files, name) {
			t.Errorf("Output.Files lacks %s", name)
		}
	}
}

// An output directory that is not empty is refused unless Overwrite, which
// replaces it whole: no earlier file stays beside the new ones.
func TestOutputDirRefusedUnlessOverwrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "o")
	oo := &OutputOptions{Formats: []string{FormatCSV}}
	if _, err := WriteDir(context.Background(), dir, outPoints(t), nil, oo); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "runs.parquet.old-run")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteDir(context.Background(), dir, outPoints(t), nil, oo); !errors.Is(err, ErrOutputExists) {
		t.Fatalf("got %v, want ErrOutputExists", err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatal("the refused write touched the directory")
	}
	oo.Overwrite = true
	if _, err := WriteDir(context.Background(), dir, outPoints(t), nil, oo); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an earlier file survived -overwrite")
	}
	if _, err := os.Stat(filepath.Join(dir, "runs.csv")); err != nil {
		t.Fatal(err)
	}
	assertNoPartial(t, filepath.Dir(dir))
}

// An interrupted write leaves no file: neither in the output directory
// (not created) nor beside it.
func TestInterruptedWriteLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "o")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := WriteDir(ctx, dir, outPoints(t), nil, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an interrupted write created the output directory")
	}
	assertNoPartial(t, parent)
}

func assertNoPartial(t *testing.T, parent string) {
	t.Helper()
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("%s left beside the output", e.Name())
		}
	}
}

// The current directory, a parent or the root cannot be an output
// directory (it cannot be renamed into place).
func TestOutputDirMustBeNamed(t *testing.T) {
	for _, dir := range []string{".", "..", "/", "a/.."} {
		if _, err := WriteDir(context.Background(), dir, outPoints(t), nil, &OutputOptions{Overwrite: true}); err == nil || !strings.Contains(err.Error(), "name a directory") {
			t.Errorf("%q: got %v", dir, err)
		}
	}
}
