package tokenomics_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/tokenomics"
)

// TestGolden runs the datadriven files in testdata/ through the state
// machine with the tokenomics module (and a stand-in for governance that
// changes parameters). Rewrite the expected output with:
//
//	go test ./tokenomics -run TestGolden -rewrite
//
// and then check every changed number by hand against the comments.
//
// Directives added to ledgertest's:
//
//	stake pool=P account=A    positions, values and pending rewards
//	pool pool=P               a pool's units, accumulator and totals
//	supply-breakdown          where the native supply sits; credits
//	curve agent=X             an agent token's bonding curve
//	agent agent=X             an agent's record
//	price                     the oracle's view at the last block's time
//	credits account=A         an account's credits
//	report epoch=N            an epoch's report
//	weights                   credits served so far this epoch
//	locks [account=A]         locks
//	unbonding account=A       unbonding entries
//	params                    the parameters in effect
func TestGolden(t *testing.T) {
	for _, f := range []string{"fees", "oracle", "bme", "staking", "launchpad", "params"} {
		t.Run(f, func(t *testing.T) {
			ledgertest.Run(t, "testdata/"+f+".txt", []ledger.Module{tokenomics.Module{}, govStub{}}, extra)
		})
	}
}

func arg(td *datadriven.TestData, key string) string {
	if a, ok := td.Arg(key); ok && len(a.Vals) > 0 {
		return a.Vals[0]
	}
	return ""
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

func extra(t *testing.T, h *ledgertest.Harness, td *datadriven.TestData) (string, bool) {
	v := ledger.NewState(h.Store)
	out := func(x any, err error) (string, bool) {
		if err != nil {
			return "error: " + err.Error() + "\n", true
		}
		return js(x) + "\n", true
	}
	switch td.Cmd {
	case "stake":
		s, err := tokenomics.StakeOf(v, arg(td, "pool"), ledger.AccountID(arg(td, "account")))
		if err != nil {
			return out(nil, err)
		}
		var sb strings.Builder
		for _, p := range s.Positions {
			fmt.Fprintf(&sb, "%s: shares %s units %s value %s\n", p.Asset, p.Shares, p.Units, p.Value)
		}
		fmt.Fprintf(&sb, "pending %s\n", s.Pending)
		return sb.String(), true
	case "pool":
		return out(tokenomics.PoolOf(v, arg(td, "pool")))
	case "supply-breakdown":
		s, err := tokenomics.Supply(v, h.Height)
		if err != nil {
			return out(nil, err)
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s supply %s = genesis %s + minted %s - burned %s\n", s.Asset, s.Supply, s.Genesis, s.Minted, s.Burned)
		fmt.Fprintf(&sb, "circulating %s staked %s unbonding %s locked %s curves %s treasury %s rewards %s other %s\n",
			s.Circulating, s.Staked, s.Unbonding, s.Locked, s.Curves, s.Treasury, s.Rewards, s.OtherModule)
		fmt.Fprintf(&sb, "credits issued %s spent %s outstanding %s\n", s.CreditsIssued, s.CreditsSpent, s.CreditsOutstanding)
		return sb.String(), true
	case "curve":
		c, ok, err := tokenomics.GetCurve(h, arg(td, "agent"))
		if err == nil && !ok {
			return "(not launched)\n", true
		}
		return out(c, err)
	case "agent":
		a, ok, err := tokenomics.GetAgent(h, arg(td, "agent"))
		if err == nil && !ok {
			return "(no agent)\n", true
		}
		return out(a, err)
	case "price":
		return out(tokenomics.Price(v, h.Height, h.Time.UnixNano()))
	case "credits":
		return out(tokenomics.Credits(h, ledger.AccountID(arg(td, "account"))))
	case "report":
		n, _ := strconv.ParseUint(arg(td, "epoch"), 10, 64)
		r, ok, err := tokenomics.Report(h, n)
		if err == nil && !ok {
			return "(no report)\n", true
		}
		return out(r, err)
	case "weights":
		return out(tokenomics.OpenEpochWeights(v))
	case "locks":
		return out(tokenomics.Locks(v, ledger.AccountID(arg(td, "account"))))
	case "unbonding":
		return out(tokenomics.UnbondingOf(v, ledger.AccountID(arg(td, "account"))))
	case "params":
		b, err := ledger.ParamsAt(h, tokenomics.ModuleName, h.Height+1)
		if err != nil {
			return out(nil, err)
		}
		j, err := tokenomics.Module{}.ParamsJSON(b)
		return out(json.RawMessage(j), err)
	}
	return "", false
}

// govStub stands in for the governance module: set_param executes a
// parameter change at once, as an executed proposal would.
type govStub struct{}

type setParam struct {
	Module string          `json:"module"`
	Name   string          `json:"name"`
	Value  json.RawMessage `json:"value"`
}

func (*setParam) Type() string { return "set_param" }
func (p *setParam) Encode(e *ledger.Encoder) {
	e.String(p.Module)
	e.String(p.Name)
	e.Blob(p.Value)
}
func (p *setParam) Decode(d *ledger.Decoder) {
	p.Module, p.Name, p.Value = d.String(), d.String(), d.Blob()
}
func (p *setParam) Validate() error { return nil }

// slashVia lets the stub exercise tokenomics.Slash as governance would.
type slashVia struct {
	Pool string `json:"pool"`
	Bps  uint32 `json:"bps"`
}

func (*slashVia) Type() string { return "gov_slash" }
func (p *slashVia) Encode(e *ledger.Encoder) {
	e.String(p.Pool)
	e.Uint(uint64(p.Bps))
}
func (p *slashVia) Decode(d *ledger.Decoder) { p.Pool, p.Bps = d.String(), uint32(d.Uint()) }
func (p *slashVia) Validate() error          { return nil }

func (govStub) Name() string { return "govstub" }
func (govStub) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{
		{Type: "set_param", New: func() ledger.Payload { return new(setParam) }},
		{Type: "gov_slash", New: func() ledger.Payload { return new(slashVia) }},
	}
}
func (govStub) Events() []ledger.EventSpec { return nil }
func (govStub) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	switch p := cmd.Payload.(type) {
	case *setParam:
		return ledger.ChangeParam(ctx, p.Module, p.Name, p.Value)
	case *slashVia:
		return tokenomics.Slash(ctx, p.Pool, p.Bps, "governance")
	}
	return ledger.Errorf(ledger.ErrUnknownCommand, "govstub cannot decide %s", cmd.Payload.Type())
}
func (govStub) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "govstub has no events")
}
