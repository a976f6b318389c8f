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

// Recorded records an accepted contribution record and its value: the
// fields of version 1 and the energy the record metered.
type Recorded struct {
	RecordedV1
	EnergyMJ uint64 `json:"energy_mj,omitempty"` // millijoules; 0 when not metered
}

func (*Recorded) EventType() string    { return "contribution_recorded" }
func (*Recorded) EventVersion() uint16 { return 2 }
func (e *Recorded) Encode(enc *ledger.Encoder) {
	e.RecordedV1.Encode(enc)
	enc.Uint(e.EnergyMJ)
}
func (e *Recorded) Decode(d *ledger.Decoder) {
	e.RecordedV1.Decode(d)
	e.EnergyMJ = d.Uint()
}

// RecordedV1 is contribution_recorded as written before records carried
// energy; it upcasts to Recorded with no energy.
type RecordedV1 struct {
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

func (*RecordedV1) EventType() string              { return "contribution_recorded" }
func (*RecordedV1) EventVersion() uint16           { return 1 }
func (e *RecordedV1) Accounts() []ledger.AccountID { return []ledger.AccountID{e.Provider} }
func (e *RecordedV1) Encode(enc *ledger.Encoder) {
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
func (e *RecordedV1) Decode(d *ledger.Decoder) {
	e.Epoch, e.Provider, e.Kind, e.Class = d.Uint(), ledger.AccountID(d.String()), d.String(), d.String()
	e.Quantity, e.Value, e.Credits = d.Uint(), d.Amount(), d.Uint()
	e.Source, e.Reporter = d.String(), ledger.AccountID(d.String())
}

func upcastRecorded(ev ledger.Event) ledger.Event {
	return &Recorded{RecordedV1: *ev.(*RecordedV1)}
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

// RevealedV1 is the first version of Revealed, without the height the
// weights count from. It decodes and upcasts to Revealed with Height 0.
type RevealedV1 struct {
	Validator ledger.AccountID `json:"validator"`
	Epoch     uint64           `json:"epoch"`
	Weights   []Weight         `json:"weights"`
}

func (*RevealedV1) EventType() string    { return "contribution_revealed" }
func (*RevealedV1) EventVersion() uint16 { return 1 }
func (e *RevealedV1) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Validator))
	enc.Uint(e.Epoch)
	enc.Fixed(encodeWeights(e.Weights))
}
func (e *RevealedV1) Decode(d *ledger.Decoder) {
	e.Validator, e.Epoch = ledger.AccountID(d.String()), d.Uint()
	e.Weights = decodeWeights(d)
}

func upcastRevealed(ev ledger.Event) ledger.Event {
	e := ev.(*RevealedV1)
	return &Revealed{Validator: e.Validator, Epoch: e.Epoch, Weights: e.Weights}
}

// Revealed records a validator's revealed weights. They replace the
// validator's weights until it reveals again (weights persist across
// epochs, as on the chain). Height is the block the weights were set at:
// the commitment's, or the reveal's without commit-reveal; weights to
// providers registered at or after it do not count.
type Revealed struct {
	Validator ledger.AccountID `json:"validator"`
	Epoch     uint64           `json:"epoch"`
	Height    uint64           `json:"height"`
	Weights   []Weight         `json:"weights"`
}

func (*Revealed) EventType() string    { return "contribution_revealed" }
func (*Revealed) EventVersion() uint16 { return 2 }
func (e *Revealed) Encode(enc *ledger.Encoder) {
	enc.String(string(e.Validator))
	enc.Uint(e.Epoch)
	enc.Uint(e.Height)
	enc.Fixed(encodeWeights(e.Weights))
}
func (e *Revealed) Decode(d *ledger.Decoder) {
	e.Validator, e.Epoch, e.Height = ledger.AccountID(d.String()), d.Uint(), d.Uint()
	e.Weights = decodeWeights(d)
}

