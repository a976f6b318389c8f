package tokenomics_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

func samples() ([]ledger.Event, []ledger.Payload) {
	a := ledger.NewAmount
	big1 := new(big.Int).Lsh(big.NewInt(1), 130)
	wide, _ := tokenomics.CumulativeFromBig(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 200), big.NewInt(77)))
	events := []ledger.Event{
		&tokenomics.FeeCharged{Kind: "trade", Payer: "alice", Asset: "COOP", Base: a(100), Fee: a(1), Treasury: a(1), To: "bob", Agent: "aria"},
		&tokenomics.PoolRewarded{Pool: "protocol", Amount: a(9), Credited: a(8), Dust: a(1), Acc: tokenomics.Nat{Int: big1}, Frac: tokenomics.Nat{Int: big.NewInt(7)}},
		&tokenomics.PriceObserved{Feed: "f1", Price: a(5), Time: -3, Median: a(5), Cum: wide, PruneBefore: 2, Breach: true},
		&tokenomics.CircuitTripped{Median: a(1), TWAP: a(2), DeviationBps: 3, At: 4},
		&tokenomics.CircuitCleared{Median: a(1), TWAP: a(2), At: 4},
		&tokenomics.CreditsBought{Buyer: "a", To: "b", Burned: a(3), Price: a(4), Credits: a(12)},
		&tokenomics.UsageRecorded{Consumer: "a", Agent: "x", Creator: "c", Input: 1, Output: 2, Credits: a(3), Fee: a(1), Weights: []tokenomics.Weight{{Recipient: "@stakers", Credits: a(1)}, {Recipient: "p", Credits: a(1)}}, Ref: "r"},
		&tokenomics.UsageSettled{Window: "w", Items: []tokenomics.UsageRecorded{{Consumer: "a", Input: 1, Credits: a(3), Fee: a(1), Weights: []tokenomics.Weight{{Recipient: "g", Credits: a(2)}}}, {Consumer: "b", Agent: "x", Creator: "c", Output: 2, Credits: a(5)}}},
		&tokenomics.RewardPaid{Epoch: 3, Pool: "mining", Recipient: "x", Basis: a(5), Reward: a(4), Capped: a(1)},
		&tokenomics.EpochReport{Epoch: 9, SupplyBefore: a(10), Burned: a(2), Minted: a(3), Supply: a(11), Price: a(7), CreditsOutstand: a(1)},
		&tokenomics.StakeAdded{Pool: "p", Account: "a", Asset: "COOP", Amount: a(1), Shares: a(1), Units: a(1)},
		&tokenomics.StakeCheckpointed{Account: "a", Height: 7, Units: a(3), Since: -5, Total: a(9)},
		&tokenomics.StakeRemoved{Pool: "p", Account: "a", Asset: "COOP", Amount: a(1), Shares: a(1), Units: a(1), ID: 4, Release: 9},
		&tokenomics.UnbondingWithdrawn{Account: "a", ID: 4, Asset: "COOP", Amount: a(1)},
		&tokenomics.RewardsClaimed{Pool: "p", Account: "a", Amount: a(1), Restaked: true},
		&tokenomics.DustSwept{Pool: "p", Amount: a(0)},
		&tokenomics.ProviderWeightsForwarded{Epoch: 3, Pool: "pp", Amount: a(7)},
		&tokenomics.StakeSlashed{Pool: "p", Asset: "COOP", Bps: 10000, Amount: a(1), Reason: "why"},
		&tokenomics.AgentCreated{Agent: "x", Creator: "c", Template: "t", PriceIn: 1, PriceOut: 2, Deposit: 3, Epoch: 4},
		&tokenomics.ValueLocked{Lock: tokenomics.Lock{ID: 1, Owner: "o", Asset: "COOP", Amount: a(5), Unlock: 6, Reason: "r", Agent: "x"}},
		&tokenomics.ValueUnlocked{ID: 1, Owner: "o", Asset: "COOP", Amount: a(5)},
		&tokenomics.TokenLaunched{Agent: "x", Asset: "X", Supply: a(10), SaleSupply: a(8), X: a(1), Y: a(12)},
		&tokenomics.CurveTraded{Agent: "x", Trader: "t", Side: "sell", Base: a(1), Tokens: a(2), Fee: a(0), X: a(3), Y: a(4)},
		&tokenomics.CurveGraduated{Agent: "x", Base: a(1), Tokens: a(2)},
	}
	payloads := []ledger.Payload{
		&tokenomics.ObservePrice{Price: ledger.NewAmount(9)},
		&tokenomics.BuyCredits{Amount: a(5), To: "b", MinCredits: a(1)},
		&tokenomics.RecordUsage{Consumer: "c", Agent: "x", Platform: "p", Tools: []ledger.AccountID{"t1", "t2"}, Input: 1, Output: 2, Ref: "r"},
		&tokenomics.RecordUsage{Platform: "p", GPU: "g", Model: "m", Input: 1, PriceIn: 3, PriceOut: 4},
		&tokenomics.SettleUsage{Window: "w", Items: []tokenomics.RecordUsage{{Platform: "p", GPU: "g", Input: 1, PriceIn: 3}, {Consumer: "c", Agent: "x", Platform: "p", Output: 2}}},
		&tokenomics.Stake{Pool: "protocol", Asset: "COOP", Amount: a(1)},
		&tokenomics.Unstake{Pool: "x", Asset: "COOP", Amount: a(1)},
		&tokenomics.WithdrawUnbonded{ID: 3},
		&tokenomics.ClaimRewards{Pool: "protocol"},
		&tokenomics.Restake{Pool: "protocol"},
		&tokenomics.SlashPool{Pool: "protocol", Bps: 10, Reason: "r"},
		&tokenomics.CreateAgent{Agent: "x", Template: "t", PriceIn: 1, PriceOut: 2},
		&tokenomics.LaunchToken{Agent: "x", Symbol: "X"},
		&tokenomics.Buy{Agent: "x", Amount: a(1), MinOut: a(2)},
		&tokenomics.Sell{Agent: "x", Amount: a(1), MinOut: a(2)},
		&tokenomics.Unlock{ID: 1},
	}
	return events, payloads
}

