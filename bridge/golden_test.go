package bridge_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/coopera/coopera/bridge"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// TestGolden runs testdata/*.txt through the state machine with the
// bridge module and a stand-in for governance. Rewrite with
//
//	go test ./bridge -run TestGolden -rewrite
//
// and check every changed number by hand against the comments.
//
// Directives added to ledgertest's:
//
//	cursor                  the bridge cursor
//	totals asset=A          an asset's bridge flows, and the backing check
//	anchor index=N          an anchor
//	proof nonce=N           a withdrawal's proof, checked against its root
//	params                  the parameters in effect next block
func TestGolden(t *testing.T) {
	for _, f := range []string{"bridge", "params"} {
		t.Run(f, func(t *testing.T) {
			ledgertest.Run(t, "testdata/"+f+".txt", []ledger.Module{bridge.Module{}, govStub{}}, extra)
		})
	}
}

func arg(td *datadriven.TestData, key string) string {
	if a, ok := td.Arg(key); ok && len(a.Vals) > 0 {
		return a.Vals[0]
	}
	return ""
}

func extra(t *testing.T, h *ledgertest.Harness, td *datadriven.TestData) (string, bool) {
	out := func(x any, err error) (string, bool) {
		if err != nil {
			return "error: " + err.Error() + "\n", true
		}
		b, err := json.Marshal(x)
		if err != nil {
			return "error: " + err.Error() + "\n", true
		}
		return string(b) + "\n", true
	}
	switch td.Cmd {
	case "cursor":
		c, err := bridge.GetCursor(h)
		if err != nil {
			return out(nil, err)
		}
		return fmt.Sprintf("withdrawals %d anchors %d anchor_height %d anchored %d pending %d\n", c.Withdrawals, c.Anchors, c.AnchorHeight, c.Anchored, c.Pending()), true
	case "totals":
		a := ledger.AssetID(arg(td, "asset"))
		tt, err := bridge.GetTotals(h, a)
		if err != nil {
			return out(nil, err)
		}
		s := fmt.Sprintf("%s deposited %s withdrawn %s\n", a, tt.Deposited, tt.Withdrawn)
		if err := bridge.CheckBacked(h, a); err != nil {
			return s + "backing: " + err.Error() + "\n", true
		}
		return s + "backing: ok\n", true
	case "anchor":
		n, _ := strconv.ParseUint(arg(td, "index"), 10, 64)
		a, ok, err := bridge.GetAnchor(h, n)
		if err == nil && !ok {
			return "(no anchor)\n", true
		}
		return out(a, err)
	case "proof":
		n, _ := strconv.ParseUint(arg(td, "nonce"), 10, 64)
		p, err := bridge.Prove(h, n)
		if err != nil {
			return out(nil, err)
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "withdrawal %d in anchor %d (height %d) root %s\n", p.Withdrawal.Nonce, p.Anchor, p.Height, p.Root)
		fmt.Fprintf(&sb, "leaf %s\n", p.Leaf)
		for i, s := range p.Siblings {
			fmt.Fprintf(&sb, "sibling %d %s\n", i, s)
		}
		fmt.Fprintf(&sb, "verifies %v\n", bridge.VerifyProof(p.Root, p.Withdrawal.Leaf(), p.Siblings))
		return sb.String(), true
	case "params":
		b, err := ledger.ParamsAt(h, bridge.ModuleName, h.Height+1)
		if err != nil {
			return out(nil, err)
		}
		j, err := bridge.Module{}.ParamsJSON(b)
		return out(json.RawMessage(j), err)
	}
	return "", false
}

// govStub stands in for governance: set_param executes a parameter change
// at once, as an executed parameter_change would.
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

func (govStub) Name() string { return "govstub" }
func (govStub) Commands() []ledger.CommandSpec {
	return []ledger.CommandSpec{{Type: "set_param", New: func() ledger.Payload { return new(setParam) }}}
}
func (govStub) Events() []ledger.EventSpec { return nil }
func (govStub) Decide(ctx *ledger.Context, cmd *ledger.Command) error {
	p := cmd.Payload.(*setParam)
	return ledger.ChangeParam(ctx, p.Module, p.Name, p.Value)
}
func (govStub) Evolve(*ledger.State, ledger.Event) error {
	return ledger.Errorf(ledger.ErrUnknownEvent, "govstub has no events")
}
