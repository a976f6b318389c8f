// Package replication keeps a coopera ledger's blocks in a NATS JetStream
// stream, so that several nodes share one ordered log without a consensus
// of their own.
//
// The stream holds block h at stream sequence h+1 (the genesis block is
// sequence 1). The sequencer publishes each block with Nats-Msg-Id = the
// block hash and an expected last sequence = h, so two would-be leaders can
// never put two blocks at one height: the loser's publish fails with
// ErrFenced. Leadership is a lease in a JetStream key-value bucket, renewed
// by its holder and taken over when it lapses. Snapshots of a node's store
// live in a JetStream object store, for new nodes to start from.
//
// Retention: the stream keeps at most Options.MaxBlocks blocks (default:
// unlimited) and Options.MaxAge (default: forever). A node that falls
// further behind than the stream reaches back restarts from the newest
// snapshot, which the leader refreshes every Options.SnapshotEvery blocks.
package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/coopera/coopera/ledger"
)

// Options configures a replicated node.
type Options struct {
	// URLs of the NATS servers, comma-separated. Ignored if Conn is set.
	URLs string
	// CredentialsFile is a NATS credentials file (optional).
	CredentialsFile string
	// TLS configures TLS to the servers (optional).
	TLS *tls.Config
	// Conn is an existing connection to use instead of dialling URLs.
	Conn *nats.Conn
	// Stream names the stream; default "COOPERA_" + the chain ID in upper
	// case with characters outside [A-Z0-9_-] replaced by '_'.
	Stream string
	// Replicas of the stream, key-value bucket and object store. Default 3;
	// use 1 for a single NATS server.
	Replicas int
	// NodeID identifies this node in the leader lease. Required.
	NodeID string
	// LeaseTTL is how long a leader's lease lasts without renewal; the
	// leader renews it every LeaseTTL/3. Default 3s.
	LeaseTTL time.Duration
	// MaxBlocks and MaxAge bound the stream's retention (0: unbounded).
	MaxBlocks int64
	MaxAge    time.Duration
	// SnapshotEvery is how many blocks apart the leader stores snapshots.
	// Default 10000; negative disables snapshots.
	SnapshotEvery int64
	// PublishTimeout bounds the wait for the stream's acknowledgement,
	// retries included. Default 10s.
	PublishTimeout time.Duration
}

// Errors of replication.
var (
	// ErrFenced: the stream already holds a block at this height; another
	// node leads. The publisher must step down and catch up.
	ErrFenced = ledger.NewCode("fenced")
	// ErrNotLeader: this node does not sequence; submit to the leader.
	ErrNotLeader = ledger.NewCode("not_leader")
)

// EnsureDefaults fills defaults; chainID names the stream if unset.
func (o *Options) EnsureDefaults(chainID string) {
	if o.Stream == "" {
		b := []byte("COOPERA_")
		for _, c := range []byte(chainID) {
			switch {
			case c >= 'a' && c <= 'z':
				b = append(b, c-'a'+'A')
			case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
				b = append(b, c)
			default:
				b = append(b, '_')
			}
		}
		o.Stream = string(b)
	}
	if o.Replicas == 0 {
		o.Replicas = 3
	}
	if o.LeaseTTL == 0 {
		o.LeaseTTL = 3 * time.Second
	}
	if o.SnapshotEvery == 0 {
		o.SnapshotEvery = 10000
	}
	if o.PublishTimeout == 0 {
		o.PublishTimeout = 10 * time.Second
	}
}

// Log is a connection to a ledger's stream, lease and snapshots.
type Log struct {
	opts    Options
	nc      *nats.Conn
	ownConn bool
	js      jetstream.JetStream
	stream  jetstream.Stream
	kv      jetstream.KeyValue
	obj     jetstream.ObjectStore
	subject string
	leaseRv uint64
	pruning atomic.Bool // a pruneBodies is running
}