type codec interface {
	Encode(*ledger.Encoder)
	Decode(*ledger.Decoder)
}

// TestCodecRoundTrip: every event and payload decodes to what was encoded
// (same canonical bytes, same JSON), and re-encodes to the same bytes;
// events also round-trip through the registry's envelope.
func TestCodecRoundTrip(t *testing.T) {
	m, err := ledger.NewMachine(tokenomics.Module{})
	if err != nil {
		t.Fatal(err)
	}
	events, payloads := samples()
	check := func(name string, x codec, fresh codec) {
		e := ledger.NewEncoder(nil)
		x.Encode(e)
		d := ledger.NewDecoder(e.Bytes(), name)
		fresh.Decode(d)
		if err := d.Finish(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e2 := ledger.NewEncoder(nil)
		fresh.Encode(e2)
		if !bytes.Equal(e.Bytes(), e2.Bytes()) {
			t.Fatalf("%s: re-encoding differs", name)
		}
		j1, _ := json.Marshal(x)
		j2, _ := json.Marshal(fresh)
		if !bytes.Equal(j1, j2) {
			t.Fatalf("%s: JSON %s became %s", name, j1, j2)
		}
		// A truncated encoding is an error, never a panic.
		if n := len(e.Bytes()); n > 0 {
			d := ledger.NewDecoder(e.Bytes()[:n-1], name)
			reflect.New(reflect.TypeOf(fresh).Elem()).Interface().(codec).Decode(d)
			if d.Finish() == nil {
				t.Fatalf("%s: truncated encoding decoded", name)
			}
		}
	}
	for _, ev := range events {
		check(ev.EventType(), ev, reflect.New(reflect.TypeOf(ev).Elem()).Interface().(codec))
		e := ledger.NewEncoder(nil)
		ledger.EncodeEvent(e, ev)
		back, err := m.Registry().DecodeEvent(e.Bytes())
		if err != nil || ledger.DescribeEvent(back) != ledger.DescribeEvent(ev) {
			t.Fatalf("%s through the registry: %v", ev.EventType(), err)
		}
	}
	for _, p := range payloads {
		check(p.Type(), p, reflect.New(reflect.TypeOf(p).Elem()).Interface().(codec))
		c := &ledger.Command{Actor: "alice", Payload: p}
		back, err := m.Registry().DecodeCommand(ledger.EncodeCommand(c))
		if err != nil || back.String() != c.String() {
			t.Fatalf("%s through the registry: %v", p.Type(), err)
		}
	}
	if n := len(tokenomics.Module{}.Events()); n != len(events) {
		t.Fatalf("%d event types registered, %d sampled: sample every event", n, len(events))
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder: errors, never panics.
func FuzzDecode(f *testing.F) {
	events, payloads := samples()
	var all []codec
	for _, e := range events {
		all = append(all, e)
	}
	for _, p := range payloads {
		all = append(all, p)
	}
	for _, c := range all {
		e := ledger.NewEncoder(nil)
		c.Encode(e)
		f.Add(e.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range all {
			fresh := reflect.New(reflect.TypeOf(c).Elem()).Interface().(codec)
			d := ledger.NewDecoder(b, "fuzz")
			fresh.Decode(d)
			if d.Finish() == nil {
				e := ledger.NewEncoder(nil)
				fresh.Encode(e)
				if !bytes.Equal(e.Bytes(), b) {
					t.Fatalf("%T: %x decodes but re-encodes as %x", c, b, e.Bytes())
				}
			}
		}
		tokenomics.DecodeParams(b)
	})
}
