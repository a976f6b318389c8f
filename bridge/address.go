package bridge

import (
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/coopera/coopera/ledger"
)

// Address is a 20-byte EVM address. Its JSON form is "0x" and 40 hex
// digits, written in lower case; mixed case is accepted on input (the
// EIP-55 checksum is not checked: the ledger compares bytes).
type Address [20]byte

// Hash32 is a 32-byte hash (keccak256 roots, EVM block hashes), "0x" and
// 64 hex digits in JSON.
type Hash32 [32]byte

func (a Address) String() string { return "0x" + hex.EncodeToString(a[:]) }
func (h Hash32) String() string  { return "0x" + hex.EncodeToString(h[:]) }

// IsZero reports whether a is the zero address.
func (a Address) IsZero() bool { return a == Address{} }

// IsZero reports whether h is all zeros.
func (h Hash32) IsZero() bool { return h == Hash32{} }

func (a Address) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }
func (h Hash32) MarshalJSON() ([]byte, error)  { return json.Marshal(h.String()) }

func (a *Address) UnmarshalJSON(b []byte) error { return unmarshalHex(b, a[:], "address") }
func (h *Hash32) UnmarshalJSON(b []byte) error  { return unmarshalHex(b, h[:], "hash") }

// ParseAddress parses "0x" and 40 hex digits.
func ParseAddress(s string) (Address, error) {
	var a Address
	return a, parseHex(s, a[:], "address")
}

// ParseHash32 parses "0x" and 64 hex digits.
func ParseHash32(s string) (Hash32, error) {
	var h Hash32
	return h, parseHex(s, h[:], "hash")
}

func unmarshalHex(b []byte, dst []byte, what string) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ledger.Errorf(ledger.ErrMalformed, "%s must be a hex string: %v", what, err)
	}
	return parseHex(s, dst, what)
}

func parseHex(s string, dst []byte, what string) error {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return ledger.Errorf(ledger.ErrMalformed, "%s %q must start with 0x", what, s)
	}
	raw, err := hex.DecodeString(s[2:])
	if err != nil || len(raw) != len(dst) {
		return ledger.Errorf(ledger.ErrMalformed, "%s %q must be 0x and %d hex digits", what, s, 2*len(dst))
	}
	copy(dst, raw)
	return nil
}
