package contribution_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
)

// network drives a contribution ledger epoch by epoch for the multi-epoch
// tests: providers and validators by name, weights by provider.
type network struct {
	t     tb
	h     *ledgertest.Harness
	salt  int
	Price contribution.PriceSource
}

// newNetwork starts a ledger with the given validators (name: stake), a
// funder holding plenty, an empty pool, and params (JSON fields added to
// the contribution params).
func newNetwork(t tb, validators map[string]uint64, params string) *network {
	var names []string
	for v := range validators { // order-free: sorted below
		names = append(names, v)
	}
	slices.Sort(names)
	accts := []string{`{"id":"meter"}`, `{"id":"funder"}`}
	allocs := []string{`{"account":"funder","asset":"COOP","amount":"1000000000000000"}`}
	for _, v := range names {
		accts = append(accts, fmt.Sprintf(`{"id":%q}`, v))
		allocs = append(allocs, fmt.Sprintf(`{"account":%q,"asset":"COOP","amount":"%d"}`, v, validators[v]))
	}
	if params != "" {
		params = "," + params
	}
	g, err := ledger.ParseGenesis([]byte(`{"chain_id":"net","genesis_time":"2026-01-01T00:00:00Z","epoch_length":"1h",
	 "assets":[{"id":"COOP","decimals":0}],"accounts":[` + strings.Join(accts, ",") + `],"allocations":[` + strings.Join(allocs, ",") + `],
	 "params":{"contribution":{"reporters":["meter"],"min_validator_stake":"1"` + params + `}}}`))
	if err != nil {
		t.Fatal(err)
	}
	h, err := ledgertest.New(contribution.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	n := &network{t: t, h: h}
	var regs []*ledger.Command
	for _, v := range names {
		regs = append(regs, &ledger.Command{Actor: ledger.AccountID(v), Payload: &contribution.Register{Role: "validator", Stake: ledger.NewAmount(validators[v])}})
	}
	n.block(regs...)
	return n
}

// block applies commands as the next block, one second on; every command
// must succeed.
func (n *network) block(cmds ...*ledger.Command) *ledger.Block {
	b, err := n.h.Apply(n.h.Time.Add(time.Second), cmds)
	if err != nil {
		n.t.Fatal(err)
	}
	for i, r := range b.Results {
		if r.Code != "" {
			n.t.Fatalf("%s by %s: %s %s", cmds[i].Payload.Type(), cmds[i].Actor, r.Code, r.Msg)
		}
	}
	return b
}

// providers registers compute providers (each also created as an account).
func (n *network) providers(ids ...string) {
	var cmds []*ledger.Command
	for _, id := range ids {
		cmds = append(cmds, &ledger.Command{Actor: ledger.AccountID(id), Payload: &ledger.CreateAccount{Account: ledger.AccountID(id)}})
	}
	n.block(cmds...)
	cmds = nil
	for _, id := range ids {
		cmds = append(cmds, &ledger.Command{Actor: ledger.AccountID(id), Payload: &contribution.Register{Role: "compute"}})
	}
	n.block(cmds...)
}

// record records GPU-seconds for providers (id: quantity).
func (n *network) record(q map[string]uint64) {
	var ids []string
	for id := range q { // order-free: sorted below
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var cmds []*ledger.Command
	for _, id := range ids {
		cmds = append(cmds, &ledger.Command{Actor: "meter", Payload: &contribution.Record{Provider: ledger.AccountID(id), Kind: "gpu_seconds", Quantity: q[id], Source: "m"}})
	}
	n.block(cmds...)
}

// vote commits and reveals a validator's weights ("p1:3 p2:1").
func (n *network) vote(v, weights string) { n.votes(map[string]string{v: weights}) }

// votes commits validators' weights in one block and reveals them in the
// next, validators in ID order.
func (n *network) votes(m map[string]string) {
	var vs []string
	for v := range m { // order-free: sorted below
		vs = append(vs, v)
	}
	slices.Sort(vs)
	c, _ := ledger.GetChain(n.h)
	var commits, reveals []*ledger.Command
	for _, v := range vs {
		var ws []contribution.Weight
		for _, f := range strings.Fields(m[v]) {
			i := strings.IndexByte(f, ':')
			var w uint64
			fmt.Sscan(f[i+1:], &w)
			ws = append(ws, contribution.Weight{Provider: ledger.AccountID(f[:i]), Weight: w})
		}
		slices.SortFunc(ws, func(a, b contribution.Weight) int { return strings.Compare(string(a.Provider), string(b.Provider)) })
		n.salt++
		salt := fmt.Sprint(n.salt)
		id := ledger.AccountID(v)
		commits = append(commits, &ledger.Command{Actor: id, Payload: &contribution.CommitWeights{Hash: contribution.WeightsHash(id, c.Epoch, ws, salt)}})
		reveals = append(reveals, &ledger.Command{Actor: id, Payload: &contribution.RevealWeights{Weights: ws, Salt: salt}})
	}
	if len(vs) == 0 {
		return
	}
	n.block(commits...)
	n.block(reveals...)
}

// fund moves amount from the funder into the pool.
func (n *network) fund(amount uint64) {
	n.block(&ledger.Command{Actor: "funder", Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: contribution.PoolAccount, Asset: "COOP", Amount: ledger.NewAmount(amount)}}}})
}

// close ends the open epoch and returns its EpochScored event.
func (n *network) close() *contribution.EpochScored {
	c, _ := ledger.GetChain(n.h)
	end := time.Unix(0, c.EpochEnd())
	b, err := n.h.Apply(end, ledger.EpochCloses(c, end.UnixNano(), 1))
	if err != nil {
		n.t.Fatal(err)
	}
	for _, ev := range b.Events {
		if e, ok := ev.(*contribution.EpochScored); ok {
			return e
		}
	}
	n.t.Fatalf("no epoch_scored event: %v", b.Results)
	return nil
}

// validator returns a validator's result in an event.
func validatorOf(e *contribution.EpochScored, v string) contribution.ScoredValidator {
	for _, s := range e.Validators {
		if string(s.Validator) == v {
			return s
		}
	}
	return contribution.ScoredValidator{}
}

// provider returns a provider's result in an event.
func providerOf(e *contribution.EpochScored, p string) contribution.ScoredProvider {
	for _, s := range e.Providers {
		if string(e.Columns[s.Column]) == p {
			return s
		}
	}
	return contribution.ScoredProvider{}
}

// bond returns a validator's stored bond on a provider.
func (n *network) bond(v, p string) uint64 {
	b, err := contribution.Bonds(n.h, ledger.AccountID(v))
	if err != nil {
		n.t.Fatal(err)
	}
	return b[ledger.AccountID(p)]
}
