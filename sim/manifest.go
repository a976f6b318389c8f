package sim

import (
	"encoding/json"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
)

// ColumnInfo describes one column of the per-run tables, as columns.json
// and the Parquet file's metadata list them: in table order, point, run
// and epoch first.
type ColumnInfo struct {
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	Description string `json:"description"`
}

// TableColumns returns every column of the per-run tables for metrics
// cols, in table order.
func TableColumns(cols []MetricInfo) []ColumnInfo {
	out := []ColumnInfo{
		{"point", "count", "sweep point, from 0"},
		{"run", "count", "run within the point, from 0"},
		{"epoch", "count", "epoch, from 0"},
	}
	for _, c := range cols {
		out = append(out, ColumnInfo{c.Name, c.Unit.String(), c.Doc})
	}
	return out
}

func writeColumns(w io.Writer, cols []MetricInfo) error {
	b, err := json.MarshalIndent(TableColumns(cols), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Manifest is manifest.json: what made an output directory.
type Manifest struct {
	Scenario     string   `json:"scenario"`        // the scenario's name
	File         string   `json:"file"`            // the scenario file's base name
	ScenarioHash string   `json:"scenario_sha256"` // SHA-256 of the scenario file
	Seed         string   `json:"seed"`            // the scenario's seed (a decimal uint64)
	Points       int      `json:"points"`
	Runs         int      `json:"runs"`   // per point
	Epochs       int      `json:"epochs"` // per run
	Formats      []string `json:"formats"`
	Module       string   `json:"module"`     // the simulator's Go module
	Version      string   `json:"version"`    // its version, "(devel)" for a local build
	GoVersion    string   `json:"go_version"` // the toolchain that built it
	Command      []string `json:"command,omitempty"`
}

func buildVersion() (module, version string) {
	module, version = "github.com/coopera/coopera", "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == module {
				return module, dep.Version
			}
		}
		if bi.Main.Path == module {
			version = bi.Main.Version
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					version += " " + s.Value
				}
			}
		}
	}
	return module, version
}

func writeManifest(w io.Writer, sc *Scenario, points []*Point, out *Output, formats, command []string) error {
	module, version := buildVersion()
	m := Manifest{
		Scenario: sc.Name, File: filepath.Base(sc.File()), ScenarioHash: sc.Hash(), Seed: strconv.FormatUint(sc.Seed, 10),
		Points: len(points), Runs: out.Runs, Epochs: out.Epochs, Formats: formats,
		Module: module, Version: version, GoVersion: runtime.Version(), Command: command,
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
