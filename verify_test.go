package coopera_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// A verify rebuilds a small state in memory and a large one in the
// scratch store, moving there when the state outgrows memory in the
// genesis or in a later block. Every way gives the same report (each
// checks every block's state root on the way).
func TestVerifyInMemoryAndScratch(t *testing.T) {
	var logs bytes.Buffer
	e := openTest(t, t.TempDir(), func(o *coopera.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	defer e.Close()
	ctx := context.Background()
	// The state grows block by block: 40 blocks, each opening 5 accounts
	// and paying them.
	for b := 0; b < 40; b++ {
		var cmds []*ledger.Command
		for i := 0; i < 5; i++ {
			id := ledger.AccountID(fmt.Sprintf("acct%03d", b*5+i))
			cmds = append(cmds, &ledger.Command{Actor: id, Payload: &ledger.CreateAccount{Account: id}},
				transfer("alice", id, "COOP", uint64(1000+b)))
		}
		if _, err := e.SubmitBatch(ctx, cmds); err != nil {
			t.Fatal(err)
		}
	}
	want := mustVerify(t, e) // the default: all in memory
	if want.StateKeys < 400 || want.Blocks < 41 {
		t.Fatalf("the ledger is smaller than the test needs: %+v", want)
	}
	for _, c := range []struct {
		name    string
		memKeys int
		logged  string
	}{
		{"scratch store only", 0, ""},
		{"genesis outgrows memory", 3, "the genesis has more state"},
		{"a block outgrows memory", want.StateKeys / 2, "the state outgrew"},
		{"memory only", want.StateKeys * 2, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer coopera.SetVerifyMemKeysForTest(c.memKeys)()
			logs.Reset()
			got := mustVerify(t, e)
			if *got != *want {
				t.Fatalf("report %+v, want %+v", got, want)
			}
			moved := strings.Contains(logs.String(), "verify: the")
			if c.logged == "" && moved || c.logged != "" && !strings.Contains(logs.String(), c.logged) {
				t.Fatalf("log %q, want a move to the scratch store: %v (%q)", logs.String(), c.logged != "", c.logged)
			}
		})
	}
}
