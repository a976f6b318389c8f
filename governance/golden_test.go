package governance_test

import (
	"path/filepath"
	"testing"
)

// TestGolden runs the datadriven files in testdata/ through the state
// machine with the governance module, the test stake module and the test
// policies (testdata/policies, upgraded to testdata/policies_v2). Rewrite
// the expected output with: go test ./governance -run TestGolden -rewrite
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { govRun(t, f) })
	}
}
