package main

import (
	"testing"

	"github.com/coopera/coopera/ledger"
)

// TestUnits checks the tables' units: tokens with base units beside, and
// shares in basis points.
func TestUnits(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{formatTokens(ledger.NewAmount(1000000), 6, "COOP"), "1 COOP (1000000 base units)"},
		{formatTokens(ledger.NewAmount(2500001), 6, "COOP"), "2.500001 COOP (2500001 base units)"},
		{formatTokens(ledger.NewAmount(7), 0, "PTS"), "7 PTS (7 base units)"},
		{formatPPB(1_000_000_000), "10000 bps"},
		{formatPPB(123456789), "1234.56789 bps"},
		{formatPPB(100000), "1 bps"},
		{formatPPB(1), "0.00001 bps"},
		{formatPPB(0), "0 bps"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
