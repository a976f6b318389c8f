package bridge_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
)

func samples() ([]ledger.Event, []ledger.Payload) {
	a := ledger.NewAmount
	big, _ := ledger.ParseAmount("340282366920938463463374607431768211455") // 2^128 - 1
	vault, token, from := bridge.Address{19: 1}, bridge.Address{0: 0xaa, 19: 0xaa}, bridge.Address{19: 0xf1}
	events := []ledger.Event{
		&bridge.Deposited{ChainID: 1, Contract: vault, Nonce: 7, Token: token, Asset: "USDC", From: from, To: "alice", CreditedTo: "alice", Amount: big, L1Block: 99, Relayer: "relayer", Height: 5},
		&bridge.WithdrawalRecorded{Withdrawal: bridge.Withdrawal{Nonce: 3, ChainID: 1, Vault: vault, Account: "alice", Asset: "USDC", Token: token, Recipient: from, Amount: a(1), Height: 8}},
		&bridge.AnchorSealed{Index: 2, Height: 9, FirstNonce: 4, LastNonce: 3, Root: bridge.Hash32{0: 1, 31: 2}},
	}
	payloads := []ledger.Payload{
		&bridge.Deposit{ChainID: 1, Contract: vault, Nonce: 7, Token: token, From: from, To: "alice", Amount: a(5), L1Block: 99},
		&bridge.Withdraw{Asset: "USDC", Recipient: from, Amount: big},
		&bridge.Anchor{},
	}
	return events, payloads
}

type codec interface {
	Encode(*ledger.Encoder)
	Decode(*ledger.Decoder)
}

// TestCodecRoundTrip: every event and payload decodes to what was encoded
// (same canonical bytes, same JSON) and re-encodes to the same bytes;
// through the registry's envelopes too; a truncated encoding is an error.
func TestCodecRoundTrip(t *testing.T) {
	m, err := ledger.NewMachine(bridge.Module{})
	if err != nil {
		t.Fatal(err)
	}
	events, payloads := samples()
	check := func(name string, x, fresh codec) {
		e := ledger.NewEncoder(nil)
		x.Encode(e)
		d := ledger.NewDecoder(e.Bytes(), name)
		fresh.Decode(d)
		if err := d.Finish(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e2 := ledger.NewEncoder(nil)
		fresh.Encode(e2)
		if !bytes.Equal(e.Bytes(), e2.Bytes()) {
			t.Fatalf("%s: re-encoding differs", name)
		}
		j1, _ := json.Marshal(x)
		j2, _ := json.Marshal(fresh)
		if !bytes.Equal(j1, j2) {
			t.Fatalf("%s: JSON %s became %s", name, j1, j2)
		}
		if n := len(e.Bytes()); n > 0 {
			d := ledger.NewDecoder(e.Bytes()[:n-1], name)
			reflect.New(reflect.TypeOf(fresh).Elem()).Interface().(codec).Decode(d)
			if d.Finish() == nil {
				t.Fatalf("%s: truncated encoding decoded", name)
			}
		}
	}
	for _, ev := range events {
		check(ev.EventType(), ev, reflect.New(reflect.TypeOf(ev).Elem()).Interface().(codec))
		e := ledger.NewEncoder(nil)
		ledger.EncodeEvent(e, ev)
		back, err := m.Registry().DecodeEvent(e.Bytes())
		if err != nil || ledger.DescribeEvent(back) != ledger.DescribeEvent(ev) {
			t.Fatalf("%s through the registry: %v", ev.EventType(), err)
		}
	}
	for _, p := range payloads {
		check(p.Type(), p, reflect.New(reflect.TypeOf(p).Elem()).Interface().(codec))
		c := &ledger.Command{Actor: "relayer", Payload: p}
		back, err := m.Registry().DecodeCommand(ledger.EncodeCommand(c))
		if err != nil || back.String() != c.String() {
			t.Fatalf("%s through the registry: %v", p.Type(), err)
		}
		j, _ := json.Marshal(map[string]any{"type": p.Type(), "actor": "relayer", "payload": p})
		if _, err := m.Registry().ParseCommandJSON(j); err != nil {
			t.Fatalf("%s from its JSON %s: %v", p.Type(), j, err)
		}
	}
	if n := len(bridge.Module{}.Events()); n != len(events) {
		t.Fatalf("%d event types registered, %d sampled: sample every event", n, len(events))
	}
}

// TestCodecGolden pins the canonical encoding of every event and payload
// (testdata/codec.txt): a durable format changes only behind a version.
func TestCodecGolden(t *testing.T) {
	events, payloads := samples()
	datadriven.RunTest(t, "testdata/codec.txt", func(t *testing.T, td *datadriven.TestData) string {
		var sb strings.Builder
		for _, ev := range events {
			e := ledger.NewEncoder(nil)
			ledger.EncodeEvent(e, ev)
			fmt.Fprintf(&sb, "%s/v%d %s\n", ev.EventType(), ev.EventVersion(), hex.EncodeToString(e.Bytes()))
		}
		for _, p := range payloads {
			e := ledger.NewEncoder(nil)
			p.Encode(e)
			enc := hex.EncodeToString(e.Bytes())
			if enc == "" {
				enc = "(empty)"
			}
			fmt.Fprintf(&sb, "%s %s\n", p.Type(), enc)
		}
		return sb.String()
	})
}

// FuzzDecode feeds arbitrary bytes to every decoder: errors, never panics;
// what decodes re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	events, payloads := samples()
	var all []codec
	for _, e := range events {
		all = append(all, e)
	}
	for _, p := range payloads {
		all = append(all, p)
	}
	for _, c := range all {
		e := ledger.NewEncoder(nil)
		c.Encode(e)
		f.Add(e.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range all {
			fresh := reflect.New(reflect.TypeOf(c).Elem()).Interface().(codec)
			d := ledger.NewDecoder(b, "fuzz")
			fresh.Decode(d)
			if d.Finish() == nil {
				e := ledger.NewEncoder(nil)
				fresh.Encode(e)
				if !bytes.Equal(e.Bytes(), b) {
					t.Fatalf("%T: %x decodes but re-encodes as %x", c, b, e.Bytes())
				}
			}
		}
		bridge.Module{}.ParamsJSON(b)
	})
}