// Connect dials the servers (unless opts.Conn is set) and creates the
// stream, the lease bucket and the snapshot store if they do not exist
// (an existing stream is used as it is: change its retention with the nats
// tool).
func Connect(ctx context.Context, chainID string, opts Options) (*Log, error) {
	opts.EnsureDefaults(chainID)
	if opts.NodeID == "" {
		return nil, fmt.Errorf("replication: Options.NodeID is required")
	}
	l := &Log{opts: opts, nc: opts.Conn, subject: "coopera." + opts.Stream + ".blocks"}
	if l.nc == nil {
		var nopts []nats.Option
		nopts = append(nopts, nats.Name("coopera "+opts.NodeID), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
		if opts.CredentialsFile != "" {
			nopts = append(nopts, nats.UserCredentials(opts.CredentialsFile))
		}
		if opts.TLS != nil {
			nopts = append(nopts, nats.Secure(opts.TLS))
		}
		nc, err := nats.Connect(opts.URLs, nopts...)
		if err != nil {
			return nil, fmt.Errorf("replication: connect %s: %w", opts.URLs, err)
		}
		l.nc, l.ownConn = nc, true
	}
	js, err := jetstream.New(l.nc)
	if err != nil {
		l.Close()
		return nil, err
	}
	l.js = js
	cfg := jetstream.StreamConfig{
		Name:       opts.Stream,
		Subjects:   []string{l.subject},
		Storage:    jetstream.FileStorage,
		Replicas:   opts.Replicas,
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardOld,
		MaxMsgs:    opts.MaxBlocks,
		MaxAge:     opts.MaxAge,
		Duplicates: 2 * time.Minute,
	}
	if cfg.MaxMsgs == 0 {
		cfg.MaxMsgs = -1
	}
	// Bind to what exists; create only what is missing. A node whose
	// credentials only read (a follower that may not lead) can then join,
	// and an existing stream's retention is the operator's to change.
	if l.stream, err = js.Stream(ctx, opts.Stream); errors.Is(err, jetstream.ErrStreamNotFound) {
		l.stream, err = js.CreateStream(ctx, cfg)
	}
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("replication: stream %s: %w", opts.Stream, err)
	}
	lease := opts.Stream + "_LEASE"
	if l.kv, err = js.KeyValue(ctx, lease); errors.Is(err, jetstream.ErrBucketNotFound) {
		l.kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: lease, TTL: opts.LeaseTTL, History: 1, Storage: jetstream.FileStorage, Replicas: opts.Replicas,
		})
	}
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("replication: lease bucket: %w", err)
	}
	snaps := opts.Stream + "_SNAPSHOTS"
	if l.obj, err = js.ObjectStore(ctx, snaps); errors.Is(err, jetstream.ErrBucketNotFound) {
		l.obj, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: snaps, Storage: jetstream.FileStorage, Replicas: opts.Replicas})
	}
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("replication: snapshot store: %w", err)
	}
	return l, nil
}

// Close closes the connection if Connect dialled it.
func (l *Log) Close() {
	if l.ownConn && l.nc != nil {
		l.nc.Close()
	}
}

// Options returns the options in effect.
func (l *Log) Options() Options { return l.opts }

// Publish appends block height h (encoded as raw, with hash) to the
// stream, fenced: it succeeds only if the stream's last block is h-1. It
// returns once the stream has stored the block on a quorum of replicas.
//
// sig, if not empty, is the sequencer's signature of the block
// (ledger.SequencerSignBytes), sent in the message's headers with the
// signer's public key; followers of a chain with sequencer keys refuse a
// block without a valid one.
//
// A block too large for one message (the servers' max_payload, 1 MiB by
// default, less room for the headers) is stored first as an object in the
// store that holds snapshots, in chunks a message can carry, named by its
// height and hash; the stream then gets a message without a body that
// names the object (hdrBody) and its size. Readers fetch the object in its
// place (Follow, GetEntry) and check that it is the block the message
// names. The message is what is fenced: a loser's object is deleted, and
// objects of blocks the stream no longer keeps are pruned as large blocks
// are published.
func (l *Log) Publish(ctx context.Context, h uint64, hash ledger.Hash, raw []byte, sig Signature) error {
	ctx, cancel := context.WithTimeout(ctx, l.opts.PublishTimeout)
	defer cancel()
	msg := nats.NewMsg(l.subject)
	msg.Data = raw
	msg.Header.Set("Coopera-Height", strconv.FormatUint(h, 10))
	if len(sig.Sig) > 0 {
		msg.Header.Set(hdrSigner, hex.EncodeToString(sig.Signer))
		msg.Header.Set(hdrSignature, hex.EncodeToString(sig.Sig))
	}
	var object string
	if limit := l.inlineLimit(); int64(len(raw)) > limit {
		object = bodyName(h, hash)
		if err := l.putBody(ctx, object, raw, limit); err != nil {
			return fmt.Errorf("replication: publish block %d (%d bytes, over one message's %d): %w", h, len(raw), limit, err)
		}
		msg.Data = nil
		msg.Header.Set(hdrBody, object)
		msg.Header.Set(hdrSize, strconv.Itoa(len(raw)))
	}
	err := l.publish(ctx, h, hash, msg)
	if object != "" {
		if errors.Is(err, ErrFenced) {
			// Another node's block holds the height: this body is
			// nobody's (best effort; pruning catches what is left).
			l.obj.Delete(context.WithoutCancel(ctx), object)
		} else if err == nil && l.pruning.CompareAndSwap(false, true) {
			go func() {
				defer l.pruning.Store(false)
				pctx, cancel := context.WithTimeout(context.Background(), l.opts.PublishTimeout)
				defer cancel()
				l.pruneBodies(pctx, h)
			}()
		}
	}
	return err
}

