package bridge

import "github.com/coopera/coopera/ledger"

// Deposited records a credited deposit; a Minted event of the same amount
// to CreditedTo follows it. Its key in state, (ChainID, Contract, Nonce),
// is what makes a second credit of the same deposit fail.
type Deposited struct {
	ChainID  uint64           `json:"chain_id"`
	Contract Address          `json:"contract"`
	Nonce    uint64           `json:"nonce"`
	Token    Address          `json:"token"`
	Asset    ledger.AssetID   `json:"asset"`
	From     Address          `json:"from"`
	To       ledger.AccountID `json:"to"`
	// CreditedTo is To, or SuspenseAccount when To does not exist on the
	// ledger (the deposit is credited, not lost; see the package doc).
	CreditedTo ledger.AccountID `json:"credited_to"`
	Amount     ledger.Amount    `json:"amount"`
	L1Block    uint64           `json:"l1_block"`
	Relayer    ledger.AccountID `json:"relayer"`
	Height     uint64           `json:"height"` // the ledger block that credited it
}

func (*Deposited) EventType() string    { return "bridge_deposited" }
func (*Deposited) EventVersion() uint16 { return 1 }
func (e *Deposited) Encode(enc *ledger.Encoder) {
	enc.Uint(e.ChainID)
	enc.Fixed(e.Contract[:])
	enc.Uint(e.Nonce)
	enc.Fixed(e.Token[:])
	enc.String(string(e.Asset))
	enc.Fixed(e.From[:])
	enc.String(string(e.To))
	enc.String(string(e.CreditedTo))
	enc.Amount(e.Amount)
	enc.Uint(e.L1Block)
	enc.String(string(e.Relayer))
	enc.Uint(e.Height)
}
func (e *Deposited) Decode(d *ledger.Decoder) {
	e.ChainID = d.Uint()
	copy(e.Contract[:], d.Fixed(20))
	e.Nonce = d.Uint()
	copy(e.Token[:], d.Fixed(20))
	e.Asset = ledger.AssetID(d.String())
	copy(e.From[:], d.Fixed(20))
	e.To = ledger.AccountID(d.String())
	e.CreditedTo = ledger.AccountID(d.String())
	e.Amount = d.Amount()
	e.L1Block = d.Uint()
	e.Relayer = ledger.AccountID(d.String())
	e.Height = d.Uint()
}

// WithdrawalRecorded records a withdrawal; a Burned event of the same
// amount from Account follows it. ChainID and Vault are the parameters in
// effect when it was made: its Merkle leaf commits to them.
type WithdrawalRecorded struct {
	Withdrawal
}

// Withdrawal is one recorded withdrawal: what its Merkle leaf commits to,
// and who made it.
type Withdrawal struct {
	Nonce     uint64           `json:"nonce"`
	ChainID   uint64           `json:"chain_id"`
	Vault     Address          `json:"vault"`
	Account   ledger.AccountID `json:"account"`
	Asset     ledger.AssetID   `json:"asset"`
	Token     Address          `json:"token"`
	Recipient Address          `json:"recipient"`
	Amount    ledger.Amount    `json:"amount"`
	Height    uint64           `json:"height"`
}

func (w *Withdrawal) encode(enc *ledger.Encoder) {
	enc.Uint(w.Nonce)
	enc.Uint(w.ChainID)
	enc.Fixed(w.Vault[:])
	enc.String(string(w.Account))
	enc.String(string(w.Asset))
	enc.Fixed(w.Token[:])
	enc.Fixed(w.Recipient[:])
	enc.Amount(w.Amount)
	enc.Uint(w.Height)
}

func (w *Withdrawal) decode(d *ledger.Decoder) {
	w.Nonce = d.Uint()
	w.ChainID = d.Uint()
	copy(w.Vault[:], d.Fixed(20))
	w.Account = ledger.AccountID(d.String())
	w.Asset = ledger.AssetID(d.String())
	copy(w.Token[:], d.Fixed(20))
	copy(w.Recipient[:], d.Fixed(20))
	w.Amount = d.Amount()
	w.Height = d.Uint()
}

// Leaf returns the withdrawal's Merkle leaf (see WithdrawalLeaf).
func (w *Withdrawal) Leaf() Hash32 {
	return WithdrawalLeaf(w.ChainID, w.Vault, w.Nonce, w.Recipient, w.Token, w.Amount)
}

func (*WithdrawalRecorded) EventType() string            { return "bridge_withdrawal_recorded" }
func (*WithdrawalRecorded) EventVersion() uint16         { return 1 }
func (e *WithdrawalRecorded) Encode(enc *ledger.Encoder) { e.encode(enc) }
func (e *WithdrawalRecorded) Decode(d *ledger.Decoder)   { e.decode(d) }

// AnchorSealed records an anchor: withdrawals FirstNonce..LastNonce
// (none when LastNonce < FirstNonce) under Root, sealed in the block at
// Height. The anchor posted on the EVM chain is (Height, that block's
// hash, its state root, Root).
type AnchorSealed struct {
	Index      uint64 `json:"index"` // from 1
	Height     uint64 `json:"height"`
	FirstNonce uint64 `json:"first_nonce"`
	LastNonce  uint64 `json:"last_nonce"`
	Root       Hash32 `json:"root"`
}

func (*AnchorSealed) EventType() string    { return "bridge_anchor_sealed" }
func (*AnchorSealed) EventVersion() uint16 { return 1 }
func (e *AnchorSealed) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Index)
	enc.Uint(e.Height)
	enc.Uint(e.FirstNonce)
	enc.Uint(e.LastNonce)
	enc.Fixed(e.Root[:])
}
func (e *AnchorSealed) Decode(d *ledger.Decoder) {
	e.Index, e.Height, e.FirstNonce, e.LastNonce = d.Uint(), d.Uint(), d.Uint(), d.Uint()
	copy(e.Root[:], d.Fixed(32))
}

// Count returns the number of withdrawals the anchor commits to.
func (e *AnchorSealed) Count() uint64 {
	if e.LastNonce < e.FirstNonce {
		return 0
	}
	return e.LastNonce - e.FirstNonce + 1
}
