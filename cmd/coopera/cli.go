package main

// The command tree on cobra: every command's flags, help, examples,
// argument checks and shell completion; one-dash long flags (-json) kept
// working beside cobra's two-dash ones; one JSON error document on stdout
// when a command run with -json fails.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coopera/coopera/ledger"
)

// run runs the command line args (without the program name) with the
// process's standard input and returns the exit status. Tests call it
// in-process; a test that feeds standard input builds a cli itself.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdin: os.Stdin, stdout: stdout, stderr: stderr}
	return c.run(context.Background(), args)
}

// cli holds a run's standard streams and what the run has reported.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// defining is set while the command tree is built: a command's run
	// then only defines its flags, which parse hands to defined.
	defining bool
	defined  *flags

	// leafArgs are the arguments after the command's name, normalised
	// (-json is --json), for the command cobra runs.
	leafArgs []string
	// code is the exit status the command's run returned.
	code int

	// asJSON is set when the command line asks for JSON; wroteJSON when a
	// JSON document went to stdout. lastErr and lastCode are the last
	// failure reported (for the JSON error document).
	asJSON    bool
	wroteJSON bool
	lastErr   error
	lastCode  string
	stderrLog *lastLine
	// stderrTerminal is set when standard error is a terminal.
	stderrTerminal bool
}

// command is a command: a leaf that runs, or a group of subcommands.
type command struct {
	name     string // the words after "coopera", such as "gov vote"
	synopsis string // arguments after the name, for usage
	summary  string // one line for the command list
	help     string // the long help
	// run defines the command's flags, calls c.parse and runs it. It is
	// called twice per command line: once while the tree is built, with
	// c.defining set, when parse hands the flag set to cobra (for help and
	// completion) and returns done; then, for the command cobra chose,
	// with the arguments after its name.
	run func(c *cli, ctx context.Context, cmd *command, args []string) int
	// subcommands make the command a group (gov, sim).
	subcommands []*command
}

// commands lists the commands in the order help shows them.
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
		cmdVersion,
	}
}

const rootHelp = `coopera is an embedded, event-sourced ledger. This tool drives a ledger
directory, or a node's HTTP API.

Every command accepts -json (or --json) for one JSON document on standard
output; a failure is then {"code", "message", "details"}. Flags take one
dash or two.
Exit status: 0 success, 1 the operation failed (such as a rejected command),
2 bad usage or input, 130 interrupted.

Start with: coopera quickstart`

// newRoot builds the command tree for one run.
func (c *cli) newRoot(ctx context.Context) *cobra.Command {
	root := &cobra.Command{
		Use:           "coopera",
		Short:         "an embedded, event-sourced tokenomics and governance ledger",
		Long:          rootHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cc *cobra.Command, args []string) error {
			cc.SetOut(c.stderr)
			cc.Usage()
			return usageErr("no command given")
		},
	}
	root.SetIn(orEmpty(c.stdin))
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	root.SetFlagErrorFunc(func(cc *cobra.Command, err error) error { return usageErr(err.Error()) })
	root.SetUsageTemplate(strings.ReplaceAll(root.UsageTemplate(), ".FlagUsages", " | flagUsages"))
	for _, cmd := range commands {
		root.AddCommand(c.cobraCommand(ctx, cmd, cmd.name))
	}
	return root
}

