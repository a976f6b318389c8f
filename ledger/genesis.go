package ledger

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// Genesis is the initial state of a chain: its identity, assets, accounts,
// allocations and every module's parameters. It is read from a JSON file:
//
//	{
//	  "chain_id": "coopera-local",
//	  "genesis_time": "2026-01-01T00:00:00Z",
//	  "epoch_length": "24h",
//	  "assets": [{"id": "COOP", "name": "Coopera", "decimals": 6}],
//	  "accounts": [{"id": "alice"}, {"id": "bob", "public_key": "<hex>"}],
//	  "allocations": [{"account": "alice", "asset": "COOP", "amount": "1000000000"}],
//	  "params": {"<module>": { ... }}
//	}
//
// Amounts are strings of base units. Unknown fields are errors.
type Genesis struct {
	ChainID           string                     `json:"chain_id"`
	GenesisTime       time.Time                  `json:"genesis_time"`
	EpochLength       Duration                   `json:"epoch_length"`
	RequireSignatures bool                       `json:"require_signatures,omitempty"`
	Assets            []GenesisAsset             `json:"assets"`
	Accounts          []GenesisAccount           `json:"accounts"`
	Allocations       []GenesisAllocation        `json:"allocations,omitempty"`
	Params            map[string]json.RawMessage `json:"params,omitempty"`
}

// GenesisAsset declares an asset.
type GenesisAsset struct {
	ID       AssetID `json:"id"`
	Name     string  `json:"name,omitempty"`
	Decimals uint8   `json:"decimals"`
}

// GenesisAccount declares an account.
type GenesisAccount struct {
	ID        AccountID `json:"id"`
	PublicKey PublicKey `json:"public_key,omitempty"`
}

// GenesisAllocation gives an account an initial balance. A module
// account may receive one, but not a booked account (Bookkeeper), whose
// balance is only what its module's records say.
type GenesisAllocation struct {
	Account AccountID `json:"account"`
	Asset   AssetID   `json:"asset"`
	Amount  Amount    `json:"amount"`
}

// Duration is a time.Duration written as a Go duration string ("24h").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(ErrMalformed, `durations are strings such as "24h" or "10m": %v`, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return Errorf(ErrMalformed, "duration %q: %v", s, err)
	}
	*d = Duration(v)
	return nil
}

// ParseGenesis decodes a genesis file strictly.
func ParseGenesis(data []byte) (*Genesis, error) {
	var g Genesis
	if err := strictJSON(data, &g); err != nil {
		msg := err.Error()
		if e, ok := err.(*Error); ok {
			msg = e.Msg
		}
		return nil, Errorf(ErrInvalidGenesis, "%s", msg)
	}
	return &g, nil
}

// MaxDecimals is the largest number of decimals an asset may declare.
const MaxDecimals = 36

func genesisErr(field string, format string, args ...any) error {
	return Errorf(ErrInvalidGenesis, "%s: %s", field, fmt.Sprintf(format, args...))
}

// Validate checks what can be checked without running the modules.
func (g *Genesis) Validate() error {
	if g.ChainID == "" {
		return genesisErr("chain_id", "is empty; name the chain")
	}
	if g.GenesisTime.IsZero() {
		return genesisErr("genesis_time", `is missing; give an RFC 3339 time such as "2026-01-01T00:00:00Z"`)
	}
	if t := g.GenesisTime; !time.Unix(0, t.UnixNano()).Equal(t) {
		// Outside 1678 to 2262, UnixNano wraps: the chain would start
		// decades away from the time written.
		return genesisErr("genesis_time", "%s cannot be a block time (nanoseconds since 1970 in 64 bits: 1678 to 2262)", t.Format(time.RFC3339))
	}
	if g.EpochLength <= 0 {
		return genesisErr("epoch_length", `must be positive, such as "24h"`)
	}
	assets := map[AssetID]bool{}
	for i, a := range g.Assets {
		if err := a.ID.Validate(); err != nil {
			return genesisErr(fmt.Sprintf("assets[%d].id", i), "%v", err)
		}
		if assets[a.ID] {
			return genesisErr(fmt.Sprintf("assets[%d].id", i), "asset %s is declared twice", a.ID)
		}
		if a.Decimals > MaxDecimals {
			return genesisErr(fmt.Sprintf("assets[%d].decimals", i), "%d decimals; at most %d", a.Decimals, MaxDecimals)
		}
		assets[a.ID] = true
	}
	accounts := make(map[AccountID]bool, len(g.Accounts)) // sized: a million accounts grow no copies
	for i, a := range g.Accounts {
		if err := a.ID.Validate(); err != nil {
			return genesisErr(fmt.Sprintf("accounts[%d].id", i), "%v", err)
		}
		if a.ID.IsModule() {
			return genesisErr(fmt.Sprintf("accounts[%d].id", i), "%s: module accounts are created by their modules", a.ID)
		}
		if accounts[a.ID] {
			return genesisErr(fmt.Sprintf("accounts[%d].id", i), "account %s is declared twice", a.ID)
		}
		if err := validateKey(a.PublicKey); err != nil {
			return genesisErr(fmt.Sprintf("accounts[%d].public_key", i), "%v", err)
		}
		accounts[a.ID] = true
	}
	for i, a := range g.Allocations {
		if !accounts[a.Account] && !a.Account.IsModule() {
			return genesisErr(fmt.Sprintf("allocations[%d].account", i), "account %s is not declared in accounts", a.Account)
		}
		if !assets[a.Asset] {
			return genesisErr(fmt.Sprintf("allocations[%d].asset", i), "asset %s is not declared in assets", a.Asset)
		}
		if a.Amount.IsZero() {
			return genesisErr(fmt.Sprintf("allocations[%d].amount", i), "is zero")
		}
	}
	return nil
}

