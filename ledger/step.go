package ledger

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// The block step is the one place where a block is executed or applied.
// Every host runs it: the engine's sequencer and follower, verify and
// replay, the simulator and the test harness. Like raft's Ready, it does
// no I/O: it reads state through a Reader and returns everything the host
// must persist, in a Ready, which the host writes in one batch before it
// acknowledges anyone.
//
// Execute decides commands (a new block); Apply replays a committed block
// by its events only, never calling decision code, and checks the block
// against the chain it extends.

// Head is where a chain stands after a block: what the next block extends.
type Head struct {
	Height    uint64
	Hash      Hash
	StateRoot Hash
	Time      int64  // Unix ns
	Acc       LtHash // the state accumulator behind StateRoot
}

// IdemEntry records that an applied command used an idempotency key.
type IdemEntry struct {
	Actor       AccountID
	Key         string
	Height      uint64
	Index       uint32 // the command's index in its block
	ContentHash Hash
}

// IdemLookup finds the entry an earlier block recorded for (actor, key).
type IdemLookup func(actor AccountID, key string) (IdemEntry, bool, error)

// RootUpdater adds a block's changes to a state accumulator. The result
// must equal acc.Apply(changes); hosts plug in faster implementations
// (parallel, with an element cache: package ledger/roothash).
type RootUpdater interface {
	Update(acc *LtHash, changes []Change)
}

type serialRoots struct{}

func (serialRoots) Update(acc *LtHash, changes []Change) { acc.Apply(changes) }

// StepOptions configures a Step. The zero value is ready to use.
type StepOptions struct {
	// Roots updates the state accumulator. Default: serial, uncached.
	Roots RootUpdater
	// NoRoots skips the state root and the block's seal (its hash and
	// encoding): the Ready's Head then carries zero hashes. For simulations
	// that do not compare roots; Apply refuses it.
	NoRoots bool
	// CheckInvariants checks each block's changes (conservation, no
	// negative balances) before returning its Ready.
	CheckInvariants bool
	// NoChanges leaves Ready.Changes nil when nothing else needs them
	// (with NoRoots and without CheckInvariants): a host that keeps its
	// state in a MemStore commits each block with CommitTo instead of
	// applying the list (the simulator).
	NoChanges bool
	// KeepStateBytes, when positive, keeps the working state's entries
	// (keys, values and their decoded forms) from block to block over any
	// Reader, as it always does over a MemStore, while they take at most
	// this many bytes (keys, values and 192 bytes of bookkeeping each)
	// and 65,536 entries: a key read again needs no new entry and is not
	// decoded again while the Reader returns the same bytes. A kept value
	// is read again from the Reader when a block first needs it, unless
	// the host called Applied after the block before, and that block
	// read without error and wrote nothing after its changes were taken.
	KeepStateBytes int64
	// MaxCloses bounds the close_epoch commands Execute injects into one
	// block when block time has passed several epoch ends; the rest
	// follow in later blocks. Default 64.
	MaxCloses int
	// RulesFrom is the height from which blocks are decided by
	// LatestRules; the blocks below it are decided, and re-executed, by
	// RulesV1 (Rules). Zero, the default, is every block: a new chain.
	// A cluster moving from a build before RulesV2 gives every node the
	// same height, ahead of the chain, and upgrades its nodes before the
	// chain reaches it.
	RulesFrom uint64
}

// Step executes and applies blocks for one chain. It keeps no chain state
// (the Head travels in and out), but its RootUpdater may keep a cache, so a
// Step serves one host goroutine at a time.
type Step struct {
	m    *Machine
	opts StepOptions
	st   *State // reused from block to block
	// perCmd is the events per command the last block emitted, rounded
	// up, from 2 to 8: the next block sizes its event list by it.
	perCmd int
	// decided is set by Execute when st holds a block CommitTo may
	// commit.
	decided bool
}

// state returns the step's working state, emptied, over r.
func (s *Step) state(r Reader) *State {
	s.decided = false
	if s.st == nil {
		s.st = NewState(r)
		s.st.keepMax = s.opts.KeepStateBytes
	} else {
		s.st.reset(r)
	}
	return s.st
}

// NewStep returns a Step running m.
func NewStep(m *Machine, opts StepOptions) *Step {
	if opts.Roots == nil {
		opts.Roots = serialRoots{}
	}
	if opts.MaxCloses <= 0 {
		opts.MaxCloses = 64
	}
	return &Step{m: m, opts: opts, perCmd: 2}
}