// EpochScoredV1 is the first version of EpochScored: totals only, its
// Evolve re-ran the scoring. It still decodes (old logs read and export),
// but it cannot be applied: replay only applies, and this version carries
// nothing to apply.
type EpochScoredV1 struct {
	Epoch      uint64        `json:"epoch"`
	Height     uint64        `json:"height"`
	Pool       ledger.Amount `json:"pool"`
	Paid       ledger.Amount `json:"paid"`
	Treasury   ledger.Amount `json:"treasury"`
	Providers  uint64        `json:"providers"`
	Validators uint64        `json:"validators"`
	Flagged    uint64        `json:"flagged"`
}

func (*EpochScoredV1) EventType() string    { return "contribution_epoch_scored" }
func (*EpochScoredV1) EventVersion() uint16 { return 1 }
func (e *EpochScoredV1) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	enc.Uint(e.Height)
	enc.Amount(e.Pool)
	enc.Amount(e.Paid)
	enc.Amount(e.Treasury)
	enc.Uint(e.Providers)
	enc.Uint(e.Validators)
	enc.Uint(e.Flagged)
}
func (e *EpochScoredV1) Decode(d *ledger.Decoder) {
	e.Epoch, e.Height, e.Pool, e.Paid, e.Treasury = d.Uint(), d.Uint(), d.Amount(), d.Amount(), d.Amount()
	e.Providers, e.Validators, e.Flagged = d.Uint(), d.Uint(), d.Uint()
}

// EpochScored closes an epoch's scoring and carries everything replay
// needs to apply it without scoring again: the epoch's provider columns,
// each scored provider's result, each validator's result and the changes
// to its bonds.
// Its Evolve stores them, records the close height and clears the epoch's
// records and commitments; the transfers that pay the rewards follow it as
// events of their own.
type EpochScored struct {
	Epoch    uint64        `json:"epoch"`
	Height   uint64        `json:"height"`
	Pool     ledger.Amount `json:"pool"`
	Paid     ledger.Amount `json:"paid"`     // to providers and validators
	Treasury ledger.Amount `json:"treasury"` // withheld, capped, unallocated and remainders
	Flagged  uint64        `json:"flagged"`
	// Columns are the providers of the epoch (every registered one), in
	// ID order; results and bonds refer to them by index.
	Columns    []ledger.AccountID `json:"columns"`
	Providers  []ScoredProvider   `json:"providers"`
	Validators []ScoredValidator  `json:"validators"`
	// Cleared are validators below the minimum stake whose bonds lapse.
	Cleared []ledger.AccountID `json:"cleared,omitempty"`
}

// ScoredProvider is a provider's result in EpochScored.
type ScoredProvider struct {
	Column       uint32        `json:"column"`
	Contribution ledger.Amount `json:"contribution"`
	Consensus    uint64        `json:"consensus_ppb"`
	Incentive    uint64        `json:"incentive_ppb"`
	Trust        uint64        `json:"trust_ppb"`
	Reward       ledger.Amount `json:"reward"`
	Flagged      bool          `json:"flagged,omitempty"`
	Capped       ledger.Amount `json:"capped"`
}

// ScoredValidator is a validator's result and new bonds in EpochScored.
type ScoredValidator struct {
	Validator ledger.AccountID `json:"validator"`
	Active    bool             `json:"active"`
	Dividend  uint64           `json:"dividend_ppb"`
	VTrust    uint64           `json:"vtrust_ppb"`
	Reward    ledger.Amount    `json:"reward"`
	// BondColumns (ascending) and BondChanges change the validator's
	// bonds: its stored bonds, carried over to this epoch's columns, plus
	// these differences are its new bonds (scaled so that each column's
	// largest is 2^bond_bits - 1); a column not listed keeps its bond.
	// Converged bonds change little, so the event stays small.
	BondColumns []int32 `json:"bond_columns"`
	BondChanges []int64 `json:"bond_changes"`
}

