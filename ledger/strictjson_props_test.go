package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// A document shaped like the ones read strictly (commands, genesis):
// nested structs, pointers, slices, maps, amounts, raw JSON.
type sjDoc struct {
	Name   string            `json:"name"`
	N      uint64            `json:"n"`
	I      int64             `json:"i,omitempty"`
	Flag   bool              `json:"flag"`
	Amount Amount            `json:"amount"`
	Tags   []string          `json:"tags"`
	Inner  *sjInner          `json:"inner,omitempty"`
	Items  []sjInner         `json:"items"`
	Extra  map[string]uint32 `json:"extra,omitempty"`
	Raw    json.RawMessage   `json:"raw,omitempty"`
}

type sjInner struct {
	A string `json:"a"`
	B Amount `json:"b"`
}

func genInner() *rapid.Generator[sjInner] {
	return rapid.Custom(func(t *rapid.T) sjInner {
		return sjInner{A: rapid.String().Draw(t, "a"), B: genAmount().Draw(t, "b")}
	})
}

func genDoc() *rapid.Generator[sjDoc] {
	return rapid.Custom(func(t *rapid.T) sjDoc {
		d := sjDoc{
			Name:   rapid.String().Draw(t, "name"),
			N:      rapid.Uint64().Draw(t, "n"),
			I:      rapid.Int64().Draw(t, "i"),
			Flag:   rapid.Bool().Draw(t, "flag"),
			Amount: genAmount().Draw(t, "amount"),
			Tags:   rapid.SliceOfN(rapid.String(), 0, 3).Draw(t, "tags"),
			Items:  rapid.SliceOfN(genInner(), 0, 3).Draw(t, "items"),
		}
		if rapid.Bool().Draw(t, "has inner") {
			in := genInner().Draw(t, "inner")
			d.Inner = &in
		}
		if rapid.Bool().Draw(t, "has extra") {
			d.Extra = rapid.MapOfN(rapid.StringMatching(`[a-z]{1,6}`), rapid.Uint32(), 1, 3).Draw(t, "extra")
		}
		if rapid.Bool().Draw(t, "has raw") {
			d.Raw = json.RawMessage(rapid.SampledFrom([]string{`{"x":[1,2]}`, `null`, `"s"`, `[{"a":{"b":3}}]`}).Draw(t, "raw"))
		}
		return d
	})
}

// drawEncoding encodes d compactly or indented.
func drawEncoding(t *rapid.T, d sjDoc) []byte {
	var b []byte
	var err error
	if rapid.Bool().Draw(t, "indent") {
		b, err = json.MarshalIndent(d, "", "  ")
	} else {
		b, err = json.Marshal(d)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStrictJSONAgreesOnValidInput: on a valid document strict decoding
// gives exactly what encoding/json gives: strictness refuses, it never
// changes a value.
func TestStrictJSONAgreesOnValidInput(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawEncoding(t, genDoc().Draw(t, "doc"))
		var strict, std sjDoc
		if err := strictJSON(b, &strict); err != nil {
			t.Fatalf("strict refuses a valid document: %v\n%s", err, b)
		}
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(strict, std) {
			t.Fatalf("strict %+v, encoding/json %+v", strict, std)
		}
	})
}

// TestStrictJSONRefusesAmbiguousKeys: a key repeated, or written in
// another case, anywhere in a valid document, is refused with ErrMalformed,
// where encoding/json would take one of the values silently.
func TestStrictJSONRefusesAmbiguousKeys(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDoc().Draw(t, "doc")
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		keys := []string{`"name":`, `"n":`, `"flag":`, `"amount":`, `"tags":`, `"items":`}
		if len(d.Items) > 0 {
			keys = append(keys, `"a":`, `"b":`)
		}
		key := rapid.SampledFrom(keys).Draw(t, "key")
		i := bytes.Index(b, []byte(key))
		var bad []byte
		if rapid.Bool().Draw(t, "case") {
			// The key in upper case.
			bad = append(append(append([]byte{}, b[:i]...), strings.ToUpper(key)...), b[i+len(key):]...)
		} else {
			// The key again, just before it, with a value of the same type.
			val := map[string]string{`"name":`: `"x"`, `"n":`: `1`, `"flag":`: `true`, `"amount":`: `"1"`, `"tags":`: `[]`, `"items":`: `[]`, `"a":`: `"x"`, `"b":`: `"1"`}[key]
			bad = append(append(append([]byte{}, b[:i]...), key+val+","...), b[i:]...)
		}
		var std sjDoc
		if err := json.Unmarshal(bad, &std); err != nil {
			t.Fatalf("encoding/json refuses it too, the property tests nothing: %v", err)
		}
		var strict sjDoc
		if err := strictJSON(bad, &strict); !errors.Is(err, ErrMalformed) {
			t.Fatalf("strict: %v, want ErrMalformed, for %s", err, bad)
		}
	})
}