// publish sends msg, the message of block h, fenced, retrying while the
// servers do not answer.
func (l *Log) publish(ctx context.Context, h uint64, hash ledger.Hash, msg *nats.Msg) error {
	// Retry until the deadline while the servers do not answer (a server
	// restarting, a stream leader being elected). The message ID makes a
	// retry of a publish that did land a duplicate, not a second block.
	for attempt := 0; ; attempt++ {
		actx, acancel := context.WithTimeout(ctx, time.Second)
		_, err := l.js.PublishMsg(actx, msg, jetstream.WithMsgID(hash.String()), jetstream.WithExpectLastSequence(h))
		acancel()
		if err == nil {
			return nil
		}
		if errors.Is(err, nats.ErrMaxPayload) {
			// Not the servers' silence: no retry carries it.
			return fmt.Errorf("replication: publish block %d: %w", h, err)
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) {
			if apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
				ours, herr := l.holds(ctx, h, hash)
				switch {
				case ours:
					// An earlier attempt landed and its acknowledgement
					// was lost (a server checks the sequence before the
					// message ID): the block is ours.
					return nil
				case herr == nil:
					return ledger.Errorf(ErrFenced, "the stream already holds a block at height %d: another node leads", h)
				}
				// Which block holds the height is unknown: not fenced
				// (that would delete a stored body the stream may name);
				// try again while the deadline allows.
				err = herr
			}
			if apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
				return fmt.Errorf("replication: publish block %d: %w", h, err)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replication: publish block %d: no acknowledgement after %d attempts: %w", h, attempt+1, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// holds reports whether the stream's message at height h is the block
// with hash (its message ID).
func (l *Log) holds(ctx context.Context, h uint64, hash ledger.Hash) (bool, error) {
	m, err := l.stream.GetMsg(ctx, h+1)
	if err != nil {
		return false, err
	}
	return m.Header.Get(jetstream.MsgIDHeader) == hash.String(), nil
}

// LastHeight returns the height of the stream's last block, and ok=false
// if the stream is empty.
func (l *Log) LastHeight(ctx context.Context) (uint64, bool, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("replication: stream info: %w", err)
	}
	if info.State.LastSeq == 0 {
		return 0, false, nil
	}
	return info.State.LastSeq - 1, true, nil
}

// FirstHeight returns the height of the oldest block the stream keeps.
func (l *Log) FirstHeight(ctx context.Context) (uint64, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("replication: stream info: %w", err)
	}
	if info.State.FirstSeq == 0 {
		return 0, nil
	}
	return info.State.FirstSeq - 1, nil
}

// Signature is a sequencer's signature of a block and the key that made
// it.
type Signature struct {
	Signer []byte // ed25519 public key
	Sig    []byte
}

const (
	hdrSigner    = "Coopera-Signer"
	hdrSignature = "Coopera-Signature"
)

// signatureOf reads a block's signature from message headers; a header
// that is not hex gives an empty signature (which a chain with sequencer
// keys refuses).
func signatureOf(h nats.Header) Signature {
	signer, err1 := hex.DecodeString(h.Get(hdrSigner))
	sig, err2 := hex.DecodeString(h.Get(hdrSignature))
	if err1 != nil || err2 != nil {
		return Signature{}
	}
	return Signature{Signer: signer, Sig: sig}
}

