package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

func machine(t testing.TB) *ledger.Machine {
	m, err := ledger.NewMachine(ledgertest.Faucet{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var genAccount = rapid.Custom(func(t *rapid.T) ledger.AccountID {
	return ledger.AccountID(rapid.StringMatching(`[a-z][a-z0-9._-]{0,12}`).Draw(t, "account"))
})

var genAsset = rapid.Custom(func(t *rapid.T) ledger.AssetID {
	return ledger.AssetID(rapid.StringMatching(`[A-Z][A-Z0-9]{0,5}`).Draw(t, "asset"))
})

var genAmount = rapid.Custom(func(t *rapid.T) ledger.Amount {
	a, _ := ledger.ParseAmount(rapid.StringMatching(`[1-9][0-9]{0,38}`).Filter(func(s string) bool {
		_, err := ledger.ParseAmount(s)
		return err == nil
	}).Draw(t, "amount"))
	return a
})

func genCommand(t *rapid.T) *ledger.Command {
	c := &ledger.Command{Actor: genAccount.Draw(t, "actor"), Nonce: rapid.Uint64().Draw(t, "nonce"), Key: rapid.StringN(0, 20, 40).Draw(t, "key")}
	switch rapid.IntRange(0, 3).Draw(t, "kind") {
	case 0:
		tr := &ledger.Transfer{Memo: rapid.String().Draw(t, "memo")}
		for range rapid.IntRange(1, 5).Draw(t, "legs") {
			tr.Legs = append(tr.Legs, ledger.Leg{To: genAccount.Draw(t, "to"), Asset: genAsset.Draw(t, "asset"), Amount: genAmount.Draw(t, "amt")})
		}
		c.Payload = tr
	case 1:
		c.Payload = &ledger.CreateAccount{Account: c.Actor, PublicKey: rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "pk")}
	case 2:
		c.Payload = &ledger.CloseEpoch{Epoch: rapid.Uint64().Draw(t, "epoch")}
	default:
		c.Payload = &ledgertest.FaucetMint{To: genAccount.Draw(t, "to"), Asset: genAsset.Draw(t, "asset"), Amount: genAmount.Draw(t, "amt")}
	}
	if rapid.Bool().Draw(t, "signed") {
		c.Signature = rapid.SliceOfN(rapid.Byte(), 64, 64).Draw(t, "sig")
	}
	return c
}

func genEvent(t *rapid.T) ledger.Event {
	switch rapid.IntRange(0, 4).Draw(t, "kind") {
	case 0:
		return &ledger.Transferred{From: genAccount.Draw(t, "from"), To: genAccount.Draw(t, "to"), Asset: genAsset.Draw(t, "asset"), Amount: genAmount.Draw(t, "amt")}
	case 1:
		return &ledger.Minted{To: genAccount.Draw(t, "to"), Asset: genAsset.Draw(t, "asset"), Amount: genAmount.Draw(t, "amt")}
	case 2:
		return &ledger.Burned{From: genAccount.Draw(t, "from"), Asset: genAsset.Draw(t, "asset"), Amount: genAmount.Draw(t, "amt")}
	case 3:
		return &ledger.EpochClosed{Epoch: rapid.Uint64().Draw(t, "epoch"), End: rapid.Int64().Draw(t, "end")}
	default:
		return &ledger.AccountCreated{Account: genAccount.Draw(t, "acct"), PublicKey: rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "pk")}
	}
}

// TestBlockRoundTrip: decode(encode(b)) re-encodes to the same bytes, for
// random blocks of random commands and events.
func TestBlockRoundTrip(t *testing.T) {
	reg := machine(t).Registry()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 6).Draw(t, "n")
		b := &ledger.Block{Header: ledger.Header{Height: rapid.Uint64Range(1, 1<<40).Draw(t, "h"), Time: rapid.Int64().Draw(t, "time")}}
		for range n {
			c := genCommand(t)
			var r ledger.Result
			if rapid.Bool().Draw(t, "rejected") {
				r = ledger.Result{Code: "insufficient_funds", Msg: rapid.String().Draw(t, "msg")}
			} else {
				r.Events = uint32(rapid.IntRange(0, 3).Draw(t, "events"))
				for range r.Events {
					b.Events = append(b.Events, genEvent(t))
				}
			}
			b.Commands = append(b.Commands, c)
			b.Results = append(b.Results, r)
		}
		raw := b.Seal()
		d, err := reg.DecodeBlock(raw)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		again := &ledger.Block{Header: d.Header, Commands: d.Commands, Results: d.Results, Events: d.Events}
		if !bytes.Equal(again.Seal(), raw) {
			t.Fatal("re-encoding a decoded block changed its bytes")
		}
		if d.Hash() != b.Hash() {
			t.Fatal("hash changed")
		}
		// Every strict prefix is refused, never half-read.
		cut := rapid.IntRange(0, len(raw)-1).Draw(t, "cut")
		if _, err := reg.DecodeBlock(raw[:cut]); !errors.Is(err, ledger.ErrCorrupt) {
			t.Fatalf("truncated at %d of %d: %v, want ErrCorrupt", cut, len(raw), err)
		}
		// A flipped byte anywhere is detected.
		pos := rapid.IntRange(0, len(raw)-1).Draw(t, "pos")
		bad := bytes.Clone(raw)
		bad[pos] ^= byte(rapid.IntRange(1, 255).Draw(t, "xor"))
		if d2, err := reg.DecodeBlock(bad); err == nil && d2.Hash() == b.Hash() {
			t.Fatalf("flipping byte %d went unnoticed", pos)
		}
	})
}

