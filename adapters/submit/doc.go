// Package submit is what the adapters share to put commands on a ledger.
//
// Adapters sit above the engine and only submit commands. Each command
// they build carries:
//
//   - an idempotency key derived from its source (Key: a hash of a domain
//     tag and the parts that identify the observation: meter, device and
//     window; feed and round), so that a retried or re-derived observation
//     is answered with the first receipt and never applied twice;
//   - a nonce from a Signer (microseconds of the Signer's clock, strictly
//     increasing), and an ed25519 signature by the adapter's key when it
//     has one.
//
// A Submitter takes batches: *coopera.Engine (the library) satisfies it,
// and Node submits through a node's HTTP API. A Queue holds commands until
// a Submitter has answered for them: a transport failure keeps them, and
// the next Flush sends the very same commands (same nonce, key and
// signature), which the ledger answers as duplicates if they had been
// applied. A rejected command is dropped and reported, never retried (one
// rejected on a delivery whose answer was lost is refused on the next for
// its nonce, which a rejection after the signature and nonce checks uses;
// its block holds the first reason).
//
// Errors are package-prefixed sentinels (ErrTransport, ErrNode); match
// them with errors.Is.
package submit
