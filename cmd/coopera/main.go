// Command coopera is the command-line front end of an embedded coopera
// ledger: it creates a ledger from a genesis file, submits commands, reads
// balances, blocks and events, and verifies, replays and snapshots the log.
//
// Every subcommand opens the ledger directory, does its work and closes it;
// two commands cannot hold the same directory at once. Every subcommand
// accepts -json (or --json) and then writes exactly one JSON document to
// standard output, with amounts as strings of base units.
//
// Exit status: 0 on success, 1 when the operation failed (a rejected
// command, a failed verification, a missing ledger), 2 when the command
// line or its input is wrong (usage, malformed JSON, an invalid genesis).
//
// Run "coopera quickstart" for a tour, and "coopera help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/coopera/coopera/ledger"
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

// run runs the command line args (without the program name) with the
// process's standard input and returns the exit status. Tests call it
// in-process; a test that feeds standard input builds a cli itself.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdin: os.Stdin, stdout: stdout, stderr: stderr}
	return c.run(context.Background(), args)
}

// cli holds a run's standard streams.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is a subcommand.
type command struct {
	name     string
	synopsis string // arguments after the name, for usage
	summary  string // one line for the command list
	help     string // a paragraph for "coopera help NAME"
	run      func(c *cli, ctx context.Context, cmd *command, args []string) int
}

// commands lists the subcommands in the order usage shows them.
var commands []*command

func init() {
	commands = []*command{
		cmdQuickstart,
		cmdInit,
		cmdKeygen,
		cmdSubmit,
		cmdBalance,
		cmdBlocks,
		cmdEvents,
		cmdVerify,
		cmdReplay,
		cmdSnapshot,
		cmdContribution,
		cmdMeter,
		cmdNode,
		cmdClusterDemo,
		cmdGov,
		cmdSim,
	}
}

func lookupCommand(name string) *command {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			cmd := lookupCommand(rest[0])
			if cmd == nil {
				fmt.Fprintf(c.stderr, "coopera: unknown command %q\n\n", rest[0])
				c.usage(c.stderr)
				return exitUsage
			}
			return cmd.run(c, ctx, cmd, []string{"-h"})
		}
		c.usage(c.stdout)
		return exitOK
	}
	cmd := lookupCommand(name)
	if cmd == nil {
		fmt.Fprintf(c.stderr, "coopera: unknown command %q\n\n", name)
		c.usage(c.stderr)
		return exitUsage
	}
	code := cmd.run(c, ctx, cmd, rest)
	if code != exitOK && ctx.Err() != nil {
		return exitIntr
	}
	return code
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `coopera is an embedded, event-sourced ledger. This tool drives a ledger directory.

usage: coopera <command> [arguments]

commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, cmd := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(tw, "  help\t%s\n", "show this text, or a command's: coopera help <command>")
	tw.Flush()
	fmt.Fprint(w, `
Every command accepts -json for one JSON document on standard output.
Exit status: 0 success, 1 the operation failed (such as a rejected command), 2 bad usage or input.

Start with: coopera quickstart
`)
}

func (c *cli) commandUsage(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: coopera %s %s\n\n%s\n", cmd.name, cmd.synopsis, cmd.help)
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flags is a subcommand's flag set with the -json flag every command has.
type flags struct {
	fs   *flag.FlagSet
	json bool
}

func (c *cli) newFlags(cmd *command) *flags {
	f := &flags{fs: flag.NewFlagSet(cmd.name, flag.ContinueOnError)}
	f.fs.SetOutput(io.Discard)
	f.fs.BoolVar(&f.json, "json", false, "write one JSON document to standard output")
	return f
}

// parse parses args, which may mix flags and positional arguments
// ("blocks DIR -limit 5"), and checks the number of positional arguments.
// When done is true the caller returns code: -h was given (usage on
// stdout, status 0) or the command line is wrong (usage on stderr, 2).
func (c *cli) parse(cmd *command, f *flags, args []string, minArgs, maxArgs int) (pos []string, code int, done bool) {
	pos, err := parseInterspersed(f.fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.commandUsage(c.stdout, cmd, f.fs)
		return nil, exitOK, true
	}
	if err == nil && len(pos) < minArgs {
		err = fmt.Errorf("%s needs %d argument(s): %s", cmd.name, minArgs, cmd.synopsis)
	}
	if err == nil && maxArgs >= 0 && len(pos) > maxArgs {
		err = fmt.Errorf("%s takes at most %d argument(s), got %d: %q", cmd.name, maxArgs, len(pos), pos)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "coopera: %s: %v\n\n", cmd.name, err)
		c.commandUsage(c.stderr, cmd, f.fs)
		return nil, exitUsage, true
	}
	return pos, exitOK, false
}

// parseInterspersed parses flags anywhere among the positional arguments;
// everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// fail reports err on stderr and returns exitFail.
func (c *cli) fail(err error) int {
	c.errorf("%s", errText(err))
	return exitFail
}

// failInput reports bad input on stderr and returns exitUsage.
func (c *cli) failInput(err error) int {
	c.errorf("%s", errText(err))
	return exitUsage
}

func (c *cli) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "coopera: "+format+"\n", args...)
}

// errText returns err's message without the "coopera: " prefixes that the
// library's errors carry (nested errors repeat it), since the CLI adds one.
func errText(err error) string {
	s := strings.TrimPrefix(err.Error(), "coopera: ")
	return strings.ReplaceAll(s, ": coopera: ", ": ")
}

// isInputError reports whether err refuses the input itself (malformed,
// unknown, unsigned...) rather than reporting a fault of the ledger.
func isInputError(err error) bool {
	var le *ledger.Error
	if !errors.As(err, &le) {
		var ae *ledger.AmountError
		return errors.As(err, &ae)
	}
	for _, fault := range []*ledger.Error{ledger.ErrCorrupt, ledger.ErrDivergence, ledger.ErrInvariant, ledger.ErrClosed} {
		if errors.Is(err, fault) {
			return false
		}
	}
	return true
}
