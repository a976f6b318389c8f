package ledger

import (
	"bytes"
	"fmt"
)

// Machine is the deterministic state machine: the built-in chain and
// accounts modules followed by the caller's modules, in a fixed order that
// is also the order of end-of-epoch work and transfer hooks.
//
// A Machine holds no state of its own; every method takes the State to work
// on, so one Machine serves any number of ledgers or simulations at once.
type Machine struct {
	modules       []Module
	reg           *Registry
	transferHooks []TransferHook
	epochEnders   []EpochEnder         // each is also a Module
	booked        map[AccountID]string // booked account -> its module (booked.go)
}

// NewMachine returns a Machine running the built-in modules and then mods.
func NewMachine(mods ...Module) (*Machine, error) {
	all := append([]Module{Chain{}, Accounts{}}, mods...)
	seen := map[string]bool{}
	for _, m := range all {
		if seen[m.Name()] {
			return nil, fmt.Errorf("ledger: two modules named %q", m.Name())
		}
		seen[m.Name()] = true
	}
	reg, err := newRegistry(all)
	if err != nil {
		return nil, err
	}
	booked, err := bookedAccounts(all)
	if err != nil {
		return nil, err
	}
	m := &Machine{modules: all, reg: reg, booked: booked}
	for _, mod := range all {
		if h, ok := mod.(TransferHook); ok {
			m.transferHooks = append(m.transferHooks, h)
		}
		if e, ok := mod.(EpochEnder); ok {
			m.epochEnders = append(m.epochEnders, e)
		}
	}
	return m, nil
}

// Registry returns the machine's type registry.
func (m *Machine) Registry() *Registry { return m.reg }

// ModuleNames lists the modules in order.
func (m *Machine) ModuleNames() []string {
	out := make([]string, len(m.modules))
	for i, mod := range m.modules {
		out[i] = mod.Name()
	}
	return out
}

// GenesisBlock applies g to an empty state and returns block 0, sealed, with
// its state root computed into acc (which must be zero). It is Step.Genesis
// for callers that keep only the accumulator.
func (m *Machine) GenesisBlock(st *State, g *Genesis, acc *LtHash) (*Block, error) {
	rd, err := NewStep(m, StepOptions{}).genesisOn(st, g)
	if err != nil {
		return nil, err
	}
	*acc = rd.Head.Acc
	return rd.Block, nil
}

// BlockContext is what the sequencer decides for a block.
type BlockContext struct {
	Height uint64
	Time   int64 // Unix ns
	Rules  Rules // the rules deciding it; zero is LatestRules
}

// Execute decides and applies cmds in order against st, exactly as a
// block's commands are executed by Step.Execute (which hosts use; Execute
// is the reducers' bare loop, for benchmarks and tools). Every command gets
// a Result; a rejected command leaves st as it was before it, but for its
// nonce's use (NonceUsed) if it had passed its signature and nonce checks.
// It returns the results and all events. An I/O error from st's Reader is
// returned as err, and the block must then be abandoned.
//
// If after is not nil it is called after each command with its result and
// events, while st shows the state right after that command.
func (m *Machine) Execute(st *State, bc BlockContext, cmds []*Command, after func(i int, r Result, events []Event)) ([]Result, []Event, error) {
	var f func(*State, int, Result, []Event)
	if after != nil {
		f = func(_ *State, i int, r Result, evs []Event) { after(i, r, evs) }
	}
	return m.execute(st, bc, cmds, nil, f, 2)
}

