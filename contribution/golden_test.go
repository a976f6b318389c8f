package contribution_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// view adapts the harness's committed state to contribution.Scanner.
type view struct{ h *ledgertest.Harness }

func (v view) Get(k []byte) ([]byte, bool) { return v.h.Get(k) }
func (v view) Scan(p []byte, fn func(k, v []byte) bool) {
	v.h.Store.Scan(p, fn)
}

func arg(td *datadriven.TestData, k string) string {
	if a, ok := td.Arg(k); ok && len(a.Vals) > 0 {
		return a.Vals[0]
	}
	return ""
}

// apply runs one command as a block one second on and prints its result.
func apply(t *testing.T, h *ledgertest.Harness, c *ledger.Command) string {
	b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{c})
	if err != nil {
		t.Fatal(err)
	}
	if r := b.Results[0]; r.Code != "" {
		return fmt.Sprintf("%s: rejected %s: %s\n", c.Payload.Type(), r.Code, r.Msg)
	}
	return fmt.Sprintf("%s: ok\n", c.Payload.Type())
}

func extra(price contribution.PriceSource) ledgertest.Extra {
	return func(t *testing.T, h *ledgertest.Harness, td *datadriven.TestData) (string, bool) {
		switch td.Cmd {
		case "vote":
			// Commit in one block, reveal in the next.
			v := ledger.AccountID(arg(td, "validator"))
			var ws []contribution.Weight
			for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
				f := strings.Fields(line)
				w, _ := strconv.ParseUint(f[1], 10, 64)
				ws = append(ws, contribution.Weight{Provider: ledger.AccountID(f[0]), Weight: w})
			}
			c, _ := ledger.GetChain(h)
			salt := arg(td, "salt")
			out := apply(t, h, &ledger.Command{Actor: v, Payload: &contribution.CommitWeights{Hash: contribution.WeightsHash(v, c.Epoch, ws, salt)}})
			reveal := ws
			if arg(td, "reveal") == "tampered" {
				reveal = slices.Clone(ws)
				reveal[0].Weight++
			}
			return out + apply(t, h, &ledger.Command{Actor: v, Payload: &contribution.RevealWeights{Weights: reveal, Salt: salt}}), true
		case "scores":
			epoch, _ := strconv.ParseUint(arg(td, "epoch"), 10, 64)
			var sb strings.Builder
			for _, p := range strings.Fields(arg(td, "providers")) {
				for _, id := range strings.Split(p, ",") {
					rs, err := contribution.ProviderResults(view{h}, ledger.AccountID(id))
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rs {
						if r.Epoch == epoch {
							fmt.Fprintf(&sb, "%s: C=%s consensus=%dppb incentive=%dppb trust=%dppb reward=%s flagged=%v capped=%s", id, r.Contribution, r.Consensus, r.Incentive, r.Trust, r.Reward, r.Flagged, r.Capped)
							if r.EnergyMJ != 0 {
								fmt.Fprintf(&sb, " energy=%dmJ", r.EnergyMJ)
							}
							sb.WriteByte('\n')
						}
					}
				}
			}
			for _, id := range strings.Split(arg(td, "validators"), ",") {
				if id == "" {
					continue
				}
				rs, err := contribution.ValidatorResults(view{h}, ledger.AccountID(id))
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					if r.Epoch == epoch {
						fmt.Fprintf(&sb, "%s: dividend=%dppb vtrust=%dppb reward=%s\n", id, r.Dividend, r.VTrust, r.Reward)
					}
				}
			}
			return sb.String(), true
		case "bonds":
			b, err := contribution.Bonds(h, ledger.AccountID(arg(td, "validator")))
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range b {
				keys = append(keys, string(k))
			}
			slices.Sort(keys)
			var sb strings.Builder
			for _, k := range keys {
				fmt.Fprintf(&sb, "%s %d\n", k, b[ledger.AccountID(k)])
			}
			return sb.String(), true
		}
		return "", false
	}
}

// fixedPrice is a PriceSource for tests: micro-USD per whole token (the
// source reports 10^-18 USD).
type fixedPrice uint64

func (p fixedPrice) Price(ledger.Getter) (ledger.Amount, bool) {
	a, _, _ := ledger.NewAmount(uint64(p)).MulDiv(1_000_000_000_000, 1)
	return a, p > 0
}

func TestGolden(t *testing.T) {
	ledgertest.Run(t, "testdata/epochs.txt", []ledger.Module{contribution.New(nil)}, extra(nil))
	ledgertest.Run(t, "testdata/cap.txt", []ledger.Module{contribution.New(fixedPrice(2_000_000))}, extra(nil))
	ledgertest.Run(t, "testdata/subtensor.txt", []ledger.Module{contribution.New(nil)}, extra(nil))
}
