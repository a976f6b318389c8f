package ledgertest

import (
	"time"

	"github.com/coopera/coopera/ledger"
)

// Chain is a bare chain for tests that decide blocks with given step
// options (ledger.StepOptions.RulesFrom, say), where a Harness decides by
// its own: a Step over a MemStore, after a genesis.
type Chain struct {
	Step  *ledger.Step
	Store *ledger.MemStore
	Head  ledger.Head
}

// NewChain starts a chain of m from g, decided with opts.
func NewChain(t TB, m *ledger.Machine, opts ledger.StepOptions, g *ledger.Genesis) *Chain {
	t.Helper()
	c := &Chain{Step: ledger.NewStep(m, opts), Store: ledger.NewMemStore()}
	rd, err := c.Step.Genesis(c.Store, g)
	if err != nil {
		t.Fatal(err)
	}
	c.Store.Apply(rd.Changes)
	c.Step.Applied()
	c.Head = rd.Head
	return c
}

// Next decides a block of cmds a second after the head, applies it, and
// returns it.
func (c *Chain) Next(t TB, cmds ...*ledger.Command) *ledger.Block {
	t.Helper()
	rd, err := c.Step.Execute(c.Store, ledger.BlockInput{Prev: c.Head, Time: c.Head.Time + int64(time.Second), Commands: cmds})
	if err != nil {
		t.Fatal(err)
	}
	c.Store.Apply(rd.Changes)
	c.Step.Applied()
	c.Head = rd.Head
	return rd.Block
}

// ParseGenesis parses a genesis document, failing t if it does not.
func ParseGenesis(t TB, doc string) *ledger.Genesis {
	t.Helper()
	g, err := ledger.ParseGenesis([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Start returns a harness of mods after the genesis doc, failing t if it
// cannot.
func Start(t TB, doc string, mods ...ledger.Module) *Harness {
	t.Helper()
	h, err := New(mods...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(ParseGenesis(t, doc)); err != nil {
		t.Fatal(err)
	}
	return h
}
