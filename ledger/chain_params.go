package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"time"
)

// ChainParams are the chain module's parameters (params.ledger in the
// genesis file), changed only by governance like any module's:
//
//	"params": {"ledger": {"sequencer_keys": ["<hex ed25519 public key>"], "max_time_step": "24h"}}
//
// A chain whose genesis gives no params.ledger has none in state: it runs
// the zero ChainParams (no sequencer keys, no bound on block time steps)
// and governance cannot change them. `coopera init` writes them.
type ChainParams struct {
	// SequencerKeys are the keys that may sign blocks. When it is not
	// empty, replicated nodes lead only with one of these keys and refuse
	// every block from the stream whose signature does not verify against
	// one of them. Governance rotates them (parameter "sequencer_keys").
	SequencerKeys []PublicKey `json:"sequencer_keys"`
	// MaxTimeStep bounds how far a block's time may run ahead of its
	// parent's: a sequencer whose clock jumps ahead writes blocks at most
	// this far apart, and a block further ahead is corrupt. Default (when
	// params.ledger is given without it): one epoch length.
	MaxTimeStep Duration `json:"max_time_step"`
}

// MaxBlockStep returns the bound on a block's time step in ns, or 0 for
// none.
func (p *ChainParams) MaxBlockStep() int64 { return int64(p.MaxTimeStep) }

// IsSequencer reports whether pub is one of the sequencer keys.
func (p *ChainParams) IsSequencer(pub []byte) bool {
	for _, k := range p.SequencerKeys {
		if bytes.Equal(k, pub) {
			return true
		}
	}
	return false
}

func (p *ChainParams) encode() []byte {
	e := NewEncoder(make([]byte, 0, 16+len(p.SequencerKeys)*33))
	e.Uint(uint64(len(p.SequencerKeys)))
	for _, k := range p.SequencerKeys {
		e.Blob(k)
	}
	e.Int(int64(p.MaxTimeStep))
	return e.Bytes()
}

func decodeChainParams(b []byte) (ChainParams, error) {
	d := NewDecoder(b, "ledger params")
	var p ChainParams
	n := d.Len(33)
	for range n {
		p.SequencerKeys = append(p.SequencerKeys, PublicKey(d.Blob()))
	}
	p.MaxTimeStep = Duration(d.Int())
	return p, d.Finish()
}

func (p *ChainParams) validate() error {
	for i, k := range p.SequencerKeys {
		if len(k) != ed25519.PublicKeySize {
			return Errorf(ErrInvalidParameter, "ledger.sequencer_keys[%d]: %d bytes; an ed25519 public key has %d", i, len(k), ed25519.PublicKeySize)
		}
		for _, o := range p.SequencerKeys[:i] {
			if bytes.Equal(o, k) {
				return Errorf(ErrInvalidParameter, "ledger.sequencer_keys[%d]: listed twice", i)
			}
		}
	}
	if p.MaxTimeStep < Duration(time.Second) {
		return Errorf(ErrInvalidParameter, "ledger.max_time_step: %s; must be at least 1s", time.Duration(p.MaxTimeStep))
	}
	return nil
}

// InitGenesis stores params.ledger, if the genesis gives it.
func (Chain) InitGenesis(ctx *Context, raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	var p ChainParams
	if err := strictJSON(raw, &p); err != nil {
		return err
	}
	if p.MaxTimeStep == 0 {
		c, err := GetChain(ctx)
		if err != nil {
			return err
		}
		p.MaxTimeStep = Duration(c.EpochLength)
	}
	if err := p.validate(); err != nil {
		return err
	}
	return InitParams(ctx, ChainModuleName, p.encode())
}

// SetParam implements Parameterized.
func (Chain) SetParam(current []byte, name string, value json.RawMessage) ([]byte, error) {
	p, err := decodeChainParams(current)
	if err != nil {
		return nil, err
	}
	switch name {
	case "sequencer_keys":
		p.SequencerKeys = nil
		err = strictJSON(value, &p.SequencerKeys)
	case "max_time_step":
		err = strictJSON(value, &p.MaxTimeStep)
	default:
		return nil, Errorf(ErrInvalidParameter, "ledger has no parameter %q; it has sequencer_keys and max_time_step", name)
	}
	if err != nil {
		return nil, Errorf(ErrInvalidParameter, "ledger.%s: %v", name, err)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p.encode(), nil
}

// ParamsJSON implements Parameterized.
func (Chain) ParamsJSON(encoded []byte) (json.RawMessage, error) {
	p, err := decodeChainParams(encoded)
	if err != nil {
		return nil, err
	}
	if p.SequencerKeys == nil {
		p.SequencerKeys = []PublicKey{}
	}
	return json.Marshal(p)
}

// ChainParamsAt returns the chain's parameters in effect at height: the
// zero ChainParams on a chain created without params.ledger.
func ChainParamsAt(g Getter, height uint64) (ChainParams, error) {
	r, ok, err := readParamsRecord(g, ChainModuleName)
	if err != nil || !ok {
		return ChainParams{}, err
	}
	return decodeChainParams(r.at(height))
}

// SequencerSignBytes returns what a sequencer signs for a block: a domain
// tag, the chain ID and the block hash.
func SequencerSignBytes(chainID string, blockHash Hash) []byte {
	e := NewEncoder(make([]byte, 0, 64+len(chainID)))
	e.Fixed([]byte("coopera/block-signature/v1\x00"))
	e.String(chainID)
	e.Fixed(blockHash[:])
	return e.Bytes()
}

// VerifyBlockSignature checks that sig is a sequencer's signature of the
// block hash, by signer, one of the keys in p. It returns ErrBadSignature
// otherwise.
func (p *ChainParams) VerifyBlockSignature(chainID string, blockHash Hash, signer, sig []byte) error {
	if !p.IsSequencer(signer) {
		return Errorf(ErrBadSignature, "block %s is signed by %x, which is not a sequencer key", blockHash.Short(), signer)
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(ed25519.PublicKey(signer), SequencerSignBytes(chainID, blockHash), sig) {
		return Errorf(ErrBadSignature, "the sequencer signature of block %s does not verify", blockHash.Short())
	}
	return nil
}
