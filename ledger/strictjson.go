package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Strict JSON. encoding/json alone is lax in three ways that matter when a
// document moves money: a duplicate key silently wins ("actor": "bob",
// "actor": "alice" debits alice), keys match struct fields case-
// insensitively ("ACTOR"), and a stray closing bracket after the value is
// not noticed. strictJSON refuses all three, and unknown fields, before
// decoding; commands and genesis files are read with it.

// strictJSON decodes one JSON value with unknown, duplicate and
// case-mismatched keys and trailing data refused, mapping errors to
// ErrMalformed (or keeping a typed error from a field decoder).
func strictJSON(data []byte, v any) error { return strictJSONAt(data, v, "") }

// strictJSONAt is strictJSON for a document found at root in a larger
// one (errors name paths from there).
func strictJSONAt(data []byte, v any, root string) error {
	if err := checkStrict(data, reflect.TypeOf(v), root); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typed *Error
		if errors.As(err, &typed) {
			return err
		}
		var ae *AmountError
		if errors.As(err, &ae) {
			return err
		}
		return Errorf(ErrMalformed, "JSON: %v", err)
	}
	return nil
}

// maxJSONDepth bounds the nesting of a strict document.
const maxJSONDepth = 64

// checkStrict walks data's tokens along the Go type t it will decode into.
func checkStrict(data []byte, t reflect.Type, root string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if root != "" {
		root = "." + root
	}
	if err := walkStrict(dec, t, root, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(ErrMalformed, "JSON: trailing data after the value")
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walkStrict consumes one value. t is the type it decodes into, or nil
// when unknown (inside a json.RawMessage, an interface, or a type with its
// own UnmarshalJSON, which is then only checked for duplicate keys).
func walkStrict(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	if depth > maxJSONDepth {
		return Errorf(ErrMalformed, "JSON: nested deeper than %d at %s", maxJSONDepth, pathOr(path))
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType)) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return tokenErr(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkStrict(dec, elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		isStruct := t != nil && t.Kind() == reflect.Struct
		if isStruct {
			fields = jsonFields(t)
		} else if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		seen := map[string]string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return tokenErr(err)
			}
			k, _ := kt.(string)
			at := path + "." + k
			if prev, dup := seen[strings.ToLower(k)]; dup {
				if prev == k {
					return Errorf(ErrMalformed, "JSON: key %q appears twice at %s", k, pathOr(path))
				}
				return Errorf(ErrMalformed, "JSON: keys %q and %q at %s differ only in case", prev, k, pathOr(path))
			}
			seen[strings.ToLower(k)] = k
			next := elem
			if isStruct {
				ft, ok := fields[k]
				if !ok {
					for name := range fields { // order-free: at most one can match, and the error names k
						if strings.EqualFold(name, k) {
							return Errorf(ErrMalformed, "JSON: key %q at %s: the field is %q (keys are case-sensitive)", k, pathOr(path), name)
						}
					}
					return Errorf(ErrMalformed, "JSON: unknown field %q at %s", k, pathOr(path))
				}
				next = ft
			}
			if err := walkStrict(dec, next, at, depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return tokenErr(err)
	}
	return nil
}

// tokenErr reports a token error; the end of the input inside a value is
// an unexpected end.
func tokenErr(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return Errorf(ErrMalformed, "JSON: %v", err)
}

func pathOr(p string) string {
	if p == "" {
		return "the top level"
	}
	return strings.TrimPrefix(p, ".")
}

// jsonFields returns the JSON names of a struct's fields (embedded structs'
// promoted) and their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) { // order-free: copying a map
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}
