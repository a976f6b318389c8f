package contribution

import (
	"encoding/binary"

	"github.com/coopera/coopera/ledger"
)

// Scanner is state that can be read by key and scanned by prefix: a
// ledger.State, a ledger.Context, or a host's read view.
type Scanner interface {
	ledger.Getter
	Scan(prefix []byte, fn func(k, v []byte) bool)
}

// ProviderResults returns a provider's results, oldest epoch first.
func ProviderResults(g Scanner, id ledger.AccountID) ([]ProviderResult, error) {
	prefix := append(key([]byte("s"), []byte(id)), '/')
	var out []ProviderResult
	var ferr error
	g.Scan(prefix, func(k, v []byte) bool {
		rest := k[len(prefix):]
		if len(rest) != 8 {
			return true // a longer ID sharing the prefix
		}
		r, err := decodeProviderResult(binary.BigEndian.Uint64(rest), v)
		if err != nil {
			ferr = err
			return false
		}
		out = append(out, r)
		return true
	})
	return out, ferr
}

// ValidatorResults returns a validator's results, oldest epoch first.
func ValidatorResults(g Scanner, id ledger.AccountID) ([]ValidatorResult, error) {
	prefix := append(key([]byte("t"), []byte(id)), '/')
	var out []ValidatorResult
	var ferr error
	g.Scan(prefix, func(k, v []byte) bool {
		rest := k[len(prefix):]
		if len(rest) != 8 {
			return true
		}
		r, err := decodeValidatorResult(binary.BigEndian.Uint64(rest), v)
		if err != nil {
			ferr = err
			return false
		}
		out = append(out, r)
		return true
	})
	return out, ferr
}

// Pending is a provider's contribution in the open epoch so far.
type Pending struct {
	Epoch        uint64        `json:"epoch"`
	Contribution ledger.Amount `json:"contribution"`
	Credits      uint64        `json:"credits"`
	Records      uint64        `json:"records"`
	EnergyMJ     uint64        `json:"energy_mj"` // energy metered, millijoules
}

// PendingContribution returns a provider's contribution in an epoch that
// has not been scored yet.
func PendingContribution(g ledger.Getter, id ledger.AccountID, epoch uint64) (Pending, error) {
	v, ok := g.Get(recordKey(epoch, id))
	if !ok {
		return Pending{Epoch: epoch}, nil
	}
	r, err := decodeRecord(v)
	return Pending{Epoch: epoch, Contribution: r.Value, Credits: r.Credits, Records: r.Count, EnergyMJ: r.EnergyMJ}, err
}

// Bonds returns a validator's stored bonds by provider: per provider
// column, scaled so that the largest validator's bond is 2^bond_bits - 1
// (65535 by default, as the chain stores them).
func Bonds(g ledger.Getter, id ledger.AccountID) (map[ledger.AccountID]uint64, error) {
	out := map[ledger.AccountID]uint64{}
	v, ok := g.Get(bondsKey(id))
	if !ok {
		return out, nil
	}
	cb, _ := g.Get(columnsKey())
	cols, err := decodeColumns(cb)
	if err != nil {
		return nil, err
	}
	err = decodeBondRow(v, len(cols), func(c int, b uint64) { out[ledger.AccountID(cols[c])] = b })
	return out, err
}
