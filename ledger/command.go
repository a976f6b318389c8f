package ledger

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/zeebo/blake3"
)

// OnceOnly is implemented by payloads whose own state record makes them
// take effect at most once, whoever submits them and when (a bridge
// deposit is credited once per chain, vault and deposit nonce), so that a
// copy applied later does what its signer wanted. A rejected one uses no
// nonce (NonceUsed): its signer (a relayer whose command nonce is the
// deposit's) can submit the very same command again once what refused it
// is fixed.
type OnceOnly interface {
	Payload
	OnceOnly()
}

// Payload is the body of a command: what the actor wants done. Each module
// defines its payload types and registers them in its CommandSpecs.
type Payload interface {
	// Type is the command's registered name, for example "transfer".
	Type() string
	// Encode appends the canonical encoding.
	Encode(e *Encoder)
	// Decode reads the canonical encoding; errors go to the Decoder.
	Decode(d *Decoder)
	// Validate checks everything that needs no state: required fields,
	// identifier syntax, non-zero amounts. It returns an *Error.
	Validate() error
}

// Command is an intent submitted to the ledger: an actor, replay protection
// and a payload.
type Command struct {
	// Actor is the account on whose behalf the command acts. Only the actor's
	// own funds can be debited by it.
	Actor AccountID
	// Nonce, if non-zero, must be greater than the last nonce the actor used;
	// gaps are allowed. A command carrying a Signature must carry a Nonce.
	Nonce uint64
	// Key is an optional idempotency key: a second command with the same key
	// and the same content is answered with the first one's receipt and not
	// applied again; the same key with different content is an
	// ErrIdempotencyConflict. Keys never expire.
	Key string
	// Payload says what to do.
	Payload Payload
	// Signature is an optional ed25519 signature by the actor's registered
	// key over SignBytes. A command for an account with a key, submitted
	// with RequireSignatures, must carry one.
	Signature []byte

	// verifiedKey caches a successful signature check made by the host
	// before sequencing; the state machine trusts it only if it equals the
	// account's key at decision time.
	verifiedKey []byte
}

const maxKeyLen = 128

// Validate checks the envelope and calls the payload's Validate.
func (c *Command) Validate() error {
	if err := c.Actor.Validate(); err != nil {
		return err
	}
	if c.Payload == nil {
		return Errorf(ErrMissingField, "command has no payload")
	}
	if len(c.Key) > maxKeyLen {
		return Errorf(ErrMalformed, "idempotency key is %d bytes; the limit is %d", len(c.Key), maxKeyLen)
	}
	if c.Signature != nil {
		if len(c.Signature) != ed25519.SignatureSize {
			return Errorf(ErrBadSignature, "signature is %d bytes; ed25519 signatures are %d", len(c.Signature), ed25519.SignatureSize)
		}
		if c.Nonce == 0 {
			return Errorf(ErrMissingField, "a signed command needs a nonce, or its signature could be replayed")
		}
	}
	return c.Payload.Validate()
}

// AnnotatedPayload is implemented by payloads that carry host annotations:
// data an Admitter writes into the command before sequencing, such as a
// policy decision. EncodeSigned encodes the payload without them: the part
// the client signs, and the part idempotency keys compare. The block
// records the whole payload (Encode).
//
// Only an admitter may write annotations: a host clears them from every
// command a client submits (ClearAnnotations) before its admitters run, so
// a command that reaches the reducers without an admitter's annotation has
// none, and the reducer refuses it.
type AnnotatedPayload interface {
	Payload
	EncodeSigned(e *Encoder)
	// ClearAnnotations removes every host annotation.
	ClearAnnotations()
}

// ClearAnnotations removes the host annotations from c's payload (see
// AnnotatedPayload). Hosts call it on every command a client submits.
func (c *Command) ClearAnnotations() {
	if a, ok := c.Payload.(AnnotatedPayload); ok {
		a.ClearAnnotations()
	}
}

// encodeUnsigned appends everything but the signature, with the whole
// payload.
func (c *Command) encodeUnsigned(e *Encoder) { c.encodeEnvelope(e, c.Payload.Encode) }

// encodeIntent appends what the client decided: everything but the
// signature and the payload's host annotations.
func (c *Command) encodeIntent(e *Encoder) {
	if a, ok := c.Payload.(AnnotatedPayload); ok {
		c.encodeEnvelope(e, a.EncodeSigned)
		return
	}
	c.encodeUnsigned(e)
}

func (c *Command) encodeEnvelope(e *Encoder, payload func(*Encoder)) {
	e.String(string(c.Actor))
	e.Uint(c.Nonce)
	e.String(c.Key)
	e.String(c.Payload.Type())
	e.lengthPrefixed(payload)
}

// Encode appends the command's canonical encoding.
func (c *Command) Encode(e *Encoder) {
	c.encodeUnsigned(e)
	e.Blob(c.Signature)
}

