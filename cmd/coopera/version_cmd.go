package main

// coopera version: the module version and the VCS revision the binary was
// built from.

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

var cmdVersion = &command{
	name:    "version",
	summary: "print the module version, the VCS revision and the Go version of this binary",
	help: `Version prints the version of the github.com/coopera/coopera module this
binary was built from ("(devel)" for a build inside the repository), the
VCS revision and time when the build recorded them (go build without
-buildvcs=false, in a git checkout), and the Go version.`,
	run: runVersion,
}

// versionJSON is the document of coopera version -json.
type versionJSON struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// buildVersion reads the binary's build information.
func buildVersion() versionJSON {
	v := versionJSON{Module: "github.com/coopera/coopera", Version: "unknown", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func runVersion(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	if _, code, done := c.parse(cmd, f, args, 0, 0); done {
		return code
	}
	v := buildVersion()
	if f.json {
		return c.writeJSON(v)
	}
	rev := v.Revision
	switch {
	case rev == "":
		rev = "revision unknown (built without VCS information)"
	case v.Modified:
		rev = "revision " + rev + " (modified)"
	default:
		rev = "revision " + rev
	}
	if v.Time != "" {
		rev += ", " + v.Time
	}
	fmt.Fprintf(c.stdout, "coopera %s %s\n  %s\n  %s\n", v.Module, v.Version, rev, v.Go)
	return exitOK
}
