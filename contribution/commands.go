package contribution

import (
	"github.com/coopera/coopera/ledger"
)

// Register registers the actor in a role, moving Stake of the reward asset
// from the actor into the module's stake account. Validators need at least
// MinValidatorStake.
type Register struct {
	Role  string        `json:"role"`
	Stake ledger.Amount `json:"stake"`
}

func (*Register) Type() string { return "contribution_register" }
func (p *Register) Encode(e *ledger.Encoder) {
	e.String(p.Role)
	e.Amount(p.Stake)
}
func (p *Register) Decode(d *ledger.Decoder) { p.Role, p.Stake = d.String(), d.Amount() }
func (p *Register) Validate() error {
	switch p.Role {
	case RoleCompute, RoleModels, RoleData, RoleCreators, RoleValidator:
	default:
		return ledger.Errorf(ErrUnknownRole, "role %q; roles are compute, models, data, creators, validator", p.Role)
	}
	return nil
}

// Record reports a contribution: Quantity units of Kind by Provider (for
// GPU time, seconds of a device Class), with the service credits it served
// (micro-USD) and the meter or service that measured it.
type Record struct {
	Provider ledger.AccountID `json:"provider"`
	Kind     string           `json:"kind"`
	Class    string           `json:"class,omitempty"`
	Quantity uint64           `json:"quantity"`
	Credits  uint64           `json:"credits,omitempty"`
	Source   string           `json:"source"`
	// EnergyMJ is the energy the metered work drew, in millijoules (a
	// GPU's energy counter delta over the window); zero when not metered.
	// It is recorded and summed per provider and epoch; it does not change
	// the contribution's value.
	EnergyMJ uint64 `json:"energy_mj,omitempty"`
}

// MaxRecordCredits and MaxRecordEnergyMJ bound one record's credits
// (micro-USD: about 281 million USD) and energy (millijoules: about 78
// MWh, a 3 MW site's day). A provider's epoch sums each in 64 bits, so it
// takes at least 2^16 records at the bounds to fill a sum: one bad record
// can no longer set the provider's credits to the 64-bit maximum, which
// lifted its self-dealing cap to any reward and, the sum being full, got
// every later record of its epoch refused. A record that would overflow
// a sum all the same is refused (ledger.ErrAmountOverflow), and the
// provider's other records still apply. Both are refused in the record's
// block, from ledger.RulesV2 on.
const (
	MaxRecordCredits  = 1 << 48
	MaxRecordEnergyMJ = 1 << 48
)

func (*Record) Type() string { return "contribution_record" }
func (p *Record) Encode(e *ledger.Encoder) {
	e.String(string(p.Provider))
	e.String(p.Kind)
	e.String(p.Class)
	e.Uint(p.Quantity)
	e.Uint(p.Credits)
	e.String(p.Source)
	e.TrailingUint(p.EnergyMJ) // added later: records without energy encode as before
}
func (p *Record) Decode(d *ledger.Decoder) {
	p.Provider, p.Kind, p.Class = ledger.AccountID(d.String()), d.String(), d.String()
	p.Quantity, p.Credits, p.Source = d.Uint(), d.Uint(), d.String()
	p.EnergyMJ = d.TrailingUint()
}
func (p *Record) Validate() error {
	if err := p.Provider.Validate(); err != nil {
		return err
	}
	if _, ok := kindRole[p.Kind]; !ok {
		return ledger.Errorf(ErrUnknownKind, "kind %q; kinds are %v", p.Kind, Kinds())
	}
	if p.Class != "" && p.Kind != "gpu_seconds" {
		return ledger.Errorf(ledger.ErrMalformed, "a device class applies to gpu_seconds only, not %s", p.Kind)
	}
	if p.Quantity == 0 {
		return ledger.Errorf(ledger.ErrZeroAmount, "quantity is zero")
	}
	if p.Source == "" {
		return ledger.Errorf(ledger.ErrMissingField, "source: name the meter or service that measured the contribution")
	}
	if len(p.Source) > 128 || len(p.Class) > 64 {
		return ledger.Errorf(ledger.ErrMalformed, "source or class too long")
	}
	return nil
}

