// Package economy assembles coopera's standard economy: the tokenomics,
// contribution, governance and bridge modules, wired to each other through the
// narrow interfaces each declares (module accounts and events, never
// imports between reducers):
//
//   - governance reads voting stake from tokenomics' protocol-pool
//     checkpoints (GovernanceStake implements governance.StakeSource);
//   - contribution values rewards for its self-dealing cap at the
//     tokenomics oracle's last median (OraclePrice implements
//     contribution.PriceSource);
//   - the bridge needs nothing from the others: governance configures it
//     by parameter_change and lists its assets by asset_listing.
//
// Modules returns them in their fixed order; a ledger must always be
// opened with the same modules it was created with.
package economy

import (
	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// Modules returns the standard modules: tokenomics, contribution,
// governance, bridge. The bridge comes last so that the modules before it
// keep their places; a chain without params.bridge gets the bridge
// disabled (chain_id 0) until governance configures it.
func Modules() []ledger.Module {
	return []ledger.Module{
		tokenomics.Module{},
		contribution.New(OraclePrice{}),
		governance.New(GovernanceStake{}),
		bridge.Module{},
	}
}

// GovernanceStake is governance's stake source: an account's units in the
// tokenomics protocol pool at a height.
type GovernanceStake struct{}

// StakeAt implements governance.StakeSource.
func (GovernanceStake) StakeAt(g governance.Scanner, acct ledger.AccountID, height uint64) (ledger.Amount, int64, error) {
	return tokenomics.ProtocolStakeAt(g, acct, height)
}

// TotalStakeAt implements governance.StakeSource.
func (GovernanceStake) TotalStakeAt(g governance.Scanner, height uint64) (ledger.Amount, error) {
	return tokenomics.ProtocolTotalAt(g, height)
}

// OraclePrice is contribution's price source: the tokenomics oracle's last
// median, in 10^-18 USD per whole native token.
type OraclePrice struct{}

// Price implements contribution.PriceSource.
func (OraclePrice) Price(g ledger.Getter) (ledger.Amount, bool) {
	p, ok, err := tokenomics.LastPrice(g)
	return p, ok && err == nil
}

var (
	_ governance.StakeSource   = GovernanceStake{}
	_ contribution.PriceSource = OraclePrice{}
)
