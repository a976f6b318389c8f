package coopera_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// TestCrashKeepsAcknowledged kills a child process that is submitting under
// load with SIGKILL at random moments, restarts the ledger, and checks that
// every command the child saw acknowledged is in the log, that nothing was
// applied twice, and that verify passes. 20 trials by default; set
// COOPERA_CRASH_TRIALS for more.
func TestCrashKeepsAcknowledged(t *testing.T) {
	trials := 20
	if s := os.Getenv("COOPERA_CRASH_TRIALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("COOPERA_CRASH_TRIALS=%q: %v", s, err)
		}
		trials = n
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var acked []string
	for trial := range trials {
		child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		child.Env = append(os.Environ(), "COOPERA_CRASH_CHILD="+dir, fmt.Sprintf("COOPERA_CRASH_TRIAL=%d", trial))
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var got []string
		ready := make(chan struct{})
		readDone := make(chan struct{})
		go func() {
			defer close(readDone)
			sc := bufio.NewScanner(out)
			once := sync.Once{}
			for sc.Scan() {
				line := sc.Text()
				if line == "ready" {
					once.Do(func() { close(ready) })
					continue
				}
				mu.Lock()
				got = append(got, line)
				mu.Unlock()
			}
			once.Do(func() { close(ready) })
		}()
		<-ready
		time.Sleep(time.Duration(5+rng.IntN(120)) * time.Millisecond)
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		<-readDone
		acked = append(acked, got...)

		// Restart: every acknowledged command is there, once.
		e, err := coopera.Open(dir, &coopera.Options{})
		if err != nil {
			t.Fatalf("trial %d: reopening after SIGKILL: %v", trial, err)
		}
		cmds := make([]*ledger.Command, len(got))
		for i, k := range got {
			cmds[i] = crashCommand(k)
		}
		rs, err := e.SubmitBatch(context.Background(), cmds)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		for i, r := range rs {
			if !r.Duplicate {
				t.Fatalf("trial %d: acknowledged command %s was lost (resubmitting applied it again)", trial, got[i])
			}
		}
		bob := balance(t, e, "bob", "COOP")
		if bob < uint64(len(acked)) {
			t.Fatalf("trial %d: bob has %d, but %d transfers of 1 were acknowledged", trial, bob, len(acked))
		}
		if trial%5 == 4 || trial == trials-1 {
			mustVerify(t, e)
		}
		e.Close()
		t.Logf("trial %d: %d acknowledged before the kill, %d in all, %d applied", trial, len(got), len(acked), bob)
	}
	if len(acked) == 0 {
		t.Fatal("no command was ever acknowledged: the child never got going")
	}
}

func crashCommand(key string) *ledger.Command {
	c := transfer("alice", "bob", "COOP", 1)
	c.Key = key
	return c
}

// TestCrashChild is the child process of TestCrashKeepsAcknowledged; it
// does nothing unless COOPERA_CRASH_CHILD names a directory.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("COOPERA_CRASH_CHILD")
	if dir == "" {
		return // only run as a child
	}
	trial := os.Getenv("COOPERA_CRASH_TRIAL")
	e, err := coopera.Open(dir, &coopera.Options{Genesis: testGenesis(t)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	os.Stdout.WriteString("ready\n")
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := "t" + trial + "-g" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				if _, err := e.Submit(context.Background(), crashCommand(key)); err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(4)
				}
				os.Stdout.WriteString(key + "\n") // one write: atomic on a pipe
			}
		}()
	}
	wg.Wait()
}