// execute is the command loop of a block. chain, if not nil, is the chain
// record as the block starts. perCmd sizes the event list: the events a
// command is expected to emit.
func (m *Machine) execute(st *State, bc BlockContext, cmds []*Command, chain *ChainInfo, after func(*State, int, Result, []Event), perCmd int) ([]Result, []Event, error) {
	results := make([]Result, len(cmds))
	ctx := &Context{Height: bc.Height, Time: bc.Time, st: st, m: m, rules: bc.Rules, events: make([]Event, 0, len(cmds)*perCmd)}
	// The chain ID and signature rule never change after genesis, so the
	// chain record is read once per block, on first need.
	for i, cmd := range cmds {
		before := len(ctx.events)
		mark := st.Mark()
		ctx.Command = cmd
		ctx.authenticated = false
		err := m.executeGuarded(ctx, cmd, &chain)
		if serr := st.Err(); serr != nil {
			return nil, nil, serr
		}
		if err != nil {
			st.Rollback(mark)
			ctx.events = ctx.events[:before]
			e, ok := err.(*Error)
			if !ok {
				e = &Error{Code: "rejected", Msg: err.Error()}
			}
			results[i] = Result{Code: e.Code, Msg: e.Msg}
			if ctx.authenticated && cmd.Nonce != 0 && ctx.Rules() >= RulesV2 {
				// The command was its actor's, with a fresh nonce: the
				// nonce is used, or anyone could submit its signed bytes,
				// public in this block, again once they would apply.
				if err := ctx.Emit(&NonceUsed{Account: cmd.Actor, Nonce: cmd.Nonce}); err != nil {
					return nil, nil, Errorf(ErrInvariant, "block %d command %d: the nonce of a rejected command does not apply: %v", bc.Height, i, err)
				}
				results[i].Events = 1
			}
		} else {
			results[i] = Result{Events: uint32(len(ctx.events) - before)}
		}
		if after != nil {
			after(st, i, results[i], ctx.events[before:])
		}
	}
	return results, ctx.events, nil
}

// executeGuarded runs one command, turning a reducer's panic into an
// ErrReducerPanic rejection of that command: the host keeps serving, and
// the command's writes are undone like any rejection's.
func (m *Machine) executeGuarded(ctx *Context, cmd *Command, chain **ChainInfo) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(cmd.Payload.Type(), r)
		}
	}()
	return m.executeOne(ctx, cmd, chain)
}

// panicError describes a recovered panic deterministically: the value's
// text when it is an error or a string, its type otherwise (never an
// address).
func panicError(what string, r any) *Error {
	var msg string
	switch v := r.(type) {
	case error:
		msg = v.Error()
	case string:
		msg = v
	case fmt.Stringer:
		msg = v.String()
	default:
		msg = fmt.Sprintf("a value of type %T", v)
	}
	return Errorf(ErrReducerPanic, "%s: a reducer panicked: %s", what, msg)
}

func (m *Machine) executeOne(ctx *Context, cmd *Command, chain **ChainInfo) error {
	if err := cmd.Validate(); err != nil {
		return err
	}
	owner, ok := ctx.cmdOwner.m, ctx.cmdOwner.typ == cmd.Payload.Type() && ctx.cmdOwner.m != nil
	if !ok {
		owner, ok = m.reg.commandOwner[cmd.Payload.Type()]
		if ok {
			ctx.cmdOwner = eventOwner{cmd.Payload.Type(), owner}
		}
	}
	if !ok {
		return Errorf(ErrUnknownCommand, "command type %q is not registered", cmd.Payload.Type())
	}
	isClose := cmd.Payload.Type() == "close_epoch"
	if cmd.Actor.IsModule() && !isClose {
		return Errorf(ErrUnauthorized, "module account %s cannot be the actor of a %s command", cmd.Actor, cmd.Payload.Type())
	}
	if *chain == nil {
		c, err := GetChain(ctx.st)
		if err != nil {
			return err
		}
		*chain = &c
	}
	var key []byte
	create, isCreate := cmd.Payload.(*CreateAccount)
	if isCreate {
		key = create.PublicKey
	} else if cmd.Signature != nil || (*chain).RequireSignatures {
		acct, ok, err := getAccount(ctx.st, cmd.Actor)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ErrUnknownAccount, "actor %s does not exist; create the account first", cmd.Actor)
		}
		key = acct.PublicKey
	} else {
		acct, ok, err := getAccount(ctx.st, cmd.Actor)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ErrUnknownAccount, "actor %s does not exist; create the account first", cmd.Actor)
		}
		if len(acct.PublicKey) > 0 && !isClose {
			// An account with a key acts only by signature, even on a
			// chain that lets keyless accounts act unsigned: otherwise
			// anyone could replace its key or push its nonce out of reach.
			return Errorf(ErrBadSignature, "account %s has a signing key; sign its commands", cmd.Actor)
		}
	}
	if cmd.Signature != nil {
		if cmd.verifiedKey == nil || !bytes.Equal(cmd.verifiedKey, key) {
			if err := cmd.VerifySignature((*chain).ChainID, key); err != nil {
				return err
			}
		}
	} else if (*chain).RequireSignatures && !isClose {
		return Errorf(ErrBadSignature, "this chain requires signed commands; sign %s's command with its key", cmd.Actor)
	}
	if cmd.Nonce != 0 {
		last, err := LastNonce(ctx.st, cmd.Actor)
		if err != nil {
			return err
		}
		if cmd.Nonce <= last {
			return Errorf(ErrReplayedNonce, "nonce %d of %s is not above its last nonce %d", cmd.Nonce, cmd.Actor, last)
		}
	}
	// A create_account is signed by the key it registers, not by an
	// account's key: it proves nothing about an existing account, so a
	// rejected one uses no nonce (or anyone could push an account's nonce
	// out of reach). A OnceOnly command uses none either: applying it
	// later is what its signer wants. Nor does a close_epoch, whose actor
	// no key binds (only the sequencer puts one in a block).
	_, once := cmd.Payload.(OnceOnly)
	ctx.authenticated = !isCreate && !once && !isClose
	if err := owner.Decide(ctx, cmd); err != nil {
		return err
	}
	if cmd.Nonce != 0 {
		setNonce(ctx.st, cmd.Actor, cmd.Nonce)
	}
	return nil
}

