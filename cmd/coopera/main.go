// Command coopera is the command-line front end of an embedded coopera
// ledger: it creates a ledger from a genesis file, submits commands, reads
// balances, blocks and events, and verifies, replays and snapshots the log.
//
// Every subcommand opens the ledger directory, does its work and closes it;
// two commands cannot hold the same directory at once ("in use by another
// process"). "coopera node" serves a ledger's HTTP API (package api), and
// submit and balance talk to one with -node URL (package client). Every
// subcommand accepts -json (or --json) and then writes exactly one JSON
// document to standard output (node: one status line per change), with
// amounts as strings of base units and times in RFC 3339; a command that
// fails writes {"code", "message", "details"}.
//
// The command line is parsed by cobra (github.com/spf13/cobra): every
// command has help (-h), examples, and shell completion ("coopera
// completion bash"). Flags take one dash or two: -json and --json are the
// same flag.
//
// Exit status: 0 on success, 1 when the operation failed (a rejected
// command, a failed verification, a missing ledger), 2 when the command
// line or its input is wrong (usage, malformed JSON, an invalid genesis),
// 130 when interrupted (Ctrl-C, SIGTERM) mid-operation.
//
// Run "coopera quickstart" for a tour, and "coopera help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the operation failed
	exitUsage = 2 // the command line or its input is wrong
	exitIntr  = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	code := c.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// fail reports err on stderr and returns exitFail.
func (c *cli) fail(err error) int {
	c.errorf("%s", errText(err))
	c.lastErr, c.lastCode = err, ""
	return exitFail
}

// failInput reports bad input on stderr and returns exitUsage.
func (c *cli) failInput(err error) int {
	c.errorf("%s", errText(err))
	c.lastErr, c.lastCode = err, "bad_input"
	return exitUsage
}

func (c *cli) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.lastErr, c.lastCode = errors.New(msg), ""
	fmt.Fprintf(c.stderr, "coopera: %s\n", msg)
}

// errText returns err's message without the "coopera: " prefixes that the
// library's errors carry (nested errors repeat it), since the CLI adds one.
func errText(err error) string {
	s := strings.TrimPrefix(err.Error(), "coopera: ")
	return strings.ReplaceAll(s, ": coopera: ", ": ")
}
