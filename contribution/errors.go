package contribution

import "github.com/coopera/coopera/ledger"

// Errors of the contribution module.
var (
	ErrUnknownRole     = ledger.NewCode("unknown_role")
	ErrUnknownKind     = ledger.NewCode("unknown_kind")
	ErrUnknownProvider = ledger.NewCode("unknown_provider")
	ErrNotValidator    = ledger.NewCode("not_validator")
	ErrNotReporter     = ledger.NewCode("not_reporter")
	ErrAbsurdQuantity  = ledger.NewCode("absurd_quantity")
	ErrWeights         = ledger.NewCode("bad_weights")
	ErrNoCommit        = ledger.NewCode("no_commit")
	ErrRevealMismatch  = ledger.NewCode("reveal_mismatch")
	ErrAlreadyRevealed = ledger.NewCode("already_revealed")
	ErrRegistered      = ledger.NewCode("already_registered")
	ErrLowStake        = ledger.NewCode("low_stake")
)
