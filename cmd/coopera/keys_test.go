package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSignedByDefault: the quickstart's chain requires signatures. The CLI
// signs with the keyring it wrote; without a key the same command is
// refused before sequencing; a retry with the same idempotency key is
// answered with the original.
func TestSignedByDefault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	runCLI(t, "quickstart", "-dir", dir).want(t, exitOK)
	pay := `{"type": "transfer", "actor": "bob", "key": "k1", "payload": {"legs": [{"to": "carol", "asset": "COOP", "amount": "1000000"}]}}`
	cooperaStdin(t, pay, "submit", dir).want(t, exitOK).contains(t, "applied")
	cooperaStdin(t, pay, "submit", dir).want(t, exitOK).contains(t, "duplicate")

	// Without the keyring, nothing signs: refused, nothing written.
	os.Rename(keyringDir(dir), dir+".keys")
	pay2 := strings.Replace(pay, "k1", "k2", 1)
	cooperaStdin(t, pay2, "submit", dir).want(t, exitUsage).stderrContains(t, "bad_signature", "requires signed commands")
	// -sign with the account's key works from anywhere.
	cooperaStdin(t, pay2, "submit", "-sign", filepath.Join(dir+".keys", "bob.key"), dir).want(t, exitOK).contains(t, "applied")
	// Another account's key does not.
	pay3 := strings.Replace(pay, "k1", "k3", 1)
	cooperaStdin(t, pay3, "submit", "-sign", filepath.Join(dir+".keys", "alice.key"), dir).want(t, exitUsage).stderrContains(t, "bad_signature")
}

func TestKeygen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "k", "a.key")
	r := runCLI(t, "keygen", "-out", file).want(t, exitOK)
	r.contains(t, "public key ")
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if _, err := readKey(file); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "keygen", "-out", file).want(t, exitFail).stderrContains(t, "exists")
}
