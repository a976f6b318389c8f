package coopera_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/ledgertest"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
	"github.com/coopera/coopera/ledger/store"
)

// mirror rebuilds a node's chain on in-memory state from its blocks, so
// that a test can forge the next block as an attacker who reads the stream
// would.
func mirror(t *testing.T, node *coopera.Engine, g *ledger.Genesis) (*ledgertest.Harness, ledger.Head) {
	t.Helper()
	h, err := ledgertest.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Genesis(g); err != nil {
		t.Fatal(err)
	}
	head := ledger.Head{Hash: h.Prev, StateRoot: h.Acc.Root(), Time: h.Time.UnixNano(), Acc: h.Acc}
	for height := uint64(1); height <= node.Head().Height; height++ {
		b, err := node.Block(context.Background(), height)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := h.Step.Apply(h.Store, head, b)
		if err != nil {
			t.Fatal(err)
		}
		h.Store.Apply(rd.Changes)
		head = rd.Head
	}
	return h, head
}

// publishRaw appends raw to the ledger's stream with plain nats.go, as
// anyone allowed to publish on the subject could.
func publishRaw(t *testing.T, c *natsCluster, height uint64, raw []byte) {
	t.Helper()
	nc, err := nats.Connect(c.urls())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.Publish(context.Background(), "coopera.COOPERA_TEST.blocks", raw, jetstream.WithExpectLastSequence(height)); err != nil {
		t.Fatal(err)
	}
}

func waitDivergence(t *testing.T, n *coopera.Engine, want string) {
	t.Helper()
	checkFor(t, 10*time.Second, func() error {
		if err := n.Err(); !errors.Is(err, ledger.ErrDivergence) || !strings.Contains(err.Error(), want) {
			return fmt.Errorf("follower error %v, want divergence saying %q", err, want)
		}
		return nil
	})
}

// TestAttackForgedBlockEvents: a block published straight to the stream
// whose only command is a 1-unit transfer but whose events also mint 10^18
// base units, with the state root those events give. Its hash chain and
// root are consistent; re-executing its commands is not, and the
// follower refuses it.
func TestAttackForgedBlockEvents(t *testing.T) {
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1)
	defer a.Close()
	leader := waitLeader(t, a)
	b := openNode(t, c, t.TempDir(), "b", 1)
	defer b.Close()
	submitN(t, leader, "x", 3)
	converge(t, leader.Head(), a, b)
	good := b.Head()
	before := balance(t, b, "alice", "COOP")

	h, head := mirror(t, b, testGenesis(t))
	forged := &ledger.Block{
		Header:   ledger.Header{Height: head.Height + 1, Time: head.Time + 1, PrevHash: head.Hash},
		Commands: []*ledger.Command{transfer("alice", "bob", "COOP", 1)},
		Results:  []ledger.Result{{Events: 2}},
		Events: []ledger.Event{
			&ledger.Transferred{From: "alice", To: "bob", Asset: "COOP", Amount: ledger.NewAmount(1)},
			&ledger.Minted{To: "alice", Asset: "COOP", Amount: ledger.NewAmount(1_000_000_000_000_000_000)},
		},
	}
	st := ledger.NewState(h.Store)
	if err := h.M.Replay(st, forged); err != nil {
		t.Fatal(err)
	}
	acc := head.Acc
	acc.Apply(st.Changes())
	forged.StateRoot = acc.Root()
	forged.Seal()
	if _, err := h.Step.Apply(h.Store, head, forged); err != nil {
		t.Fatalf("the forged block is not self-consistent, so the attack tests nothing: %v", err)
	}
	publishRaw(t, c, good.Height+1, forged.Raw())

	waitDivergence(t, b, "executed here")
	if b.Head() != good || balance(t, b, "alice", "COOP") != before {
		t.Fatal("the follower applied the forged block")
	}
	// The leader's next block is fenced (the height is taken), and it
	// refuses the forged block when it catches up to lead again.
	if _, err := leader.Submit(context.Background(), transfer("alice", "bob", "COOP", 1)); !errors.Is(err, coopera.ErrNotLeader) {
		t.Fatalf("leader after the stream moved under it: %v", err)
	}
	waitDivergence(t, a, "executed here")
	if got := balance(t, a, "alice", "COOP"); got != before {
		t.Fatalf("alice has %d on the old leader, had %d", got, before)
	}
}

