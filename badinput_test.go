package coopera_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// TestBadInputCatalogue submits each kind of bad input and checks that it
// gets the right typed error and changes nothing: the state root and every
// balance stay as they were. Input refused before sequencing writes no
// block at all; a command refused by the state machine is recorded as a
// rejection in a block, with the state root unchanged, but for a signed
// command refused after its signature and nonce checks, which uses its
// nonce.
func TestBadInputCatalogue(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	g := testGenesis(t)
	g.Accounts[0].PublicKey = ledger.PublicKey(pub) // alice has a key
	e, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Clock: stepClock(), MaxCommandBytes: 512, CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()

	// Spend nonce 5 so that it is "replayed" below.
	used := transfer("alice", "bob", "COOP", 1)
	used.Nonce = 5
	used.Sign(e.ChainID(), priv)
	if _, err := e.Submit(ctx, used); err != nil {
		t.Fatal(err)
	}
	keyed := transfer("alice", "bob", "COOP", 1)
	keyed.Key, keyed.Nonce = "k", 6
	keyed.Sign(e.ChainID(), priv)
	if _, err := e.Submit(ctx, keyed); err != nil {
		t.Fatal(err)
	}

	signedBy := func(key ed25519.PrivateKey, nonce uint64) string {
		c := transfer("alice", "bob", "COOP", 3)
		c.Nonce = nonce
		c.Sign(e.ChainID(), key)
		b, _ := c.MarshalJSON()
		return string(b)
	}
	_, otherKey, _ := ed25519.GenerateKey(nil)
	leg := func(to, asset, amount string) string {
		return `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"` + to + `","asset":"` + asset + `","amount":` + amount + `}]}}`
	}
	cases := []struct {
		name     string
		json     string
		want     *ledger.Error
		sequence bool // judged by the state machine, recorded as a rejection
		sign     bool // signed by alice's key with a fresh nonce before submitting
	}{
		{"malformed JSON", `{"type":"transfer",`, ledger.ErrMalformed, false, false},
		{"not an object", `[1,2]`, ledger.ErrMalformed, false, false},
		{"duplicate key (the last would win)", `{"type":"transfer","actor":"bob","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrMalformed, false, false},
		{"keys differing in case", `{"type":"transfer","actor":"bob","ACTOR":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrMalformed, false, false},
		{"key in the wrong case", `{"type":"transfer","ACTOR":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrMalformed, false, false},
		{"duplicate key in the payload", `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"carol","to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrMalformed, false, false},
		{"trailing brace", `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}}`, ledger.ErrMalformed, false, false},
		{"trailing bracket", `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}]`, ledger.ErrMalformed, false, false},
		{"unknown field", `{"type":"transfer","actor":"alice","payload":{"legs":[],"colour":"red"}}`, ledger.ErrMalformed, false, false},
		{"unknown command", `{"type":"teleport","actor":"alice","payload":{}}`, ledger.ErrUnknownCommand, false, false},
		{"missing type", `{"actor":"alice","payload":{}}`, ledger.ErrMissingField, false, false},
		{"missing actor", `{"type":"transfer","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrMissingField, false, false},
		{"missing payload", `{"type":"transfer","actor":"alice"}`, ledger.ErrMissingField, false, false},
		{"missing legs", `{"type":"transfer","actor":"alice","payload":{}}`, ledger.ErrMissingField, false, false},
		{"missing recipient", leg("", "COOP", `"1"`), ledger.ErrMissingField, false, false},
		{"bad account id", leg("Bob!", "COOP", `"1"`), ledger.ErrInvalidID, false, false},
		{"zero amount", leg("bob", "COOP", `"0"`), ledger.ErrZeroAmount, false, false},
		{"negative amount", leg("bob", "COOP", `"-5"`), ledger.ErrNegativeAmount, false, false},
		{"negative number", leg("bob", "COOP", `-5`), ledger.ErrNegativeAmount, false, false},
		{"number not string", leg("bob", "COOP", `5`), ledger.ErrInvalidAmount, false, false},
		{"overflowing amount", leg("bob", "COOP", `"340282366920938463463374607431768211456"`), ledger.ErrAmountOverflow, false, false},
		{"over-precise amount", leg("bob", "COOP", `"1.5"`), ledger.ErrAmountPrecision, false, false},
		{"memo too long", `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}],"memo":"` + strings.Repeat("x", 300) + `"}}`, ledger.ErrMalformed, false, false},
		{"oversize payload", `{"type":"transfer","actor":"alice","payload":{"legs":[` + strings.Repeat(`{"to":"carol","asset":"COOP","amount":"1"},`, 45) + `{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrPayloadTooLarge, false, false},
		{"wrong signature", signedBy(otherKey, 9), ledger.ErrBadSignature, false, false},
		{"signature without nonce", `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]},"signature":"` + strings.Repeat("ab", 64) + `"}`, ledger.ErrMissingField, false, false},
		{"module actor", `{"type":"transfer","actor":"mod:ledger","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrUnauthorized, false, false},
		{"unknown asset", leg("bob", "GOLD", `"1"`), ledger.ErrUnknownAsset, true, true},
		{"unknown recipient", leg("zed", "COOP", `"1"`), ledger.ErrUnknownAccount, true, true},
		{"unknown actor", `{"type":"transfer","actor":"zed","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, ledger.ErrUnknownAccount, true, false},
		{"overdraft", leg("bob", "COOP", `"1000000000000"`), ledger.ErrInsufficientFunds, true, true},
		{"replayed nonce", signedBy(priv, 5), ledger.ErrReplayedNonce, true, false},
		{"idempotency conflict", `{"type":"transfer","actor":"alice","key":"k","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"2"}]}}`, ledger.ErrIdempotencyConflict, false, true},
		{"unsigned command of an account with a key", leg("bob", "COOP", `"1"`), ledger.ErrBadSignature, false, false},
	}
	nonce := uint64(10)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.Head()
			alice, bob := balance(t, e, "alice", "COOP"), balance(t, e, "bob", "COOP")
			cmd, err := e.ParseCommand([]byte(tc.json))
			if err == nil && tc.sign {
				nonce++
				cmd.Nonce = nonce
				cmd.Sign(e.ChainID(), priv)
			}
			if err == nil {
				_, err = e.Submit(ctx, cmd)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want.Code)
			}
			if msg := err.Error(); len(msg) < 20 {
				t.Errorf("error %q does not say what to fix", msg)
			}
			after := e.Head()
			if usesNonce := tc.sequence && tc.sign; usesNonce {
				// Rejected after its signature and nonce checks: it uses
				// its nonce (nonce_used), and changes nothing else.
				if after.StateRoot == before.StateRoot {
					t.Error("the state root did not change: the rejected command's nonce is not used")
				}
				if last, err := ledger.LastNonce(e.View(), "alice"); err != nil || last != nonce {
					t.Errorf("alice's last nonce %d (%v), want %d", last, err, nonce)
				}
			} else if after.StateRoot != before.StateRoot {
				t.Error("the state root changed")
			}
			if tc.sequence != (after.Height == before.Height+1) {
				t.Errorf("height %d -> %d; recorded as a rejection: %v", before.Height, after.Height, tc.sequence)
			}
			if balance(t, e, "alice", "COOP") != alice || balance(t, e, "bob", "COOP") != bob {
				t.Error("a balance changed")
			}
		})
	}
	mustVerify(t, e)
}

func TestSubmitBatchRefusesBadInputWhole(t *testing.T) {
	e := openTest(t, t.TempDir())
	defer e.Close()
	head := e.Head()
	_, err := e.SubmitBatch(context.Background(), []*ledger.Command{transfer("alice", "bob", "COOP", 1), transfer("alice", "bob", "COOP", 0)})
	if !errors.Is(err, ledger.ErrZeroAmount) || !strings.Contains(err.Error(), "command 1") {
		t.Fatalf("batch with a zero amount: %v", err)
	}
	if e.Head() != head {
		t.Fatal("part of a refused batch was applied")
	}
}
