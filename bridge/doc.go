// Package bridge is the reducer that moves value between the ledger and
// an EVM chain: deposits into a vault contract are credited on the
// ledger, withdrawals on the ledger are released from the vault with a
// Merkle proof against an anchored root. It is pure (no I/O, clock or
// randomness); the relayer, anchorer and prover that talk to the chain
// live in the adapters/chain Go module.
//
// # Commands
//
//   - bridge_deposit (relayers only): credits a vault deposit once per
//     (chain id, vault contract, deposit nonce). The key is the vault's own
//     deposit counter, never the EVM block or transaction hash, which a
//     reorg changes. A second credit of the same deposit is refused by the
//     deposit's record in state (ErrAlreadyCredited), whoever sends it;
//     relayers also give the idempotency key DepositKey, so a resubmission
//     gets the first receipt. The relayer credits only deposits at the
//     chain's finalized block or a configured depth: the reducer cannot
//     see the EVM chain and trusts the relayer set (a parameter) for that.
//     A deposit to an account that does not exist (or to a module account)
//     is credited to SuspenseAccount, so it is recorded and never lost
//     between chains; nothing moves it out in this version. It is a
//     booked account (ledger.Bookkeeper): its balance is exactly the
//     deposits credited to it, so no user transfer may add to it. A deposit
//     whose credit would overflow the asset's supply counter or the
//     bridge's totals (ledger.ErrAmountOverflow: both count every credit
//     ever made, in 128 bits) is refused and stays in the vault: credited
//     to SuspenseAccount it would overflow the same per-asset counters.
//     The relayer stops on it for its operator rather than skip it.
//   - bridge_withdraw (any account): burns the amount from the actor and
//     records Withdrawal number n (n = 1, 2, ...), to an EVM recipient.
//     Burn, not lock: on the ledger a bridged asset is a claim on the
//     vault's tokens, minted on deposit and burned on withdrawal, so the
//     ledger's supply of a bridged asset is exactly what the vault owes
//     (CheckBacked) and S(t+1) = S(t) − burned + minted holds with bridge
//     flows counted by the ledger's own supply counters.
//   - bridge_anchor (anchorers only, at most once every anchor_interval
//     ledger blocks): seals the withdrawals since the last anchor (at most
//     max_anchor_withdrawals) under a Merkle root, recorded as
//     AnchorSealed{index, height, nonces, root}.
//
// # What an anchor commits to
//
// A reducer cannot know the hash of the block it runs in (the hash covers
// the block's results), and the ledger's state keeps no block hashes. So
// the reducer decides the withdrawals root W and records it in the state
// and events of the block H that seals it; the anchor posted on the EVM
// chain is (H, hash of block H, state root after H, W), read by the
// anchorer from the committed block H. Block H's hash commits to its
// AnchorSealed event (and so to W), and its state root to the anchor
// record, so anyone holding the ledger checks a posted anchor by
// comparing the four values with block H; the anchorer refuses to post
// values that do not match. The EVM contract trusts the anchorer key, as
// Polygon's checkpoints trust their signers; there is no fraud-proof
// window in this version.
//
// # Withdrawal leaves and the tree
//
// The tree (merkle.go) is a binary keccak256 tree with OpenZeppelin's
// conventions, so Solidity verifies a proof in a loop of sorted-pair
// hashes: leaf = keccak256(keccak256(abi.encode(chainId, vault, nonce,
// recipient, token, amount))). Proof size: ceil(log2 n) siblings of 32
// bytes for an anchor of n withdrawals.
//
// # Assets and tokens
//
// Governance maps assets to token contracts with the "tokens" parameter
// (parameter_change on module "bridge"); a new asset is first listed with
// asset_listing, with the token's decimals: one ledger base unit is one
// token base unit, so no amount is ever rounded and no remainder arises.
//
// # Parameters
//
// params.bridge: chain_id and vault (the bridge is disabled until both
// are set; the default), relayers, anchorers, anchor_interval (default
// 100 blocks), max_anchor_withdrawals (default 4096), tokens. See Params.
package bridge
