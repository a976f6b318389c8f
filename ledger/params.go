package ledger

import (
	"bytes"
	"encoding/json"
)

// Parameters are state. Each module with parameters keeps them, encoded by
// the module, under ParamsKey(module); they are set at genesis and changed
// only by a ParamsChanged event, which governance emits when it executes a
// parameter change. A change takes effect at the next block: reducers
// deciding later commands of the same block still see the old values, so
// no command's outcome depends on where in a block a change landed.
//
//	p/<module>  current params, pending params, height the pending take effect

// ParamsKey returns the state key of a module's parameters.
func ParamsKey(module string) []byte { return append([]byte("p/"), module...) }

// Parameterized is implemented by modules with governable parameters.
type Parameterized interface {
	Module
	// SetParam returns the module's encoded parameters with the named
	// parameter set to value (JSON), or an ErrInvalidParameter *Error if
	// the name is unknown or the value is out of its bounds.
	SetParam(current []byte, name string, value json.RawMessage) ([]byte, error)
	// ParamsJSON renders encoded parameters as JSON, for queries and
	// policies.
	ParamsJSON(encoded []byte) (json.RawMessage, error)
}

// ParamsStateChecker is implemented by modules whose parameters name
// things in state (accounts, assets): governance checks a change against
// state when it is proposed and again when it executes, as the module's
// genesis does, so that no change can leave the module pointing at an
// account or asset that does not exist (a close that pays a missing
// treasury fails every epoch; a missing deposit asset refuses every
// proposal after), or paying into or out of a booked account (v.Booked;
// see Bookkeeper). The check returns an *Error.
type ParamsStateChecker interface {
	CheckParamsState(v ParamsView, encoded []byte) error
}

// ParamsChanged records new parameters for a module, in effect from
// EffectiveHeight on.
type ParamsChanged struct {
	Module          string `json:"module"`
	Params          []byte `json:"params"`
	EffectiveHeight uint64 `json:"effective_height"`
}

func (*ParamsChanged) EventType() string    { return "params_changed" }
func (*ParamsChanged) EventVersion() uint16 { return 1 }
func (e *ParamsChanged) Encode(enc *Encoder) {
	enc.String(e.Module)
	enc.Blob(e.Params)
	enc.Uint(e.EffectiveHeight)
}
func (e *ParamsChanged) Decode(d *Decoder) {
	e.Module, e.Params, e.EffectiveHeight = d.String(), d.Blob(), d.Uint()
}

type paramsRecord struct {
	current, pending []byte
	effective        uint64
	hasPending       bool
}

func readParamsRecord(g Getter, module string) (paramsRecord, bool, error) {
	v, ok := g.Get(ParamsKey(module))
	if !ok {
		return paramsRecord{}, false, nil
	}
	d := NewDecoder(v, "params of "+module)
	r := paramsRecord{current: d.Blob(), hasPending: d.Bool()}
	if r.hasPending {
		r.pending, r.effective = d.Blob(), d.Uint()
	}
	return r, true, d.Finish()
}

func (r *paramsRecord) at(height uint64) []byte {
	if r.hasPending && height >= r.effective {
		return r.pending
	}
	return r.current
}

// ParamsAt returns a module's encoded parameters in effect at height.
func ParamsAt(g Getter, module string, height uint64) ([]byte, error) {
	r, ok, err := readParamsRecord(g, module)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, Errorf(ErrInvalidParameter, "module %s has no parameters in state", module)
	}
	return r.at(height), nil
}

// Params returns a module's encoded parameters in effect for the block
// being decided.
func (c *Context) Params(module string) ([]byte, error) { return ParamsAt(c, module, c.Height) }

func applyParamsChanged(st *State, e *ParamsChanged) error {
	r, ok, err := readParamsRecord(st, e.Module)
	if err != nil {
		return err
	}
	if ok && r.hasPending && r.effective < e.EffectiveHeight {
		// The earlier change took effect before this block (this event
		// comes from block EffectiveHeight-1): it becomes current. A change
		// pending from this same block stays pending: ChangeParam built
		// the new parameters on it, and neither is visible before the next
		// block.
		r.current = r.pending
	}
	enc := NewEncoder(make([]byte, 0, len(e.Params)*2+16))
	if !ok || e.EffectiveHeight == 0 {
		// Genesis: in effect at once.
		enc.Blob(e.Params)
		enc.Bool(false)
	} else {
		enc.Blob(r.current)
		enc.Bool(true)
		enc.Blob(e.Params)
		enc.Uint(e.EffectiveHeight)
	}
	st.Set(ParamsKey(e.Module), enc.Bytes())
	return nil
}

// InitParams emits a module's genesis parameters.
func InitParams(ctx *Context, module string, encoded []byte) error {
	return ctx.Emit(&ParamsChanged{Module: module, Params: encoded})
}

// ChangeParam sets one parameter of a module, in effect from the next
// block: it asks the module to validate and encode the change, then emits
// ParamsChanged. Governance calls it when executing a parameter change.
func ChangeParam(ctx *Context, module, name string, value json.RawMessage) error {
	if v := bytes.TrimSpace(value); len(v) == 0 || bytes.Equal(v, []byte("null")) {
		// Modules decode null as the zero value.
		return Errorf(ErrInvalidParameter, "%s.%s: the value is missing or null; give the new value", module, name)
	}
	var target Parameterized
	for _, m := range ctx.m.modules {
		if m.Name() == module {
			p, ok := m.(Parameterized)
			if !ok {
				return Errorf(ErrInvalidParameter, "module %s has no governable parameters", module)
			}
			target = p
		}
	}
	if target == nil {
		return Errorf(ErrInvalidParameter, "no module named %q", module)
	}
	r, ok, err := readParamsRecord(ctx, module)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(ErrInvalidParameter, "module %s has no parameters in state", module)
	}
	// Build on the newest parameters, including a change still pending.
	base := r.current
	if r.hasPending {
		base = r.pending
	}
	next, err := target.SetParam(base, name, value)
	if err != nil {
		return err
	}
	if sc, ok := target.(ParamsStateChecker); ok {
		if err := sc.CheckParamsState(ctx, next); err != nil {
			return err
		}
	}
	return ctx.Emit(&ParamsChanged{Module: module, Params: next, EffectiveHeight: ctx.Height + 1})
}

// Parameterized returns the module with governable parameters named name.
func (m *Machine) Parameterized(name string) (Parameterized, bool) {
	for _, mod := range m.modules {
		if mod.Name() == name {
			p, ok := mod.(Parameterized)
			return p, ok
		}
	}
	return nil, false
}