func orEmpty(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

func init() {
	cobra.EnableCommandSorting = false
	cobra.AddTemplateFunc("flagUsages", flagUsages)
}

// flagUsages lists a flag set for help: "--name VALUE  usage (default
// d)", without pflag's "[=true|false]" on boolean flags.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ name, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "    --" + f.Name
		switch {
		case len(f.Name) == 1: // -o, -q: one letter, one dash
			name = "    -" + f.Name
		case f.Shorthand != "":
			name = "-" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if varname != "" && f.Value.Type() != "bool" {
			name += " " + varname
		}
		switch f.DefValue {
		case "", "0", "false", "[]", "map[]", "0s":
		default:
			if f.Value.Type() == "string" {
				usage += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		rows = append(rows, row{name, usage})
		width = max(width, len(name))
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s   %s\n", width, r.name, r.usage)
	}
	return b.String()
}

// usageError is a command-line error from cobra or the argument checks.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErr(msg string) error { return &usageError{msg} }

// cobraCommand builds cmd's cobra command; use is its last word.
func (c *cli) cobraCommand(ctx context.Context, cmd *command, fullName string) *cobra.Command {
	word := fullName[strings.LastIndexByte(fullName, ' ')+1:]
	cc := &cobra.Command{
		DisableFlagsInUseLine: true,
		Use:                   strings.TrimSpace(word + " " + cmd.synopsis),
		Short:                 cmd.summary,
		Long:                  cmd.help,
		Example:               examples[cmd.name],
	}
	if len(cmd.subcommands) > 0 {
		cc.Use = word
		cc.RunE = func(cc *cobra.Command, args []string) error {
			if len(args) > 0 {
				c.errorf("unknown %s subcommand %q", cmd.name, args[0])
			}
			cc.SetOut(c.stderr)
			cc.Usage()
			c.code = exitUsage
			c.lastCode = "usage"
			return nil
		}
		for _, sub := range cmd.subcommands {
			cc.AddCommand(c.cobraCommand(ctx, sub, sub.name))
		}
		return cc
	}
	// Define the command's flags: its run stops in parse.
	def := &cli{defining: true, stdout: io.Discard, stderr: io.Discard}
	cmd.run(def, ctx, cmd, nil)
	f := def.defined
	if f == nil { // a command without flags of its own
		f = def.newFlags(cmd)
		f.minArgs, f.maxArgs = 0, -1
	}
	cc.Flags().AddFlagSet(f.fs)
	cc.Args = func(cc *cobra.Command, args []string) error {
		return checkArgs(cmd, args, f.minArgs, f.maxArgs)
	}
	cc.RunE = func(cc *cobra.Command, args []string) error {
		c.code = cmd.run(c, cc.Context(), cmd, c.leafArgs)
		return nil
	}
	return cc
}

func checkArgs(cmd *command, pos []string, minArgs, maxArgs int) error {
	if len(pos) < minArgs {
		return usageErr(fmt.Sprintf("%s needs %d argument(s): %s", cmd.name, minArgs, cmd.synopsis))
	}
	if maxArgs >= 0 && len(pos) > maxArgs {
		return usageErr(fmt.Sprintf("%s takes at most %d argument(s), got %d: %q", cmd.name, maxArgs, len(pos), pos))
	}
	return nil
}

// run runs one command line and returns the exit status.
func (c *cli) run(ctx context.Context, args []string) int {
	c.asJSON = wantsJSON(args)
	c.stderrTerminal = isTerminal(c.stderr)
	c.stderrLog = &lastLine{w: c.stderr}
	stderr := c.stderr
	c.stderr = c.stderrLog
	defer func() { c.stderr = stderr }()

	root := c.newRoot(ctx)
	args = c.normalise(root, args)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	code := c.code
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
			c.lastErr, c.lastCode = err, "usage"
			fmt.Fprintf(c.stderr, "coopera: %s\nRun 'coopera help' or 'coopera COMMAND -h' for usage.\n", err)
			code = exitUsage
		} else {
			code = c.fail(err)
		}
	}
	if code != exitOK && ctx.Err() != nil {
		code = exitIntr
	}
	if code != exitOK && c.asJSON && !c.wroteJSON {
		c.writeErrorJSON(code)
	}
	return code
}

// normalise finds the command args name and rewrites its one-dash long
// flags ("-json", "-from=3") to cobra's two-dash form; "-help" is
// "--help". Arguments after "--" stay as they are. It records the
// arguments after the command's name in c.leafArgs.
func (c *cli) normalise(root *cobra.Command, args []string) []string {
	cur, i := root, 0
	for ; i < len(args); i++ {
		var next *cobra.Command
		for _, sub := range cur.Commands() {
			if sub.Name() == args[i] || sub.HasAlias(args[i]) {
				next = sub
			}
		}
		if next == nil {
			break
		}
		cur = next
	}
	out := append([]string(nil), args[:i]...)
	var rest []string
	for j := i; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			rest = append(rest, args[j:]...)
			break
		}
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(a) > 1 {
			name, _, _ := strings.Cut(a[1:], "=")
			switch {
			case name == "help":
				a = "-" + a
			case len(name) > 1 && cur.Flags().Lookup(name) != nil:
				a = "-" + a
			case len(name) == 1 && name != "h" && cur.Flags().Lookup(name) != nil && cur.Flags().ShorthandLookup(name) == nil:
				a = "-" + a
			}
		}
		rest = append(rest, a)
	}
	c.leafArgs = rest
	return append(out, rest...)
}