// TestStrictJSONRefusesTrailingData: anything but white space after the
// value is refused.
func TestStrictJSONRefusesTrailingData(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawEncoding(t, genDoc().Draw(t, "doc"))
		tail := rapid.SampledFrom([]string{"}", "]", " 1", `{"name":"x"}`, ",", "null", "\n}"}).Draw(t, "tail")
		var strict sjDoc
		if err := strictJSON(append(b, tail...), &strict); !errors.Is(err, ErrMalformed) {
			t.Fatalf("strict: %v, want ErrMalformed, for %q after the document", err, tail)
		}
		if err := strictJSON(append(b, " \n\t"...), &strict); err != nil {
			t.Fatalf("trailing white space refused: %v", err)
		}
	})
}

// TestCodecPrimitivesRoundTrip: any sequence of the canonical codec's
// values decodes to what was encoded, and every truncation of it is an
// error, never a panic or a silent short read.
func TestCodecPrimitivesRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(t, "n")
		kinds := make([]int, n)
		vals := make([]any, n)
		e := NewEncoder(nil)
		for i := range n {
			kinds[i] = rapid.IntRange(0, 5).Draw(t, "kind")
			switch kinds[i] {
			case 0:
				v := rapid.Uint64().Draw(t, "u")
				e.Uint(v)
				vals[i] = v
			case 1:
				v := rapid.Int64().Draw(t, "i")
				e.Int(v)
				vals[i] = v
			case 2:
				v := rapid.Bool().Draw(t, "b")
				e.Bool(v)
				vals[i] = v
			case 3:
				v := rapid.String().Draw(t, "s")
				e.String(v)
				vals[i] = v
			case 4:
				v := rapid.SliceOfN(rapid.Byte(), 1, 40).Draw(t, "blob")
				e.Blob(v)
				vals[i] = v
			default:
				v := genAmount().Draw(t, "amount")
				e.Amount(v)
				vals[i] = v
			}
		}
		enc := e.Bytes()
		decode := func(b []byte) ([]any, error) {
			d := NewDecoder(b, "test")
			out := make([]any, n)
			for i, k := range kinds {
				switch k {
				case 0:
					out[i] = d.Uint()
				case 1:
					out[i] = d.Int()
				case 2:
					out[i] = d.Bool()
				case 3:
					out[i] = d.String()
				case 4:
					out[i] = d.Blob()
				default:
					out[i] = d.Amount()
				}
			}
			return out, d.Finish()
		}
		got, err := decode(enc)
		if err != nil || !reflect.DeepEqual(got, vals) {
			t.Fatalf("decoded %v (%v), want %v", got, err, vals)
		}
		cut := rapid.IntRange(0, len(enc)-1).Draw(t, "cut")
		if _, err := decode(enc[:cut]); err == nil {
			t.Fatalf("a truncation to %d of %d bytes decoded without an error", cut, len(enc))
		}
	})
}

// TestAmountUnitsRoundTrip: an amount formatted in whole units of an
// asset parses back to itself with the asset's decimals (Format never
// rounds), and base units are its value with zero decimals.
func TestAmountUnitsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genAmount().Draw(t, "a")
		dec := uint8(rapid.IntRange(0, 38).Draw(t, "decimals"))
		s := a.Format(dec)
		back, err := ParseUnits(s, dec)
		if err != nil || back != a {
			t.Fatalf("%s formats with %d decimals as %q, which parses to %s (%v)", a, dec, s, back, err)
		}
		if a.Format(0) != a.String() {
			t.Fatalf("Format(0) = %q, String() = %q", a.Format(0), a.String())
		}
	})
}
