package ledger

import (
	"encoding/json"
	"fmt"
)

// Event is a fact produced by deciding a command. Events are versioned:
// EventType and EventVersion select the decoder, and the canonical encoding
// of a version never changes. A new version gets a new Go type, and the old
// version's spec registers an Upcast to the new one, so stored events are
// never rewritten.
type Event interface {
	EventType() string
	EventVersion() uint16
	Encode(e *Encoder)
	Decode(d *Decoder)
}

// AccountEvent is implemented by events that concern accounts, so the host
// can index them for the events-of-an-account query.
type AccountEvent interface {
	Event
	Accounts() []AccountID
}

// EncodeEvent appends ev's envelope (type, version, length-prefixed body).
func EncodeEvent(e *Encoder, ev Event) {
	e.String(ev.EventType())
	e.Uint(uint64(ev.EventVersion()))
	e.lengthPrefixed(ev.Encode)
}

// decodeEvent reads one event envelope, decodes it with the registered
// decoder of its version and upcasts it to the current version.
func (r *Registry) decodeEvent(d *Decoder) Event {
	typ := d.String()
	ver := d.Uint()
	body := d.blob()
	if d.err != nil {
		return nil
	}
	spec, ok := r.events[eventKey{typ, uint16(ver)}]
	if !ok || ver > 0xffff {
		if _, known := r.eventVersions[typ]; known {
			d.Fail(Errorf(ErrUnknownVersion, "event %q version %d has no decoder (known versions %v); upgrade coopera", typ, ver, r.eventVersions[typ]))
		} else {
			d.Fail(Errorf(ErrUnknownEvent, "event type %q is not registered", typ))
		}
		return nil
	}
	ev := spec.New()
	ed := Decoder{buf: body, What: typ}
	ev.Decode(&ed)
	if err := ed.Finish(); err != nil {
		d.Fail(err)
		return nil
	}
	for spec.Upcast != nil {
		ev = spec.Upcast(ev)
		spec = r.events[eventKey{ev.EventType(), ev.EventVersion()}]
	}
	return ev
}

// DecodeEvent decodes one event envelope.
func (r *Registry) DecodeEvent(b []byte) (Event, error) {
	d := NewDecoder(b, "event")
	ev := r.decodeEvent(d)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return ev, nil
}

// EventJSON is the JSON export form of an event.
type EventJSON struct {
	Type    string `json:"type"`
	Version uint16 `json:"version"`
	Data    any    `json:"data"`
}

// MarshalEventJSON returns {"type", "version", "data"} for ev.
func MarshalEventJSON(ev Event) ([]byte, error) {
	return json.Marshal(EventJSON{Type: ev.EventType(), Version: ev.EventVersion(), Data: ev})
}

// DescribeEvent returns a one-line description for human output.
func DescribeEvent(ev Event) string {
	b, _ := json.Marshal(ev)
	return fmt.Sprintf("%s/v%d %s", ev.EventType(), ev.EventVersion(), b)
}
