package contribution

import (
	"encoding/binary"

	"github.com/coopera/coopera/ledger"
)

// State layout (all under "k/"):
//
//	k/p/<provider>                 provider record
//	k/v/<validator>                validator record
//	k/r/<epoch>/<provider>         the epoch's contribution of a provider
//	k/c/<epoch>/<validator>        a validator's weight commitment
//	k/W/<validator>                a validator's weights: the epoch and height
//	                               they were set at, then the weights
//	                               (they persist until it reveals again)
//	k/b/<validator>                a validator's bonds: [column gap, bond]
//	                               pairs over k/C, scaled per column
//	                               (largest 2^bond_bits - 1)
//	k/C                            the provider columns of the last close
//	k/l                            the height of the last epoch close
//	k/s/<provider>/<epoch>         a provider's result for an epoch
//	k/t/<validator>/<epoch>        a validator's result for an epoch
//
// <epoch> is 8 bytes big-endian, so scans run in epoch order.

func epochBytes(e uint64) []byte { return binary.BigEndian.AppendUint64(nil, e) }

func key(parts ...[]byte) []byte {
	k := []byte("k/")
	for i, p := range parts {
		if i > 0 {
			k = append(k, '/')
		}
		k = append(k, p...)
	}
	return k
}

func providerKey(id ledger.AccountID) []byte  { return key([]byte("p"), []byte(id)) }
func validatorKey(id ledger.AccountID) []byte { return key([]byte("v"), []byte(id)) }
func recordPrefix(epoch uint64) []byte        { return append(key([]byte("r"), epochBytes(epoch)), '/') }
func recordKey(epoch uint64, id ledger.AccountID) []byte {
	return append(recordPrefix(epoch), id...)
}
func commitPrefix(epoch uint64) []byte { return append(key([]byte("c"), epochBytes(epoch)), '/') }
func commitKey(epoch uint64, id ledger.AccountID) []byte {
	return append(commitPrefix(epoch), id...)
}
func currentWeightsKey(id ledger.AccountID) []byte { return key([]byte("W"), []byte(id)) }
func lastCloseKey() []byte                         { return key([]byte("l")) }
func columnsKey() []byte                           { return key([]byte("C")) }
func bondsKey(id ledger.AccountID) []byte          { return key([]byte("b"), []byte(id)) }
func providerResultKey(id ledger.AccountID, epoch uint64) []byte {
	return key([]byte("s"), []byte(id), epochBytes(epoch))
}
func validatorResultKey(id ledger.AccountID, epoch uint64) []byte {
	return key([]byte("t"), []byte(id), epochBytes(epoch))
}

// Provider is a registered provider.
type Provider struct {
	ID         ledger.AccountID `json:"id"`
	Role       string           `json:"role"`
	Stake      ledger.Amount    `json:"stake"`
	Registered uint64           `json:"registered"` // height
}

// Validator is a registered validator.
type Validator struct {
	ID         ledger.AccountID `json:"id"`
	Stake      ledger.Amount    `json:"stake"`
	Registered uint64           `json:"registered"`
}

func encodeProvider(p *Provider) []byte {
	e := ledger.NewEncoder(nil)
	e.String(p.Role)
	e.Amount(p.Stake)
	e.Uint(p.Registered)
	return e.Bytes()
}

// GetProvider reads a provider record.
func GetProvider(g ledger.Getter, id ledger.AccountID) (Provider, bool, error) {
	v, ok := g.Get(providerKey(id))
	if !ok {
		return Provider{}, false, nil
	}
	d := ledger.NewDecoder(v, "provider "+string(id))
	p := Provider{ID: id, Role: d.String(), Stake: d.Amount(), Registered: d.Uint()}
	return p, true, d.Finish()
}

func encodeValidator(v *Validator) []byte {
	e := ledger.NewEncoder(nil)
	e.Amount(v.Stake)
	e.Uint(v.Registered)
	return e.Bytes()
}

// GetValidator reads a validator record.
func GetValidator(g ledger.Getter, id ledger.AccountID) (Validator, bool, error) {
	v, ok := g.Get(validatorKey(id))
	if !ok {
		return Validator{}, false, nil
	}
	d := ledger.NewDecoder(v, "validator "+string(id))
	r := Validator{ID: id, Stake: d.Amount(), Registered: d.Uint()}
	return r, true, d.Finish()
}

// record is a provider's contribution in one epoch, summed over records.
type record struct {
	Value   ledger.Amount // C_i = sum_k P(k) N(i,k)
	Credits uint64        // micro-USD of service credits served
	Count   uint64
	// EnergyMJ is the energy the records metered, in millijoules.
	EnergyMJ uint64
}

func encodeRecord(r *record) []byte {
	e := ledger.NewEncoder(nil)
	e.Amount(r.Value)
	e.Uint(r.Credits)
	e.Uint(r.Count)
	e.TrailingUint(r.EnergyMJ)
	return e.Bytes()
}

func decodeRecord(b []byte) (record, error) {
	d := ledger.NewDecoder(b, "contribution record")
	r := record{Value: d.Amount(), Credits: d.Uint(), Count: d.Uint()}
	r.EnergyMJ = d.TrailingUint()
	return r, d.Finish()
}