const (
	// hdrBody names the object that holds a block too large for its
	// message, and hdrSize its length in bytes.
	hdrBody = "Coopera-Body"
	hdrSize = "Coopera-Size"
	// headerRoom is what a block's message keeps of the servers'
	// max_payload for its headers.
	headerRoom = 4 << 10
	// maxChunk bounds the chunks of a stored block body.
	maxChunk = 128 << 10
)

// inlineLimit is the largest block that travels in its message.
func (l *Log) inlineLimit() int64 {
	return max(l.nc.MaxPayload()-headerRoom, 1<<10)
}

// bodyName names the object of block h with hash.
func bodyName(h uint64, hash ledger.Hash) string {
	return fmt.Sprintf("block/%020d/%s", h, hash)
}

// putBody stores raw as the object name, in chunks of at most limit bytes.
func (l *Log) putBody(ctx context.Context, name string, raw []byte, limit int64) error {
	chunk := uint32(min(limit, maxChunk))
	_, err := l.obj.Put(ctx, jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: chunk}}, bytes.NewReader(raw))
	return err
}

// pruneBodies deletes the stored bodies of blocks below the first height
// the stream keeps (best effort: a failure leaves them to the next large
// block), once the stream's retention is bounded.
func (l *Log) pruneBodies(ctx context.Context, h uint64) {
	if l.opts.MaxBlocks <= 0 && l.opts.MaxAge <= 0 {
		return
	}
	first, err := l.FirstHeight(ctx)
	if err != nil || first == 0 {
		return
	}
	infos, err := l.obj.List(ctx)
	if err != nil {
		return
	}
	for _, info := range infos {
		var height uint64
		var hash string
		if n, _ := fmt.Sscanf(info.Name, "block/%d/%s", &height, &hash); n == 2 && height < first && height < h {
			l.obj.Delete(ctx, info.Name)
		}
	}
}

// entry builds the Entry of block h from its message's data and headers,
// fetching a body stored as an object (Publish) and checking that it is
// block h with the hash its name gives.
func (l *Log) entry(ctx context.Context, h uint64, data []byte, hdr nats.Header, stored time.Time) (Entry, error) {
	e := Entry{Height: h, Raw: data, Signature: signatureOf(hdr), Stored: stored}
	name := hdr.Get(hdrBody)
	if name == "" {
		return e, nil
	}
	size, err := strconv.Atoi(hdr.Get(hdrSize))
	if err != nil || len(data) != 0 || !strings.HasPrefix(name, fmt.Sprintf("block/%020d/", h)) {
		return Entry{}, ledger.Errorf(ledger.ErrCorrupt, "replication: block %d: a malformed reference to a stored body (%q, size %q, %d bytes in the message)", h, name, hdr.Get(hdrSize), len(data))
	}
	raw, err := l.body(ctx, h, name)
	if err != nil {
		return Entry{}, fmt.Errorf("replication: block %d: its stored body %s: %w", h, name, err)
	}
	bh, _, herr := ledger.DecodeHeader(raw)
	if len(raw) != size || herr != nil || bh.Height != h || bodyName(h, bh.Hash()) != name {
		return Entry{}, ledger.Errorf(ledger.ErrCorrupt, "replication: block %d: the stored body %s (%d bytes, %d expected) is not that block", h, name, len(raw), size)
	}
	e.Raw = raw
	return e, nil
}

// body fetches the stored body name of block h. A body not found may be
// a replica's stale answer (the store answers reads from any replica) or
// one pruned since the message was read: it is asked again for a while,
// and only while the stream still holds block h is a body still missing
// corrupt; once the stream has dropped the block too, the error is a
// plain one (the reader is behind the stream's retention).
func (l *Log) body(ctx context.Context, h uint64, name string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		raw, err := l.obj.GetBytes(ctx, name) // the object store checks its digest
		if !errors.Is(err, jetstream.ErrObjectNotFound) {
			return raw, err
		}
		if attempt < bodyAttempts {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
			}
			continue
		}
		if first, ferr := l.FirstHeight(ctx); ferr != nil || first > h {
			return nil, fmt.Errorf("replication: block %d: its stored body is gone, and the stream keeps blocks from %d: %w", h, first, err)
		}
		return nil, ledger.Errorf(ledger.ErrCorrupt, "replication: block %d: its stored body %s is missing", h, name)
	}
}

// bodyAttempts is how many times a stored body not found is asked again
// (about 2 s in all) before it is taken as missing.
const bodyAttempts = 8

