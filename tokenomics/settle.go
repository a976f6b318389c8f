package tokenomics

import (
	"fmt"
	"slices"

	"github.com/coopera/coopera/ledger"
)

// Batched usage settlement.
//
// A metering window or an inference gateway reports many services at once.
// settle_usage settles them in one command: each item is decided exactly as
// a record_usage command (its cost, the 1% fee, the value-network split,
// the consumer's credits, the reporter's authority), and the batch is
// atomic: one refused item refuses the whole settlement, naming the item.
// Its one event, usage_settled, is applied in one pass: each consumer's
// credits debited once, each recipient's epoch weights added once, the
// epoch's totals written once. The state it leaves is the state the items
// as separate record_usage commands would leave.

// MaxSettleItems bounds the items of one settlement.
const MaxSettleItems = 4096

// SettleUsage settles a window's usage records in one command.
//
//	{"window": "gw-7/2026-01-01T10:00Z", "items": [{"consumer": "alice", "platform": "plat", "gpu": "g1", "input_tokens": 1000, "price_in": 3}, ...]}
type SettleUsage struct {
	// Window names what the settlement covers (a meter and its window);
	// the command's idempotency key keeps a window from settling twice.
	Window string        `json:"window,omitempty"`
	Items  []RecordUsage `json:"items"`
}

func (*SettleUsage) Type() string { return "settle_usage" }
func (p *SettleUsage) Encode(e *ledger.Encoder) {
	e.String(p.Window)
	e.Uint(uint64(len(p.Items)))
	for i := range p.Items {
		p.Items[i].Encode(e)
	}
}
func (p *SettleUsage) Decode(d *ledger.Decoder) {
	p.Window = d.String()
	n := d.Len(11) // the smallest item encodes to 11 bytes
	p.Items = make([]RecordUsage, n)
	for i := range p.Items {
		p.Items[i].Decode(d)
	}
}
func (p *SettleUsage) Validate() error {
	if len(p.Items) == 0 {
		return ledger.Errorf(ledger.ErrMissingField, "items: a settlement needs at least one usage record")
	}
	if len(p.Items) > MaxSettleItems {
		return ledger.Errorf(ledger.ErrMalformed, "items: %d usage records; the limit is %d (split the window)", len(p.Items), MaxSettleItems)
	}
	if len(p.Window) > 128 {
		return ledger.Errorf(ledger.ErrMalformed, "window is %d bytes; the limit is 128", len(p.Window))
	}
	for i := range p.Items {
		if err := p.Items[i].Validate(); err != nil {
			return itemErr(i, err)
		}
	}
	return nil
}

// itemErr names the item an error is about, keeping its code.
func itemErr(i int, err error) error {
	if le, ok := err.(*ledger.Error); ok {
		return &ledger.Error{Code: le.Code, Msg: fmt.Sprintf("items[%d]: %s", i, le.Msg)}
	}
	return fmt.Errorf("items[%d]: %w", i, err)
}

// UsageSettled records a settlement: one UsageRecorded per item, in order.
type UsageSettled struct {
	Window string          `json:"window,omitempty"`
	Items  []UsageRecorded `json:"items"`
}

func (*UsageSettled) EventType() string    { return "usage_settled" }
func (*UsageSettled) EventVersion() uint16 { return 1 }
func (e *UsageSettled) Accounts() []ledger.AccountID {
	var out []ledger.AccountID
	for i := range e.Items {
		if !slices.Contains(out, e.Items[i].Consumer) {
			out = append(out, e.Items[i].Consumer)
		}
	}
	return out
}
func (e *UsageSettled) Encode(enc *ledger.Encoder) {
	enc.String(e.Window)
	enc.Uint(uint64(len(e.Items)))
	for i := range e.Items {
		e.Items[i].Encode(enc)
	}
}
func (e *UsageSettled) Decode(d *ledger.Decoder) {
	e.Window = d.String()
	n := d.Len(8)
	e.Items = make([]UsageRecorded, n)
	for i := range e.Items {
		e.Items[i].Decode(d)
	}
}