// Weight is a validator's weight on a provider, an integer; a validator's
// weights are normalised to sum to one when they are scored.
type Weight struct {
	Provider ledger.AccountID `json:"provider"`
	Weight   uint64           `json:"weight"`
}

func encodeWeights(ws []Weight) []byte {
	e := ledger.NewEncoder(nil)
	e.Uint(uint64(len(ws)))
	for _, w := range ws {
		e.String(string(w.Provider))
		e.Uint(w.Weight)
	}
	return e.Bytes()
}

func decodeWeights(d *ledger.Decoder) []Weight {
	n := d.Len(2)
	ws := make([]Weight, 0, n)
	for range n {
		ws = append(ws, Weight{Provider: ledger.AccountID(d.String()), Weight: d.Uint()})
	}
	return ws
}

// encodeColumns encodes the provider columns bonds refer to.
func encodeColumns(cols []ledger.AccountID) []byte {
	size := 8
	for _, c := range cols {
		size += len(c) + 1
	}
	e := ledger.NewEncoder(make([]byte, 0, size))
	e.Uint(uint64(len(cols)))
	for _, c := range cols {
		e.String(string(c))
	}
	return e.Bytes()
}

// decodeColumns returns the stored columns as slices of b.
func decodeColumns(b []byte) ([][]byte, error) {
	d := ledger.NewDecoder(b, "columns")
	n := d.Len(1)
	out := make([][]byte, n)
	for i := range n {
		out[i] = d.Fixed(d.Len(1))
	}
	return out, d.Finish()
}

// encodeBondRow encodes a validator's bonds: ascending columns as gaps.
func encodeBondRow(cols []int32, vals []uint64) []byte {
	e := ledger.NewEncoder(make([]byte, 0, 8+4*len(cols)))
	e.Uint(uint64(len(cols)))
	prev := int32(-1)
	for k, c := range cols {
		e.Uint(uint64(c - prev - 1))
		e.Uint(vals[k])
		prev = c
	}
	return e.Bytes()
}

// decodeBondRow calls fn with each stored (column, bond), columns
// ascending; ncols bounds the columns.
func decodeBondRow(b []byte, ncols int, fn func(col int, bond uint64)) error {
	d := ledger.NewDecoder(b, "bonds")
	n := d.Len(2)
	col := int64(-1)
	for range n {
		col += int64(d.Uint()) + 1
		x := d.Uint()
		if col < 0 || col >= int64(ncols) {
			return ledger.Errorf(ledger.ErrCorrupt, "bond column %d of %d", col, ncols)
		}
		fn(int(col), x)
	}
	return d.Finish()
}

// ProviderResult is a provider's outcome for one epoch.
type ProviderResult struct {
	Epoch        uint64        `json:"epoch"`
	Contribution ledger.Amount `json:"contribution"`  // C_i
	Consensus    uint64        `json:"consensus_ppb"` // the weighted median at kappa
	Incentive    uint64        `json:"incentive_ppb"` // share of the clipped rank
	Trust        uint64        `json:"trust_ppb"`     // clipped / unclipped rank
	Reward       ledger.Amount `json:"reward"`
	Flagged      bool          `json:"flagged"`   // outlier: reward withheld
	Capped       ledger.Amount `json:"capped"`    // withheld by the self-dealing cap
	EnergyMJ     uint64        `json:"energy_mj"` // energy its records metered, millijoules
}

func encodeProviderResult(r *ProviderResult) []byte {
	e := ledger.NewEncoder(nil)
	e.Amount(r.Contribution)
	e.Uint(r.Consensus)
	e.Uint(r.Incentive)
	e.Uint(r.Trust)
	e.Amount(r.Reward)
	e.Bool(r.Flagged)
	e.Amount(r.Capped)
	e.TrailingUint(r.EnergyMJ)
	return e.Bytes()
}

func decodeProviderResult(epoch uint64, b []byte) (ProviderResult, error) {
	d := ledger.NewDecoder(b, "provider result")
	r := ProviderResult{Epoch: epoch, Contribution: d.Amount(), Consensus: d.Uint(), Incentive: d.Uint(), Trust: d.Uint(), Reward: d.Amount(), Flagged: d.Bool(), Capped: d.Amount()}
	r.EnergyMJ = d.TrailingUint()
	return r, d.Finish()
}

// ValidatorResult is a validator's outcome for one epoch.
type ValidatorResult struct {
	Epoch    uint64        `json:"epoch"`
	Active   bool          `json:"active"`       // its last weights are within the activity cutoff
	Dividend uint64        `json:"dividend_ppb"` // share of bond-weighted incentive
	VTrust   uint64        `json:"vtrust_ppb"`   // share of its weight that survived clipping
	Reward   ledger.Amount `json:"reward"`
}

func encodeValidatorResult(r *ValidatorResult) []byte {
	e := ledger.NewEncoder(nil)
	e.Bool(r.Active)
	e.Uint(r.Dividend)
	e.Uint(r.VTrust)
	e.Amount(r.Reward)
	return e.Bytes()
}

func decodeValidatorResult(epoch uint64, b []byte) (ValidatorResult, error) {
	d := ledger.NewDecoder(b, "validator result")
	r := ValidatorResult{Epoch: epoch, Active: d.Bool(), Dividend: d.Uint(), VTrust: d.Uint(), Reward: d.Amount()}
	return r, d.Finish()
}