func TestDecoderRefusesNonCanonical(t *testing.T) {
	for name, b := range map[string][]byte{
		"non-minimal varint":  {0x80, 0x00},
		"amount leading zero": {0x02, 0x00, 0x01},
		"amount too long":     {0x11},
		"bool 2":              {0x02},
	} {
		d := ledger.NewDecoder(b, name)
		switch name {
		case "non-minimal varint":
			d.Uint()
		case "bool 2":
			d.Bool()
		default:
			d.Amount()
		}
		if !errors.Is(d.Finish(), ledger.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, d.Finish())
		}
	}
	d := ledger.NewDecoder([]byte{1, 2}, "trailing")
	d.Uint()
	if !errors.Is(d.Finish(), ledger.ErrMalformed) {
		t.Error("trailing bytes accepted")
	}
	d = ledger.NewDecoder([]byte{0xff, 0xff, 0xff, 0x0f}, "huge length")
	if d.Blob(); !errors.Is(d.Err(), ledger.ErrMalformed) {
		t.Error("a length past the input was accepted")
	}
}

// noteV1 and noteV2 show upcasting: version 1 of "note" carried only text;
// version 2 added a priority, and version 1 events read as priority 0.
type noteV1 struct{ Text string }

func (*noteV1) EventType() string            { return "note" }
func (*noteV1) EventVersion() uint16         { return 1 }
func (e *noteV1) Encode(enc *ledger.Encoder) { enc.String(e.Text) }
func (e *noteV1) Decode(d *ledger.Decoder)   { e.Text = d.String() }

type noteV2 struct {
	Text     string
	Priority uint64
}

func (*noteV2) EventType() string    { return "note" }
func (*noteV2) EventVersion() uint16 { return 2 }
func (e *noteV2) Encode(enc *ledger.Encoder) {
	enc.String(e.Text)
	enc.Uint(e.Priority)
}
func (e *noteV2) Decode(d *ledger.Decoder) { e.Text, e.Priority = d.String(), d.Uint() }

type notes struct{}

func (notes) Name() string                   { return "notes" }
func (notes) Commands() []ledger.CommandSpec { return nil }
func (notes) Events() []ledger.EventSpec {
	return []ledger.EventSpec{
		{Type: "note", Version: 1, New: func() ledger.Event { return new(noteV1) },
			Upcast: func(e ledger.Event) ledger.Event { return &noteV2{Text: e.(*noteV1).Text} }},
		{Type: "note", Version: 2, New: func() ledger.Event { return new(noteV2) }},
	}
}
func (notes) Decide(*ledger.Context, *ledger.Command) error { return nil }
func (notes) Evolve(*ledger.State, ledger.Event) error      { return nil }

func TestEventUpcast(t *testing.T) {
	m, err := ledger.NewMachine(notes{})
	if err != nil {
		t.Fatal(err)
	}
	// A block written when version 1 was current.
	old := &ledger.Block{Header: ledger.Header{Height: 0}, Events: []ledger.Event{&noteV1{Text: "hello"}}}
	raw := old.Seal()
	b, err := m.Registry().DecodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := b.Events[0].(*noteV2)
	if !ok || n.Text != "hello" || n.Priority != 0 {
		t.Fatalf("decoded %#v, want noteV2{hello, 0}", b.Events[0])
	}
	// The stored bytes, and so the hash chain, are untouched.
	if !bytes.Equal(b.Raw(), raw) || b.Hash() != old.Hash() {
		t.Fatal("upcasting changed the stored block")
	}
}

func TestEventVersions(t *testing.T) {
	reg := machine(t).Registry()
	// A version this build does not know is a typed error, not corruption.
	e := ledger.NewEncoder(nil)
	e.String("transferred")
	e.Uint(9)
	e.Blob(nil)
	if _, err := reg.DecodeEvent(e.Bytes()); !errors.Is(err, ledger.ErrUnknownVersion) {
		t.Fatalf("unknown version: %v", err)
	}
	e.Reset()
	e.String("no_such_event")
	e.Uint(1)
	e.Blob(nil)
	if _, err := reg.DecodeEvent(e.Bytes()); !errors.Is(err, ledger.ErrUnknownEvent) {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestSignatures(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(bytes.NewReader(make([]byte, 64)))
	c := &ledger.Command{Actor: "alice", Nonce: 1, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(5)}}}}
	c.Sign("chain-a", priv)
	if err := c.VerifySignature("chain-a", pub); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifySignature("chain-b", pub); !errors.Is(err, ledger.ErrBadSignature) {
		t.Fatalf("signature valid on another chain: %v", err)
	}
	c.Payload.(*ledger.Transfer).Legs[0].Amount = ledger.NewAmount(6)
	if err := c.VerifySignature("chain-a", pub); !errors.Is(err, ledger.ErrBadSignature) {
		t.Fatalf("signature survived a changed amount: %v", err)
	}
	c.Nonce = 0
	if err := c.Validate(); !errors.Is(err, ledger.ErrMissingField) {
		t.Fatalf("signed command without nonce: %v", err)
	}
}
