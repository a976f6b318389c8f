package policy_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopera/coopera/governance"
	"github.com/coopera/coopera/governance/govtest"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
)

// upgrade is a council proposal putting the policy set with hash in force.
func upgrade(hash string) *ledger.Command {
	return &ledger.Command{Actor: "alice", Payload: &governance.Propose{Title: "upgrade", Actions: []governance.Action{{Kind: governance.PolicyUpgrade, PolicyHash: hash}}}}
}

// A policy_upgrade to a set the node cannot load is refused at admission:
// executed, it would leave in force a set no node can evaluate, and every
// later proposal (the one undoing it too) would be refused for good. A
// set in another watched directory is loaded and the proposal decided.
func TestUpgradeToAnUnloadableSetIsRefused(t *testing.T) {
	h, _ := admitFixture(t)
	next := t.TempDir()
	for _, f := range []string{"proposals.rego", "commands.rego"} {
		src, err := os.ReadFile(filepath.Join(examples, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(next, f), append(src, "\n# v2\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// third is watched, and then its files replaced by ones that do not
	// compile.
	third := t.TempDir()
	if err := os.CopyFS(third, os.DirFS(next)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(third, "proposals.rego"), []byte("package coopera.proposals\n\nimport rego.v1\n\n# v3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := policy.LoadLibrary(context.Background(), examples, next, third)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(third, "proposals.rego"), []byte("package coopera.proposals\n\nimport rego.v1\n\nallow if {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := policy.ReadDir(third)
	if err != nil {
		t.Fatal(err)
	}
	brokenHash := policy.HashFiles(files)
	adm, err := policy.NewAdmitter(lib, govtest.Module{}, governance.New(govtest.Module{}))
	if err != nil {
		t.Fatal(err)
	}
	// A hash no watched set has, and the hash of a watched directory's
	// files that do not compile.
	for _, hash := range []string{strings.Repeat("00", 31) + "01", hex.EncodeToString(brokenHash)} {
		err := adm.Admit(context.Background(), h, upgrade(hash))
		if !errors.Is(err, governance.ErrPolicyMismatch) || !strings.Contains(err.Error(), "cannot load") {
			t.Fatalf("an upgrade to %s: %v, want ErrPolicyMismatch (cannot load)", hash[:12], err)
		}
	}
	nextSet, err := policy.Load(context.Background(), next)
	if err != nil {
		t.Fatal(err)
	}
	// Loadable: decided by the policy in force, which lets only the
	// council propose upgrades.
	err = adm.Admit(context.Background(), h, upgrade(nextSet.HashHex()))
	if !errors.Is(err, governance.ErrPolicyDenied) || !strings.Contains(err.Error(), "only") {
		t.Fatalf("an upgrade to a loadable set, by alice: %v, want the policy's denial", err)
	}
}
