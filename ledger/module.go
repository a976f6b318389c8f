package ledger

// Module is a deterministic reducer plugged into the state machine.
//
// Decide turns a command into events (state + command -> events) or a
// typed rejection; it reads state through the Context and changes it only
// by emitting events. Evolve applies one event to state (state + event ->
// state). Replaying a block runs only Evolve, so everything a command
// changes must be carried by its events (the one exception is the
// envelope's nonce, which the core records itself).
//
// Modules must be pure: no clock, randomness, I/O or unordered map
// iteration reaching state; time, height and epoch come from the Context.
type Module interface {
	// Name is the module's stable identifier, used in module accounts
	// ("mod:<name>") and parameter keys.
	Name() string
	// Commands lists the command types the module decides.
	Commands() []CommandSpec
	// Events lists the event types (every version) the module evolves.
	Events() []EventSpec
	// Decide decides one of the module's commands. A returned error rejects
	// the command: the state machine undoes its events and records the
	// error, which should be an *Error.
	Decide(ctx *Context, cmd *Command) error
	// Evolve applies one of the module's events. An error means the event
	// cannot apply to this state (for example a debit past a balance); the
	// command that emitted it is rejected.
	Evolve(st *State, ev Event) error
}

// EpochEnder is implemented by modules with end-of-epoch work. When an epoch
// closes, the state machine calls EndEpoch on each such module in the order
// the modules were given to NewMachine, all within the CloseEpoch command.
type EpochEnder interface {
	EndEpoch(ctx *Context, epoch uint64) error
}

// GenesisInitializer is implemented by modules with genesis state: their
// parameters (the raw JSON under the module's name in Genesis.Params) and
// module accounts. InitGenesis emits the events that set it up.
type GenesisInitializer interface {
	InitGenesis(ctx *Context, params []byte) error
}

// TransferHook is implemented by modules that act on user transfers (for
// example to charge a fee). The accounts module calls AfterTransfer for each
// leg of a transfer command, after its Transferred event, in module order.
type TransferHook interface {
	AfterTransfer(ctx *Context, t *Transferred) error
}

// Context is what a reducer sees while deciding: the block's inputs,
// read access to state, and Emit.
type Context struct {
	Height uint64
	Time   int64 // block time, Unix nanoseconds, assigned by the sequencer
	// Command is the command being decided; nil while ending an epoch
	// or at genesis.
	Command *Command

	st     *State
	m      *Machine
	events []Event
	memo   map[string]any // Memo's values, for this block
	// owners remembers the owners of the first event types emitted in
	// the block, so that Emit looks most of them up without hashing.
	owners  [8]eventOwner
	nOwners int
	// cmdOwner is the owner of the last command type decided.
	cmdOwner eventOwner
	// lastMemo is the last value Memo returned, by key.
	lastMemoKey string
	lastMemo    any
	// authenticated is set once the command in hand has passed its
	// signature and nonce checks: if it is rejected after that, its nonce
	// is used all the same (NonceUsed).
	authenticated bool
	rules         Rules // zero: LatestRules
}

type eventOwner struct {
	typ string
	m   Module
}

// owner returns the module that evolves events of type typ.
func (c *Context) owner(typ string) (Module, bool) {
	for i := range c.nOwners {
		if o := &c.owners[i]; o.typ == typ {
			return o.m, true
		}
	}
	m, ok := c.m.reg.eventOwner[typ]
	if ok && c.nOwners < len(c.owners) {
		c.owners[c.nOwners] = eventOwner{typ, m}
		c.nOwners++
	}
	return m, ok
}

// Memo returns the value build gives for key, computed at most once per
// block and then shared by every command of the block. It is for values
// derived from state that cannot change within a block: a module's
// parameters (a change takes effect from the next block), the chain
// record's fixed fields, a decoded price table. key must be unique across
// modules: prefix it with the module's name. Callers must not modify the
// value. An error is returned, not remembered.
func Memo[T any](ctx *Context, key string, build func() (T, error)) (T, error) {
	if ctx.lastMemoKey == key && ctx.memo != nil {
		if v, ok := ctx.lastMemo.(T); ok {
			return v, nil
		}
	}
	if v, ok := ctx.memo[key]; ok {
		ctx.lastMemoKey, ctx.lastMemo = key, v
		return v.(T), nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	if ctx.memo == nil {
		ctx.memo = make(map[string]any, 4)
	}
	ctx.memo[key] = v
	return v, nil
}

// Get reads a state key as it is after the events emitted so far.
func (c *Context) Get(key []byte) ([]byte, bool) { return c.st.Get(key) }

// GetAmount reads a state key holding an Amount (see State.GetAmount).
func (c *Context) GetAmount(key []byte) (Amount, bool, error) { return c.st.GetAmount(key) }

// Scan iterates a key prefix as the state is now, in key order.
func (c *Context) Scan(prefix []byte, fn func(key, value []byte) bool) { c.st.Scan(prefix, fn) }

// Record returns the decoded value the state keeps for key (State.Record).
func (c *Context) Record(key []byte) (Record, bool) { return c.st.Record(key) }

// KeepRecord keeps r as key's current value decoded (State.KeepRecord).
func (c *Context) KeepRecord(key []byte, r Record) { c.st.KeepRecord(key, r) }

// Emit records ev and applies it at once with its owner's Evolve, so the
// rest of the decision sees its effect. An error means the event does not
// apply; the decision should return it.
func (c *Context) Emit(ev Event) error {
	owner, ok := c.owner(ev.EventType())
	if !ok {
		return Errorf(ErrUnknownEvent, "event type %q is not registered", ev.EventType())
	}
	if err := owner.Evolve(c.st, ev); err != nil {
		return err
	}
	c.events = append(c.events, ev)
	return nil
}

// Machine returns the state machine deciding.
func (c *Context) Machine() *Machine { return c.m }