// SignBytes returns the bytes a signature covers: a domain tag, the chain
// ID and the command's canonical encoding without its signature and
// without host annotations (see AnnotatedPayload), so that an Admitter's
// annotation never invalidates a client's signature.
func (c *Command) SignBytes(chainID string) []byte {
	e := NewEncoder(make([]byte, 0, 128))
	e.Fixed([]byte("coopera/command/v1\x00"))
	e.String(chainID)
	c.encodeIntent(e)
	return e.Bytes()
}

// Sign sets the command's signature with key.
func (c *Command) Sign(chainID string, key ed25519.PrivateKey) {
	c.Signature = ed25519.Sign(key, c.SignBytes(chainID))
}

// VerifySignature checks the signature against pub and returns an
// ErrBadSignature *Error if it does not verify.
func (c *Command) VerifySignature(chainID string, pub []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return Errorf(ErrBadSignature, "account %s has no registered key to verify a signature with", c.Actor)
	}
	if !ed25519.Verify(pub, c.SignBytes(chainID), c.Signature) {
		return Errorf(ErrBadSignature, "signature of %s's command does not verify against its registered key", c.Actor)
	}
	return nil
}

// MarkVerified records that the signature was checked against pub, so the
// state machine need not check it again while the account's key is pub.
// Hosts call it after VerifySignature succeeds, outside the sequencer.
func (c *Command) MarkVerified(pub []byte) { c.verifiedKey = pub }

// ContentHash identifies the command's content for idempotency: every
// field but the signature and host annotations.
func (c *Command) ContentHash() Hash {
	e := NewEncoder(make([]byte, 0, 128))
	c.encodeIntent(e)
	return Hash(blake3.Sum256(e.Bytes()))
}

// EncodeCommand returns the canonical encoding of c.
func EncodeCommand(c *Command) []byte {
	e := NewEncoder(make([]byte, 0, 96))
	c.Encode(e)
	return e.Bytes()
}

// decodeCommand reads one command.
func (r *Registry) decodeCommand(d *Decoder, c *Command) {
	c.Actor = AccountID(d.String())
	c.Nonce = d.Uint()
	c.Key = d.String()
	typ := d.String()
	body := d.blob()
	c.Signature = d.Blob()
	if d.err != nil {
		return
	}
	spec, ok := r.commands[typ]
	if !ok {
		d.Fail(Errorf(ErrUnknownCommand, "command type %q is not registered", typ))
		return
	}
	p := spec.New()
	pd := Decoder{buf: body, What: typ}
	p.Decode(&pd)
	if err := pd.Finish(); err != nil {
		d.Fail(err)
		return
	}
	c.Payload = p
}

// DecodeCommand decodes a command produced by EncodeCommand.
func (r *Registry) DecodeCommand(b []byte) (*Command, error) {
	d := NewDecoder(b, "command")
	c := new(Command)
	r.decodeCommand(d, c)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// commandJSON is the JSON form of a command.
type commandJSON struct {
	Type      string          `json:"type"`
	Actor     AccountID       `json:"actor"`
	Nonce     uint64          `json:"nonce,omitempty"`
	Key       string          `json:"key,omitempty"`
	Payload   json.RawMessage `json:"payload"`
	Signature string          `json:"signature,omitempty"`
}

// MarshalJSON returns the JSON form:
// {"type", "actor", "nonce", "key", "payload", "signature" (hex)}.
func (c *Command) MarshalJSON() ([]byte, error) {
	p, err := json.Marshal(c.Payload)
	if err != nil {
		return nil, err
	}
	j := commandJSON{Type: c.Payload.Type(), Actor: c.Actor, Nonce: c.Nonce, Key: c.Key, Payload: p}
	if c.Signature != nil {
		j.Signature = hex.EncodeToString(c.Signature)
	}
	return json.Marshal(j)
}

// ParseCommandJSON decodes and validates the JSON form of a command.
// Unknown fields are errors, so a misspelt field is never silently ignored.
func (r *Registry) ParseCommandJSON(data []byte) (*Command, error) {
	var j commandJSON
	if err := strictJSON(data, &j); err != nil {
		return nil, err
	}
	if j.Type == "" {
		return nil, Errorf(ErrMissingField, `command JSON has no "type"; registered types: %v`, r.CommandTypes())
	}
	spec, ok := r.commands[j.Type]
	if !ok {
		return nil, Errorf(ErrUnknownCommand, "command type %q is not registered; registered types: %v", j.Type, r.CommandTypes())
	}
	if len(j.Payload) == 0 || string(j.Payload) == "null" {
		return nil, Errorf(ErrMissingField, `command %q has no "payload"`, j.Type)
	}
	p := spec.New()
	if err := strictJSONAt(j.Payload, p, "payload"); err != nil {
		return nil, err
	}
	c := &Command{Actor: j.Actor, Nonce: j.Nonce, Key: j.Key, Payload: p}
	if j.Signature != "" {
		sig, err := hex.DecodeString(j.Signature)
		if err != nil {
			return nil, Errorf(ErrBadSignature, "signature is not hex: %v", err)
		}
		c.Signature = sig
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// String returns a one-line description for logs and CLI output.
func (c *Command) String() string {
	p, _ := json.Marshal(c.Payload)
	return fmt.Sprintf("%s by %s %s", c.Payload.Type(), c.Actor, p)
}
