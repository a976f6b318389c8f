package ledger

// ChainModuleName is the name of the built-in chain module, which keeps the
// chain's identity and its epochs.
const ChainModuleName = "ledger"

// SystemActor is the actor of commands the host injects (CloseEpoch).
var SystemActor = ModuleAccount(ChainModuleName)

var chainKey = []byte("c/chain")

// ChainInfo is the chain record: identity, rules fixed at genesis and the
// current epoch.
type ChainInfo struct {
	ChainID     string `json:"chain_id"`
	GenesisTime int64  `json:"genesis_time"` // Unix ns
	EpochLength int64  `json:"epoch_length"` // ns
	// RequireSignatures makes every command but close_epoch need a valid
	// signature by its actor's key.
	RequireSignatures bool `json:"require_signatures"`
	// Modules are the modules the chain was created with, in order; a
	// ledger must always run exactly these.
	Modules    []string `json:"modules"`
	Epoch      uint64   `json:"epoch"`       // the open epoch, from 0
	EpochStart int64    `json:"epoch_start"` // Unix ns
}

// EpochEnd returns the time at which the open epoch may close.
func (c *ChainInfo) EpochEnd() int64 { return c.EpochStart + c.EpochLength }

func (c *ChainInfo) encode() []byte {
	e := NewEncoder(make([]byte, 0, 64))
	e.String(c.ChainID)
	e.Int(c.GenesisTime)
	e.Int(c.EpochLength)
	e.Bool(c.RequireSignatures)
	e.Uint(uint64(len(c.Modules)))
	for _, m := range c.Modules {
		e.String(m)
	}
	e.Uint(c.Epoch)
	e.Int(c.EpochStart)
	return e.Bytes()
}

// GetChain reads the chain record.
func GetChain(g Getter) (ChainInfo, error) {
	v, ok := g.Get(chainKey)
	if !ok {
		return ChainInfo{}, Errorf(ErrCorrupt, "state has no chain record; was genesis applied?")
	}
	d := NewDecoder(v, "chain record")
	c := ChainInfo{ChainID: d.String(), GenesisTime: d.Int(), EpochLength: d.Int(), RequireSignatures: d.Bool()}
	c.Modules = decodeStrings(d)
	c.Epoch, c.EpochStart = d.Uint(), d.Int()
	return c, d.Finish()
}

// ChainStarted is the first event of every chain.
type ChainStarted struct {
	ChainID           string   `json:"chain_id"`
	GenesisTime       int64    `json:"genesis_time"`
	EpochLength       int64    `json:"epoch_length"`
	RequireSignatures bool     `json:"require_signatures"`
	Modules           []string `json:"modules"`
}

func (*ChainStarted) EventType() string    { return "chain_started" }
func (*ChainStarted) EventVersion() uint16 { return 1 }
func (e *ChainStarted) Encode(enc *Encoder) {
	enc.String(e.ChainID)
	enc.Int(e.GenesisTime)
	enc.Int(e.EpochLength)
	enc.Bool(e.RequireSignatures)
	enc.Uint(uint64(len(e.Modules)))
	for _, m := range e.Modules {
		enc.String(m)
	}
}
func (e *ChainStarted) Decode(d *Decoder) {
	e.ChainID, e.GenesisTime, e.EpochLength, e.RequireSignatures = d.String(), d.Int(), d.Int(), d.Bool()
	e.Modules = decodeStrings(d)
}

func decodeStrings(d *Decoder) []string {
	n := d.Len(1)
	var out []string
	for range n {
		out = append(out, d.String())
	}
	return out
}

// EpochClosed records the end of an epoch; the next one starts at End.
type EpochClosed struct {
	Epoch uint64 `json:"epoch"`
	End   int64  `json:"end"` // Unix ns
}

func (*EpochClosed) EventType() string    { return "epoch_closed" }
func (*EpochClosed) EventVersion() uint16 { return 1 }
func (e *EpochClosed) Encode(enc *Encoder) {
	enc.Uint(e.Epoch)
	enc.Int(e.End)
}
func (e *EpochClosed) Decode(d *Decoder) { e.Epoch, e.End = d.Uint(), d.Int() }

// EpochWorkFailed records that a module's end-of-epoch work failed: emitted
// by the chain when the work returned an error and was undone (the epoch
// closed regardless), or by a module for a part of its work it skipped
// while the rest went on (a payment into a booked account, say; Code and
// Msg say which). It changes no state.
type EpochWorkFailed struct {
	Epoch  uint64 `json:"epoch"`
	Module string `json:"module"`
	Code   string `json:"code"`
	Msg    string `json:"msg"`
}

func (*EpochWorkFailed) EventType() string    { return "epoch_work_failed" }
func (*EpochWorkFailed) EventVersion() uint16 { return 1 }
func (e *EpochWorkFailed) Encode(enc *Encoder) {
	enc.Uint(e.Epoch)
	enc.String(e.Module)
	enc.String(e.Code)
	enc.String(e.Msg)
}
func (e *EpochWorkFailed) Decode(d *Decoder) {
	e.Epoch, e.Module, e.Code, e.Msg = d.Uint(), d.String(), d.String(), d.String()
}

