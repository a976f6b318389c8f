package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/coopera/coopera/ledger"
)

// Token maps a ledger asset to the ERC-20 contract that backs it on the
// EVM chain. One base unit on the ledger is one base unit of the token:
// governance lists the asset with the token's decimals (asset_listing),
// so no deposit or withdrawal is ever rounded.
type Token struct {
	Asset    ledger.AssetID `json:"asset"`
	Contract Address        `json:"contract"`
}

// Params are the bridge's parameters: genesis state under params.bridge,
// changed only by governance's parameter_change (module "bridge", a
// top-level name below, the whole value). Without params.bridge the
// module stores the defaults: chain_id 0, which disables deposits and
// withdrawals until governance configures it.
type Params struct {
	// ChainID is the EVM chain's id (EIP-155). 0 (or a zero Vault)
	// disables the bridge.
	ChainID uint64 `json:"chain_id"`
	// Vault is the deposit contract whose events are credited; withdrawal
	// leaves commit to it too.
	Vault Address `json:"vault"`
	// Relayers are the accounts whose bridge_deposit commands are accepted.
	Relayers []ledger.AccountID `json:"relayers"`
	// Anchorers are the accounts whose bridge_anchor commands are accepted.
	Anchorers []ledger.AccountID `json:"anchorers"`
	// AnchorInterval is the least number of ledger blocks between two
	// anchors. Default 100.
	AnchorInterval uint64 `json:"anchor_interval"`
	// MaxAnchorWithdrawals bounds the withdrawals one anchor commits to;
	// the rest wait for the next anchor. Default 4096.
	MaxAnchorWithdrawals uint32 `json:"max_anchor_withdrawals"`
	// Tokens maps assets to token contracts, in the order given.
	// Governance lists a new bridged asset with asset_listing (registers
	// it) and a parameter_change of "tokens" (maps it).
	Tokens []Token `json:"tokens"`
}

// DefaultParams returns the parameters a genesis without params.bridge
// gets.
func DefaultParams() Params {
	return Params{AnchorInterval: 100, MaxAnchorWithdrawals: 4096, Relayers: []ledger.AccountID{}, Anchorers: []ledger.AccountID{}, Tokens: []Token{}}
}

func paramErr(field, format string, args ...any) error {
	return ledger.Errorf(ledger.ErrInvalidParameter, "bridge.%s: %s", field, fmt.Sprintf(format, args...))
}

// Validate checks the parameters' bounds.
func (p *Params) Validate() error {
	if p.AnchorInterval == 0 {
		return paramErr("anchor_interval", "must be at least 1 block")
	}
	if p.MaxAnchorWithdrawals == 0 || p.MaxAnchorWithdrawals > 1<<16 {
		return paramErr("max_anchor_withdrawals", "%d; must be in 1..65536", p.MaxAnchorWithdrawals)
	}
	for _, l := range []struct {
		name string
		list []ledger.AccountID
	}{{"relayers", p.Relayers}, {"anchorers", p.Anchorers}} {
		name, list := l.name, l.list
		for i, a := range list {
			if err := a.Validate(); err != nil {
				return paramErr(name, "[%d]: %v", i, err)
			}
			for _, b := range list[:i] {
				if a == b {
					return paramErr(name, "%s is listed twice", a)
				}
			}
		}
	}
	for i, t := range p.Tokens {
		if err := t.Asset.Validate(); err != nil {
			return paramErr("tokens", "[%d]: %v", i, err)
		}
		if t.Contract.IsZero() {
			return paramErr("tokens", "[%d]: %s maps to the zero address", i, t.Asset)
		}
		for _, o := range p.Tokens[:i] {
			if o.Asset == t.Asset {
				return paramErr("tokens", "asset %s is mapped twice", t.Asset)
			}
			if o.Contract == t.Contract {
				return paramErr("tokens", "contract %s is mapped twice", t.Contract)
			}
		}
	}
	return nil
}

// Enabled reports whether the bridge credits and records withdrawals: it
// needs a chain id and a vault. Governance may set them one at a time
// (each parameter_change is checked on its own when proposed).
func (p *Params) Enabled() bool { return p.ChainID != 0 && !p.Vault.IsZero() }

