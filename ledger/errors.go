package ledger

import "fmt"

// Error is the typed error of coopera: a stable, machine-readable Code and a
// message for people that says what to fix. Rejected commands carry an
// *Error; blocks record its code and message, so a rejection read back from
// the log still matches errors.Is against the same sentinel.
//
// Sentinels are *Error values with only a Code; errors.Is(err, sentinel)
// is true for any *Error with that code, however it was wrapped.
type Error struct {
	Code string
	Msg  string
}

// NewCode returns a sentinel for a new error code. Modules define their
// codes with it at package level; codes are part of the durable format (they
// are stored in blocks), so a code is never renamed.
func NewCode(code string) *Error { return &Error{Code: code} }

func (e *Error) Error() string {
	if e.Msg == "" {
		return "coopera: " + e.Code
	}
	return "coopera: " + e.Code + ": " + e.Msg
}

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Msg == "" || t.Msg == e.Msg)
}

// Errorf returns an *Error with the code of sentinel and a formatted message.
func Errorf(sentinel *Error, format string, args ...any) *Error {
	return &Error{Code: sentinel.Code, Msg: fmt.Sprintf(format, args...)}
}

// Sentinel errors of the ledger core. Match them with errors.Is.
var (
	// Input that is malformed before any state is read.
	ErrMalformed           = NewCode("malformed")            // undecodable bytes or JSON
	ErrMissingField        = NewCode("missing_field")        // a required field is absent or empty
	ErrUnknownCommand      = NewCode("unknown_command")      // no module decides this command type
	ErrUnknownEvent        = NewCode("unknown_event")        // no decoder for this event type
	ErrUnknownVersion      = NewCode("unknown_version")      // an event version with no decoder or upcaster
	ErrInvalidID           = NewCode("invalid_id")           // an account or asset identifier breaks the naming rules
	ErrInvalidAmount       = NewCode("invalid_amount")       // an amount that is not a valid number of base units
	ErrNegativeAmount      = NewCode("negative_amount")      // amounts are never negative
	ErrZeroAmount          = NewCode("zero_amount")          // a movement of zero is refused
	ErrAmountOverflow      = NewCode("amount_overflow")      // the result does not fit 128 bits
	ErrAmountPrecision     = NewCode("amount_precision")     // more decimals than the asset has
	ErrPayloadTooLarge     = NewCode("payload_too_large")    // the encoded command exceeds Options.MaxCommandBytes
	ErrInvalidGenesis      = NewCode("invalid_genesis")      // the genesis file is inconsistent
	ErrInvalidParameter    = NewCode("invalid_parameter")    // a parameter value out of its bounds
	ErrBadSignature        = NewCode("bad_signature")        // the ed25519 signature does not verify
	ErrReplayedNonce       = NewCode("replayed_nonce")       // the nonce is not above the account's last nonce
	ErrIdempotencyConflict = NewCode("idempotency_conflict") // the key was used before with a different payload
	ErrUnknownAccount      = NewCode("unknown_account")      // the account does not exist
	ErrUnknownAsset        = NewCode("unknown_asset")        // the asset is not registered
	ErrAccountExists       = NewCode("account_exists")       // the account was created before
	ErrUnauthorized        = NewCode("unauthorized")         // the actor may not do this
	ErrInsufficientFunds   = NewCode("insufficient_funds")   // a debit larger than the balance
	ErrWrongEpoch          = NewCode("wrong_epoch")          // CloseEpoch for an epoch that is not the current one
	ErrEpochNotOver        = NewCode("epoch_not_over")       // CloseEpoch before the epoch's end time
	ErrReducerPanic        = NewCode("reducer_panic")        // a reducer panicked on this command or event (a bug, recovered)

	// Faults of the host or its data, never a verdict on a command.
	ErrCorrupt    = NewCode("corrupt")    // stored bytes fail their checksum, hash or decoding
	ErrDivergence = NewCode("divergence") // a recomputed state root differs from the recorded one
	ErrInvariant  = NewCode("invariant")  // a ledger invariant (conservation, non-negativity) failed
	ErrClosed     = NewCode("closed")     // the engine is closed
)