func setNonce(st *State, id AccountID, n uint64) {
	e := NewEncoder(make([]byte, 0, 10))
	e.Uint(n)
	st.Set(NonceKey(id), e.Bytes())
}

// Replay applies a committed block's effects to st without deciding
// anything: each applied command's nonce, then the events, through their
// owners' Evolve (a rejected command's one event, its nonce's use,
// included). It is how followers, verify and restore rebuild state.
func (m *Machine) Replay(st *State, b *Block) error {
	next := 0
	for i, r := range b.Results {
		c := b.Commands[i]
		if r.Code != "" {
			if r.Events == 0 {
				continue
			}
			// A rejected command carries one event at most: the use of
			// its nonce.
			var nu *NonceUsed
			if r.Events == 1 && next < len(b.Events) {
				nu, _ = b.Events[next].(*NonceUsed)
			}
			if nu == nil || nu.Account != c.Actor || nu.Nonce != c.Nonce || c.Nonce == 0 {
				return Errorf(ErrCorrupt, "block %d command %d is rejected but has %d events other than its nonce's use", b.Height, i, r.Events)
			}
			if err := m.evolve(st, nu); err != nil {
				return Errorf(ErrDivergence, "block %d command %d: event %s does not apply: %v", b.Height, i, nu.EventType(), err)
			}
			next++
			continue
		}
		if c.Nonce != 0 {
			setNonce(st, c.Actor, c.Nonce)
		}
		for _, ev := range b.Events[next : next+int(r.Events)] {
			if err := m.evolve(st, ev); err != nil {
				return Errorf(ErrDivergence, "block %d command %d: event %s does not apply: %v", b.Height, i, ev.EventType(), err)
			}
		}
		next += int(r.Events)
	}
	if next != len(b.Events) {
		// Genesis: events without commands.
		if b.Height != 0 || len(b.Commands) != 0 {
			return Errorf(ErrCorrupt, "block %d has %d events beyond its commands'", b.Height, len(b.Events)-next)
		}
		for _, ev := range b.Events {
			if err := m.evolve(st, ev); err != nil {
				return Errorf(ErrDivergence, "genesis event %s does not apply: %v", ev.EventType(), err)
			}
		}
	}
	return st.Err()
}

func (m *Machine) evolve(st *State, ev Event) (err error) {
	owner, ok := m.reg.eventOwner[ev.EventType()]
	if !ok {
		return Errorf(ErrUnknownEvent, "event type %q is not registered", ev.EventType())
	}
	defer func() {
		if r := recover(); r != nil {
			err = panicError(ev.EventType(), r)
		}
	}()
	return owner.Evolve(st, ev)
}
