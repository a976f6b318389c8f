package ledger

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
)

// AccountsModuleName is the name of the built-in accounts module.
const AccountsModuleName = "accounts"

// MaxTransferLegs bounds the legs of one transfer command.
const MaxTransferLegs = 64

// Accounts is the built-in accounts module: accounts, assets and
// multi-asset balances in exact base units. It decides create_account,
// set_key and transfer, and evolves every balance event, including those
// other modules emit (Minted, Burned, Transferred from module accounts).
type Accounts struct{}

func (Accounts) Name() string { return AccountsModuleName }

func (Accounts) Commands() []CommandSpec {
	return []CommandSpec{
		{Type: "create_account", New: func() Payload { return new(CreateAccount) }},
		{Type: "set_key", New: func() Payload { return new(SetKey) }},
		{Type: "transfer", New: func() Payload { return new(Transfer) }},
	}
}

func (Accounts) Events() []EventSpec {
	return []EventSpec{
		{Type: "account_created", Version: 1, New: func() Event { return new(AccountCreated) }},
		{Type: "key_set", Version: 1, New: func() Event { return new(KeySet) }},
		{Type: "asset_registered", Version: 1, New: func() Event { return new(AssetRegistered) }},
		{Type: "transferred", Version: 1, New: func() Event { return new(Transferred) }},
		{Type: "minted", Version: 1, New: func() Event { return new(Minted) }},
		{Type: "burned", Version: 1, New: func() Event { return new(Burned) }},
		{Type: "allocated", Version: 1, New: func() Event { return new(Allocated) }},
		{Type: "nonce_used", Version: 1, New: func() Event { return new(NonceUsed) }},
	}
}

// PublicKey is an ed25519 public key, hex in JSON.
type PublicKey []byte

func (k PublicKey) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(k)) }

func (k *PublicKey) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(ErrMalformed, "public key must be a hex string: %v", err)
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return Errorf(ErrMalformed, "public key is not hex: %v", err)
	}
	*k = raw
	return nil
}

func validateKey(k []byte) error {
	if len(k) != 0 && len(k) != ed25519.PublicKeySize {
		return Errorf(ErrMalformed, "public key is %d bytes; ed25519 keys are %d", len(k), ed25519.PublicKeySize)
	}
	return nil
}

// CreateAccount opens the actor's own account, with an optional signing
// key. Its actor must be the new account; if it is signed, the signature
// must verify against the key it registers.
type CreateAccount struct {
	Account   AccountID `json:"account"`
	PublicKey PublicKey `json:"public_key,omitempty"`
}

func (*CreateAccount) Type() string { return "create_account" }
func (p *CreateAccount) Encode(e *Encoder) {
	e.String(string(p.Account))
	e.Blob(p.PublicKey)
}
func (p *CreateAccount) Decode(d *Decoder) {
	p.Account = AccountID(d.String())
	p.PublicKey = d.Blob()
}
func (p *CreateAccount) Validate() error {
	if err := p.Account.Validate(); err != nil {
		return err
	}
	if p.Account.IsModule() {
		return Errorf(ErrUnauthorized, "account %s: IDs starting with %q are reserved for module accounts", p.Account, ModulePrefix)
	}
	return validateKey(p.PublicKey)
}

// SetKey replaces (or, if empty, removes) the actor's signing key.
type SetKey struct {
	PublicKey PublicKey `json:"public_key,omitempty"`
}

func (*SetKey) Type() string        { return "set_key" }
func (p *SetKey) Encode(e *Encoder) { e.Blob(p.PublicKey) }
func (p *SetKey) Decode(d *Decoder) { p.PublicKey = d.Blob() }
func (p *SetKey) Validate() error   { return validateKey(p.PublicKey) }

// Leg is one movement of a transfer, from the actor.
type Leg struct {
	To     AccountID `json:"to"`
	Asset  AssetID   `json:"asset"`
	Amount Amount    `json:"amount"`
}

// Transfer moves funds from the actor to one or more accounts, atomically:
// every leg applies or none does.
type Transfer struct {
	Legs []Leg  `json:"legs"`
	Memo string `json:"memo,omitempty"`
}

const maxMemo = 256