// Machine returns the step's state machine.
func (s *Step) Machine() *Machine { return s.m }

// Ready is a block's outcome: what the host persists (Block, Changes, Idem,
// Head, in one batch), then acknowledges.
type Ready struct {
	Block   *Block // sealed unless StepOptions.NoRoots
	Head    Head   // the chain's head after the block
	Changes []Change
	Idem    []IdemEntry // applied commands' idempotency keys, in block order
	// Closes is the number of close_epoch commands at the start of the
	// block (injected by Execute).
	Closes int
	// Slots has one entry per submitted command, in submission order
	// (Execute only).
	Slots []Slot
	// ClockAhead is how far (ns) the time the host asked for ran ahead of
	// the largest the chain allows for this block (ledger.max_time_step);
	// the block took the largest. Hosts report it as clock skew.
	ClockAhead int64
}

// Slot is what became of one submitted command.
type Slot struct {
	// Exec is the command's index in the block, or -1 if it was not
	// executed (a duplicate or a conflict).
	Exec int
	// DupOf is, for a duplicate of a command executed earlier in the same
	// block, that command's index in the block; otherwise -1.
	DupOf int
	// Stored is, for a duplicate of a command committed in an earlier
	// block, the entry recording it.
	Stored *IdemEntry
	// Conflict reports an idempotency key used before for another command.
	Conflict bool
}

// BlockInput is what a host decides for a new block.
type BlockInput struct {
	Prev Head  // the head the block extends
	Time int64 // block time, Unix ns; raised to Prev.Time if below it
	// Commands are the submitted commands, in order. Execute puts the
	// close_epoch commands due at Time before them.
	Commands []*Command
	// Idem finds idempotency keys committed in earlier blocks; nil when
	// there are none to find.
	Idem IdemLookup
	// NoCloses leaves the close_epoch commands to the caller, who puts
	// them in Commands (tests that drive epochs by hand).
	NoCloses bool
	// After, if set, is called after each executed command with its index
	// in the block, result and events, while st shows the state right after
	// it (hosts read the balances a receipt reports).
	After func(st *State, i int, r Result, events []Event)
}

// Execute decides a new block. A command whose idempotency key was used
// before (in this block or, through in.Idem, an earlier one) is not
// executed: its Slot says whether it duplicates or conflicts. When every
// submitted command was answered so, and no epoch closes are due, the
// Ready has no Block (an empty input gives an empty block). Block time is
// in.Time, raised to the parent's and lowered to the parent's plus
// ledger.max_time_step (Ready.ClockAhead says by how much). An error is an
// I/O fault of r or a failed invariant: the block must be abandoned.
func (s *Step) Execute(r Reader, in BlockInput) (*Ready, error) {
	st := s.state(r)
	chain, err := GetChain(st)
	if err != nil {
		return nil, err
	}
	height := in.Prev.Height + 1
	t := max(in.Time, in.Prev.Time)
	cp, err := ChainParamsAt(st, height)
	if err != nil {
		return nil, err
	}
	rd := &Ready{}
	if step := cp.MaxBlockStep(); step > 0 && t-in.Prev.Time > step {
		// The sequencer's clock runs ahead of what the chain allows in one
		// block: the block takes the largest time allowed.
		rd.ClockAhead = t - (in.Prev.Time + step)
		t = in.Prev.Time + step
	}
	var exec []*Command
	if !in.NoCloses {
		exec = EpochCloses(chain, t, s.opts.MaxCloses)
	}
	rd.Closes = len(exec)
	exec, rd.Slots, err = dedupe(exec, in.Commands, in.Idem)
	if err != nil {
		return nil, err
	}
	if len(exec) == 0 && len(in.Commands) > 0 {
		return rd, nil // every command was answered by an earlier one
	}
	results, events, err := s.m.execute(st, BlockContext{Height: height, Time: t, Rules: rulesAt(height, s.opts.RulesFrom)}, exec, &chain, in.After, s.perCmd)
	if err != nil {
		return nil, err
	}
	// The next block's event list is sized by this one's events per
	// command (2 to 8), so it is seldom grown.
	s.perCmd = min(max(2, (len(events)+len(exec)-1)/max(1, len(exec))), 8)
	b := &Block{
		Header:   Header{Height: height, Time: t, PrevHash: in.Prev.Hash},
		Commands: exec, Results: results, Events: events,
	}
	rd.Block = b
	if err := s.finish(rd, st, in.Prev); err != nil {
		return nil, err
	}
	if !s.opts.NoRoots {
		b.StateRoot = rd.Head.StateRoot
		b.Seal()
		rd.Head.Hash = b.Hash()
	}
	return rd, nil
}