func decideSettle(ctx *ledger.Context, p *Params, actor ledger.AccountID, c *SettleUsage) error {
	ev := &UsageSettled{Window: c.Window, Items: make([]UsageRecorded, len(c.Items))}
	spent := make(map[ledger.AccountID]ledger.Amount, len(c.Items))
	// The items' weights share allocations of about what the items use
	// (usageEvent takes room for the most and keeps what it used: 3 to 5
	// for a model-serving record).
	slab := make([]Weight, 5*len(c.Items)+8)
	for i := range c.Items {
		if err := usageEvent(ctx, p, actor, &c.Items[i], spent, &ev.Items[i], &slab); err != nil {
			return itemErr(i, err)
		}
	}
	return ctx.Emit(ev)
}

// evolveSettled applies a settlement in one pass: the same state as its
// items applied one by one (evolveUsage), each key written once.
func evolveSettled(st *ledger.State, e *UsageSettled) error {
	debits := make(map[ledger.AccountID]ledger.Amount, len(e.Items))
	providers, mining, creators := make(map[string]ledger.Amount, len(e.Items)), map[string]ledger.Amount{}, map[string]ledger.Amount{}
	var spent, wProviders, wMining, wCreators ledger.Amount
	sum := func(m map[string]ledger.Amount, k string, a ledger.Amount, total *ledger.Amount, what string) error {
		var err error
		if m[k], err = add(m[k], a, what); err != nil {
			return err
		}
		*total, err = add(*total, a, what)
		return err
	}
	for i := range e.Items {
		u := &e.Items[i]
		var err error
		if debits[u.Consumer], err = add(debits[u.Consumer], u.Credits, "credits spent"); err != nil {
			return err
		}
		if spent, err = add(spent, u.Credits, "credits spent"); err != nil {
			return err
		}
		for _, w := range u.Weights {
			if err := sum(providers, w.Recipient, w.Credits, &wProviders, "provider weight"); err != nil {
				return err
			}
		}
		if u.Agent != "" {
			if err := sum(mining, u.Agent, u.Credits, &wMining, "mining weight"); err != nil {
				return err
			}
			if err := sum(creators, string(u.Creator), u.Credits, &wCreators, "creator weight"); err != nil {
				return err
			}
		}
	}
	consumers := make([]ledger.AccountID, 0, len(debits))
	for c := range debits { // order-free: sorted below
		consumers = append(consumers, c)
	}
	slices.Sort(consumers)
	for _, c := range consumers {
		bal, err := getAmount(st, creditsKey(c))
		if err != nil {
			return err
		}
		nb, ok := bal.Sub(debits[c])
		if !ok {
			return ledger.Errorf(ErrInsufficientCredits, "%s has %s credits, the settlement spends %s", c, bal, debits[c])
		}
		setAmount(st, creditsKey(c), nb)
	}
	for _, pool := range []struct {
		name string
		m    map[string]ledger.Amount
	}{{weightProviders, providers}, {weightMining, mining}, {weightCreators, creators}} {
		keys := make([]string, 0, len(pool.m))
		for k := range pool.m { // order-free: sorted below
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := addAt(st, weightKey(pool.name, k), pool.m[k]); err != nil {
				return err
			}
		}
	}
	es, err := getEpochState(st)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		into *ledger.Amount
		a    ledger.Amount
		what string
	}{{&es.CreditsSpent, spent, "credits spent"}, {&es.EpochSpent, spent, "credits spent"}, {&es.WProviders, wProviders, "provider weight"}, {&es.WMining, wMining, "mining weight"}, {&es.WCreators, wCreators, "creator weight"}} {
		if *f.into, err = add(*f.into, f.a, f.what); err != nil {
			return err
		}
	}
	saveEpochState(st, es)
	return nil
}