// Get fetches the block at height h directly.
func (l *Log) Get(ctx context.Context, h uint64) ([]byte, error) {
	e, err := l.GetEntry(ctx, h)
	return e.Raw, err
}

// GetEntry fetches the block at height h directly, with its signature and
// the time the stream stored it.
func (l *Log) GetEntry(ctx context.Context, h uint64) (Entry, error) {
	m, err := l.stream.GetMsg(ctx, h+1)
	if err != nil {
		return Entry{}, fmt.Errorf("replication: block %d: %w", h, err)
	}
	return l.entry(ctx, h, m.Data, m.Header, m.Time)
}

// Entry is a block read from the stream.
type Entry struct {
	Height    uint64 // from the stream sequence
	Raw       []byte
	Signature Signature
	Stored    time.Time // when the stream stored it (the servers' clock)
	Err       error
}

// Follow streams blocks from height from on, in order, until ctx ends.
// Errors are delivered as an Entry with Err set, after which the channel
// closes; a message whose stored body is not its block gives an ErrCorrupt
// error, with the message's Height.
func (l *Log) Follow(ctx context.Context, from uint64) <-chan Entry {
	out := make(chan Entry, 256)
	go func() {
		defer close(out)
		cons, err := l.js.OrderedConsumer(ctx, l.opts.Stream, jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from + 1,
		})
		if err != nil {
			send(ctx, out, Entry{Err: fmt.Errorf("replication: follow from %d: %w", from, err)})
			return
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(512))
		if err != nil {
			send(ctx, out, Entry{Err: fmt.Errorf("replication: follow: %w", err)})
			return
		}
		go func() { <-ctx.Done(); it.Stop() }()
		for {
			m, err := it.Next()
			if err != nil {
				if ctx.Err() == nil && !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					send(ctx, out, Entry{Err: fmt.Errorf("replication: follow: %w", err)})
				}
				return
			}
			md, err := m.Metadata()
			if err != nil {
				send(ctx, out, Entry{Err: fmt.Errorf("replication: message metadata: %w", err)})
				return
			}
			h := md.Sequence.Stream - 1
			e, err := l.entry(ctx, h, m.Data(), m.Headers(), md.Timestamp)
			if err != nil {
				e = Entry{Height: h, Err: err}
			}
			if !send(ctx, out, e) || err != nil {
				return
			}
		}
	}()
	return out
}

func send(ctx context.Context, ch chan<- Entry, e Entry) bool {
	select {
	case ch <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

const leaseKey = "leader"

// Acquire tries to take the leader lease; it reports whether this node
// holds it now.
func (l *Log) Acquire(ctx context.Context) (bool, error) {
	rv, err := l.kv.Create(ctx, leaseKey, []byte(l.opts.NodeID))
	if err == nil {
		l.leaseRv = rv
		return true, nil
	}
	if errors.Is(err, jetstream.ErrKeyExists) {
		return false, nil
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == 10164) {
		return false, nil
	}
	return false, fmt.Errorf("replication: acquire lease: %w", err)
}

// Renew extends the lease; an error means this node no longer leads.
func (l *Log) Renew(ctx context.Context) error {
	rv, err := l.kv.Update(ctx, leaseKey, []byte(l.opts.NodeID), l.leaseRv)
	if err != nil {
		return ledger.Errorf(ErrNotLeader, "lease renewal failed: %v", err)
	}
	l.leaseRv = rv
	return nil
}

// Release gives the lease up (best effort).
func (l *Log) Release(ctx context.Context) {
	l.kv.Delete(ctx, leaseKey, jetstream.LastRevision(l.leaseRv))
}

// LeaseTime returns when the servers stored the lease's last write: for
// its holder right after Acquire or Renew, the servers' clock now.
func (l *Log) LeaseTime(ctx context.Context) (time.Time, error) {
	e, err := l.kv.Get(ctx, leaseKey)
	if err != nil {
		return time.Time{}, fmt.Errorf("replication: lease: %w", err)
	}
	return e.Created(), nil
}

// Leader returns the node ID holding the lease, or "" if none does.
func (l *Log) Leader(ctx context.Context) string {
	e, err := l.kv.Get(ctx, leaseKey)
	if err != nil {
		return ""
	}
	return string(e.Value())
}

// Conn returns the NATS connection.
func (l *Log) Conn() *nats.Conn { return l.nc }
