package bridge

import "github.com/coopera/coopera/ledger"

// Error codes of the bridge module, matched with errors.Is.
var (
	ErrNotRelayer      = ledger.NewCode("bridge_not_relayer")        // bridge_deposit from an account not in relayers
	ErrNotAnchorer     = ledger.NewCode("bridge_not_anchorer")       // bridge_anchor from an account not in anchorers
	ErrWrongSource     = ledger.NewCode("bridge_wrong_source")       // a deposit from another chain id or contract than the params name
	ErrUnknownToken    = ledger.NewCode("bridge_unknown_token")      // a token contract or asset with no mapping in params.bridge.tokens
	ErrAlreadyCredited = ledger.NewCode("bridge_already_credited")   // the (chain id, contract, nonce) deposit was credited before
	ErrDisabled        = ledger.NewCode("bridge_disabled")           // the bridge has no chain_id (params.bridge not configured)
	ErrTooEarly        = ledger.NewCode("bridge_too_early")          // an anchor before anchor_interval blocks have passed
	ErrUnknownWithdraw = ledger.NewCode("bridge_unknown_withdrawal") // no withdrawal with this nonce
	ErrNotAnchored     = ledger.NewCode("bridge_not_anchored")       // the withdrawal is not in an anchor yet
)
