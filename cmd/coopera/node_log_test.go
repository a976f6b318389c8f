package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNodeStatusAndLogs runs coopera node against one NATS server: with
// -json it prints a JSON status line when something changes (not every
// tick), logs JSON (standard error is not a terminal) and stops with
// status 0 when interrupted.
func TestNodeStatusAndLogs(t *testing.T) {
	cl, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Shutdown()
	genesis := filepath.Join(t.TempDir(), "genesis.json")
	os.WriteFile(genesis, []byte(exampleGenesis("node-log", nowSecond())), 0o600)
	dir := filepath.Join(t.TempDir(), "n1")
	var out, errb syncBuffer
	c := &cli{stdout: &out, stderr: &errb}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- c.run(ctx, []string{"node", "-genesis", genesis, "-nats", cl.URL(0), "-replicas", "1", "-id", "n1", "-json", "-log-level", "debug", dir})
	}()
	waitFor(t, 20*time.Second, func() bool { return strings.Contains(out.String(), `"role":"leader"`) })
	time.Sleep(time.Second) // four ticks with nothing changing
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var last nodeStatus
	for _, l := range lines {
		var st nodeStatus
		if err := json.Unmarshal([]byte(l), &st); err != nil || st.Node != "n1" || st.Time == "" {
			t.Fatalf("status line %q: %v", l, err)
		}
		st.Time = ""
		if st == last {
			t.Errorf("a status line repeats the one before: %s", l)
		}
		last = st
	}
	if len(lines) > 4 {
		t.Errorf("%d status lines for a node that only became leader:\n%s", len(lines), out.String())
	}
	for _, want := range []string{`"msg":"opening the ledger"`, `"msg":"stopping"`, `"node":"n1"`} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, errb.String())
		}
	}
}

// TestNodeReplicasHint: -replicas 3 (the default) against a single NATS
// server says to give -replicas 1.
func TestNodeReplicasHint(t *testing.T) {
	cl, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Shutdown()
	genesis := filepath.Join(t.TempDir(), "genesis.json")
	os.WriteFile(genesis, []byte(exampleGenesis("node-replicas", nowSecond())), 0o600)
	r := runCLI(t, "node", "-genesis", genesis, "-nats", cl.URL(0), "-id", "n1", "-json", filepath.Join(t.TempDir(), "n1")).want(t, exitFail)
	var doc errorDoc
	decodeJSON(t, r, &doc)
	if !strings.Contains(doc.Message, "give -replicas 1") {
		t.Errorf("message %q lacks the hint", doc.Message)
	}
}

// TestLedgerInUse: a ledger held open says it is in use, not "resource
// temporarily unavailable".
func TestLedgerInUse(t *testing.T) {
	dir := newLedger(t)
	eng, err := openLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	runCLI(t, "balance", dir, "alice").want(t, exitFail).stderrContains(t, "is in use by another process")
}

// TestSlowBlocks: a block committed long after its time (here: a sequencer
// clock a minute behind) is logged as slow; with a threshold above the
// delay it is not.
func TestSlowBlocks(t *testing.T) {
	for _, tc := range []struct {
		slow time.Duration
		want bool
	}{{time.Second, true}, {time.Hour, false}} {
		g, err := ledger.ParseGenesis([]byte(exampleGenesis("slow", nowSecond().Add(-2*time.Minute))))
		if err != nil {
			t.Fatal(err)
		}
		opts, err := ledgerOptions()
		if err != nil {
			t.Fatal(err)
		}
		opts.Genesis = g
		opts.Clock = func() time.Time { return time.Now().Add(-time.Minute) }
		eng, err := coopera.Open(t.TempDir(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		var buf syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			logSlowBlocks(ctx, eng, newLogger(&buf, false, slog.LevelInfo), tc.slow)
			close(done)
		}()
		time.Sleep(50 * time.Millisecond) // subscribed
		srv := httptest.NewServer(api.NewHandler(eng, nil))
		status, m := apiPost(t, srv.URL, "application/json", "", payBob)
		srv.Close()
		if status != 200 {
			t.Fatalf("submit: %d %v", status, m)
		}
		if tc.want {
			waitFor(t, 5*time.Second, func() bool { return strings.Contains(buf.String(), `"msg":"slow block","height":1`) })
		} else {
			time.Sleep(200 * time.Millisecond)
		}
		cancel()
		<-done
		if got := strings.Contains(buf.String(), "slow block"); got != tc.want {
			t.Errorf("threshold %s: logged %v, want %v:\n%s", tc.slow, got, tc.want, buf.String())
		}
	}
}
