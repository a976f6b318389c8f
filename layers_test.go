package coopera_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The layers of DESIGN.md, checked on the transitive dependencies that
// `go list -deps` reports (the per-file purity lint, ledgertest.CheckPure,
// sees direct imports only).

// purePackages are the pure core: the ledger core and the reducers.
var purePackages = []string{
	"./ledger", "./tokenomics", "./contribution", "./governance", "./economy", "./sim/control", "./bridge",
}

// pureMayLink lists the only modules outside the standard library that the
// pure core may link (hashing), besides its own packages.
var pureMayLink = []string{
	"github.com/coopera/coopera/ledger",
	"github.com/coopera/coopera/tokenomics",
	"github.com/coopera/coopera/contribution",
	"github.com/coopera/coopera/governance",
	"github.com/coopera/coopera/economy",
	"github.com/coopera/coopera/sim/control",
	"github.com/coopera/coopera/bridge",
	"github.com/zeebo/blake3",
	"golang.org/x/crypto/sha3", // keccak256 of the bridge's withdrawal tree
	"golang.org/x/sys/cpu",     // linked by golang.org/x/crypto/sha3
	"github.com/klauspost/cpuid/v2",
	"github.com/shopspring/decimal",
}

// pureMayNotLink lists standard-library packages that do I/O beyond what
// fmt and the hashes pull in.
var pureMayNotLink = []string{"net", "net/http", "os/exec", "log", "log/slog", "database/sql", "plugin"}

// shells are the packages that do I/O; the simulator links none of them.
var shells = []string{
	"github.com/coopera/coopera",
	"github.com/coopera/coopera/ledger/store",
	"github.com/coopera/coopera/ledger/replication",
	"github.com/cockroachdb/pebble/v2",
	"github.com/nats-io/nats.go",
	"github.com/nats-io/nats-server/v2",
	"github.com/prometheus/client_golang",
}

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func isStd(p string) bool { return !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") }

// within reports whether package p is one of roots: this project's
// packages by exact path, other modules' with their subpackages.
func within(p string, roots []string) bool {
	const self = "github.com/coopera/coopera"
	for _, r := range roots {
		if p == r || (!strings.HasPrefix(r, self) && strings.HasPrefix(p, r+"/")) {
			return true
		}
	}
	return false
}

func TestPureCoreLinksNoShell(t *testing.T) {
	for _, pkg := range purePackages {
		checkPure(t, pkg, pureMayLink, "the pure core's list (pureMayLink)")
	}
}

// pureSimPackages are the simulator's pure layers: the scenario language
// (plain data, parsing and validation) and the agents (the behaviours,
// which return intents and link no run loop), which may link the YAML
// decoder besides what the pure core may.
var pureSimPackages = []string{"./sim/scenario", "./sim/agents"}

var pureSimMayLink = append([]string{
	"github.com/coopera/coopera/sim/scenario",
	"github.com/coopera/coopera/sim/agents",
	"go.yaml.in/yaml/v3",
}, pureMayLink...)

func TestPureSimulatorLayersLinkNoShell(t *testing.T) {
	for _, pkg := range pureSimPackages {
		checkPure(t, pkg, pureSimMayLink, "the simulator's pure list (pureSimMayLink)")
	}
}

func checkPure(t *testing.T, pkg string, mayLink []string, list string) {
	t.Helper()
	for _, d := range deps(t, pkg) {
		switch {
		case isStd(d):
			for _, bad := range pureMayNotLink {
				if d == bad {
					t.Errorf("%s links %s (I/O belongs to the shells)", pkg, d)
				}
			}
		case !within(d, mayLink):
			t.Errorf("%s links %s, which is not on %s", pkg, d, list)
		}
	}
}

func TestSimulatorLinksNoStorageOrReplication(t *testing.T) {
	for _, pkg := range append([]string{"./sim"}, pureSimPackages...) {
		for _, d := range deps(t, pkg) {
			if within(d, shells) {
				t.Errorf("%s links %s: the simulator runs on in-memory state only", pkg, d)
			}
		}
	}
}

func TestLayerLintCatchesViolations(t *testing.T) {
	// The root package links Pebble: the check above must see it.
	found := false
	for _, d := range deps(t, ".") {
		if within(d, shells[3:4]) {
			found = true
		}
	}
	if !found {
		t.Fatal("go list -deps of the engine shows no Pebble: the layer lint would see nothing")
	}
	if within("github.com/coopera/coopera/ledger/store", pureMayLink) {
		t.Fatal("the store is on the pure core's list")
	}
}