// CommitTo writes the changes of the block Execute (or Genesis) decided
// last into mem, the MemStore it was decided over, as
// mem.Apply(rd.Changes) would, without needing the list (see
// StepOptions.NoChanges). It must come before the next Execute; a block
// not committed is dropped by the next.
func (s *Step) CommitTo(mem *MemStore) error {
	if s.st == nil || !s.decided {
		return errors.New("ledger: CommitTo without a block decided since the last commit")
	}
	s.decided = false
	return s.st.commitTo(mem)
}

// Applied tells the step that the host has applied the Changes of the
// block it executed or applied last, unaltered, to the state its Reader
// reads, and that nothing else has changed that state: the next block then
// takes the values kept from earlier blocks (StepOptions.KeepStateBytes)
// without reading them again. A host that applies a block and then changes
// state any other way must not call it (or must use a new Step).
func (s *Step) Applied() {
	if s.st != nil {
		s.st.hostApplied = true
	}
}

// dedupe splits submitted commands into those to execute (appended to
// exec) and duplicates or conflicts of earlier ones.
func dedupe(exec, cmds []*Command, lookup IdemLookup) ([]*Command, []Slot, error) {
	slots := make([]Slot, len(cmds))
	exec = slices.Grow(exec, len(cmds))
	var pending map[string]int
	for i, c := range cmds {
		sl := Slot{Exec: -1, DupOf: -1}
		if c.Key != "" {
			if pending == nil {
				pending = map[string]int{}
			}
			k := string(c.Actor) + "\x00" + c.Key
			if j, ok := pending[k]; ok {
				sl.DupOf, sl.Conflict = j, exec[j].ContentHash() != c.ContentHash()
				if sl.Conflict {
					sl.DupOf = -1
				}
				slots[i] = sl
				continue
			}
			if lookup != nil {
				ie, ok, err := lookup(c.Actor, c.Key)
				if err != nil {
					return nil, nil, err
				}
				if ok {
					sl.Stored, sl.Conflict = &ie, ie.ContentHash != c.ContentHash()
					if sl.Conflict {
						sl.Stored = nil
					}
					slots[i] = sl
					continue
				}
			}
			pending[k] = len(exec)
		}
		sl.Exec = len(exec)
		exec = append(exec, c)
		slots[i] = sl
	}
	return exec, slots, nil
}

// Apply replays a committed block onto r: it checks that b extends prev,
// applies each applied command's nonce and its events through their
// owners' Evolve (no decision code runs), and checks the state root the
// block records. A block that does not extend prev is ErrCorrupt; one whose
// events do not apply or whose root differs is ErrDivergence.
func (s *Step) Apply(r Reader, prev Head, b *Block) (*Ready, error) {
	if s.opts.NoRoots {
		return nil, fmt.Errorf("ledger: Apply needs state roots (StepOptions.NoRoots is set)")
	}
	rd, err := s.replay(r, prev, b)
	if err != nil {
		return nil, err
	}
	rd.Head.Acc = prev.Acc
	s.opts.Roots.Update(&rd.Head.Acc, rd.Changes)
	rd.Head.StateRoot = rd.Head.Acc.Root()
	if err := RootCheck(b.Height, rd.Head.StateRoot, b.StateRoot); err != nil {
		return nil, err
	}
	return rd, nil
}

// ApplyUnrooted is Apply without the state root, for a host that checks
// roots off its critical path: the block is linked and its events
// applied as by Apply, but the Ready's Head carries the root the block
// records and no accumulator (Acc is zero). The host must fold each
// block's Changes into the accumulator, in block order, and compare the
// root after each block with the one it records (RootCheck), so that a
// replay is checked exactly as Apply would; the next block needs only the
// state, not the root.
func (s *Step) ApplyUnrooted(r Reader, prev Head, b *Block) (*Ready, error) {
	rd, err := s.replay(r, prev, b)
	if err != nil {
		return nil, err
	}
	rd.Head.StateRoot = b.StateRoot
	return rd, nil
}

