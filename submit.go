package coopera

import (
	"context"
	"time"

	"github.com/coopera/coopera/ledger"
)

// Receipt is the outcome of a submitted command.
type Receipt struct {
	// Height and Index place the command in the log.
	Height uint64 `json:"height"`
	Index  int    `json:"index"`
	// BlockHash is the hash of the block that holds the command.
	BlockHash ledger.Hash `json:"block_hash"`
	// Events are the events the command produced; none if it was rejected.
	Events []ledger.Event `json:"-"`
	// Balances are the balances, right after the command, of every
	// (account, asset) its events touched, in event order.
	Balances []Balance `json:"balances,omitempty"`
	// Err is the rejection, an *ledger.Error, or nil if the command applied.
	// A rejected command is recorded in its block but changes no state,
	// but for its nonce if it passed its signature and nonce checks
	// (Events then holds its one nonce_used event).
	Err error `json:"-"`
	// Duplicate is true when the command's idempotency key had been used
	// with the same content: this receipt is the original one (without
	// Balances), and nothing was applied again.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Balance is an account's balance of an asset.
type Balance struct {
	Account ledger.AccountID `json:"account"`
	Asset   ledger.AssetID   `json:"asset"`
	Amount  ledger.Amount    `json:"amount"`
}

type request struct {
	cmds     []*ledger.Command
	receipts []*Receipt
	err      error
	done     chan struct{}
	queued   time.Time // when it was handed to the sequencer
}

// Submit submits one command and waits until its block is durable. A
// rejected command returns its receipt and the rejection (an *ledger.Error:
// match it with errors.Is). Input that is malformed, oversized or wrongly
// signed is refused before sequencing, with no receipt.
//
// If ctx ends first, Submit returns ctx.Err() and the command may still
// be applied; resubmit it with the same idempotency key to learn its fate.
func (e *Engine) Submit(ctx context.Context, cmd *ledger.Command) (*Receipt, error) {
	rs, err := e.SubmitBatch(ctx, []*ledger.Command{cmd})
	if err != nil {
		return nil, err
	}
	return rs[0], rs[0].Err
}

// SubmitBatch submits commands to be applied in order, in one block (or
// consecutive blocks if there are more than MaxBlockCommands), and waits
// until they are durable. Host annotations in the commands (a proposal's
// policy decision: ledger.AnnotatedPayload) are cleared first: only the
// engine's Admitters write them. Each receipt carries its command's rejection, if
// any; the returned error is for the batch as a whole (bad input in any
// command refuses the whole batch, with nothing applied).
func (e *Engine) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*Receipt, error) {
	if e.seq.closed.Load() {
		return nil, errClosed
	}
	for i, c := range cmds {
		// Annotations are the admitters' to write, never the client's.
		if c != nil && c.Payload != nil {
			c.ClearAnnotations()
		}
		err := e.precheck(c)
		if err == nil {
			err = e.admit(ctx, c)
		}
		if err != nil {
			if le, ok := err.(*ledger.Error); ok && len(cmds) > 1 {
				return nil, ledger.Errorf(le, "command %d: %s", i, le.Msg)
			}
			return nil, err
		}
	}
	out := make([]*Receipt, 0, len(cmds))
	for len(cmds) > 0 {
		n := min(len(cmds), e.opts.MaxBlockCommands)
		r := &request{cmds: cmds[:n], done: make(chan struct{}), queued: time.Now()}
		select {
		case e.seq.reqs <- r:
		case <-e.seq.quit:
			return nil, errClosed
		case <-e.seq.done:
			return nil, e.stopped()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		select {
		case <-r.done:
		case <-e.seq.done:
			// The sequencer has stopped (a fault, or Close) and its
			// acknowledger has released every request it took: if r is not
			// done, it arrived after the last drain and nobody will answer it.
			select {
			case <-r.done:
			default:
				return nil, e.stopped()
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, r.receipts...)
		cmds = cmds[n:]
	}
	return out, nil
}

// stopped is the error for a request the stopped sequencer never took: the
// fault that stopped it, or ErrClosed.
func (e *Engine) stopped() error {
	if err := e.Err(); err != nil {
		return err
	}
	return errClosed
}

// admit runs the Admitters on c against the committed state.
func (e *Engine) admit(ctx context.Context, c *ledger.Command) error {
	if len(e.opts.Admitters) == 0 {
		return nil
	}
	return e.rd.admit(ctx, e.opts.Admitters, c)
}

// submitAccount returns what precheck needs of an actor's committed
// account record.
func (e *Engine) submitAccount(id ledger.AccountID) (cachedAccount, error) {
	return e.seq.accts.get(id, func() (ledger.Account, bool, error) { return e.rd.committedAccount(id) })
}

// precheck refuses input that needs no sequencing to judge: a malformed
// envelope, an oversized command, a signature that does not verify against
// the actor's committed key. The state machine checks signatures again
// (cheaply, against the key verified here) when it decides.
func (e *Engine) precheck(c *ledger.Command) error {
	if c == nil {
		return ledger.Errorf(ledger.ErrMissingField, "nil command")
	}
	if err := c.Validate(); err != nil {
		if _, ok := err.(*ledger.Error); !ok {
			return ledger.Errorf(ledger.ErrMalformed, "%v", err)
		}
		return err
	}
	if _, ok := e.reg.NewPayload(c.Payload.Type()); !ok {
		return ledger.Errorf(ledger.ErrUnknownCommand, "command type %q is not registered; registered: %v", c.Payload.Type(), e.reg.CommandTypes())
	}
	if n := len(ledger.EncodeCommand(c)); n > e.opts.MaxCommandBytes {
		return ledger.Errorf(ledger.ErrPayloadTooLarge, "command is %d bytes encoded; the limit is %d", n, e.opts.MaxCommandBytes)
	}
	if _, ok := c.Payload.(ledger.AnnotatedPayload); ok && len(e.opts.Admitters) == 0 {
		return ledger.Errorf(ledger.ErrUnauthorized, "a %s command needs an admitter's annotation (for a proposal, the governance policy decision), and this engine runs no admitter: open it with Options.Admitters (policy.NewAdmitter)", c.Payload.Type())
	}
	if c.Payload.Type() == "close_epoch" {
		// The sequencer puts the closes due at the head of each block.
		return ledger.Errorf(ledger.ErrUnauthorized, "epochs are closed by the sequencer, which starts each block with the closes due; close_epoch is not a command to submit")
	}
	if c.Actor.IsModule() {
		return ledger.Errorf(ledger.ErrUnauthorized, "module account %s cannot be the actor of a %s command", c.Actor, c.Payload.Type())
	}
	if c.Signature == nil && e.chain.RequireSignatures {
		return ledger.Errorf(ledger.ErrBadSignature, "this chain requires signed commands; sign %s's command with its key", c.Actor)
	}
	if c.Signature == nil {
		// An account with a key acts only by signature (the state machine
		// rejects it too; refusing here writes nothing).
		acct, err := e.submitAccount(c.Actor)
		if err != nil {
			return err
		}
		if acct.exists && len(acct.key) > 0 {
			return ledger.Errorf(ledger.ErrBadSignature, "account %s has a signing key; sign its commands", c.Actor)
		}
	}
	if c.Signature != nil {
		var key []byte
		if ca, ok := c.Payload.(*ledger.CreateAccount); ok {
			key = ca.PublicKey
		} else {
			acct, err := e.submitAccount(c.Actor)
			if err != nil {
				return err
			}
			if !acct.exists {
				return ledger.Errorf(ledger.ErrUnknownAccount, "actor %s does not exist; create the account first", c.Actor)
			}
			key = acct.key
		}
		if err := c.VerifySignature(e.chain.ChainID, key); err != nil {
			return err
		}
		c.MarkVerified(key)
	}
	return nil
}