// genesisEvents returns the events of block 0: the chain, assets, accounts,
// each module's genesis (in module order), then allocations. If boundary is
// not nil it is called after each account and each allocation (the only
// places where a genesis grows with its size), and may flush ctx's state
// and events (a chunked genesis: Step.GenesisChunked); it returns then
// only the events emitted since the last flush.
func (m *Machine) genesisEvents(st *State, g *Genesis, boundary func(ctx *Context) error, rules Rules) ([]Event, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(g.Params))
	for name := range g.Params { // order-free: sorted next, so the first error is always the same
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.ContainsFunc(m.modules, func(mod Module) bool { return mod.Name() == name }) {
			return nil, genesisErr("params."+name, "no module named %q; modules: %v", name, m.ModuleNames())
		}
	}
	// Before any event, so that a chunked genesis sends nothing (booked
	// accounts came with RulesV2: a chain re-deriving its genesis under
	// the rules before keeps its block 0).
	for i, a := range g.Allocations {
		if mod, ok := m.Booked(a.Account); ok && rules >= RulesV2 {
			return nil, genesisErr(fmt.Sprintf("allocations[%d].account", i), "%s is booked by module %s: its balance is exactly what that module's records say, and no record would cover an allocation there; allocate to the accounts that should own the funds, and let them act through the module (stake, register, deposit) after genesis", a.Account, mod)
		}
	}
	ctx := &Context{Height: 0, Time: g.GenesisTime.UnixNano(), st: st, m: m, rules: rules}
	emit := func(ev Event) error { return ctx.Emit(ev) }
	if err := emit(&ChainStarted{ChainID: g.ChainID, GenesisTime: g.GenesisTime.UnixNano(), EpochLength: int64(g.EpochLength), RequireSignatures: g.RequireSignatures, Modules: m.ModuleNames()}); err != nil {
		return nil, err
	}
	for _, a := range g.Assets {
		if err := emit(&AssetRegistered{Asset: a.ID, Name: a.Name, Decimals: a.Decimals}); err != nil {
			return nil, err
		}
	}
	if err := emit(&AccountCreated{Account: SystemActor}); err != nil {
		return nil, err
	}
	for _, a := range g.Accounts {
		if err := emit(&AccountCreated{Account: a.ID, PublicKey: a.PublicKey}); err != nil {
			return nil, err
		}
		if boundary != nil {
			if err := boundary(ctx); err != nil {
				return nil, err
			}
		}
	}
	for _, mod := range m.modules {
		gi, ok := mod.(GenesisInitializer)
		if !ok {
			if _, has := g.Params[mod.Name()]; has {
				return nil, genesisErr("params."+mod.Name(), "module %s takes no parameters", mod.Name())
			}
			continue
		}
		if err := gi.InitGenesis(ctx, g.Params[mod.Name()]); err != nil {
			return nil, genesisErr("params."+mod.Name(), "%v", err)
		}
	}
	for i, a := range g.Allocations {
		if err := emit(&Allocated{To: a.Account, Asset: a.Asset, Amount: a.Amount}); err != nil {
			return nil, genesisErr(fmt.Sprintf("allocations[%d]", i), "%v", err)
		}
		if boundary != nil {
			if err := boundary(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := st.Err(); err != nil {
		return nil, err
	}
	return ctx.events, nil
}

// WriteGenesisJSON writes g as JSON to w, byte for byte what json.Marshal
// gives, but element by element, so that a genesis of millions of accounts
// is never encoded whole in memory.
func WriteGenesisJSON(w io.Writer, g *Genesis) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	put := func(prefix string, v any) {
		if err != nil {
			return
		}
		var b []byte
		if b, err = json.Marshal(v); err == nil {
			bw.WriteString(prefix)
			_, err = bw.Write(b)
		}
	}
	array := func(prefix string, n int, isNil bool, elem func(i int) any) {
		if err != nil {
			return
		}
		bw.WriteString(prefix)
		if isNil {
			bw.WriteString("null")
			return
		}
		bw.WriteByte('[')
		for i := 0; i < n && err == nil; i++ {
			sep := ","
			if i == 0 {
				sep = ""
			}
			put(sep, elem(i))
		}
		bw.WriteByte(']')
	}
	put(`{"chain_id":`, g.ChainID)
	put(`,"genesis_time":`, g.GenesisTime)
	put(`,"epoch_length":`, g.EpochLength)
	if g.RequireSignatures {
		put(`,"require_signatures":`, true)
	}
	put(`,"assets":`, g.Assets)
	array(`,"accounts":`, len(g.Accounts), g.Accounts == nil, func(i int) any { return &g.Accounts[i] })
	if len(g.Allocations) > 0 {
		array(`,"allocations":`, len(g.Allocations), false, func(i int) any { return &g.Allocations[i] })
	}
	if len(g.Params) > 0 {
		put(`,"params":`, g.Params)
	}
	if err != nil {
		return err
	}
	bw.WriteByte('}')
	return bw.Flush()
}
