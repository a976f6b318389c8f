package replication_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

// block returns a sealed block at height h with n transfers (about 60
// bytes each), its memo making blocks of the same size differ.
func block(h uint64, n int, memo string) *ledger.Block {
	b := &ledger.Block{Header: ledger.Header{Height: h}}
	for i := range n {
		b.Commands = append(b.Commands, &ledger.Command{Actor: "alice", Key: fmt.Sprintf("k%d", i),
			Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(1)}}, Memo: memo}})
		b.Results = append(b.Results, ledger.Result{Code: "x"})
	}
	b.Seal()
	return b
}

// TestPublishIsIdempotentAndFenced: publishing a block the stream already
// holds (an earlier attempt landed, its acknowledgement lost) succeeds and
// keeps its stored body; another block at that height is fenced and its
// body deleted. Inline and stored bodies alike.
func TestPublishIsIdempotentAndFenced(t *testing.T) {
	c, err := natsembed.Start(1, t.TempDir(), func(_ int, o *server.Options) { o.MaxPayload = 16 << 10 })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	ctx := context.Background()
	l, err := replication.Connect(ctx, "idem", replication.Options{URLs: c.URLs(), NodeID: "a", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for h, n := range []int{2, 400} { // 400 transfers: over 16 KiB, a stored body
		b := block(uint64(h), n, "")
		for try := range 2 {
			if err := l.Publish(ctx, b.Height, b.Hash(), b.Raw(), replication.Signature{}); err != nil {
				t.Fatalf("block %d (%d bytes), publish %d: %v", h, len(b.Raw()), try+1, err)
			}
		}
		got, err := l.Get(ctx, b.Height)
		if err != nil || string(got) != string(b.Raw()) {
			t.Fatalf("block %d after two publishes: %d bytes, %v", h, len(got), err)
		}
		other := block(uint64(h), n, "another")
		if err := l.Publish(ctx, other.Height, other.Hash(), other.Raw(), replication.Signature{}); !errors.Is(err, replication.ErrFenced) {
			t.Fatalf("another block at height %d: %v, want ErrFenced", h, err)
		}
		if got, err := l.Get(ctx, b.Height); err != nil || string(got) != string(b.Raw()) {
			t.Fatalf("block %d after a fenced publish: %d bytes, %v", h, len(got), err)
		}
	}
}

// TestStoredBodyReferencesAreChecked: a message whose reference to a
// stored body is malformed, names another height's body, names a body that
// is missing, or gives another size is corrupt (ErrCorrupt), never retried.
func TestStoredBodyReferencesAreChecked(t *testing.T) {
	c, err := natsembed.Start(1, t.TempDir(), func(_ int, o *server.Options) { o.MaxPayload = 16 << 10 })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	ctx := context.Background()
	l, err := replication.Connect(ctx, "refs", replication.Options{URLs: c.URLs(), NodeID: "a", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	big := block(0, 400, "")
	if err := l.Publish(ctx, 0, big.Hash(), big.Raw(), replication.Signature{}); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(l.Conn())
	if err != nil {
		t.Fatal(err)
	}
	objs, err := js.ObjectStore(ctx, "COOPERA_REFS_SNAPSHOTS")
	if err != nil {
		t.Fatal(err)
	}
	name := func(h uint64, hash ledger.Hash) string { return fmt.Sprintf("block/%020d/%s", h, hash) }
	size := fmt.Sprint(len(big.Raw()))
	for i, ref := range []struct {
		what string
		name func(h uint64) string
		size string
	}{
		{"a malformed name", func(uint64) string { return "elsewhere" }, size},
		{"block 0's body", func(uint64) string { return name(0, big.Hash()) }, size},
		{"a missing body", func(h uint64) string { return name(h, big.Hash()) }, size},
		{"no size", func(h uint64) string { return name(h, big.Hash()) }, "x"},
		{"another size", func(h uint64) string { return name(h, big.Hash()) }, fmt.Sprint(len(big.Raw()) + 1)},
		{"another block's bytes", func(h uint64) string { return name(h, big.Hash()) }, size},
	} {
		h := uint64(i + 1)
		if i >= 4 {
			// Bytes stored under the message's own name: block 0's.
			if _, err := objs.Put(ctx, jetstream.ObjectMeta{Name: ref.name(h), Opts: &jetstream.ObjectMetaOptions{ChunkSize: 8 << 10}}, bytes.NewReader(big.Raw())); err != nil {
				t.Fatal(err)
			}
		}
		m := nats.NewMsg("coopera.COOPERA_REFS.blocks")
		m.Header.Set("Coopera-Body", ref.name(h))
		m.Header.Set("Coopera-Size", ref.size)
		if _, err := js.PublishMsg(ctx, m, jetstream.WithExpectLastSequence(h)); err != nil {
			t.Fatalf("%s: %v", ref.what, err)
		}
		if _, err := l.Get(ctx, h); !errors.Is(err, ledger.ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", ref.what, err)
		}
	}
	if got, err := l.Get(ctx, 0); err != nil || string(got) != string(big.Raw()) {
		t.Fatalf("block 0: %d bytes, %v", len(got), err)
	}
}
