package ledger

// State layout of the accounts module. Keys are ASCII prefixes followed by
// identifiers; identifiers never contain the 0x00 separator.
//
//	a/<account>            account record
//	n/<account>            last nonce used by the account (varint)
//	b/<account>\x00<asset> balance (canonical Amount); absent means zero
//	t/<asset>              asset record with its supply counters

// AccountKey returns the state key of an account record.
func AccountKey(id AccountID) []byte { return prefixed("a/", string(id)) }

// NonceKey returns the state key of an account's last nonce.
func NonceKey(id AccountID) []byte { return prefixed("n/", string(id)) }

// prefixed returns prefix + id in a slice of its exact length (which a
// caller that does not keep it can hold on its stack).
func prefixed(prefix, id string) []byte {
	k := make([]byte, 0, len(prefix)+len(id))
	k = append(k, prefix...)
	return append(k, id...)
}

// BalanceKey returns the state key of an account's balance of an asset.
func BalanceKey(id AccountID, asset AssetID) []byte {
	k := make([]byte, 0, 3+len(id)+len(asset))
	k = append(k, "b/"...)
	k = append(k, id...)
	k = append(k, 0)
	return append(k, asset...)
}

// BalancePrefix returns the key prefix of all of an account's balances.
func BalancePrefix(id AccountID) []byte {
	k := append([]byte("b/"), id...)
	return append(k, 0)
}

// AssetKey returns the state key of an asset record.
func AssetKey(id AssetID) []byte { return prefixed("t/", string(id)) }

// Account is an account record.
type Account struct {
	ID        AccountID `json:"id"`
	PublicKey []byte    `json:"public_key,omitempty"` // ed25519, or empty
}

func (a *Account) encode(e *Encoder) { e.Blob(a.PublicKey) }

// Asset is an asset record: its decimals and supply counters. Supply is
// Genesis + Minted - Burned, and always equals the sum of every balance of
// the asset, module accounts included.
type Asset struct {
	ID       AssetID `json:"id"`
	Name     string  `json:"name,omitempty"`
	Decimals uint8   `json:"decimals"`
	Genesis  Amount  `json:"genesis"`
	Minted   Amount  `json:"minted"`
	Burned   Amount  `json:"burned"`
}

// Supply returns Genesis + Minted - Burned.
func (a *Asset) Supply() Amount {
	s, _ := a.Genesis.Add(a.Minted)
	s, _ = s.Sub(a.Burned)
	return s
}

func (a *Asset) encode() []byte {
	e := NewEncoder(make([]byte, 0, 64))
	a.encodeTo(e)
	return e.Bytes()
}

// EncodeAsset returns an asset's record as state holds it under
// AssetKey (for hosts that check a change against an asset about to be
// registered).
func EncodeAsset(a Asset) []byte { return a.encode() }

func (a *Asset) encodeTo(e *Encoder) {
	e.String(a.Name)
	e.Uint(uint64(a.Decimals))
	e.Amount(a.Genesis)
	e.Amount(a.Minted)
	e.Amount(a.Burned)
}

// assetRecord is an asset record a State keeps decoded (State.SetRecord).
type assetRecord Asset

func (a *assetRecord) EncodeTo(e *Encoder) { (*Asset)(a).encodeTo(e) }

// Getter reads state: a *State, a *Context or a host's read view.
type Getter interface {
	Get(key []byte) ([]byte, bool)
}

// GetAccount reads an account record.
func GetAccount(g Getter, id AccountID) (Account, bool, error) {
	v, ok := g.Get(AccountKey(id))
	if !ok {
		return Account{}, false, nil
	}
	a, err := decodeAccount(v, id)
	return a, true, err
}

// getAccount is GetAccount on a State.
func getAccount(st *State, id AccountID) (Account, bool, error) {
	v, ok := st.Get(AccountKey(id))
	if !ok {
		return Account{}, false, nil
	}
	a, err := decodeAccount(v, id)
	return a, true, err
}

func decodeAccount(v []byte, id AccountID) (Account, error) {
	d := Decoder{buf: v, What: "account ", id: string(id)}
	a := Account{ID: id, PublicKey: d.Blob()}
	return a, d.Finish()
}

// GetAsset reads an asset record.
func GetAsset(g Getter, id AssetID) (Asset, bool, error) {
	switch s := g.(type) {
	case *State:
		return getAsset(s, id)
	case *Context:
		return getAsset(s.st, id)
	}
	v, ok := g.Get(AssetKey(id))
	if !ok {
		return Asset{}, false, nil
	}
	a, err := decodeAsset(v, id)
	return a, true, err
}

// getAsset is GetAsset on a State, which keeps the record decoded for
// the rest of the block.
func getAsset(st *State, id AssetID) (Asset, bool, error) {
	key := AssetKey(id)
	if r, ok := st.Record(key); ok {
		if a, ok := r.(*assetRecord); ok {
			return Asset(*a), true, nil
		}
	}
	v, ok := st.Get(key)
	if !ok {
		return Asset{}, false, nil
	}
	a, err := decodeAsset(v, id)
	if err == nil {
		keep := assetRecord(a)
		st.KeepRecord(key, &keep)
	}
	return a, true, err
}

func decodeAsset(v []byte, id AssetID) (Asset, error) {
	d := Decoder{buf: v, What: "asset ", id: string(id)}
	a := Asset{ID: id, Name: d.String()}
	dec := d.Uint()
	a.Decimals = uint8(dec)
	a.Genesis, a.Minted, a.Burned = d.Amount(), d.Amount(), d.Amount()
	if dec > 38 {
		d.Fail(Errorf(ErrCorrupt, "asset %s has %d decimals", id, dec))
	}
	return a, d.Finish()
}

// BalanceOf reads a balance; an absent key is zero.
func BalanceOf(g Getter, id AccountID, asset AssetID) (Amount, error) {
	var st *State
	switch s := g.(type) {
	case *State:
		st = s
	case *Context:
		st = s.st
	}
	if st != nil {
		return balanceAt(st, BalanceKey(id, asset), id, asset)
	}
	var v []byte
	var ok bool
	if mv, isMem := g.(MemView); isMem {
		// A concrete call: the key stays on the stack.
		v, ok = mv.Get(BalanceKey(id, asset))
	} else {
		v, ok = g.Get(BalanceKey(id, asset))
	}
	if !ok {
		return Amount{}, nil
	}
	a, err := DecodeAmount(v)
	if err != nil {
		return Amount{}, Errorf(ErrCorrupt, "balance of %s in %s: %v", id, asset, err)
	}
	return a, nil
}

// LastNonce reads the last nonce an account used (0 if none).
func LastNonce(g Getter, id AccountID) (uint64, error) {
	v, ok := g.Get(NonceKey(id))
	if !ok {
		return 0, nil
	}
	d := Decoder{buf: v, What: "nonce"}
	n := d.Uint()
	return n, d.Finish()
}

func setBalance(st *State, id AccountID, asset AssetID, a Amount) {
	if a.IsZero() {
		st.Delete(BalanceKey(id, asset))
		return
	}
	st.SetAmount(BalanceKey(id, asset), a)
}
