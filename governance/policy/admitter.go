package policy

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"sync"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/ledger"
)

// Library holds the loaded policy sets by hash and finds the one in force.
// When the state names a set it does not hold (after a policy upgrade),
// it reads its directories again and loads what is new there, so an
// operator upgrades by putting the new files in place; the old set stays
// loaded until the upgrade executes. It is safe for concurrent use.
type Library struct {
	mu   sync.RWMutex
	sets map[string]*Set
	dirs []string
}

// NewLibrary returns a library holding sets.
func NewLibrary(sets ...*Set) *Library {
	l := &Library{sets: map[string]*Set{}}
	for _, s := range sets {
		l.Add(s)
	}
	return l
}

// LoadLibrary loads the policy set in each directory and watches them.
func LoadLibrary(ctx context.Context, dirs ...string) (*Library, error) {
	l := NewLibrary()
	for _, d := range dirs {
		s, err := Load(ctx, d)
		if err != nil {
			return nil, err
		}
		l.Add(s)
		l.dirs = append(l.dirs, d)
	}
	return l, nil
}

// Add adds a set.
func (l *Library) Add(s *Set) {
	l.mu.Lock()
	l.sets[s.HashHex()] = s
	l.mu.Unlock()
}

// Get returns the set with the given hash, loading it from the watched
// directories if it is new there.
func (l *Library) Get(ctx context.Context, hash []byte) (*Set, error) {
	key := hex.EncodeToString(hash)
	l.mu.RLock()
	s, ok := l.sets[key]
	dirs := l.dirs
	l.mu.RUnlock()
	if ok {
		return s, nil
	}
	// Reading and hashing is cheap; compile only a set that is new.
	for _, d := range dirs {
		files, err := ReadDir(d)
		if err != nil || hex.EncodeToString(HashFiles(files)) != key {
			continue
		}
		s, err := Compile(ctx, files, d)
		if err != nil {
			return nil, err
		}
		l.Add(s)
		return s, nil
	}
	where := "no policy directory is watched"
	if len(dirs) > 0 {
		where = "put its files in " + strings.Join(dirs, " or ")
	}
	return nil, ledger.Errorf(governance.ErrPolicyMismatch, "the policy set in force, %s, is not loaded: %s", key, where)
}

// Admitter is the coopera.Admitter of governance policies. For each
// gov_propose it evaluates the proposal against the policy set in force
// (its hash is in state), writes the decision into the payload
// (overwriting whatever the client put there) and refuses the command if
// the policy denies it. For each command of a type the policy set governs
// it evaluates data.coopera.commands and refuses the command if denied.
// Other commands pass untouched, at the cost of one map lookup.
//
// Give it to the engine with Options.Admitters, and open the engine with
// the same modules.
type Admitter struct {
	lib     *Library
	machine *ledger.Machine
	params  paramsCache
}

// NewAdmitter returns an admitter for a ledger running modules (the
// modules after the built-in ones, as given to the engine), whose
// parameters it shows to policies.
func NewAdmitter(lib *Library, modules ...ledger.Module) (*Admitter, error) {
	m, err := ledger.NewMachine(modules...)
	if err != nil {
		return nil, err
	}
	return &Admitter{lib: lib, machine: m}, nil
}

// Admit implements coopera.Admitter.
func (a *Admitter) Admit(ctx context.Context, view ledger.Getter, cmd *ledger.Command) error {
	typ := cmd.Payload.Type()
	if typ != governance.CmdPropose && !a.maybeGoverned(typ) {
		return nil
	}
	hash, err := governance.PolicyHash(view)
	if err != nil {
		return err
	}
	set, err := a.lib.Get(ctx, hash)
	if err != nil {
		return err
	}
	if p, ok := cmd.Payload.(*governance.Propose); ok {
		p.Decision = nil
		if err := a.upgradesLoad(ctx, p); err != nil {
			return err
		}
		blind := set.blind && set.Governs(typ)
		in, payload, err := a.params.proposalValue(a.machine, view, cmd.Actor, p, blind)
		if err != nil {
			return err
		}
		d, err := set.decideProposalValue(ctx, in)
		if err != nil {
			return err
		}
		if !d.Allowed {
			return proposalDenied(set, d)
		}
		p.Decision = d
		if blind {
			ok, reasons, err := set.decideCommandValue(ctx, commandObject(string(cmd.Actor), typ, payload))
			if err != nil {
				return err
			}
			if !ok {
				return commandDenied(set, cmd, reasons)
			}
			return nil
		}
	}
	if set.Governs(typ) {
		payload, err := json.Marshal(cmd.Payload)
		if err != nil {
			return err
		}
		pv, err := jsonValue(payload)
		if err != nil {
			return err
		}
		ok, reasons, err := set.decideCommandValue(ctx, commandObject(string(cmd.Actor), typ, pv))
		if err != nil {
			return err
		}
		if !ok {
			return commandDenied(set, cmd, reasons)
		}
	}
	return nil
}

