package policy

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"pgregory.net/rapid"
)

// genJSON draws a JSON document as Go values: strings with characters JSON
// escapes, numbers, booleans, null, arrays and objects, nested.
func genJSON(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		kinds := 5
		if depth > 0 {
			kinds = 7
		}
		switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
		case 0:
			return rapid.String().Draw(t, "s")
		case 1:
			return json.Number(rapid.StringMatching(`-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,5})?`).Draw(t, "n"))
		case 2:
			return rapid.Bool().Draw(t, "b")
		case 3:
			return nil
		case 4:
			return rapid.SampledFrom([]string{`"`, `\`, "<>&", "\u2028", "\x00\x1f", "é"}).Draw(t, "esc")
		case 5:
			return rapid.SliceOfN(genJSON(depth-1), 0, 4).Draw(t, "a")
		default:
			return rapid.MapOfN(rapid.String(), genJSON(depth-1), 0, 4).Draw(t, "o")
		}
	})
}

// TestValueSizeNeverUndercounts: the result size bound never lets through
// a result larger than the limit: the counted size is at least the JSON
// encoding's, for ast values and Go values alike, and a count within a
// budget means an encoding within it.
func TestValueSizeNeverUndercounts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := genJSON(3).Draw(t, "doc")
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		av, err := ast.InterfaceToValue(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []any{av, v} {
			if n := valueSize(x, math.MaxInt); n < len(b) {
				t.Fatalf("counted %d for %s (%d bytes)", n, b, len(b))
			}
			budget := rapid.IntRange(0, 2*len(b)).Draw(t, "budget")
			if n := valueSize(x, budget); n <= budget && len(b) > budget {
				t.Fatalf("counted %d within a budget of %d for %d bytes", n, budget, len(b))
			}
		}
	})
}
