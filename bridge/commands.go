package bridge

import "github.com/coopera/coopera/ledger"

// Deposit credits a deposit made into the vault on the EVM chain. Only a
// relayer (params.bridge.relayers) may submit it; it is credited once per
// (ChainID, Contract, Nonce), the vault's deposit nonce, whatever the
// block or transaction that carried it (a reorg may move a deposit to
// another block; it stays the same deposit). Relayers submit it with the
// idempotency key DepositKey(ChainID, Contract, Nonce).
type Deposit struct {
	ChainID  uint64           `json:"chain_id"`
	Contract Address          `json:"contract"` // the vault that emitted the event
	Nonce    uint64           `json:"nonce"`    // the vault's deposit nonce
	Token    Address          `json:"token"`
	From     Address          `json:"from"` // the depositor on the EVM chain
	To       ledger.AccountID `json:"to"`   // the ledger account credited
	Amount   ledger.Amount    `json:"amount"`
	// L1Block is the EVM block the relayer saw the deposit in, for the
	// record only: the ledger never keys anything by it.
	L1Block uint64 `json:"l1_block"`
}

func (*Deposit) Type() string { return "bridge_deposit" }

// OnceOnly marks a deposit as credited once by its own record
// (ledger.OnceOnly): a refused one uses no command nonce, so the relayer,
// whose command nonce is the deposit nonce, can submit it again once what
// refused it (the bridge's parameters, say) is fixed.
func (*Deposit) OnceOnly() {}
func (p *Deposit) Encode(e *ledger.Encoder) {
	e.Uint(p.ChainID)
	e.Fixed(p.Contract[:])
	e.Uint(p.Nonce)
	e.Fixed(p.Token[:])
	e.Fixed(p.From[:])
	e.String(string(p.To))
	e.Amount(p.Amount)
	e.Uint(p.L1Block)
}
func (p *Deposit) Decode(d *ledger.Decoder) {
	p.ChainID = d.Uint()
	copy(p.Contract[:], d.Fixed(20))
	p.Nonce = d.Uint()
	copy(p.Token[:], d.Fixed(20))
	copy(p.From[:], d.Fixed(20))
	p.To = ledger.AccountID(d.String())
	p.Amount = d.Amount()
	p.L1Block = d.Uint()
}
func (p *Deposit) Validate() error {
	if p.ChainID == 0 {
		return ledger.Errorf(ledger.ErrMissingField, "bridge_deposit needs a chain_id")
	}
	if p.Contract.IsZero() || p.Token.IsZero() {
		return ledger.Errorf(ledger.ErrMissingField, "bridge_deposit needs a contract and a token address")
	}
	// To is what the depositor typed on the EVM chain; an invalid or
	// unknown account is credited to SuspenseAccount, never refused (the
	// tokens are in the vault already).
	if len(p.To) > 128 {
		return ledger.Errorf(ledger.ErrMalformed, "bridge_deposit to an account of %d bytes; the vault allows 64", len(p.To))
	}
	if p.Amount.IsZero() {
		return ledger.Errorf(ledger.ErrZeroAmount, "bridge_deposit of zero; the vault refuses zero deposits")
	}
	return nil
}

// Withdraw burns Amount of Asset from the actor on the ledger and records
// a withdrawal to Recipient on the EVM chain, released there with a
// Merkle proof once an anchor commits to it.
type Withdraw struct {
	Asset     ledger.AssetID `json:"asset"`
	Recipient Address        `json:"recipient"`
	Amount    ledger.Amount  `json:"amount"`
}

func (*Withdraw) Type() string { return "bridge_withdraw" }
func (p *Withdraw) Encode(e *ledger.Encoder) {
	e.String(string(p.Asset))
	e.Fixed(p.Recipient[:])
	e.Amount(p.Amount)
}
func (p *Withdraw) Decode(d *ledger.Decoder) {
	p.Asset = ledger.AssetID(d.String())
	copy(p.Recipient[:], d.Fixed(20))
	p.Amount = d.Amount()
}
func (p *Withdraw) Validate() error {
	if err := p.Asset.Validate(); err != nil {
		return err
	}
	if p.Recipient.IsZero() {
		return ledger.Errorf(ledger.ErrMissingField, "bridge_withdraw needs a recipient address (not the zero address)")
	}
	if p.Amount.IsZero() {
		return ledger.Errorf(ledger.ErrZeroAmount, "bridge_withdraw of zero %s", p.Asset)
	}
	return nil
}

// Anchor seals the withdrawals recorded since the last anchor under a
// Merkle root, at most once every anchor_interval blocks; only an
// anchorer (params.bridge.anchorers) may submit it. The anchorer then
// posts (height, block hash, state root, withdrawals root) of the block
// that sealed it on the EVM chain: see the package doc.
type Anchor struct{}

func (*Anchor) Type() string               { return "bridge_anchor" }
func (p *Anchor) Encode(e *ledger.Encoder) {}
func (p *Anchor) Decode(d *ledger.Decoder) {}
func (p *Anchor) Validate() error          { return nil }
