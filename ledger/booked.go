package ledger

import (
	"fmt"
	"strings"
)

// Booked accounts. Some module accounts hold exactly what their module's
// records say: the stake its stakers' positions add up to, the deposits
// its open proposals hold in escrow. Only the module's own decisions may
// move funds into or out of one; anything else either strands funds that
// no record covers or takes funds the records owe. A module declares such
// accounts by implementing Bookkeeper, the Machine collects them once, and
// every route by which someone else could reach one asks Machine.Booked:
//
//   - the accounts module refuses a user transfer into one
//     (ErrUnauthorized), and a genesis refuses an allocation into one
//     (ErrInvalidGenesis): its holders stake, register or deposit
//     through the module after genesis;
//   - a module whose parameters name an account that receives or pays
//     funds (a treasury, a reward pool) refuses a booked one in its
//     genesis and its ParamsStateChecker, through ParamsView.Booked;
//   - governance refuses a treasury spend to one, and spends from a
//     treasury that is one.
//
// Booked accounts came with RulesV2: a block decided by the rules before
// knows none (Context.Booked), so that it is decided again as it was.

// Bookkeeper is implemented by modules with booked accounts: accounts of
// the module's own ("mod:<name>" or "mod:<name>/...") whose balances are
// exactly what its records say. NewMachine reads the list once; it must
// not change.
type Bookkeeper interface {
	BookedAccounts() []AccountID
}

// ParamsView is what a ParamsStateChecker reads: state, and which
// accounts are booked. A *Context is one.
type ParamsView interface {
	Getter
	// Booked reports whether id is a booked account, and the module
	// that keeps it.
	Booked(id AccountID) (module string, ok bool)
	// Rules are the rules the check is made under (Context.Rules).
	Rules() Rules
}

// Booked reports whether id is a booked account (Bookkeeper), and the
// module that keeps it.
func (m *Machine) Booked(id AccountID) (module string, ok bool) {
	if !id.IsModule() {
		return "", false // every booked account is a module's (NewMachine)
	}
	module, ok = m.booked[id]
	return module, ok
}

// Booked is the machine's Booked, under the rules deciding the block:
// booked accounts came with RulesV2, and a block decided by the rules
// before knows none (so that it is decided again as it was).
func (c *Context) Booked(id AccountID) (module string, ok bool) {
	if c.Rules() < RulesV2 {
		return "", false
	}
	return c.m.Booked(id)
}

// bookedAccounts collects the modules' booked accounts, each checked to
// be an account of the module that books it.
func bookedAccounts(mods []Module) (map[AccountID]string, error) {
	booked := map[AccountID]string{}
	for _, mod := range mods {
		b, ok := mod.(Bookkeeper)
		if !ok {
			continue
		}
		own := ModuleAccount(mod.Name())
		for _, id := range b.BookedAccounts() {
			if err := id.Validate(); err != nil {
				return nil, fmt.Errorf("ledger: module %s books %q: %w", mod.Name(), id, err)
			}
			if id != own && !strings.HasPrefix(string(id), string(own)+"/") {
				return nil, fmt.Errorf("ledger: module %s books %s, which is not one of its accounts (%s or %s/...)", mod.Name(), id, own, own)
			}
			booked[id] = mod.Name()
		}
	}
	return booked, nil
}
