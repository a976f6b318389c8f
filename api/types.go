package api

import (
	"encoding/json"

	"github.com/coopera/coopera/ledger"
)

// Balance is an account's balance of one asset: the amount in base units
// and in whole units of the asset ("2.5" for 2500000 base units of an
// asset with 6 decimals), both strings.
type Balance struct {
	Account  ledger.AccountID `json:"account"`
	Asset    ledger.AssetID   `json:"asset"`
	Amount   ledger.Amount    `json:"amount"`
	Units    string           `json:"units"`
	Decimals uint8            `json:"decimals"`
}

// ReceiptError is why a command was rejected: the ledger's error code and
// its message.
type ReceiptError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Receipt is a command's receipt: its place in the log, whether it was
// applied, its events and the balances it touched, or why it was rejected.
type Receipt struct {
	Height    uint64            `json:"height"`
	Index     int               `json:"index"`
	BlockHash string            `json:"block_hash,omitempty"`
	Applied   bool              `json:"applied"`
	Duplicate bool              `json:"duplicate"`
	Events    []json.RawMessage `json:"events"`
	Balances  []Balance         `json:"balances"`
	Error     *ReceiptError     `json:"error,omitempty"`
	// Key is the command's idempotency key (the API's, derived from the
	// command when it had none).
	Key string `json:"key,omitempty"`
}

// Head is a node's head block, its role and how far it is behind.
type Head struct {
	ChainID   string      `json:"chain_id"`
	Height    uint64      `json:"height"`
	Hash      ledger.Hash `json:"hash"`
	StateRoot ledger.Hash `json:"state_root"`
	// Time is the head block's time, RFC 3339 with nanoseconds, UTC.
	Time string `json:"time"`
	// Leader reports whether this node sequences blocks (always true for
	// a node that does not replicate).
	Leader bool `json:"leader"`
	// Lag is how many blocks the node is behind its stream.
	Lag uint64 `json:"lag"`
}

// Problem is an RFC 9457 problem: every answer of the API that is not a
// result (Content-Type: application/problem+json).
type Problem struct {
	// Type is a URI naming the problem kind: "urn:coopera:problem:" and
	// the code.
	Type string `json:"type"`
	// Title is the HTTP status text.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail says what happened and what to do.
	Detail string `json:"detail,omitempty"`
	// Code is the ledger's error code or the API's.
	Code string `json:"code"`
	// Key is the command's idempotency key, on outcome_unknown: retry the
	// same command with it.
	Key string `json:"key,omitempty"`
}

// ProblemType is the prefix of a Problem's Type.
const ProblemType = "urn:coopera:problem:"

// ContentTypeProblem is the media type of a Problem.
const ContentTypeProblem = "application/problem+json"
