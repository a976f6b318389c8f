// Package tokenomics is the economy of a coopera ledger as one
// deterministic reducer (a ledger.Module): platform fees, a price oracle,
// burn-and-mint equilibrium with USD credits, staking pools with O(1)
// rewards, value locking and agent-token bonding curves, mining and creator
// rewards.
//
// Contract:
//
//   - Pure. Decide and Evolve read state only through the ledger's Context
//     or State and change it only by events; block time and epoch come from
//     the Context. No clock, randomness, I/O, floats or unordered map
//     iteration (a lint test enforces the imports and floats).
//   - Exact. Amounts are integer base units (ledger.Amount); ratios are
//     basis points; every division states its rounding, and the remainder
//     goes to the protocol (the treasury, or stays burned), never to the
//     caller. Funds move only by the accounts module's events
//     (transferred, minted, burned) between real accounts, the module's
//     own among them (Treasury, RewardsAccount, StakeAccount,
//     UnbondingAccount, LockedAccount, CurveAccount), so the ledger's
//     conservation invariant covers every base unit; credits, which are not
//     an asset, balance as issued - spent = outstanding.
//   - Booked. All those accounts but the treasury hold exactly what the
//     module's records say; they are its booked accounts
//     (ledger.Bookkeeper), so no user transfer reaches them (the accounts
//     module refuses it), nor a genesis allocation (the ledger refuses
//     it), and no parameter of any module may pay into or spend from one:
//     provider_pool is refused if booked, at genesis and for a change, as
//     the governance and contribution treasuries are. A close that finds
//     one booked all the same (state from before the checks, or a release
//     that booked the account since) treats it as unset and says so with
//     an epoch_work_failed event.
//   - Typed rejections. Bad input is an *ledger.Error with a durable code
//     (this package's sentinels, or the ledger's) that says what to fix; a
//     rejected command changes nothing (but a signed one uses its nonce:
//     ledger.NonceUsed).
//   - Governed. Every number is a parameter (Params): genesis state under
//     params.tokenomics, changed only by governance through
//     ledger.ChangeParam, validated by SetParam.
//
// Epoch close (EndEpoch) runs, in order: emission E(t) from the schedule,
// the HIP-20 remint R(t) from smoothed burns, the split of E + R among the
// provider, mining, creator and staker pools and the treasury with the
// self-dealing cap, then the epoch_report event with
// S(t+1) = S(t) - B(t) + M(t). Its cost grows with the recipients of the
// epoch's usage, never with the number of stakers.
//
// Queries (Supply, StakeOf, PoolOf, GetAgent, GetCurve, Price, Report,
// Credits, Locks, UnbondingOf) are pure functions over committed state.
// The formulas and their defaults are in the repository README, section
// "Tokenomics".
package tokenomics
