package sim

import (
	"path/filepath"
	"testing"
)

// Every example scenario runs (its first point, a few epochs) with
// conservation checked every block and the whole state every epoch, and
// every block decided again on a fresh step (Options.checkFresh).
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
			res, err := pts[0].Scenario.RunOne(0, &Options{Epochs: 3, CheckInvariants: true, checkFresh: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != 3 || res.Stats.Commands == 0 {
				t.Fatalf("%d rows, %d commands", len(res.Rows), res.Stats.Commands)
			}
		})
	}
}

// The run's block step keeps its state from block to block and trusts
// what it kept; a fresh step, keeping nothing, decides every block the
// same, for each of the benchmark's populations and the burn-and-mint
// economy, over enough epochs for stakes, claims, restakes and
// settlements to meet the values kept from earlier blocks.
func TestKeptStateDecidesAsFresh(t *testing.T) {
	texts := map[string]string{}
	for _, mix := range []string{"mixed", "stakers", "consumers"} {
		texts[mix] = benchScenario(mix, 60, 12)
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			s, err := Parse([]byte(text), name+".yaml")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.RunOne(0, &Options{checkFresh: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("bme", func(t *testing.T) {
		s, err := Load("testdata/bench/bme-1000.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RunOne(0, &Options{Epochs: 2, checkFresh: true}); err != nil {
			t.Fatal(err)
		}
	})
}
