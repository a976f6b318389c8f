package sim

import (
	"strconv"

	"github.com/coopera/coopera/ledger"
)

// envHost is a population's side of its Env (agents.Host): the run's
// committed state, read-only, and what the run learnt at the last close.
type envHost struct {
	r   *run
	pop *popRun
}

func (h *envHost) Get(key []byte) ([]byte, bool) { return h.r.st.Lookup(key) }

// StateView lets Env read balances through the run's MemStore directly.
func (h *envHost) StateView() ledger.MemView { return h.r.st.View() }

func (h *envHost) Scan(prefix []byte, fn func(key, value []byte) bool) {
	h.r.st.View().Scan(prefix, fn)
}

func (h *envHost) Rewards(acct ledger.AccountID) ledger.Amount { return h.r.rewards[string(acct)] }

func (h *envHost) Served(acct ledger.AccountID) ledger.Amount { return h.r.lastServed[string(acct)] }

func (h *envHost) DemandFactor(population string, epoch int) Dec {
	f := One
	for _, ev := range h.r.c.sc.Events {
		d := ev.Demand
		if d == nil || epoch < ev.At || ev.Until != 0 && epoch >= ev.Until {
			continue
		}
		if d.Population != "" && d.Population != population {
			continue
		}
		f = f.MulDec(d.Factor)
	}
	return f
}

func (h *envHost) Reserve(t ledger.Amount) bool {
	m := h.r.mkt
	if !m.inventoryOK {
		// Read once between blocks: commit forgets it.
		m.inventory, _ = ledger.BalanceOf(h, ExchangeAccount, h.r.c.native)
		m.inventoryOK = true
	}
	avail, _ := m.inventory.Sub(m.pending)
	if t.Cmp(avail) >= 0 {
		return false
	}
	m.pending, _ = m.pending.Add(t)
	return true
}

func (h *envHost) Escrow() ledger.AccountID { return h.pop.spec.escrow }

func (h *envHost) Agents() []AgentInfo { return h.r.agents }

func (h *envHost) Servers(population string) []ledger.AccountID {
	for _, p := range h.r.pops {
		if p.spec.pop.Name == population {
			if s, ok := p.b.(Server); ok {
				return s.Serving()
			}
			return p.spec.accounts
		}
	}
	return nil
}

func (h *envHost) Behaviour(population string) Behaviour {
	for _, p := range h.r.pops {
		if p.spec.pop.Name == population {
			return p.b
		}
	}
	return nil
}

func (h *envHost) NewSymbol() ledger.AssetID {
	h.r.symbols++
	return ledger.AssetID("AGT" + strconv.Itoa(h.r.symbols))
}