func (*Transfer) Type() string { return "transfer" }
func (p *Transfer) Encode(e *Encoder) {
	e.Uint(uint64(len(p.Legs)))
	for i := range p.Legs {
		l := &p.Legs[i]
		e.String(string(l.To))
		e.String(string(l.Asset))
		e.Amount(l.Amount)
	}
	e.String(p.Memo)
}
func (p *Transfer) Decode(d *Decoder) {
	n := d.Len(3)
	if n > 0 {
		p.Legs = make([]Leg, n)
	}
	for i := range p.Legs {
		l := &p.Legs[i]
		l.To = AccountID(d.String())
		l.Asset = AssetID(d.String())
		l.Amount = d.Amount()
	}
	p.Memo = d.String()
}
func (p *Transfer) Validate() error {
	if len(p.Legs) == 0 {
		return Errorf(ErrMissingField, "transfer has no legs; give at least one {to, asset, amount}")
	}
	if len(p.Legs) > MaxTransferLegs {
		return Errorf(ErrMalformed, "transfer has %d legs; the limit is %d", len(p.Legs), MaxTransferLegs)
	}
	if len(p.Memo) > maxMemo {
		return Errorf(ErrMalformed, "memo is %d bytes; the limit is %d", len(p.Memo), maxMemo)
	}
	for i, l := range p.Legs {
		if err := l.To.Validate(); err != nil {
			return Errorf(err.(*Error), "leg %d: %s", i, err.(*Error).Msg)
		}
		if err := l.Asset.Validate(); err != nil {
			return Errorf(err.(*Error), "leg %d: %s", i, err.(*Error).Msg)
		}
		if l.Amount.IsZero() {
			return Errorf(ErrZeroAmount, "leg %d moves zero %s; amounts must be positive", i, l.Asset)
		}
	}
	return nil
}