// TestAttackUnsignedBlock: on a chain with sequencer keys, a block that
// re-executes correctly but carries no sequencer signature is refused,
// and a node without a sequencer key never leads.
func TestAttackUnsignedBlock(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	withKeys := func(key ed25519.PrivateKey) func(*coopera.Options) {
		return func(o *coopera.Options) {
			o.Genesis.Params = map[string]json.RawMessage{"ledger": json.RawMessage(`{"sequencer_keys": ["` + hex.EncodeToString(pub) + `"], "max_time_step": "24h"}`)}
			o.SequencerKey = key
		}
	}
	c := startNATS(t, 1)
	// b has no key: it cannot lead even while no one else does.
	b := openNode(t, c, t.TempDir(), "b", 1, withKeys(nil))
	defer b.Close()
	time.Sleep(2 * time.Second) // several lease rounds
	if b.IsLeader() {
		t.Fatal("a node without a sequencer key took the lead")
	}
	a := openNode(t, c, t.TempDir(), "a", 1, withKeys(priv))
	defer a.Close()
	leader := waitLeader(t, a, b)
	if leader != a {
		t.Fatal("the node without a key leads")
	}
	submitN(t, leader, "x", 3)
	converge(t, leader.Head(), a, b) // signed blocks are followed
	good := b.Head()

	g := testGenesis(t)
	withKeys(nil)(&coopera.Options{Genesis: g})
	h, head := mirror(t, b, g)
	rd, err := h.Step.Execute(h.Store, ledger.BlockInput{Prev: head, Time: head.Time + 1, Commands: []*ledger.Command{transfer("alice", "bob", "COOP", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	publishRaw(t, c, good.Height+1, rd.Block.Raw())
	waitDivergence(t, b, "signature")
	if b.Head() != good {
		t.Fatal("the follower applied an unsigned block")
	}
}

// TestAttackForgedSnapshot: someone who can write the snapshot store puts
// there a snapshot of another history at the same height. A new node
// checks the snapshot's head block against the stream's and refuses it.
func TestAttackForgedSnapshot(t *testing.T) {
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1)
	defer a.Close()
	leader := waitLeader(t, a)
	submitN(t, leader, "x", 4)
	height := leader.Head().Height

	// Another history of the same chain, as long, in a local ledger.
	other, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: testGenesis(t), Clock: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	for other.Head().Height < height {
		if _, err := other.Submit(context.Background(), transfer("alice", "carol", "COOP", 5)); err != nil {
			t.Fatal(err)
		}
	}
	snap := t.TempDir() + "/snap"
	if err := other.Snapshot(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	other.Close()
	log, err := replication.Connect(context.Background(), leader.ChainID(), replication.Options{URLs: c.urls(), NodeID: "mallory", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if err := log.PutSnapshot(context.Background(), height, snap); err != nil {
		t.Fatal(err)
	}
	_, err = coopera.Open(t.TempDir(), &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), MaxClockSkew: -1,
		Replication: &replication.Options{URLs: c.urls(), NodeID: "new", Replicas: 1, SnapshotEvery: -1}})
	if !errors.Is(err, ledger.ErrDivergence) {
		t.Fatalf("a node joining from a forged snapshot: %v, want ErrDivergence", err)
	}
}

// TestAttackStrippedSnapshot: someone who can write the snapshot store
// puts there the leader's own snapshot with one idempotency entry deleted.
// Its state root and head block are the chain's, but a node adopting it
// would apply a keyed retry of that command again. The node checks the
// snapshot's entries against those its blocks record, and its blocks
// against the chain, and refuses it; the untouched snapshot is adopted.
func TestAttackStrippedSnapshot(t *testing.T) {
	c := startNATS(t, 1)
	a := openNode(t, c, t.TempDir(), "a", 1)
	defer a.Close()
	leader := waitLeader(t, a)
	submitN(t, leader, "x", 4) // keys x-0 ... x-3
	height := leader.Head().Height
	snapshot := func(edit func(db *store.DB)) string {
		dir := t.TempDir() + "/snapshot"
		if err := leader.Snapshot(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			rawEdit(t, dir, edit)
		}
		return dir
	}
	// indexEntry returns the first account-event index key (block 0's
	// entries are always indexed).
	indexEntry := func(db *store.DB) []byte {
		it, err := db.Pebble().NewIter(&pebble.IterOptions{LowerBound: []byte{'X'}, UpperBound: []byte{'X' + 1}})
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		if !it.First() {
			t.Fatal("the snapshot holds no account-event index")
		}
		return bytes.Clone(it.Key())
	}
	log, err := replication.Connect(context.Background(), leader.ChainID(), replication.Options{URLs: c.urls(), NodeID: "mallory", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	join := func() (*coopera.Engine, error) {
		return coopera.Open(t.TempDir(), &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), MaxClockSkew: -1,
			Replication: &replication.Options{URLs: c.urls(), NodeID: "new", Replicas: 1, SnapshotEvery: -1}})
	}
	for _, tc := range []struct {
		name string
		edit func(db *store.DB)
	}{
		{"without an idempotency entry", func(db *store.DB) {
			if err := db.Pebble().Delete(idemKeyRaw("alice", "x-2"), nil); err != nil {
				t.Fatal(err)
			}
		}},
		{"without an account-event index entry", func(db *store.DB) {
			if err := db.Pebble().Delete(indexEntry(db), nil); err != nil {
				t.Fatal(err)
			}
		}},
		{"with a forged account-event index entry", func(db *store.DB) {
			k := indexEntry(db)
			binary.BigEndian.PutUint32(k[len(k)-4:], 1<<20) // an event block 0 does not have
			if err := db.Pebble().Set(k, nil, nil); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		if err := log.PutSnapshot(context.Background(), height, snapshot(tc.edit)); err != nil {
			t.Fatal(err)
		}
		if e, err := join(); !errors.Is(err, ledger.ErrCorrupt) {
			if err == nil {
				e.Close()
			}
			t.Fatalf("a node joining from a snapshot %s: %v, want ErrCorrupt", tc.name, err)
		}
	}
	if err := log.PutSnapshot(context.Background(), height, snapshot(nil)); err != nil {
		t.Fatal(err)
	}
	e, err := join()
	if err != nil {
		t.Fatalf("a node joining from the leader's snapshot: %v", err)
	}
	defer e.Close()
	converge(t, leader.Head(), a, e)
}

// TestAttackNATSPermissions: with per-user permissions on the NATS
// servers (the README's security model), a reader's credentials can follow
// the chain but cannot publish a block, write the lease or the snapshot
// store, or take the lead.
func TestAttackNATSPermissions(t *testing.T) {
	readerDeny := []string{"coopera.>", "$KV.>", "$O.>",
		"$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>", "$JS.API.STREAM.DELETE.>",
		"$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.MSG.DELETE.>"}
	c, err := natsembed.Start(1, t.TempDir(), func(_ int, o *server.Options) {
		o.Users = []*server.User{
			{Username: "sequencer", Password: "sequencer-pw"},
			{Username: "reader", Password: "reader-pw", Permissions: &server.Permissions{Publish: &server.SubjectPermission{Deny: readerDeny}}},
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	if _, err := nats.Connect(c.URLs()); err == nil {
		t.Fatal("the servers take connections without credentials")
	}
	conn := func(user string) *nats.Conn {
		nc, err := nats.Connect(c.URLs(), nats.UserInfo(user, user+"-pw"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	node := func(id string, nc *nats.Conn) *coopera.Engine {
		e, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), MaxClockSkew: -1,
			Replication: &replication.Options{Conn: nc, NodeID: id, Replicas: 1, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: -1}})
		if err != nil {
			t.Fatalf("node %s: %v", id, err)
		}
		return e
	}
	a := node("a", conn("sequencer"))
	defer a.Close()
	leader := waitLeader(t, a)
	submitN(t, leader, "x", 3)
	b := node("b", conn("reader"))
	defer b.Close()
	converge(t, leader.Head(), a, b)
	good := b.Head()

	reader := conn("reader")
	js, _ := jetstream.New(reader)
	blk, _ := leader.Block(context.Background(), good.Height)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := js.Publish(ctx, "coopera.COOPERA_TEST.blocks", blk.Raw(), jetstream.WithExpectLastSequence(good.Height+1)); err == nil {
		t.Fatal("a reader published to the block stream")
	}
	kv, err := js.KeyValue(context.Background(), "COOPERA_TEST_LEASE")
	if err != nil {
		t.Fatal(err)
	}
	kctx, kcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer kcancel()
	if _, err := kv.Put(kctx, "leader", []byte("mallory")); err == nil {
		t.Fatal("a reader wrote the leader lease")
	}
	// The leader goes away; the reader cannot take over.
	a.Close()
	time.Sleep(3 * time.Second) // three lease lifetimes
	if b.IsLeader() {
		t.Fatal("a node with reader credentials took the lead")
	}
	if b.Head() != good || b.Err() != nil {
		t.Fatalf("the reader's chain moved: %+v, %v", b.Head(), b.Err())
	}
}

// TestAttackClockSkew: a node whose clock runs ten years ahead. In a
// replicated chain it never takes the lead (its clock is checked against
// the NATS servers'); on a chain with a time step bound, even a leader
// with that clock advances block time one step per block at most.
func TestAttackClockSkew(t *testing.T) {
	ahead := func() time.Time { return time.Now().Add(10 * 365 * 24 * time.Hour) }
	c := startNATS(t, 1)
	skewed := openNode(t, c, t.TempDir(), "skewed", 1, func(o *coopera.Options) { o.Clock, o.MaxClockSkew = ahead, 0 })
	defer skewed.Close()
	time.Sleep(2 * time.Second) // several lease rounds
	if skewed.IsLeader() {
		t.Fatal("a node ten years ahead of the NATS servers took the lead")
	}
	honest := openNode(t, c, t.TempDir(), "honest", 1, func(o *coopera.Options) { o.Clock, o.MaxClockSkew = time.Now, 0 })
	defer honest.Close()
	if waitLeader(t, skewed, honest) != honest {
		t.Fatal("the skewed node leads")
	}

	// Embedded, with params.ledger: the step bound.
	e := openTest(t, t.TempDir(), func(o *coopera.Options) {
		o.Genesis.Params = map[string]json.RawMessage{"ledger": json.RawMessage(`{"max_time_step": "24h"}`)}
		o.Clock = ahead
	})
	defer e.Close()
	start := e.Head().Time
	for i := range 5 {
		if _, err := e.Submit(context.Background(), transfer("alice", "bob", "COOP", uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Duration(e.Head().Time - start); d > 5*24*time.Hour {
		t.Fatalf("five blocks moved block time %s, more than five steps of 24h", d)
	}
	mustVerify(t, e)
}

// TestNATSWithNkeysAndTLS: the embedded server requires TLS and nkey
// authentication; a node connected with an nkey over TLS leads and
// commits, and a connection without TLS or with another key is refused.
func TestNATSWithNkeysAndTLS(t *testing.T) {
	serverTLS, clientTLS := selfSignedTLS(t)
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	nkeyOpt := nats.Nkey(pub, func(nonce []byte) ([]byte, error) { return user.Sign(nonce) })
	c, err := natsembed.StartWith(1, t.TempDir(), natsembed.Setup{
		Server: []func(int, *server.Options){func(_ int, o *server.Options) {
			o.Nkeys = []*server.NkeyUser{{Nkey: pub}}
			o.TLS, o.TLSConfig, o.TLSTimeout = true, serverTLS, 5
		}},
		Client: []nats.Option{nkeyOpt, nats.Secure(clientTLS)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	if nc, err := nats.Connect(c.URLs(), nkeyOpt); err == nil {
		nc.Close()
		t.Fatal("a connection without TLS was accepted")
	}
	other, _ := nkeys.CreateUser()
	otherPub, _ := other.PublicKey()
	if nc, err := nats.Connect(c.URLs(), nats.Secure(clientTLS), nats.Nkey(otherPub, func(n []byte) ([]byte, error) { return other.Sign(n) })); err == nil {
		nc.Close()
		t.Fatal("an unknown nkey was accepted")
	}
	nc, err := nats.Connect(c.URLs(), nkeyOpt, nats.Secure(clientTLS))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	a, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), MaxClockSkew: -1,
		Replication: &replication.Options{Conn: nc, NodeID: "a", Replicas: 1, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	submitN(t, waitLeader(t, a), "tls", 2)
	mustVerify(t, a)
}

// selfSignedTLS returns a server configuration with a certificate for
// 127.0.0.1 and a client configuration that trusts only it.
func selfSignedTLS(t *testing.T) (*tls.Config, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "coopera-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}
