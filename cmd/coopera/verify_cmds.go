package main

// Commands over the whole log: verify, replay, snapshot.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

var cmdVerify = &command{
	name:     "verify",
	synopsis: "DIR",
	summary:  "replay the log from genesis and check every hash and state root",
	help: `Verify proves that the state of the ledger in DIR is exactly what its log
says: it replays every block from genesis into a scratch store, checks the
hash chain, each block's body hash and state root, that the stored state
hashes to the head's root, and the ledger's invariants.

Exit status 1 on the first failure, reported as corrupt (stored bytes do
not match their hashes) or divergence (a state root differs).`,
	run: runVerify,
}

func runVerify(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	dir := pos[0]
	return c.withLedger(dir, func(eng *coopera.Engine) int {
		rep, err := eng.Verify(ctx)
		return c.printVerify(dir, "verified", rep, err, f.json)
	})
}

// printVerify prints the outcome of verify or replay.
func (c *cli) printVerify(dir, verb string, rep *coopera.VerifyReport, err error, asJSON bool) int {
	if asJSON {
		if rep == nil {
			rep = &coopera.VerifyReport{}
		}
		if code := c.writeJSON(verifyJSON{OK: err == nil, Dir: dir, Report: rep, Error: newErrorJSON(err)}); code != exitOK {
			return code
		}
	}
	if err != nil {
		n := uint64(0)
		if rep != nil {
			n = rep.Blocks
		}
		c.errorf("%s failed after %d good blocks: %s", dir, n, errText(err))
		return exitFail
	}
	if !asJSON {
		writeReport(c.stdout, "", verb, rep)
	}
	return exitOK
}

var cmdReplay = &command{
	name:     "replay",
	synopsis: "SRC DST",
	summary:  "rebuild a ledger from another's log, checking every state root",
	help: `Replay rebuilds the ledger in SRC into the new directory DST by applying
its log from genesis, re-deriving and checking every state root on the
way. DST is an independent ledger that every command opens. SRC must not
be in use by another process.`,
	run: runReplay,
}

func runReplay(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	pos, code, done := c.parse(cmd, f, args, 2, 2)
	if done {
		return code
	}
	src, dst := pos[0], pos[1]
	if ok, err := hasStore(src); err != nil {
		return c.fail(err)
	} else if !ok {
		return c.fail(&errNoLedger{src})
	}
	if _, err := os.Stat(dst); err == nil {
		return c.fail(fmt.Errorf("%s exists; replay needs a new directory", dst))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return c.fail(err)
	}
	rep, err := coopera.Replay(ctx, src, dst, replayOptions())
	if errors.Is(err, ledger.ErrInvalidGenesis) {
		err = &errNoLedger{src}
	}
	if err != nil {
		// DST did not exist: what is there is a partial replay.
		os.RemoveAll(dst)
	}
	if err == nil && !f.json {
		fmt.Fprintf(c.stdout, "replayed %s into %s\n", src, dst)
	}
	return c.printVerify(dst, "replayed", rep, err, f.json)
}

var cmdSnapshot = &command{
	name:     "snapshot",
	synopsis: "DIR DEST",
	summary:  "write a consistent copy of a ledger to a new directory",
	help: `Snapshot writes a consistent copy of the ledger in DIR, at a block
boundary, to the new directory DEST, which every command then opens as a
ledger of its own.`,
	run: runSnapshot,
}

func runSnapshot(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	pos, code, done := c.parse(cmd, f, args, 2, 2)
	if done {
		return code
	}
	dir, dest := pos[0], pos[1]
	if _, err := os.Stat(dest); err == nil {
		return c.fail(fmt.Errorf("%s exists; snapshot needs a new directory", dest))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return c.fail(err)
	}
	return c.withLedger(dir, func(eng *coopera.Engine) int {
		// The engine is ours alone, so the head cannot move under the copy.
		h := eng.Head()
		if err := eng.Snapshot(ctx, dest); err != nil {
			return c.fail(err)
		}
		if f.json {
			return c.writeJSON(map[string]any{
				"dir": dir, "dest": dest, "height": h.Height, "hash": h.Hash, "state_root": h.StateRoot,
			})
		}
		fmt.Fprintf(c.stdout, "snapshot of %s at height %d written to %s\n  head        %s\n  state root  %s\n",
			dir, h.Height, dest, h.Hash, h.StateRoot)
		return exitOK
	})
}

// replayOptions are the options a replay runs the log with: the CLI's
// modules.
func replayOptions() *coopera.Options { return &coopera.Options{Modules: defaultModules()} }