// Decide decides the accounts module's commands.
func (a Accounts) Decide(ctx *Context, cmd *Command) error {
	switch p := cmd.Payload.(type) {
	case *CreateAccount:
		if cmd.Actor != p.Account {
			return Errorf(ErrUnauthorized, "create_account for %s must have %s as its actor, not %s", p.Account, p.Account, cmd.Actor)
		}
		return ctx.Emit(&AccountCreated{Account: p.Account, PublicKey: p.PublicKey})
	case *SetKey:
		return ctx.Emit(&KeySet{Account: cmd.Actor, PublicKey: p.PublicKey})
	case *Transfer:
		for i := range p.Legs {
			l := &p.Legs[i]
			if l.To == cmd.Actor {
				return Errorf(ErrMalformed, "leg %d transfers from %s to itself", i, l.To)
			}
			if mod, ok := ctx.Booked(l.To); ok { // none before RulesV2
				return Errorf(ErrUnauthorized, "leg %d: %s is booked by module %s: its balance is what that module's records owe, so only that module's own commands move funds into it", i, l.To, mod)
			}
			t := &Transferred{From: cmd.Actor, To: l.To, Asset: l.Asset, Amount: l.Amount}
			if err := ctx.Emit(t); err != nil {
				return err
			}
			for _, h := range ctx.m.transferHooks {
				if err := h.AfterTransfer(ctx, t); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return Errorf(ErrUnknownCommand, "accounts module cannot decide %s", cmd.Payload.Type())
}

// Evolve applies the accounts module's events.
func (Accounts) Evolve(st *State, ev Event) error {
	switch e := ev.(type) {
	case *NonceUsed:
		if err := mustExist(st, e.Account); err != nil {
			return err
		}
		last, err := LastNonce(st, e.Account)
		if err != nil {
			return err
		}
		if e.Nonce <= last {
			return Errorf(ErrReplayedNonce, "nonce %d of %s is not above its last nonce %d", e.Nonce, e.Account, last)
		}
		setNonce(st, e.Account, e.Nonce)
		return nil
	case *AccountCreated:
		if err := e.Account.Validate(); err != nil {
			return err
		}
		if _, ok := st.Get(AccountKey(e.Account)); ok {
			return Errorf(ErrAccountExists, "account %s already exists", e.Account)
		}
		if err := validateKey(e.PublicKey); err != nil {
			return err
		}
		rec := Account{PublicKey: e.PublicKey}
		enc := NewEncoder(nil)
		rec.encode(enc)
		st.Set(AccountKey(e.Account), enc.Bytes())
		return nil
	case *KeySet:
		if err := mustExist(st, e.Account); err != nil {
			return err
		}
		rec := Account{PublicKey: e.PublicKey}
		enc := NewEncoder(nil)
		rec.encode(enc)
		st.Set(AccountKey(e.Account), enc.Bytes())
		return nil
	case *AssetRegistered:
		if err := e.Asset.Validate(); err != nil {
			return err
		}
		if _, ok := st.Get(AssetKey(e.Asset)); ok {
			return Errorf(ErrInvalidGenesis, "asset %s is already registered", e.Asset)
		}
		rec := Asset{ID: e.Asset, Name: e.Name, Decimals: e.Decimals}
		st.Set(AssetKey(e.Asset), rec.encode())
		return nil
	case *Transferred:
		if e.Amount.IsZero() {
			return Errorf(ErrZeroAmount, "transfer of zero %s from %s", e.Asset, e.From)
		}
		if err := mustExistAsset(st, e.Asset); err != nil {
			return err
		}
		if err := debit(st, e.From, e.Asset, e.Amount); err != nil {
			return err
		}
		return credit(st, e.To, e.Asset, e.Amount)
	case *Minted:
		return supplyChange(st, e.To, e.Asset, e.Amount, supplyMinted)
	case *Allocated:
		return supplyChange(st, e.To, e.Asset, e.Amount, supplyGenesis)
	case *Burned:
		return supplyChange(st, e.From, e.Asset, e.Amount, supplyBurned)
	}
	return Errorf(ErrUnknownEvent, "accounts module cannot apply %s", ev.EventType())
}

// supplyCounter names the supply counter an event adds to.
type supplyCounter uint8

const (
	supplyMinted  supplyCounter = iota // credits the account
	supplyGenesis                      // credits the account
	supplyBurned                       // debits the account
)

func supplyChange(st *State, acct AccountID, asset AssetID, amt Amount, counter supplyCounter) error {
	if amt.IsZero() {
		return Errorf(ErrZeroAmount, "zero %s for %s", asset, acct)
	}
	rec, ok, err := getAsset(st, asset)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(ErrUnknownAsset, "asset %s is not registered", asset)
	}
	c := &rec.Minted
	switch counter {
	case supplyGenesis:
		c = &rec.Genesis
	case supplyBurned:
		c = &rec.Burned
	}
	if *c, ok = c.Add(amt); !ok {
		return Errorf(ErrAmountOverflow, "supply counter of %s overflows", asset)
	}
	move := credit
	if counter == supplyBurned {
		move = debit
	}
	if err := move(st, acct, asset, amt); err != nil {
		return err
	}
	r := assetRecord(rec)
	st.SetRecord(AssetKey(asset), &r)
	return nil
}

func mustExist(st *State, id AccountID) error {
	if !st.Has(AccountKey(id)) {
		return Errorf(ErrUnknownAccount, "account %s does not exist; create it first", id)
	}
	return nil
}

func mustExistAsset(st *State, id AssetID) error {
	if !st.Has(AssetKey(id)) {
		return Errorf(ErrUnknownAsset, "asset %s is not registered", id)
	}
	return nil
}

func debit(st *State, id AccountID, asset AssetID, amt Amount) error {
	key := BalanceKey(id, asset)
	bal, err := balanceAt(st, key, id, asset)
	if err != nil {
		return err
	}
	nb, ok := bal.Sub(amt)
	if !ok {
		if err := mustExist(st, id); err != nil {
			return err
		}
		return Errorf(ErrInsufficientFunds, "account %s has %s base units of %s, needs %s", id, bal, asset, amt)
	}
	putBalance(st, key, nb)
	return nil
}

func credit(st *State, id AccountID, asset AssetID, amt Amount) error {
	key := BalanceKey(id, asset)
	bal, err := balanceAt(st, key, id, asset)
	if err != nil {
		return err
	}
	if bal.IsZero() {
		if err := mustExist(st, id); err != nil {
			return err
		}
	}
	nb, ok := bal.Add(amt)
	if !ok {
		return Errorf(ErrAmountOverflow, "balance of %s in %s would overflow", id, asset)
	}
	putBalance(st, key, nb)
	return nil
}

func balanceAt(st *State, key []byte, id AccountID, asset AssetID) (Amount, error) {
	a, _, err := st.GetAmount(key)
	if err != nil {
		return Amount{}, Errorf(ErrCorrupt, "balance of %s in %s: %v", id, asset, err)
	}
	return a, nil
}

func putBalance(st *State, key []byte, a Amount) {
	if a.IsZero() {
		st.Delete(key)
		return
	}
	st.SetAmount(key, a)
}

// Move emits a Transferred event from a module decision. Modules use it to
// move funds, including out of their own module accounts.
func Move(ctx *Context, from, to AccountID, asset AssetID, amt Amount) error {
	if amt.IsZero() {
		return nil
	}
	return ctx.Emit(&Transferred{From: from, To: to, Asset: asset, Amount: amt})
}

// Mint emits a Minted event. Only modules mint; no user command can.
func Mint(ctx *Context, to AccountID, asset AssetID, amt Amount) error {
	if amt.IsZero() {
		return nil
	}
	return ctx.Emit(&Minted{To: to, Asset: asset, Amount: amt})
}

// Burn emits a Burned event. Only modules burn; no user command can.
func Burn(ctx *Context, from AccountID, asset AssetID, amt Amount) error {
	if amt.IsZero() {
		return nil
	}
	return ctx.Emit(&Burned{From: from, Asset: asset, Amount: amt})
}

// EnsureModuleAccount creates a module account if it does not exist yet.
func EnsureModuleAccount(ctx *Context, id AccountID) error {
	if !id.IsModule() {
		return Errorf(ErrInvalidID, "%s is not a module account ID", id)
	}
	if _, ok := ctx.Get(AccountKey(id)); ok {
		return nil
	}
	return ctx.Emit(&AccountCreated{Account: id})
}
