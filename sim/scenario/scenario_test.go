package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const doc = `name: plain
epochs: 10
populations:
  whales:
    count: 3
    appetite: 5
`

// Parse checks what needs no chain: a behaviour's name and fields are
// package sim's to check, sizes are refused here, with their field, at once.
func TestParsePlainData(t *testing.T) {
	s, err := Parse([]byte(doc), "plain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "plain" || s.Runs != 1 || len(s.Populations) != 1 || s.Populations[0].Count != 3 || s.BlockSize != 32 {
		t.Fatalf("decoded %+v", s)
	}
	if p := s.Populations[0]; p.Path() != "populations.whales" || p.Line() != 4 || len(p.Config().Content) != 2 {
		t.Fatalf("population %s line %d config %v", p.Path(), p.Line(), p.Config())
	}
	if s.File() != "plain.yaml" || string(s.Source()) != doc || len(s.Hash()) != 64 {
		t.Fatal("source not kept")
	}
	start := time.Now()
	_, err = Parse([]byte(strings.Replace(doc, "count: 3", "count: 300000000", 1)), "big.yaml")
	var se *ScenarioError
	if !errors.As(err, &se) || !errors.Is(err, ErrInvalidScenario) || len(se.Problems) != 2 ||
		se.Problems[0].Path != "populations" || se.Problems[1].Path != "populations.whales.count" || se.Problems[1].Line != 5 {
		t.Fatalf("got %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("refusing took %v", took)
	}
}

func TestDec(t *testing.T) {
	d, err := ParseDec("0.05")
	if err != nil || d != One/20 || d.String() != "0.05" || d.Mul(100) != 5 {
		t.Fatalf("%v %v", d, err)
	}
	if _, err := ParseDec("0.0000000001"); err == nil {
		t.Fatal("10 decimal places accepted")
	}
}
