package ledger

// Events of the accounts module. Each is version 1; its Encode/Decode is its
// canonical form, fixed forever.

// AccountCreated records a new account (a module account if its ID starts
// with "mod:").
type AccountCreated struct {
	Account   AccountID `json:"account"`
	PublicKey []byte    `json:"public_key,omitempty"`
}

func (*AccountCreated) EventType() string       { return "account_created" }
func (*AccountCreated) EventVersion() uint16    { return 1 }
func (e *AccountCreated) Accounts() []AccountID { return []AccountID{e.Account} }
func (e *AccountCreated) Encode(enc *Encoder) {
	enc.String(string(e.Account))
	enc.Blob(e.PublicKey)
}
func (e *AccountCreated) Decode(d *Decoder) {
	e.Account = AccountID(d.String())
	e.PublicKey = d.Blob()
}

// KeySet records a change of an account's signing key.
type KeySet struct {
	Account   AccountID `json:"account"`
	PublicKey []byte    `json:"public_key,omitempty"`
}

func (*KeySet) EventType() string       { return "key_set" }
func (*KeySet) EventVersion() uint16    { return 1 }
func (e *KeySet) Accounts() []AccountID { return []AccountID{e.Account} }
func (e *KeySet) Encode(enc *Encoder) {
	enc.String(string(e.Account))
	enc.Blob(e.PublicKey)
}
func (e *KeySet) Decode(d *Decoder) {
	e.Account = AccountID(d.String())
	e.PublicKey = d.Blob()
}

// AssetRegistered records a new asset.
type AssetRegistered struct {
	Asset    AssetID `json:"asset"`
	Name     string  `json:"name,omitempty"`
	Decimals uint8   `json:"decimals"`
}

func (*AssetRegistered) EventType() string    { return "asset_registered" }
func (*AssetRegistered) EventVersion() uint16 { return 1 }
func (e *AssetRegistered) Encode(enc *Encoder) {
	enc.String(string(e.Asset))
	enc.String(e.Name)
	enc.Uint(uint64(e.Decimals))
}
func (e *AssetRegistered) Decode(d *Decoder) {
	e.Asset = AssetID(d.String())
	e.Name = d.String()
	dec := d.Uint()
	if dec > 38 {
		d.Fail(Errorf(ErrMalformed, "asset %s: %d decimals; at most 38 fit an Amount", e.Asset, dec))
	}
	e.Decimals = uint8(dec)
}

// Transferred records a movement of funds between two accounts.
type Transferred struct {
	From   AccountID `json:"from"`
	To     AccountID `json:"to"`
	Asset  AssetID   `json:"asset"`
	Amount Amount    `json:"amount"`
}

func (*Transferred) EventType() string       { return "transferred" }
func (*Transferred) EventVersion() uint16    { return 1 }
func (e *Transferred) Accounts() []AccountID { return []AccountID{e.From, e.To} }
func (e *Transferred) Encode(enc *Encoder) {
	enc.String(string(e.From))
	enc.String(string(e.To))
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
}
func (e *Transferred) Decode(d *Decoder) {
	e.From = AccountID(d.String())
	e.To = AccountID(d.String())
	e.Asset = AssetID(d.String())
	e.Amount = d.Amount()
}

// Minted records new units created into an account. Only modules mint.
type Minted struct {
	To     AccountID `json:"to"`
	Asset  AssetID   `json:"asset"`
	Amount Amount    `json:"amount"`
}

func (*Minted) EventType() string       { return "minted" }
func (*Minted) EventVersion() uint16    { return 1 }
func (e *Minted) Accounts() []AccountID { return []AccountID{e.To} }
func (e *Minted) Encode(enc *Encoder) {
	enc.String(string(e.To))
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
}
func (e *Minted) Decode(d *Decoder) {
	e.To = AccountID(d.String())
	e.Asset = AssetID(d.String())
	e.Amount = d.Amount()
}

// Burned records units destroyed from an account. Only modules burn.
type Burned struct {
	From   AccountID `json:"from"`
	Asset  AssetID   `json:"asset"`
	Amount Amount    `json:"amount"`
}

func (*Burned) EventType() string       { return "burned" }
func (*Burned) EventVersion() uint16    { return 1 }
func (e *Burned) Accounts() []AccountID { return []AccountID{e.From} }
func (e *Burned) Encode(enc *Encoder) {
	enc.String(string(e.From))
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
}
func (e *Burned) Decode(d *Decoder) {
	e.From = AccountID(d.String())
	e.Asset = AssetID(d.String())
	e.Amount = d.Amount()
}

// Allocated records a genesis allocation: supply that exists from the
// start, counted in the asset's Genesis total rather than as minted.
type Allocated struct {
	To     AccountID `json:"to"`
	Asset  AssetID   `json:"asset"`
	Amount Amount    `json:"amount"`
}

func (*Allocated) EventType() string       { return "allocated" }
func (*Allocated) EventVersion() uint16    { return 1 }
func (e *Allocated) Accounts() []AccountID { return []AccountID{e.To} }
func (e *Allocated) Encode(enc *Encoder) {
	enc.String(string(e.To))
	enc.String(string(e.Asset))
	enc.Amount(e.Amount)
}
func (e *Allocated) Decode(d *Decoder) {
	e.To = AccountID(d.String())
	e.Asset = AssetID(d.String())
	e.Amount = d.Amount()
}

// NonceUsed records that a command of Account with Nonce passed its
// signature and nonce checks and was then rejected: its nonce is used all
// the same, as an applied command's is. Without it, anyone could submit a
// rejected signed command again, from the public block that holds it,
// once it would apply (a transfer refused for want of funds, after the
// signer is funded). It is the one event a rejected command can carry; a
// rejected create_account, which no existing key signs, carries none.
type NonceUsed struct {
	Account AccountID `json:"account"`
	Nonce   uint64    `json:"nonce"`
}

func (*NonceUsed) EventType() string       { return "nonce_used" }
func (*NonceUsed) EventVersion() uint16    { return 1 }
func (e *NonceUsed) Accounts() []AccountID { return []AccountID{e.Account} }
func (e *NonceUsed) Encode(enc *Encoder) {
	enc.String(string(e.Account))
	enc.Uint(e.Nonce)
}
func (e *NonceUsed) Decode(d *Decoder) {
	e.Account = AccountID(d.String())
	e.Nonce = d.Uint()
}
