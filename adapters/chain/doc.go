// Package chain connects a coopera ledger's bridge module (package
// bridge) to an EVM chain: deposits into the CooperaVault contract are
// credited on the ledger, withdrawals recorded on the ledger are anchored
// on the chain and released there with Merkle proofs.
//
// It is its own Go module (github.com/coopera/coopera/adapters/chain),
// so that the root module's builds and tests never compile go-ethereum.
//
//   - Relayer follows the vault's Deposited logs by block range, keeps the
//     (number, hash) of what it scanned, rewinds to the common ancestor on
//     a reorg, and submits bridge_deposit commands only for deposits at the
//     chain's finalized block or a configured depth, with idempotency keys
//     from (chain id, vault, deposit nonce). Its Cursor (FileCursor on
//     disk) lets it resume after a restart; nothing is credited twice,
//     because the ledger keys each deposit by its nonce.
//   - Anchorer submits bridge_anchor at the governed interval and posts
//     each sealed anchor to CooperaBridge.postAnchor as (ledger height,
//     block hash, state root, withdrawals root), after checking that its
//     ledger's block holds that anchor.
//   - Release sends CooperaBridge.withdraw with a proof from bridge.Prove
//     (or the coopera-bridge prove command); the contract verifies it
//     against the anchored root and refuses a second release.
//   - ChainlinkFeed and UniswapPool are the price feeds' chain clients:
//     they satisfy pricefeed.Aggregator and pricefeed.Pool.
//
// The contracts (contracts/src) are compiled by the npm solc package
// pinned in contracts/package.json for EVM version cancun; their ABI and
// bytecode are committed under contracts/build, and the Go bindings
// (package bindings) are generated from them by abigen --v2 behind go
// generate, so building and testing the module never needs Node.
//
// Both adapters submit through submit.Submitter: the embedded engine
// (*coopera.Engine) or a node's HTTP API (submit.Node). They read the
// ledger through LedgerReader (EngineReader for an embedded engine) and
// the chain through small interfaces (EVM, Backend) that ethclient.Client
// and the simulated backend's client satisfy. Metrics are plain atomics.
package chain
