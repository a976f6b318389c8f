package ledger_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coopera/coopera/ledger"
)

// TestStrictJSON: command and genesis JSON refuses what encoding/json
// accepts silently, naming where.
func TestStrictJSON(t *testing.T) {
	m, err := ledger.NewMachine()
	if err != nil {
		t.Fatal(err)
	}
	ok := `{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`
	if _, err := m.Registry().ParseCommandJSON([]byte(ok)); err != nil {
		t.Fatalf("a good command: %v", err)
	}
	for _, tc := range []struct{ json, says string }{
		{`{"type":"transfer","actor":"bob","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, `key "actor" appears twice at the top level`},
		{`{"type":"transfer","Actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}]}}`, `the field is "actor" (keys are case-sensitive)`},
		{`{"type":"transfer","actor":"bob","ACTOR":"alice","payload":{"legs":[]}}`, `differ only in case`},
		{`{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","TO":"carol","asset":"COOP","amount":"1"}]}}`, `at payload.legs[0]`},
		{ok + `}`, `trailing data`},
		{ok + ` {}`, `trailing data`},
		{`{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"1"}],"memo":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`, `nested deeper than 64`},
		{`{"type":"transfer",`, `unexpected EOF`},
	} {
		_, err := m.Registry().ParseCommandJSON([]byte(tc.json))
		if !errors.Is(err, ledger.ErrMalformed) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s:\n got %v\n want malformed saying %q", tc.json, err, tc.says)
		}
	}
	// Genesis files too.
	if _, err := ledger.ParseGenesis([]byte(`{"chain_id": "a", "chain_id": "b", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1h", "assets": [], "accounts": []}`)); !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("a genesis with chain_id twice: %v", err)
	}
}

// A genesis time whose nanoseconds since 1970 do not fit 64 bits is
// refused: UnixNano wrapped it, and the chain started centuries away from
// the time written.
func TestGenesisTimeRange(t *testing.T) {
	doc := func(at string) []byte {
		return []byte(`{"chain_id": "a", "genesis_time": "` + at + `", "epoch_length": "1h", "assets": [], "accounts": []}`)
	}
	for _, at := range []string{"2300-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "0001-01-01T00:00:01Z"} {
		g, err := ledger.ParseGenesis(doc(at))
		if err == nil {
			err = g.Validate()
		}
		if !errors.Is(err, ledger.ErrInvalidGenesis) || !strings.Contains(err.Error(), "genesis_time: ") {
			t.Errorf("genesis_time %s: %v, want ErrInvalidGenesis on genesis_time", at, err)
		}
	}
	for _, at := range []string{"1969-12-31T23:59:59Z", "2262-01-01T00:00:00Z"} {
		g, err := ledger.ParseGenesis(doc(at))
		if err == nil {
			err = g.Validate()
		}
		if err != nil {
			t.Errorf("genesis_time %s: %v", at, err)
		}
	}
}