// RootCheck returns the ErrDivergence Apply reports for block height when
// its changes give the root got and the block records want, or nil when
// they are equal.
func RootCheck(height uint64, got, want Hash) error {
	if got == want {
		return nil
	}
	return Errorf(ErrDivergence, "block %d: replay gives state root %s, the block records %s", height, got.Short(), want.Short())
}

// replay links b to prev and applies it: Apply and ApplyUnrooted less
// the root. The Ready's Head has no state root or accumulator yet.
func (s *Step) replay(r Reader, prev Head, b *Block) (*Ready, error) {
	if b.Height != 0 && (b.Height != prev.Height+1 || b.PrevHash != prev.Hash) {
		return nil, Errorf(ErrCorrupt, "block %d links to %s, but the chain's head is block %d, %s", b.Height, b.PrevHash.Short(), prev.Height, prev.Hash.Short())
	}
	if b.Time < prev.Time {
		return nil, Errorf(ErrCorrupt, "block %d has time %d, before its parent's %d", b.Height, b.Time, prev.Time)
	}
	st := s.state(r)
	if b.Height > 0 {
		cp, err := ChainParamsAt(st, b.Height)
		if err != nil {
			return nil, err
		}
		if step := cp.MaxBlockStep(); step > 0 && b.Time-prev.Time > step {
			return nil, Errorf(ErrCorrupt, "block %d is %s after its parent; the chain allows at most %s (ledger.max_time_step)", b.Height, time.Duration(b.Time-prev.Time), time.Duration(step))
		}
	}
	if err := s.m.Replay(st, b); err != nil {
		return nil, err
	}
	rd := &Ready{Block: b}
	for _, c := range b.Commands {
		if c.Payload.Type() != "close_epoch" {
			break
		}
		rd.Closes++
	}
	if err := s.changes(rd, st); err != nil {
		return nil, err
	}
	rd.Head = Head{Height: b.Height, Time: b.Time, Hash: b.Hash()}
	return rd, nil
}

// Genesis applies g to an empty state as block 0.
func (s *Step) Genesis(r Reader, g *Genesis) (*Ready, error) {
	return s.genesisOn(s.state(r), g)
}

func (s *Step) genesisOn(st *State, g *Genesis) (*Ready, error) {
	events, err := s.m.genesisEvents(st, g, nil, rulesAt(0, s.opts.RulesFrom))
	if err != nil {
		return nil, err
	}
	b := &Block{Header: Header{Height: 0, Time: g.GenesisTime.UnixNano()}, Events: events}
	rd := &Ready{Block: b}
	if err := s.finish(rd, st, Head{}); err != nil {
		return nil, err
	}
	if !s.opts.NoRoots {
		b.StateRoot = rd.Head.StateRoot
		b.Seal()
		rd.Head.Hash = b.Hash()
	}
	return rd, nil
}

// finish collects a block's changes and idempotency entries and updates
// the state root: the part of a block that Execute and Apply share.
// changes fills rd's Changes (checked, with CheckInvariants) and Idem
// from the block's working state.
func (s *Step) changes(rd *Ready, st *State) error {
	if err := st.Err(); err != nil {
		return err
	}
	b := rd.Block
	if !s.opts.NoChanges || !s.opts.NoRoots || s.opts.CheckInvariants {
		rd.Changes = st.Changes()
	}
	if s.opts.CheckInvariants {
		if err := CheckChanges(rd.Changes); err != nil {
			return err
		}
	}
	rd.Idem = b.IdemEntries(rd.Idem)
	return nil
}

// IdemEntries appends to dst the idempotency entries block b records: one
// for each applied command with a key.
func (b *Block) IdemEntries(dst []IdemEntry) []IdemEntry {
	for i, c := range b.Commands {
		if c.Key != "" && b.Results[i].Code == "" {
			dst = append(dst, IdemEntry{Actor: c.Actor, Key: c.Key, Height: b.Height, Index: uint32(i), ContentHash: c.ContentHash()})
		}
	}
	return dst
}

func (s *Step) finish(rd *Ready, st *State, prev Head) error {
	if err := s.changes(rd, st); err != nil {
		return err
	}
	s.decided = true
	b := rd.Block
	rd.Head = Head{Height: b.Height, Time: b.Time, Acc: prev.Acc}
	if !s.opts.NoRoots {
		s.opts.Roots.Update(&rd.Head.Acc, rd.Changes)
		rd.Head.StateRoot = rd.Head.Acc.Root()
	}
	return nil
}
