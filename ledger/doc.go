// Package ledger is the pure core of coopera: commands, events, blocks,
// amounts and identifiers, their canonical encoding, the state and its
// root hash, and the block step that every host (the engine's sequencer
// and follower, verify and replay, the simulator, the tests) runs.
//
// Nothing here reads the clock, the disk or the network: a block's time,
// epoch and seed come in with it, and effects leave as data (events, a
// result per command, the changed keys). A Module decides commands and
// evolves state from events; optional extensions are found by type
// assertion. A Machine holds the modules of a chain and executes blocks;
// replay only applies events and never calls decision code. A module's
// booked accounts (Bookkeeper), whose balances are its records, are known
// to the Machine, so that no other route moves funds into or out of them.
//
// A genesis of any size runs in bounded memory: Step.GenesisChunked
// applies it in chunks of state keys handed to a GenesisSink (the store
// writes each, with its share of block 0's events), and
// Step.ApplyGenesisChunked and Registry.GenesisEventsAt read block 0 back
// from pieces of any size, never whole.
//
// The state root is an LtHash (lthash.go). A host may keep it off its
// critical path when replaying: Step.ApplyUnrooted applies a block
// without it, and the host folds each block's changes into the
// accumulator elsewhere, in order, checking each with RootCheck.
//
// Amounts are 128-bit counts of base units; Amount.Format and ParseUnits
// convert to and from whole units of an asset with its decimals. Errors are
// *Error values with a stable code (the codes are stored in blocks),
// matched with errors.Is against the sentinels (ErrInsufficientFunds,
// ErrInvalidID...).
package ledger
