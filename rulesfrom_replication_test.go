package coopera_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/store"
)

// joinNode opens a replicated node as openNode does, with RulesFrom h,
// and returns Open's error.
func joinNode(t *testing.T, c *natsCluster, dir, id string, h uint64) (*coopera.Engine, error) {
	return coopera.Open(dir, &coopera.Options{Genesis: testGenesis(t), Clock: stepClock(), MaxClockSkew: -1, RulesFrom: h,
		Replication: &replication.Options{URLs: c.urls(), NodeID: id, Replicas: 1, LeaseTTL: 900 * time.Millisecond, SnapshotEvery: -1}})
}

// storeHead reads the head height of the ledger in dir.
func storeHead(t *testing.T, dir string) uint64 {
	t.Helper()
	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, ok, err := db.Head()
	if err != nil || !ok {
		t.Fatalf("%s: head %v, %v", dir, ok, err)
	}
	return h.Height
}

// TestReplicatedRulesFromSnapshot: a snapshot carries its publisher's
// rules height. A node joining from it without a height takes it; one
// given another height, after the chain of the snapshot reached the
// recorded one, refuses the snapshot with ErrRulesFrom before its store is
// swapped (as does a node whose store records another height, given none);
// a snapshot without a record gets the joining node's height.
func TestReplicatedRulesFromSnapshot(t *testing.T) {
	c := startNATS(t, 1)
	const from = 3
	a := openNode(t, c, t.TempDir(), "a", 1, withRules(from))
	defer a.Close()
	leader := waitLeader(t, a)
	submitN(t, leader, "x", 5)
	height := leader.Head().Height
	if err := leader.PublishSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Given another height: refused, the node's new ledger untouched.
	dir := t.TempDir()
	if e, err := joinNode(t, c, dir, "b", from+1); !errors.Is(err, coopera.ErrRulesFrom) {
		if err == nil {
			e.Close()
		}
		t.Fatalf("a node given RulesFrom %d joining from a snapshot recorded from %d at height %d: %v, want ErrRulesFrom", from+1, from, height, err)
	}
	if h, ok := recordedRules(t, dir); !ok || h != from+1 {
		t.Fatalf("the refusing node's store records %d, %v; want its own %d", h, ok, from+1)
	}
	if h := storeHead(t, dir); h != 0 {
		t.Fatalf("the refusing node's store is at height %d: the snapshot was adopted", h)
	}
	// Given none, its store's record counts as its height.
	if e, err := joinNode(t, c, dir, "b", 0); !errors.Is(err, coopera.ErrRulesFrom) {
		if err == nil {
			e.Close()
		}
		t.Fatalf("a node recording RulesFrom %d joining from a snapshot recorded from %d: %v, want ErrRulesFrom", from+1, from, err)
	}
	// Given the chain's height (its store, at genesis, moves to it): it
	// adopts the snapshot.
	b, err := joinNode(t, c, dir, "b", from)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustRules(t, b, from)
	converge(t, leader.Head(), a, b)

	// A new node given none takes the snapshot's height, and records it.
	dir = t.TempDir()
	n, err := joinNode(t, c, dir, "n", 0)
	if err != nil {
		t.Fatal(err)
	}
	mustRules(t, n, from)
	converge(t, leader.Head(), a, n)
	n.Close()
	if h, ok := recordedRules(t, dir); !ok || h != from {
		t.Fatalf("a node adopting a snapshot recorded from %d records %d, %v", from, h, ok)
	}

	// A snapshot without a record (an earlier build's) gets the joining
	// node's height.
	snap := t.TempDir() + "/snapshot"
	if err := leader.Snapshot(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	rawEdit(t, snap, func(db *store.DB) {
		if err := db.Pebble().Delete([]byte("m/rules-from"), nil); err != nil {
			t.Fatal(err)
		}
	})
	log, err := replication.Connect(context.Background(), leader.ChainID(), replication.Options{URLs: c.urls(), NodeID: "publisher", Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if err := log.PutSnapshot(context.Background(), height, snap); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	o, err := joinNode(t, c, dir, "o", from)
	if err != nil {
		t.Fatal(err)
	}
	mustRules(t, o, from)
	converge(t, leader.Head(), a, o)
	o.Close()
	if h, ok := recordedRules(t, dir); !ok || h != from {
		t.Fatalf("a node given RulesFrom %d adopting a snapshot without a record records %d, %v", from, h, ok)
	}
}
