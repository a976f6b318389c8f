package submit

import "errors"

var (
	// ErrTransport wraps a failure to reach a Submitter: nothing is known
	// about the commands' fate, and a Queue keeps them for the next Flush.
	ErrTransport = errors.New("submit: transport")
	// ErrNode is a node's HTTP answer that is neither a receipt nor a
	// refusal of the command (a follower, an overloaded or faulty node).
	ErrNode = errors.New("submit: node")
)
