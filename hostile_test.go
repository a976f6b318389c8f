package coopera_test

// The hostile-command catalogue: structural attacks on the decoder of every
// command type the standard economy registers, submitted to an engine with
// the policy admitter, each refused with its typed error and leaving the
// state root as it was. The expected error codes are in
// testdata/hostile_commands.txt; regenerate it with
//
//	go test -run TestHostileCommandCatalogue -rewrite .
//
// and review the diff.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
)

// rewriting reports whether -rewrite was given (the flag is datadriven's,
// which the golden tests' harness links in).
func rewriting() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

// hostileCase is one hostile command.
type hostileCase struct {
	name string
	json string
}

// hostileCommands builds the catalogue from the economy's registry: for
// each command type, attacks on the envelope and on the payload's shape,
// and a wrong-typed value in each of the payload's fields.
func hostileCommands(t *testing.T) []hostileCase {
	t.Helper()
	m, err := ledger.NewMachine(economy.Modules()...)
	if err != nil {
		t.Fatal(err)
	}
	reg := m.Registry()
	var out []hostileCase
	add := func(typ, what, js string) { out = append(out, hostileCase{typ + "/" + what, js}) }
	env := func(typ, actor, payload string) string {
		return `{"type":` + quote(typ) + `,"actor":` + quote(actor) + `,"payload":` + payload + `}`
	}
	for _, typ := range reg.CommandTypes() {
		p, _ := reg.NewPayload(typ)
		zero, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		fields := payloadFields(t, zero)
		first := "zz"
		if len(fields) > 0 {
			first = fields[0].key
		}
		obj := func(extra string) string { // the zero payload with a field added in front
			if len(fields) == 0 {
				return "{" + extra + "}"
			}
			return "{" + extra + "," + string(zero[1:])
		}
		if _, valid := zeroIsValid[typ]; !valid {
			add(typ, "zero payload", env(typ, "bob", string(zero)))
		}
		add(typ, "unknown field", env(typ, "bob", obj(`"zz_unknown":1`)))
		if len(fields) > 0 {
			add(typ, "duplicate field", env(typ, "bob", obj(quote(first)+":"+string(fields[0].val))))
			add(typ, "field in the wrong case", env(typ, "bob", obj(quote(strings.ToUpper(first))+":"+string(fields[0].val))))
		} else {
			add(typ, "duplicate actor", `{"type":`+quote(typ)+`,"actor":"mallory","actor":"bob","payload":{}}`)
			add(typ, "actor in the wrong case", `{"type":`+quote(typ)+`,"ACTOR":"bob","payload":{}}`)
		}
		add(typ, "trailing brace", env(typ, "bob", string(zero))+"}")
		add(typ, "trailing data", env(typ, "bob", string(zero))+` {"type":"transfer"}`)
		add(typ, "payload is an array", env(typ, "bob", "[]"))
		add(typ, "payload is a string", env(typ, "bob", `"{}"`))
		add(typ, "deep nesting", env(typ, "bob", obj(quote(first)+":"+strings.Repeat("[", 10000)+strings.Repeat("]", 10000))))
		add(typ, "actor not an id", env(typ, "Bob!", string(zero)))
		add(typ, "actor too long", env(typ, strings.Repeat("b", 300), string(zero)))
		for _, f := range fields {
			wrong := `{"x":[1]}`
			if len(f.val) > 0 && (f.val[0] == '{' || f.val[0] == '[') {
				wrong = `"x"`
			}
			add(typ, f.key+" of the wrong type", env(typ, "bob", replaceField(t, zero, f.key, wrong)))
			for _, v := range hostileValues(f.val) {
				add(typ, f.key+" "+v.what, env(typ, "bob", replaceField(t, zero, f.key, v.json)))
			}
		}
	}
	return out
}