func (*EpochScored) EventType() string    { return "contribution_epoch_scored" }
func (*EpochScored) EventVersion() uint16 { return 2 }

func (e *EpochScored) Encode(enc *ledger.Encoder) {
	enc.Uint(e.Epoch)
	enc.Uint(e.Height)
	enc.Amount(e.Pool)
	enc.Amount(e.Paid)
	enc.Amount(e.Treasury)
	enc.Uint(e.Flagged)
	enc.Uint(uint64(len(e.Columns)))
	for _, c := range e.Columns {
		enc.String(string(c))
	}
	enc.Uint(uint64(len(e.Providers)))
	for i := range e.Providers {
		p := &e.Providers[i]
		enc.Uint(uint64(p.Column))
		enc.Amount(p.Contribution)
		enc.Uint(p.Consensus)
		enc.Uint(p.Incentive)
		enc.Uint(p.Trust)
		enc.Amount(p.Reward)
		enc.Bool(p.Flagged)
		enc.Amount(p.Capped)
	}
	enc.Uint(uint64(len(e.Validators)))
	for i := range e.Validators {
		v := &e.Validators[i]
		enc.String(string(v.Validator))
		enc.Bool(v.Active)
		enc.Uint(v.Dividend)
		enc.Uint(v.VTrust)
		enc.Amount(v.Reward)
		enc.Uint(uint64(len(v.BondChanges)))
		prev := int32(-1)
		for k, c := range v.BondColumns {
			enc.Uint(uint64(c - prev - 1)) // columns ascending: gaps are small
			enc.Int(v.BondChanges[k])
			prev = c
		}
	}
	enc.Uint(uint64(len(e.Cleared)))
	for _, c := range e.Cleared {
		enc.String(string(c))
	}
}

func (e *EpochScored) Decode(d *ledger.Decoder) {
	e.Epoch, e.Height, e.Pool, e.Paid, e.Treasury, e.Flagged = d.Uint(), d.Uint(), d.Amount(), d.Amount(), d.Amount(), d.Uint()
	n := d.Len(1)
	e.Columns = make([]ledger.AccountID, n)
	for i := range n {
		e.Columns[i] = ledger.AccountID(d.String())
	}
	n = d.Len(8)
	e.Providers = make([]ScoredProvider, n)
	for i := range n {
		p := &e.Providers[i]
		c := d.Uint()
		if c >= uint64(len(e.Columns)) && d.Err() == nil {
			d.Fail(ledger.Errorf(ledger.ErrCorrupt, "epoch_scored: provider column %d of %d", c, len(e.Columns)))
		}
		p.Column = uint32(c)
		p.Contribution, p.Consensus, p.Incentive, p.Trust = d.Amount(), d.Uint(), d.Uint(), d.Uint()
		p.Reward, p.Flagged, p.Capped = d.Amount(), d.Bool(), d.Amount()
	}
	n = d.Len(6)
	e.Validators = make([]ScoredValidator, n)
	for i := range n {
		v := &e.Validators[i]
		v.Validator, v.Active, v.Dividend, v.VTrust, v.Reward = ledger.AccountID(d.String()), d.Bool(), d.Uint(), d.Uint(), d.Amount()
		m := d.Len(2)
		v.BondColumns, v.BondChanges = make([]int32, m), make([]int64, m)
		col := int64(-1)
		for k := range m {
			col += int64(d.Uint()) + 1
			if (col < 0 || col >= int64(len(e.Columns))) && d.Err() == nil {
				d.Fail(ledger.Errorf(ledger.ErrCorrupt, "epoch_scored: bond column %d of %d", col, len(e.Columns)))
			}
			v.BondColumns[k], v.BondChanges[k] = int32(col), d.Int()
		}
	}
	n = d.Len(1)
	e.Cleared = make([]ledger.AccountID, n)
	for i := range n {
		e.Cleared[i] = ledger.AccountID(d.String())
	}
}