// upgradesLoad refuses a proposal whose policy_upgrade names a set this
// node cannot load (its files in no watched directory, or not
// compiling). Executed, such an upgrade would leave in force a set no
// node can evaluate: every later proposal, the one that would undo it
// included, would be refused with ErrPolicyMismatch, and governance would
// be frozen for good. The set must therefore be in place before the
// upgrade is proposed (see LoadLibrary).
func (a *Admitter) upgradesLoad(ctx context.Context, p *governance.Propose) error {
	for i := range p.Actions {
		act := &p.Actions[i]
		if act.Kind != governance.PolicyUpgrade {
			continue
		}
		hash, err := governance.ParseHash(act.PolicyHash)
		if err != nil {
			return err // Validate says so too
		}
		if _, err := a.lib.Get(ctx, hash); err != nil {
			return ledger.Errorf(governance.ErrPolicyMismatch, "action %d upgrades to policy set %s, which this node cannot load (%v); put its files in a watched policy directory before proposing it: in force, a set no node can load would refuse every later proposal, the one undoing it included", i, act.PolicyHash, err)
		}
	}
	return nil
}

func proposalDenied(set *Set, d *governance.Decision) error {
	return ledger.Errorf(governance.ErrPolicyDenied, "policy %s denies the proposal: %s", set.HashHex()[:12], strings.Join(d.Reasons, "; "))
}

func commandDenied(set *Set, cmd *ledger.Command, reasons []string) error {
	return ledger.Errorf(governance.ErrPolicyDenied, "policy %s does not let %s submit %s: %s", set.HashHex()[:12], cmd.Actor, cmd.Payload.Type(), strings.Join(reasons, "; "))
}

// maybeGoverned reports whether any loaded set governs t, so that
// ungoverned commands skip reading state.
func (a *Admitter) maybeGoverned(t string) bool {
	a.lib.mu.RLock()
	defer a.lib.mu.RUnlock()
	for _, s := range a.lib.sets {
		if s.governed[t] {
			return true
		}
	}
	return false
}

// ProposalInput builds the input document for a proposal from the state
// in view.
func (a *Admitter) ProposalInput(view ledger.Getter, actor ledger.AccountID, p *governance.Propose) (*ProposalInput, error) {
	return BuildProposalInput(a.machine, view, actor, p)
}

// BuildProposalInput builds the input document for a proposal: the
// proposal, and the newest parameters of governance and of each module a
// parameter change touches, rendered by the modules' ParamsJSON.
func BuildProposalInput(m *ledger.Machine, view ledger.Getter, actor ledger.AccountID, p *governance.Propose) (*ProposalInput, error) {
	in := &ProposalInput{
		Actor: string(actor),
		Proposal: ProposalDoc{
			Title: p.Title, Description: p.Description, Deposit: p.Deposit.String(),
			Kinds: governance.Kinds(p.Actions), Actions: make([]ActionDoc, len(p.Actions)),
		},
		Params: map[string]json.RawMessage{},
	}
	parsed := map[string]map[string]json.RawMessage{}
	params := func(module string) (map[string]json.RawMessage, error) {
		if v, ok := parsed[module]; ok {
			return v, nil
		}
		pm, ok := m.Parameterized(module)
		if !ok {
			parsed[module] = nil
			return nil, nil
		}
		enc, err := ledger.ParamsAt(view, module, math.MaxUint64)
		if err != nil {
			parsed[module] = nil
			return nil, nil
		}
		js, err := pm.ParamsJSON(enc)
		if err != nil {
			return nil, err
		}
		in.Params[module] = js
		var fields map[string]json.RawMessage
		json.Unmarshal(js, &fields)
		parsed[module] = fields
		return fields, nil
	}
	if _, err := params(governance.ModuleName); err != nil {
		return nil, err
	}
	for i, act := range p.Actions {
		in.Proposal.Actions[i] = ActionDoc{Action: act}
		if act.Kind == governance.ParameterChange {
			fields, err := params(act.Module)
			if err != nil {
				return nil, err
			}
			in.Proposal.Actions[i].Current = fields[act.Name]
			if err := checkValueCase(i, &act, fields[act.Name]); err != nil {
				return nil, err
			}
		}
	}
	return in, nil
}
