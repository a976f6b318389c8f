package sim

import (
	"path/filepath"
	"testing"
)

// Every example scenario runs (its first point, a few epochs) with
// conservation checked every block and the whole state every epoch.
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) < 7 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			pts, err := s.Points()
			if err != nil {
				t.Fatal(err)
			}
			res, err := pts[0].Scenario.RunOne(0, &Options{Epochs: 3, CheckInvariants: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != 3 || res.Stats.Commands == 0 {
				t.Fatalf("%d rows, %d commands", len(res.Rows), res.Stats.Commands)
			}
		})
	}
}
