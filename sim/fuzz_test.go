package sim

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseScenario: any bytes given as a scenario file are parsed and
// compiled or refused with ErrInvalidScenario, never a panic or an
// unbounded expansion; an accepted scenario parses again to the same hash.
// `go test` runs the seeds (the example scenarios and testdata/fuzz); fuzz
// longer with
//
//	go test ./sim -run '^$' -fuzz FuzzParseScenario -fuzztime 10m
func FuzzParseScenario(f *testing.F) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no example scenarios to seed from: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(okScenario))
	f.Add([]byte("name: a\nepochs: 1\nx0: &a0 [x, x]\nx1: &a1 [*a0, *a0]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if !errors.Is(err, ErrInvalidScenario) {
				t.Fatalf("refused without ErrInvalidScenario: %v", err)
			}
			return
		}
		again, err := Parse(data, "fuzz.yaml")
		if err != nil || again.Hash() != s.Hash() {
			t.Fatalf("an accepted scenario parses differently the second time: %v", err)
		}
	})
}
