package ledger

import (
	"fmt"
	"slices"
)

// CommandSpec registers a command type with the module that decides it.
type CommandSpec struct {
	Type string
	New  func() Payload
}

// EventSpec registers a version of an event type. The current version has
// no Upcast; each older version's Upcast converts it to the next version.
type EventSpec struct {
	Type    string
	Version uint16
	New     func() Event
	Upcast  func(Event) Event
}

type eventKey struct {
	typ string
	ver uint16
}

// Registry maps command and event types to their decoders and owners. It is
// built once from the modules of a Machine and is read-only afterwards.
type Registry struct {
	commands      map[string]CommandSpec
	commandOwner  map[string]Module
	events        map[eventKey]EventSpec
	eventOwner    map[string]Module
	eventVersions map[string][]uint16
}

func newRegistry(modules []Module) (*Registry, error) {
	r := &Registry{
		commands:      map[string]CommandSpec{},
		commandOwner:  map[string]Module{},
		events:        map[eventKey]EventSpec{},
		eventOwner:    map[string]Module{},
		eventVersions: map[string][]uint16{},
	}
	for _, m := range modules {
		for _, c := range m.Commands() {
			if _, dup := r.commands[c.Type]; dup {
				return nil, fmt.Errorf("ledger: command type %q registered by %s and %s", c.Type, r.commandOwner[c.Type].Name(), m.Name())
			}
			r.commands[c.Type] = c
			r.commandOwner[c.Type] = m
		}
		for _, e := range m.Events() {
			k := eventKey{e.Type, e.Version}
			if _, dup := r.events[k]; dup {
				return nil, fmt.Errorf("ledger: event %q v%d registered twice", e.Type, e.Version)
			}
			if owner, ok := r.eventOwner[e.Type]; ok && owner != m {
				return nil, fmt.Errorf("ledger: event type %q registered by %s and %s", e.Type, owner.Name(), m.Name())
			}
			r.events[k] = e
			r.eventOwner[e.Type] = m
			r.eventVersions[e.Type] = append(r.eventVersions[e.Type], e.Version)
			slices.Sort(r.eventVersions[e.Type])
		}
	}
	return r, nil
}

// CommandTypes lists the registered command types, sorted.
func (r *Registry) CommandTypes() []string {
	out := make([]string, 0, len(r.commands))
	for t := range r.commands { // order-free: the keys are sorted below
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// NewPayload returns an empty payload of a registered command type.
func (r *Registry) NewPayload(typ string) (Payload, bool) {
	s, ok := r.commands[typ]
	if !ok {
		return nil, false
	}
	return s.New(), true
}