// checkBounds refuses a record over MaxRecordCredits or
// MaxRecordEnergyMJ. Decide checks it, from ledger.RulesV2 on, rather
// than Validate: the blocks decided before (which a follower re-executes,
// Validate included) took such records.
func (p *Record) checkBounds() error {
	if p.Credits > MaxRecordCredits {
		return ledger.Errorf(ErrAbsurdQuantity, "credits %d is above the limit of %d micro-USD per record (MaxRecordCredits); split the usage over several records", p.Credits, uint64(MaxRecordCredits))
	}
	if p.EnergyMJ > MaxRecordEnergyMJ {
		return ledger.Errorf(ErrAbsurdQuantity, "energy_mj %d is above the limit of %d millijoules per record (MaxRecordEnergyMJ); split the window over several records", p.EnergyMJ, uint64(MaxRecordEnergyMJ))
	}
	return nil
}

// CommitWeights commits to the actor's weights for the open epoch: Hash is
// WeightsHash(validator, epoch, weights, salt).
type CommitWeights struct {
	Hash ledger.Hash `json:"hash"`
}

func (*CommitWeights) Type() string               { return "contribution_commit" }
func (p *CommitWeights) Encode(e *ledger.Encoder) { e.Fixed(p.Hash[:]) }
func (p *CommitWeights) Decode(d *ledger.Decoder) { copy(p.Hash[:], d.Fixed(32)) }
func (p *CommitWeights) Validate() error {
	if p.Hash.IsZero() {
		return ledger.Errorf(ledger.ErrMissingField, "hash: commit to WeightsHash(validator, epoch, weights, salt)")
	}
	return nil
}

// MaxWeights bounds the weights of one reveal; MaxRawWeight bounds each.
const (
	MaxWeights   = 1 << 16
	MaxRawWeight = 1 << 40
)

// RevealWeights reveals the weights committed to in this epoch.
type RevealWeights struct {
	Weights []Weight `json:"weights"`
	Salt    string   `json:"salt"`
}

func (*RevealWeights) Type() string { return "contribution_reveal" }
func (p *RevealWeights) Encode(e *ledger.Encoder) {
	e.Fixed(encodeWeights(p.Weights))
	e.String(p.Salt)
}
func (p *RevealWeights) Decode(d *ledger.Decoder) {
	p.Weights = decodeWeights(d)
	p.Salt = d.String()
}
func (p *RevealWeights) Validate() error {
	if len(p.Weights) == 0 {
		return ledger.Errorf(ErrWeights, "no weights")
	}
	if len(p.Weights) > MaxWeights {
		return ledger.Errorf(ErrWeights, "%d weights; at most %d", len(p.Weights), MaxWeights)
	}
	var sum uint64
	for i, w := range p.Weights {
		if err := w.Provider.Validate(); err != nil {
			return err
		}
		if w.Weight > MaxRawWeight {
			return ledger.Errorf(ErrWeights, "weight %d of %s is above %d", w.Weight, w.Provider, uint64(MaxRawWeight))
		}
		if i > 0 && p.Weights[i-1].Provider >= w.Provider {
			return ledger.Errorf(ErrWeights, "weights must be sorted by provider with no repeats (%s after %s)", w.Provider, p.Weights[i-1].Provider)
		}
		sum += w.Weight
	}
	if sum == 0 {
		return ledger.Errorf(ErrWeights, "weights sum to zero and cannot be normalised")
	}
	return nil
}

// WeightsHash is what a validator commits to before revealing weights.
func WeightsHash(validator ledger.AccountID, epoch uint64, ws []Weight, salt string) ledger.Hash {
	e := ledger.NewEncoder(nil)
	e.Fixed([]byte("coopera/contribution/weights/v1\x00"))
	e.String(string(validator))
	e.Uint(epoch)
	e.Fixed(encodeWeights(ws))
	e.String(salt)
	return blake(e.Bytes())
}