// CloseEpoch closes the open epoch once block time has reached its end.
// The host injects it when a block's time crosses the boundary; anyone may
// submit it, and it is rejected before the end or for another epoch.
// End-of-epoch work of every module runs inside it, in module order.
type CloseEpoch struct {
	Epoch uint64 `json:"epoch"`
}

func (*CloseEpoch) Type() string        { return "close_epoch" }
func (p *CloseEpoch) Encode(e *Encoder) { e.Uint(p.Epoch) }
func (p *CloseEpoch) Decode(d *Decoder) { p.Epoch = d.Uint() }
func (p *CloseEpoch) Validate() error   { return nil }

// Chain is the built-in chain module.
type Chain struct{}

func (Chain) Name() string { return ChainModuleName }

func (Chain) Commands() []CommandSpec {
	return []CommandSpec{{Type: "close_epoch", New: func() Payload { return new(CloseEpoch) }}}
}

func (Chain) Events() []EventSpec {
	return []EventSpec{
		{Type: "chain_started", Version: 1, New: func() Event { return new(ChainStarted) }},
		{Type: "epoch_closed", Version: 1, New: func() Event { return new(EpochClosed) }},
		{Type: "params_changed", Version: 1, New: func() Event { return new(ParamsChanged) }},
		{Type: "epoch_work_failed", Version: 1, New: func() Event { return new(EpochWorkFailed) }},
	}
}

func (Chain) Decide(ctx *Context, cmd *Command) error {
	p, ok := cmd.Payload.(*CloseEpoch)
	if !ok {
		return Errorf(ErrUnknownCommand, "chain module cannot decide %s", cmd.Payload.Type())
	}
	c, err := GetChain(ctx)
	if err != nil {
		return err
	}
	if p.Epoch != c.Epoch {
		return Errorf(ErrWrongEpoch, "epoch %d is open, not %d", c.Epoch, p.Epoch)
	}
	if ctx.Time < c.EpochEnd() {
		return Errorf(ErrEpochNotOver, "epoch %d ends at %d, block time is %d", c.Epoch, c.EpochEnd(), ctx.Time)
	}
	for _, m := range ctx.m.epochEnders {
		// A module whose end-of-epoch work fails must not stop the chain
		// from closing epochs: its work is undone and the failure recorded,
		// and the other modules' work goes on.
		mark, nev := ctx.st.Mark(), len(ctx.events)
		if err := endEpochGuarded(ctx, m, c.Epoch); err != nil {
			if serr := ctx.st.Err(); serr != nil {
				return serr // an I/O fault, not the module's verdict
			}
			ctx.st.Rollback(mark)
			ctx.events = ctx.events[:nev]
			e, ok := err.(*Error)
			if !ok {
				e = &Error{Code: "failed", Msg: err.Error()}
			}
			if err := ctx.Emit(&EpochWorkFailed{Epoch: c.Epoch, Module: m.(Module).Name(), Code: e.Code, Msg: e.Msg}); err != nil {
				return err
			}
		}
	}
	return ctx.Emit(&EpochClosed{Epoch: c.Epoch, End: c.EpochEnd()})
}

// endEpochGuarded runs a module's end-of-epoch work, turning a panic into
// an ErrReducerPanic failure of that module's work (recorded as
// epoch_work_failed like any other), so the epoch still closes.
func endEpochGuarded(ctx *Context, m EpochEnder, epoch uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(m.(Module).Name()+" end of epoch", r)
		}
	}()
	return m.EndEpoch(ctx, epoch)
}

func (Chain) Evolve(st *State, ev Event) error {
	switch e := ev.(type) {
	case *ChainStarted:
		if _, ok := st.Get(chainKey); ok {
			return Errorf(ErrInvalidGenesis, "chain already started")
		}
		c := ChainInfo{ChainID: e.ChainID, GenesisTime: e.GenesisTime, EpochLength: e.EpochLength, RequireSignatures: e.RequireSignatures, Modules: e.Modules, EpochStart: e.GenesisTime}
		st.Set(chainKey, c.encode())
		return nil
	case *ParamsChanged:
		return applyParamsChanged(st, e)
	case *EpochWorkFailed:
		return nil
	case *EpochClosed:
		c, err := GetChain(st)
		if err != nil {
			return err
		}
		if e.Epoch != c.Epoch || e.End != c.EpochEnd() {
			return Errorf(ErrWrongEpoch, "epoch_closed for epoch %d ending %d, but epoch %d ending %d is open", e.Epoch, e.End, c.Epoch, c.EpochEnd())
		}
		c.Epoch++
		c.EpochStart = e.End
		st.Set(chainKey, c.encode())
		return nil
	}
	return Errorf(ErrUnknownEvent, "chain module cannot apply %s", ev.EventType())
}

// EpochCloses returns the CloseEpoch commands a sequencer puts at the start
// of a block with time t: one per epoch whose end t has reached, at most
// max (the rest follow in later blocks).
func EpochCloses(c ChainInfo, t int64, max int) []*Command {
	var out []*Command
	for ep, end := c.Epoch, c.EpochEnd(); t >= end && len(out) < max; ep, end = ep+1, end+c.EpochLength {
		out = append(out, &Command{Actor: SystemActor, Payload: &CloseEpoch{Epoch: ep}})
	}
	return out
}
