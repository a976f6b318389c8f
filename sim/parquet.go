package sim

import (
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// orderedGroup is a Parquet group whose fields keep the order given, the
// tables' column order (parquet.Group, a map, sorts them by name).
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

type orderedField struct {
	parquet.Node
	name string
}

func (f *orderedField) Name() string { return f.name }

// Value returns the field of a map or struct row (the simulator writes
// parquet.Row values and never calls it).
func (f *orderedField) Value(base reflect.Value) reflect.Value {
	for base.Kind() == reflect.Interface || base.Kind() == reflect.Pointer {
		if base.IsNil() {
			return reflect.Value{}
		}
		base = base.Elem()
	}
	switch base.Kind() {
	case reflect.Map:
		return base.MapIndex(reflect.ValueOf(f.name))
	case reflect.Struct:
		return base.FieldByName(exportedName(f.name))
	}
	return reflect.Value{}
}

func newOrderedGroup(names []string, nodes []parquet.Node) *orderedGroup {
	g := &orderedGroup{Group: parquet.Group{}}
	for i, n := range names {
		g.Group[n] = nodes[i]
		g.fields = append(g.fields, &orderedField{Node: nodes[i], name: n})
	}
	return g
}

func (g *orderedGroup) Fields() []parquet.Field { return g.fields }

func (g *orderedGroup) GoType() reflect.Type {
	sf := make([]reflect.StructField, len(g.fields))
	for i, f := range g.fields {
		sf[i] = reflect.StructField{Name: exportedName(f.Name()), Type: f.GoType(), Tag: reflect.StructTag(`parquet:` + strconv.Quote(f.Name()))}
	}
	return reflect.StructOf(sf)
}

// exportedName makes a Go field name of a column's name (its index keeps
// names such as "a.b" and "a_b" apart).
func exportedName(name string) string {
	b := []byte("F")
	for _, r := range name {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b = append(b, byte(r))
		} else {
			b = append(b, '_')
		}
	}
	return string(b)
}

// parquetMetadata returns the file's key/value metadata: every column's
// unit and description (keys "NAME.unit", "NAME.description"), and the
// whole list as JSON under "coopera.columns", as columns.json.
func parquetMetadata(cols []ColumnInfo) []parquet.WriterOption {
	js, _ := json.Marshal(cols)
	opts := []parquet.WriterOption{parquet.KeyValueMetadata("coopera.columns", string(js))}
	for _, c := range cols {
		opts = append(opts, parquet.KeyValueMetadata(c.Name+".unit", c.Unit), parquet.KeyValueMetadata(c.Name+".description", c.Description))
	}
	return opts
}