// wantsJSON reports whether the command line asks for JSON output.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-json", "--json", "-json=true", "--json=true":
			return true
		}
	}
	return false
}

// flags is a command's flag set with the -json flag every command has,
// and the number of positional arguments it takes (maxArgs -1: any).
type flags struct {
	fs               *pflag.FlagSet
	json             bool
	minArgs, maxArgs int
}

func (c *cli) newFlags(cmd *command) *flags {
	f := &flags{fs: pflag.NewFlagSet(cmd.name, pflag.ContinueOnError)}
	f.fs.SetOutput(io.Discard)
	f.fs.SortFlags = false
	f.fs.BoolVar(&f.json, "json", false, "write one JSON document to standard output")
	return f
}

// parse parses args, which may mix flags and positional arguments
// ("blocks DIR --limit 5"), and checks the number of positional
// arguments. When done is true the caller returns code: the command line
// is wrong (status 2), or the tree is being built (the flags are defined
// and nothing runs).
func (c *cli) parse(cmd *command, f *flags, args []string, minArgs, maxArgs int) (pos []string, code int, done bool) {
	f.minArgs, f.maxArgs = minArgs, maxArgs
	if c.defining {
		c.defined = f
		return nil, exitOK, true
	}
	err := f.fs.Parse(args)
	if err == nil {
		pos = f.fs.Args()
		err = checkArgs(cmd, pos, minArgs, maxArgs)
	}
	if f.json {
		c.asJSON = true
	}
	if err != nil {
		return nil, c.usageError(cmd, f.fs, strings.TrimPrefix(err.Error(), cmd.name+": ")), true
	}
	return pos, exitOK, false
}

// usageError reports a wrong command line on stderr and returns exitUsage.
func (c *cli) usageError(cmd *command, _ *pflag.FlagSet, msg string) int {
	c.lastErr, c.lastCode = errors.New(cmd.name+": "+msg), "usage"
	fmt.Fprintf(c.stderr, "coopera: %s: %s\nRun 'coopera %s -h' for usage.\n", cmd.name, msg, cmd.name)
	return exitUsage
}

// errorDoc is the JSON document of a failed command.
type errorDoc struct {
	// Code is the ledger's error code (such as insufficient_funds), or
	// usage, bad_input, failed or interrupted.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Details has the exit status and, for a ledger error, its message
	// without the code.
	Details map[string]any `json:"details"`
}

func (c *cli) writeErrorJSON(code int) {
	doc := errorDoc{Code: c.lastCode, Details: map[string]any{"exit_status": code}}
	switch {
	case c.lastErr != nil:
		doc.Message = errText(c.lastErr)
		var le *ledger.Error
		if errors.As(c.lastErr, &le) {
			doc.Code = le.Code
			if le.Msg != "" {
				doc.Details["reason"] = le.Msg
			}
		}
	default:
		doc.Message = strings.TrimPrefix(c.stderrLog.last, "coopera: ")
	}
	if code == exitIntr {
		doc.Code = "interrupted"
		if doc.Message == "" {
			doc.Message = "interrupted"
		}
	}
	if doc.Code == "" {
		doc.Code = "failed"
		if code == exitUsage {
			doc.Code = "bad_input"
		}
	}
	if doc.Message == "" {
		doc.Message = doc.Code
	}
	c.writeJSON(doc)
}

// lastLine passes writes through and remembers the last line that starts
// with "coopera: " (a failure's message), for the JSON error document.
type lastLine struct {
	w    io.Writer
	last string
}

func (l *lastLine) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(p, []byte("\n")) {
		if s := string(line); strings.HasPrefix(s, "coopera: ") && !strings.HasPrefix(s, "coopera: WARNING") {
			l.last = s
		}
	}
	return l.w.Write(p)
}