// hostileValues are bad values for a field whose zero value is zero:
// out-of-range numbers, malformed amounts and ids, a value larger than a
// command may be.
func hostileValues(zero json.RawMessage) []struct{ what, json string } {
	type v = struct{ what, json string }
	switch z := string(zero); {
	case z == `"0"`: // an amount
		return []v{{"negative", `"-1"`}, {"over-precise", `"1.0000000000000000000001"`}, {"overflowing", `"340282366920938463463374607431768211456"`}, {"exponent", `"1e6"`}, {"as a number", `1`}}
	case z == "0": // an integer
		return []v{{"negative", `-1`}, {"fractional", `1.5`}, {"past uint64", `18446744073709551616`}, {"past float64", `1e400`}, {"as a string", `"1"`}}
	case z == `""`: // an id or a text
		return []v{{"not an id", `"Bob!"`}, {"larger than a command", quote(strings.Repeat("x", 70<<10))}}
	case strings.HasPrefix(z, `"0x`): // an address
		return []v{{"not hex", `"0xZZ"`}, {"too short", `"0x00"`}}
	case strings.HasPrefix(z, `"00`): // a hash
		return []v{{"not hex", `"zz"`}, {"too short", `"00"`}}
	}
	return nil
}

// zeroIsValid names the command types whose zero payload is a valid
// command, and what it does.
var zeroIsValid = map[string]string{
	"gov_delegate": "delegating to nobody withdraws a delegation",
	"set_key":      "no key removes the account's key",
}

type payloadField struct {
	key string
	val json.RawMessage
}

// payloadFields lists a JSON object's fields in order.
func payloadFields(t *testing.T, obj []byte) []payloadField {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not an object", obj)
	}
	var out []payloadField
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, payloadField{k.(string), v})
	}
	return out
}

// replaceField returns obj with key's value replaced by val.
func replaceField(t *testing.T, obj []byte, key, val string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("{")
	for i, f := range payloadFields(t, obj) {
		if i > 0 {
			b.WriteString(",")
		}
		v := string(f.val)
		if f.key == key {
			v = val
		}
		b.WriteString(quote(f.key) + ":" + v)
	}
	b.WriteString("}")
	return b.String()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestHostileCommandCatalogue submits every hostile command to the
// standard economy with the policy admitter and checks that each is
// refused with the error code the golden file names (an *ledger.Error,
// never an untyped one), before sequencing or as a rejection recorded in a
// block, with the state root unchanged; then Verify passes.
func TestHostileCommandCatalogue(t *testing.T) {
	e := economyEngine(t, true)
	ctx := context.Background()
	cases := hostileCommands(t)
	golden := "testdata/hostile_commands.txt"
	rewrite := rewriting()
	want := map[string]string{}
	if !rewrite {
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (generate it with -rewrite)", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, code, ok := strings.Cut(line, "\t")
			if !ok {
				t.Fatalf("%s: bad line %q", golden, line)
			}
			want[name] = code
		}
		if len(want) != len(cases) {
			t.Errorf("%s lists %d cases, the catalogue has %d (regenerate it with -rewrite)", golden, len(want), len(cases))
		}
	}
	var got []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.Head()
			cmd, err := e.ParseCommand([]byte(tc.json))
			if err == nil {
				_, err = e.Submit(ctx, cmd)
			}
			if err == nil {
				t.Fatalf("accepted: %s", clipped(tc.json))
			}
			var le *ledger.Error
			if !errors.As(err, &le) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			after := e.Head()
			if after.StateRoot != before.StateRoot {
				t.Errorf("the state root changed: %s -> %s", before.StateRoot.Short(), after.StateRoot.Short())
			}
			if after.Height > before.Height+1 {
				t.Errorf("height %d -> %d", before.Height, after.Height)
			}
			how := "refused"
			if after.Height == before.Height+1 {
				how = "rejected in a block"
			}
			line := le.Code + " (" + how + ")"
			got = append(got, tc.name+"\t"+line)
			if !rewrite && want[tc.name] != line {
				t.Errorf("got %s, want %s: %v", line, want[tc.name], err)
			}
		})
	}
	mustVerify(t, e)
	if rewrite {
		slices.Sort(got)
		hdr := fmt.Sprintf("# Hostile commands: the error code each gets, and whether it was refused\n# before sequencing or rejected in a block (state root unchanged).\n# %d cases. Regenerate: go test -run TestHostileCommandCatalogue -rewrite .\n", len(got))
		if err := os.WriteFile(golden, []byte(hdr+strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d hostile commands, each refused with its typed error, state root unchanged", len(cases))
}

func clipped(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
