// Package coopera is an embedded, event-sourced tokenomics and governance
// ledger: Open a directory and submit commands to an Engine, which orders
// them into blocks, applies them with deterministic reducers and keeps
// every block, its events and a state root in Pebble.
//
// The Engine is a thin facade over owned parts: a sequencer that turns
// concurrent Submit calls into blocks (group commit: a command is
// acknowledged only once its block is durable), a reader for balances,
// accounts, assets, blocks and events (Balance, Account, Block,
// AccountEvents, Subscribe), Verify and Replay, which re-derive every state
// root from genesis, and, with Options.Replication, a node of a replicated
// ledger whose blocks are ordered by a NATS JetStream stream and whose
// leader holds a lease.
//
// What the ledger does is in its modules (Options.Modules): the pure core
// in package ledger (commands, events, blocks, amounts, the block step),
// and the economy in packages tokenomics, contribution, governance and
// bridge, wired together by package economy. Admitters (Options.Admitters)
// may refuse a command before it is sequenced, such as the OPA policy
// admitter of package governance/policy.
//
// Errors are *ledger.Error values with a stable code, matched with
// errors.Is against the sentinels of the ledger and of the modules
// (ErrNotLeader, ErrOutcomeUnknown, ErrNoLedger here). Package api serves
// an Engine over HTTP and package client is its Go client; cmd/coopera is
// the command-line tool.
package coopera