// TokenOf returns the contract an asset maps to.
func (p *Params) TokenOf(asset ledger.AssetID) (Address, bool) {
	for _, t := range p.Tokens {
		if t.Asset == asset {
			return t.Contract, true
		}
	}
	return Address{}, false
}

// AssetOf returns the asset a token contract maps to.
func (p *Params) AssetOf(token Address) (ledger.AssetID, bool) {
	for _, t := range p.Tokens {
		if t.Contract == token {
			return t.Asset, true
		}
	}
	return "", false
}

func contains(list []ledger.AccountID, a ledger.AccountID) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func (p *Params) encode() []byte {
	e := ledger.NewEncoder(make([]byte, 0, 128))
	e.Uint(p.ChainID)
	e.Fixed(p.Vault[:])
	encodeAccounts(e, p.Relayers)
	encodeAccounts(e, p.Anchorers)
	e.Uint(p.AnchorInterval)
	e.Uint(uint64(p.MaxAnchorWithdrawals))
	e.Uint(uint64(len(p.Tokens)))
	for _, t := range p.Tokens {
		e.String(string(t.Asset))
		e.Fixed(t.Contract[:])
	}
	return e.Bytes()
}

func encodeAccounts(e *ledger.Encoder, l []ledger.AccountID) {
	e.Uint(uint64(len(l)))
	for _, a := range l {
		e.String(string(a))
	}
}

func decodeAccounts(d *ledger.Decoder) []ledger.AccountID {
	n := d.Len(1)
	l := make([]ledger.AccountID, 0, n)
	for range n {
		l = append(l, ledger.AccountID(d.String()))
	}
	return l
}

func decodeParams(b []byte) (Params, error) {
	d := ledger.NewDecoder(b, "bridge params")
	var p Params
	p.ChainID = d.Uint()
	copy(p.Vault[:], d.Fixed(20))
	p.Relayers = decodeAccounts(d)
	p.Anchorers = decodeAccounts(d)
	p.AnchorInterval = d.Uint()
	p.MaxAnchorWithdrawals = uint32(d.Uint())
	n := d.Len(21)
	p.Tokens = make([]Token, 0, n)
	for range n {
		t := Token{Asset: ledger.AssetID(d.String())}
		copy(t.Contract[:], d.Fixed(20))
		p.Tokens = append(p.Tokens, t)
	}
	return p, d.Finish()
}

func parseParams(raw []byte) (Params, error) {
	p := DefaultParams()
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return Params{}, ledger.Errorf(ledger.ErrInvalidParameter, "params.bridge: %v", err)
		}
	}
	return p, p.Validate()
}

// SetParam implements ledger.Parameterized: the named top-level
// parameter takes the whole value.
func (Module) SetParam(current []byte, name string, value json.RawMessage) ([]byte, error) {
	p, err := decodeParams(current)
	if err != nil {
		return nil, err
	}
	cur, _ := json.Marshal(p)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(cur, &m); err != nil {
		return nil, err
	}
	if _, ok := m[name]; !ok {
		return nil, paramErr(name, "no such parameter; bridge has chain_id, vault, relayers, anchorers, anchor_interval, max_anchor_withdrawals, tokens")
	}
	m[name] = value
	merged, _ := json.Marshal(m) // encoding/json sorts map keys
	var next Params
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return nil, paramErr(name, "%v", err)
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	return next.encode(), nil
}

// ParamsJSON implements ledger.Parameterized.
func (Module) ParamsJSON(encoded []byte) (json.RawMessage, error) {
	p, err := decodeParams(encoded)
	if err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

// ParamsAt returns the bridge parameters in effect at height.
func ParamsAt(g ledger.Getter, height uint64) (Params, error) {
	b, err := ledger.ParamsAt(g, ModuleName, height)
	if err != nil {
		return Params{}, err
	}
	return decodeParams(b)
}

func ctxParams(ctx *ledger.Context) (Params, error) {
	return ledger.Memo(ctx, "bridge/params", func() (Params, error) {
		b, err := ctx.Params(ModuleName)
		if err != nil {
			return Params{}, err
		}
		return decodeParams(b)
	})
}
