package ledger

import (
	"strings"
)

// AccountID names an account. It is 1 to 64 bytes of lowercase ASCII
// letters, digits and the punctuation . _ - : / @, starting with a letter or
// digit. IDs beginning with "mod:" are module accounts: they are created by
// modules, never by commands, and only their module moves their funds.
type AccountID string

// AssetID names an asset: 1 to 16 bytes of uppercase ASCII letters, digits,
// '-' and '.', starting with a letter (for example "COOP" or "AGT-7").
type AssetID string

// ModulePrefix starts every module account's ID.
const ModulePrefix = "mod:"

// ModuleAccount returns the ID of a module's account, "mod:<module>" or
// "mod:<module>/<name>".
func ModuleAccount(module string, name ...string) AccountID {
	id := ModulePrefix + module
	for _, n := range name {
		id += "/" + n
	}
	return AccountID(id)
}

// IsModule reports whether id is a module account.
func (id AccountID) IsModule() bool { return strings.HasPrefix(string(id), ModulePrefix) }

// Validate checks the naming rules.
func (id AccountID) Validate() error {
	s := string(id)
	if s == "" {
		return Errorf(ErrMissingField, "account ID is empty")
	}
	if len(s) > 64 {
		return Errorf(ErrInvalidID, "account ID %.20q... is %d bytes; the limit is 64", s, len(s))
	}
	if !isLowerAlnum(s[0]) {
		return Errorf(ErrInvalidID, "account ID %q must start with a lowercase letter or digit", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !accountChar[c] {
			return Errorf(ErrInvalidID, "account ID %q has %q at byte %d; use lowercase letters, digits and . _ - : / @", s, c, i)
		}
	}
	return nil
}

// Validate checks the naming rules.
func (id AssetID) Validate() error {
	s := string(id)
	if s == "" {
		return Errorf(ErrMissingField, "asset ID is empty")
	}
	if len(s) > 16 {
		return Errorf(ErrInvalidID, "asset ID %q is %d bytes; the limit is 16", s, len(s))
	}
	if s[0] < 'A' || s[0] > 'Z' {
		return Errorf(ErrInvalidID, "asset ID %q must start with an uppercase letter", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return Errorf(ErrInvalidID, "asset ID %q has %q at byte %d; use uppercase letters, digits, '-' and '.'", s, c, i)
		}
	}
	return nil
}

// accountChar marks the bytes allowed in an account ID.
var accountChar = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isLowerAlnum(byte(c)) || strings.IndexByte("._-:/@", byte(c)) >= 0
	}
	return t
}()

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
