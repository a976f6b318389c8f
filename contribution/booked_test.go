package contribution_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// legacyTreasury stands in for a chain whose state names a booked
// account as the treasury, set before the parameter checks existed or
// left by a release that booked the account since: its genesis rewrites
// contribution's parameters with treasury = to, bypassing the checks.
type legacyTreasury struct{ to ledger.AccountID }

func (legacyTreasury) Name() string                   { return "legacy" }
func (legacyTreasury) Commands() []ledger.CommandSpec { return nil }
func (legacyTreasury) Events() []ledger.EventSpec     { return nil }
func (legacyTreasury) Decide(*ledger.Context, *ledger.Command) error {
	return ledger.Errorf(ledger.ErrUnknownCommand, "legacy has no commands")
}
func (legacyTreasury) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "legacy has no events")
}
func (l legacyTreasury) InitGenesis(ctx *ledger.Context, _ []byte) error {
	cur, err := ctx.Params(contribution.ModuleName)
	if err != nil {
		return err
	}
	next, err := (contribution.Module{}).SetParam(cur, "treasury", []byte(`"`+l.to+`"`))
	if err != nil {
		return err
	}
	return ledger.InitParams(ctx, contribution.ModuleName, next)
}

// A chain whose treasury is a booked account (here the module's own
// stake account, which holds the registrations' stakes) pays nothing
// into it at a close: the treasury's part (the role pools nobody earned,
// here 60%) stays in the pool for the next close, epoch_scored records
// no treasury payment, and an epoch_work_failed event says why. The stake
// account keeps exactly the stakes; the harness checks conservation and
// the invariants at every block.
func TestBookedTreasuryKeepsItsPartInThePool(t *testing.T) {
	h := ledgertest.Start(t, `{"chain_id": "booked", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "1h",
	 "assets": [{"id": "COOP", "decimals": 2}],
	 "accounts": [{"id": "meter"}, {"id": "p1"}, {"id": "p2"}],
	 "allocations": [{"account": "mod:contribution/pool", "asset": "COOP", "amount": "10000"}, {"account": "p1", "asset": "COOP", "amount": "500"}],
	 "params": {"contribution": {"reporters": ["meter"]}}}`, contribution.New(nil), legacyTreasury{contribution.StakeAccount})
	block := func(at time.Time, js ...string) *ledger.Block {
		t.Helper()
		cmds := make([]*ledger.Command, len(js))
		for i, j := range js {
			c, err := h.M.Registry().ParseCommandJSON([]byte(j))
			if err != nil {
				t.Fatal(err)
			}
			cmds[i] = c
		}
		b, err := h.Next(at, cmds)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range b.Results {
			if err := r.Err(); err != nil {
				t.Fatalf("block %d command %d: %v", b.Height, i, err)
			}
		}
		return b
	}
	record := func(p string, q int) string {
		return `{"type": "contribution_record", "actor": "meter", "payload": {"provider": "` + p + `", "kind": "gpu_seconds", "quantity": ` + strconv.Itoa(q) + `, "source": "m"}}`
	}
	closed := func(b *ledger.Block) (*contribution.EpochScored, *ledger.EpochWorkFailed) {
		t.Helper()
		var scored *contribution.EpochScored
		var failed *ledger.EpochWorkFailed
		for _, ev := range b.Events {
			switch e := ev.(type) {
			case *contribution.EpochScored:
				scored = e
			case *ledger.EpochWorkFailed:
				failed = e
			case *ledger.Transferred:
				if e.To == contribution.StakeAccount {
					t.Fatalf("block %d pays %s into the booked stake account", b.Height, e.Amount)
				}
			}
		}
		if scored == nil {
			t.Fatalf("block %d scores no epoch", b.Height)
		}
		if failed == nil || failed.Module != contribution.ModuleName || failed.Code != "invalid_parameter" ||
			!strings.Contains(failed.Msg, "treasury mod:contribution/stake is booked by module contribution") {
			t.Fatalf("block %d: epoch_work_failed %+v; want contribution saying the treasury is booked", b.Height, failed)
		}
		return scored, failed
	}
	block(h.Time.Add(time.Second),
		`{"type": "contribution_register", "actor": "p1", "payload": {"role": "compute", "stake": "500"}}`,
		`{"type": "contribution_register", "actor": "p2", "payload": {"role": "compute", "stake": "0"}}`,
		record("p1", 100), record("p2", 300))
	// The compute pool is 40% of 10000: p1 earns 1000, p2 3000; the
	// other 6000, the treasury's, stay.
	scored, failed := closed(block(h.Time.Add(time.Hour)))
	if scored.Paid != ledger.NewAmount(4000) || !scored.Treasury.IsZero() || !strings.Contains(failed.Msg, "6000 base units of COOP stay in the pool") {
		t.Fatalf("epoch 0: paid %s, treasury %s (%s); want 4000 paid and the treasury's 6000 kept", scored.Paid, scored.Treasury, failed.Msg)
	}
	want := map[ledger.AccountID]uint64{contribution.PoolAccount: 6000, contribution.StakeAccount: 500, "p1": 1000, "p2": 3000}
	for id, n := range want {
		if got := h.Balance(t, id, "COOP"); got != ledger.NewAmount(n) {
			t.Errorf("after epoch 0, %s holds %s COOP; want %d", id, got, n)
		}
	}
	// The next close splits what stayed: 40% of 6000 to p1 alone.
	block(h.Time.Add(time.Second), record("p1", 100))
	scored, _ = closed(block(h.Time.Add(time.Hour)))
	if scored.Pool != ledger.NewAmount(6000) || scored.Paid != ledger.NewAmount(2400) || !scored.Treasury.IsZero() {
		t.Fatalf("epoch 1: pool %s, paid %s, treasury %s; want 2400 of 6000 paid, nothing to the treasury", scored.Pool, scored.Paid, scored.Treasury)
	}
	if got := h.Balance(t, contribution.PoolAccount, "COOP"); got != ledger.NewAmount(3600) {
		t.Errorf("after epoch 1 the pool holds %s COOP; want 3600", got)
	}
	if got := h.Balance(t, contribution.StakeAccount, "COOP"); got != ledger.NewAmount(500) {
		t.Errorf("after epoch 1 the stake account holds %s COOP; want p1's stake of 500", got)
	}
}
