package main

// The node's status lines and logs: a line when the role, height, root or
// lag changes; leadership changes, slow blocks, divergence and faults
// logged with log/slog.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// newLogger returns the logger of a long-running command: slog's text
// handler when standard error is a terminal, JSON otherwise, at level
// ("debug", "info", "warn" or "error").
func (c *cli) newLogger(level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	return newLogger(c.stderr, c.stderrTerminal, lv), nil
}

func newLogger(w io.Writer, terminal bool, lv slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: lv}
	if terminal {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// nodeStatus is a node's status line.
type nodeStatus struct {
	Time      string `json:"time"`
	Node      string `json:"node"`
	Role      string `json:"role"`
	Height    uint64 `json:"height"`
	StateRoot string `json:"state_root"`
	Lag       uint64 `json:"lag"`
}

func statusOf(eng *coopera.Engine, id string) nodeStatus {
	h := eng.Head()
	role := "follower"
	if eng.IsLeader() {
		role = "leader"
	}
	return nodeStatus{Time: time.Now().UTC().Format(time.RFC3339Nano), Node: id, Role: role, Height: h.Height, StateRoot: h.StateRoot.String(), Lag: eng.Lag()}
}

// watchNode prints the node's status when it changes and logs its events
// until ctx ends (status 0) or the engine fails (status 1).
func (c *cli) watchNode(ctx context.Context, eng *coopera.Engine, id string, log *slog.Logger, asJSON bool, slow time.Duration) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go logSlowBlocks(ctx, eng, log, slow)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	var last nodeStatus
	for first := true; ; first = false {
		st := statusOf(eng, id)
		at := st.Time
		st.Time = "" // a change is a change of anything else
		if st != last {
			if !first && st.Role != last.Role {
				log.Info("leadership changed", "role", st.Role, "was", last.Role, "height", st.Height)
			}
			last = st
			st.Time = at
			if asJSON {
				c.writeJSONLine(st)
			} else {
				fmt.Fprintf(c.stdout, "node %s: %s, height %d, root %s, lag %d\n", id, st.Role, st.Height, st.StateRoot[:12], st.Lag)
			}
		}
		if err := eng.Err(); err != nil {
			if errors.Is(err, ledger.ErrDivergence) {
				log.Error("divergence: a block's state root differs from this node's; the node stopped", "err", err, "height", st.Height)
			} else {
				log.Error("fault: the node stopped", "err", err, "height", st.Height)
			}
			return c.fail(err)
		}
		select {
		case <-ctx.Done():
			log.Info("stopping", "height", st.Height)
			return exitOK
		case <-t.C:
		}
	}
}

// logSlowBlocks logs, at Warn, each block committed more than slow after
// its time while the node is caught up (a node catching up reads old
// blocks).
func logSlowBlocks(ctx context.Context, eng *coopera.Engine, log *slog.Logger, slow time.Duration) {
	if slow <= 0 {
		return
	}
	sub := eng.Subscribe(eng.Head().Height + 1)
	for {
		b, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if d := time.Since(time.Unix(0, b.Time)); d > slow && eng.Lag() == 0 {
			log.Warn("slow block", "height", b.Height, "after", d.Round(time.Millisecond), "commands", len(b.Commands))
		}
	}
}

// writeJSONLine writes v as one line of JSON (a stream of documents).
func (c *cli) writeJSONLine(v any) {
	c.wroteJSON = true
	b, _ := json.Marshal(v)
	c.stdout.Write(append(b, '\n'))
}

// inUse explains an error opening dir whose lock another process (or this
// one) holds.
func inUse(dir string, err error) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) ||
		strings.Contains(s, "resource temporarily unavailable") || strings.Contains(s, "lock held by current process") {
		return fmt.Errorf("the ledger in %s is in use by another process (a node or another coopera command holds its lock); stop it, or work on a snapshot (coopera snapshot): %w", dir, err)
	}
	return err
}

// replicasHint explains NATS's refusal of a replicated stream on a single
// server.
func replicasHint(err error, replicas int) error {
	if err == nil || replicas <= 1 {
		return err
	}
	s := err.Error()
	if strings.Contains(s, "replicas > 1 not supported in non-clustered mode") || strings.Contains(s, "insufficient resources") {
		return fmt.Errorf("the NATS servers cannot hold %d replicas: against a single server (not a JetStream cluster of %d), give -replicas 1: %w", replicas, replicas, err)
	}
	return err
}
