package main

// coopera cluster-demo: three NATS servers and three nodes in one process.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

var cmdClusterDemo = &command{
	name:     "cluster-demo",
	synopsis: "[-dir DIR]",
	summary:  "run three NATS servers and three replicated nodes in-process, with a failover",
	help: `Cluster-demo starts three NATS servers clustered with JetStream on loopback
(a stream with 3 replicas, file storage, fsync on every write) and three
coopera nodes, each with its own Pebble directory. It writes on the leader
and shows the write on every node with the same state root, then stops the
leader and shows another node taking over and the write
after it reaching the survivors. Everything lives under a new temporary
directory (or DIR) and stops when the demo ends.`,
	run: runClusterDemo,
}

func runClusterDemo(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	dir := f.fs.String("dir", "", "keep the servers' and nodes' data in `DIR`")
	if _, code, done := c.parse(cmd, f, args, 0, 0); done {
		return code
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "coopera-cluster-")
		if err != nil {
			return c.fail(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	out := c.stdout
	var narrative bytes.Buffer
	if f.json {
		out = &narrative // the steps go into the JSON document
	}
	fmt.Fprintln(out, "starting three NATS servers (JetStream, clustered, fsync always) ...")
	cl, err := natsembed.Start(3, filepath.Join(*dir, "nats"))
	if err != nil {
		return c.fail(err)
	}
	defer cl.Shutdown()
	for i := range cl.Servers {
		fmt.Fprintf(out, "  n%d at %s\n", i, cl.URL(i))
	}
	// The accounts and the nodes get keys: commands are signed, and blocks
	// are signed by a sequencer key that every node holds (each node could
	// have its own; the chain lists the keys it accepts).
	keys, err := genKeys(exampleAccounts...)
	if err != nil {
		return c.fail(err)
	}
	seq, err := genKeys("sequencer")
	if err != nil {
		return c.fail(err)
	}
	genesis := withSequencers(exampleGenesis("coopera-cluster-demo", time.Now().Truncate(time.Second), publicKeys(keys)), publicKeys(seq)["sequencer"])
	g, err := ledger.ParseGenesis([]byte(genesis))
	if err != nil {
		return c.fail(err)
	}
	nodes := make([]*coopera.Engine, 3)
	defer func() {
		for _, n := range nodes {
			if n != nil {
				n.Close()
			}
		}
	}()
	for i := range nodes {
		o, err := ledgerOptions() // the policy admitter over the built-in policies
		if err != nil {
			return c.fail(err)
		}
		o.Genesis = g
		o.SequencerKey = seq["sequencer"]
		o.Replication = &replication.Options{
			URLs: cl.URLs(), NodeID: fmt.Sprintf("node%d", i), Replicas: 3, LeaseTTL: time.Second,
		}
		n, err := coopera.Open(filepath.Join(*dir, fmt.Sprintf("node%d", i)), o)
		if err != nil {
			return c.fail(err)
		}
		nodes[i] = n
	}
	fmt.Fprintln(out, "started three nodes; waiting for a leader ...")
	leader, err := waitForLeader(ctx, nodes)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(out, "  leader: node%d\n\n", index(nodes, leader))

	pay := func(leader *coopera.Engine, key string, amount uint64) error {
		cmd := &ledger.Command{Actor: "alice", Key: key, Payload: &ledger.Transfer{Legs: []ledger.Leg{{To: "bob", Asset: "COOP", Amount: ledger.NewAmount(amount)}}}}
		last, err := ledger.LastNonce(leader.View(), "alice")
		if err != nil {
			return err
		}
		cmd.Nonce = last + 1
		cmd.Sign(leader.ChainID(), keys["alice"])
		rc, err := leader.Submit(ctx, cmd)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "alice pays bob %s COOP on node%d: block %d\n", ledger.NewAmount(amount).Format(6), index(nodes, leader), rc.Height)
		return waitConverged(ctx, nodes, leader.Head())
	}
	show := func() {
		for i, n := range nodes {
			if n == nil {
				fmt.Fprintf(out, "  node%d: stopped\n", i)
				continue
			}
			bob, _ := n.Balance(ctx, "bob", "COOP")
			role := "follower"
			if n.IsLeader() {
				role = "leader"
			}
			h := n.Head()
			fmt.Fprintf(out, "  node%d (%s): height %d, state root %s, bob has %s COOP\n", i, role, h.Height, h.StateRoot.Short(), bob.Format(6))
		}
		fmt.Fprintln(out)
	}
	if err := pay(leader, "demo-1", 125_000_000); err != nil {
		return c.fail(err)
	}
	show()

	i := index(nodes, leader)
	fmt.Fprintf(out, "stopping node%d, the leader (it hands its lease back; had it crashed, the lease would lapse after 1s) ...\n", i)
	t0 := time.Now()
	leader.Close()
	nodes[i] = nil
	if leader, err = waitForLeader(ctx, nodes); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(out, "  node%d leads after %v\n", index(nodes, leader), time.Since(t0).Round(10*time.Millisecond))
	if err := pay(leader, "demo-2", 5_000_000); err != nil {
		return c.fail(err)
	}
	show()
	fmt.Fprintln(out, "every node holds the same blocks and state root; nothing acknowledged was lost.")
	if f.json {
		doc := clusterDemoJSON{Steps: []string{}}
		for _, line := range strings.Split(narrative.String(), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				doc.Steps = append(doc.Steps, line)
			}
		}
		for i, n := range nodes {
			if n != nil {
				doc.Nodes = append(doc.Nodes, statusOf(n, fmt.Sprintf("node%d", i)))
			}
		}
		return c.writeJSON(doc)
	}
	return exitOK
}

// clusterDemoJSON is the document of cluster-demo -json: the narrative's
// lines and the surviving nodes' status.
type clusterDemoJSON struct {
	Steps []string     `json:"steps"`
	Nodes []nodeStatus `json:"nodes"`
}

func index(nodes []*coopera.Engine, n *coopera.Engine) int {
	for i, x := range nodes {
		if x == n {
			return i
		}
	}
	return -1
}

func waitForLeader(ctx context.Context, nodes []*coopera.Engine) (*coopera.Engine, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range nodes {
			if n != nil && n.IsLeader() {
				return n, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("no node took the lead within 30s")
}

func waitConverged(ctx context.Context, nodes []*coopera.Engine, want coopera.Head) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ok := true
		for _, n := range nodes {
			if n != nil && n.Head() != want {
				ok = false
			}
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("the nodes did not reach height %d within 30s", want.Height)
}
