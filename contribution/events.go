package contribution

import "github.com/coopera/coopera/ledger"

// Registered records a registration.
type Registered struct {
	Account ledger.AccountID `json:"account"`
	Role    string           `json:"role"`
	Stake   ledger.Amount    `json:"stake"`
	Height  uint64           `json:"height"`
}

func (*Registered) EventType() string              { return "contribution_registered" }
func (*Registered) EventVersion() uint16           { return 1 }
func (e *Registered) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Account} }
func (e *Registered) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Account))
	enc.String(e.Role)
	enc.Amount(e.Stake)
	enc.Uint(e.Height)
}
func (e *Registered) Decode(d *ledger.Decoder) {
	e.Account, e.Role, e.Stake, e.Height = ledger.AccountID(d.String()), d.String(), d.Amount(), d.Uint()
}

// Recorded records an accepted contribution record and its value.
type Recorded struct {
	Epoch    uint64           `json:"epoch"`
	Provider ledger.AccountID `json:"provider"`
	Kind     string           `json:"kind"`
	Class    string           `json:"class,omitempty"`
	Quantity uint64           `json:"quantity"`
	Value    ledger.Amount    `json:"value"` // P(k) x quantity
	Credits  uint64           `json:"credits,omitempty"`
	Source   string           `json:"source"`
	Reporter ledger.AccountID `json:"reporter"`
}

func (*Recorded) EventType() string              { return "contribution_recorded" }
func (*Recorded) EventVersion() uint16           { return 1 }
func (e *Recorded) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Provider} }
func (e *Recorded) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	enc.String(string(e.Provider))
	enc.String(e.Kind)
	enc.String(e.Class)
	enc.Uint(e.Quantity)
	enc.Amount(e.Value)
	enc.Uint(e.Credits)
	enc.String(e.Source)
	enc.String(string(e.Reporter))
}
func (e *Recorded) Decode(d *ledger.Decoder) {
	e.Epoch, e.Provider, e.Kind, e.Class = d.Uint(), ledger.AccountID(d.String()), d.String(), d.String()
	e.Quantity, e.Value, e.Credits = d.Uint(), d.Amount(), d.Uint()
	e.Source, e.Reporter = d.String(), ledger.AccountID(d.String())
}

// Committed records a validator's weight commitment.
type Committed struct {
	Validator ledger.AccountID `json:"validator"`
	Epoch     uint64           `json:"epoch"`
	Hash      ledger.Hash      `json:"hash"`
	Height    uint64           `json:"height"`
}

func (*Committed) EventType() string    { return "contribution_committed" }
func (*Committed) EventVersion() uint16 { return 1 }
func (e *Committed) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Validator))
	enc.Uint(e.Epoch)
	enc.Fixed(e.Hash[:])
	enc.Uint(e.Height)
}
func (e *Committed) Decode(d *ledger.Decoder) {
	e.Validator, e.Epoch = ledger.AccountID(d.String()), d.Uint()
	copy(e.Hash[:], d.Fixed(32))
	e.Height = d.Uint()
}

// Revealed records a validator's revealed weights.
type Revealed struct {
	Validator ledger.AccountID `json:"validator"`
	Epoch     uint64           `json:"epoch"`
	Weights   []Weight         `json:"weights"`
}

func (*Revealed) EventType() string    { return "contribution_revealed" }
func (*Revealed) EventVersion() uint16 { return 1 }
func (e *Revealed) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Validator))
	enc.Uint(e.Epoch)
	enc.Fixed(encodeWeights(e.Weights))
}
func (e *Revealed) Decode(d *ledger.Decoder) {
	e.Validator, e.Epoch = ledger.AccountID(d.String()), d.Uint()
	e.Weights = decodeWeights(d)
}

// EpochScored closes an epoch's scoring: its Evolve recomputes the epoch's
// consensus from state (the records, reveals, stakes and bonds the events
// before it wrote), stores every provider's and validator's result and the
// new bonds, and clears the epoch's working records. The totals let replay
// check that the recomputation agrees with what was paid.
type EpochScored struct {
	Epoch      uint64        `json:"epoch"`
	Height     uint64        `json:"height"` // the parameters in effect at this height apply
	Pool       ledger.Amount `json:"pool"`
	Paid       ledger.Amount `json:"paid"`     // to providers and validators
	Treasury   ledger.Amount `json:"treasury"` // withheld, capped, unallocated and remainders
	Providers  uint64        `json:"providers"`
	Validators uint64        `json:"validators"`
	Flagged    uint64        `json:"flagged"`
}

func (*EpochScored) EventType() string    { return "contribution_epoch_scored" }
func (*EpochScored) EventVersion() uint16 { return 1 }
func (e *EpochScored) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	enc.Uint(e.Height)
	enc.Amount(e.Pool)
	enc.Amount(e.Paid)
	enc.Amount(e.Treasury)
	enc.Uint(e.Providers)
	enc.Uint(e.Validators)
	enc.Uint(e.Flagged)
}
func (e *EpochScored) Decode(d *ledger.Decoder) {
	e.Epoch, e.Height, e.Pool, e.Paid, e.Treasury = d.Uint(), d.Uint(), d.Amount(), d.Amount(), d.Amount()
	e.Providers, e.Validators, e.Flagged = d.Uint(), d.Uint(), d.Uint()
}
