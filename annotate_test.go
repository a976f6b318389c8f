package coopera_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// stamped is a payload with a host annotation (Stamp), written by an
// admitter after the client signed the command.
type stamped struct {
	Text  string `json:"text"`
	Stamp string `json:"stamp,omitempty"`
}

func (*stamped) Type() string                                { return "stamped" }
func (p *stamped) EncodeSigned(e *ledger.Encoder)            { e.String(p.Text) }
func (p *stamped) Encode(e *ledger.Encoder)                  { p.EncodeSigned(e); e.String(p.Stamp) }
func (p *stamped) Decode(d *ledger.Decoder)                  { p.Text, p.Stamp = d.String(), d.String() }
func (p *stamped) Validate() error                           { return nil }
func (p *stamped) ClearAnnotations()                         { p.Stamp = "" }
func (stampModule) Name() string                             { return "stamp" }
func (stampModule) Events() []ledger.EventSpec               { return nil }
func (stampModule) Evolve(*ledger.State, ledger.Event) error { return nil }
func (stampModule) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{{Type: "stamped", New: func() ledger.Payload { return new(stamped) }}}
}
func (stampModule) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	if cmd.Payload.(*stamped).Stamp != "admitted" {
		return ledger.Errorf(ledger.ErrUnauthorized, "not stamped")
	}
	return nil
}

type stampModule struct{}

// TestAnnotationKeepsSignatures: an admitter's annotation is recorded in
// the block, and the client's signature still verifies against the
// recorded command.
func TestAnnotationKeepsSignatures(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	g := testGenesis(t)
	g.RequireSignatures = true
	g.Accounts[0].PublicKey = ledger.PublicKey(pub)
	stamp := coopera.AdmitterFunc(func(ctx context.Context, v ledger.Getter, c *ledger.Command) error {
		if p, ok := c.Payload.(*stamped); ok {
			p.Stamp = "admitted"
		}
		return nil
	})
	e, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Clock: stepClock(), Modules: []ledger.Module{stampModule{}}, Admitters: []coopera.Admitter{stamp}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cmd := &ledger.Command{Actor: "alice", Nonce: 1, Payload: &stamped{Text: "hello"}}
	cmd.Sign(e.ChainID(), priv)
	rc, err := e.Submit(context.Background(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Block(context.Background(), rc.Height)
	rec := b.Commands[rc.Index]
	if rec.Payload.(*stamped).Stamp != "admitted" {
		t.Fatal("the annotation is not in the block")
	}
	if err := rec.VerifySignature(e.ChainID(), pub); err != nil {
		t.Fatalf("the recorded command's signature: %v", err)
	}
}
