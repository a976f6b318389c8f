package main

// Signing keys. A ledger the CLI creates requires signed commands; its
// accounts' keys live in the ledger directory's keyring, DIR/keys/ACCOUNT.key
// (the hex of a 32-byte ed25519 seed, mode 0600), and the CLI signs every
// command it submits for an account whose key it finds there, or with the
// key given by -sign. Keys for real money live elsewhere: pass them with
// -sign.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

var cmdKeygen = &command{
	name:     "keygen",
	synopsis: "-out FILE",
	summary:  "generate an ed25519 signing key and print its public key",
	help: `Keygen writes a new ed25519 signing key to FILE (the hex of its 32-byte
seed, readable by its owner only) and prints the public key, for an
account's "public_key" in a genesis file or a set_key command, or for
params.ledger.sequencer_keys. Sign commands with it: coopera submit -sign FILE.`,
	run: runKeygen,
}

func runKeygen(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	out := f.fs.String("out", "", "write the key to `FILE` (must not exist)")
	if _, code, done := c.parse(cmd, f, args, 0, 0); done {
		return code
	}
	if *out == "" {
		return c.usageError(cmd, f.fs, "-out FILE is required")
	}
	pub, err := writeNewKey(*out)
	if err != nil {
		return c.fail(err)
	}
	if f.json {
		return c.writeJSON(map[string]string{"file": *out, "public_key": hex.EncodeToString(pub)})
	}
	fmt.Fprintf(c.stdout, "public key %s\nsigning key written to %s\n", hex.EncodeToString(pub), *out)
	return exitOK
}

// writeNewKey creates file with a new key and returns its public key.
func writeNewKey(file string) (ed25519.PublicKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	fh, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	_, werr := fmt.Fprintln(fh, hex.EncodeToString(seed))
	if err := fh.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return nil, werr
	}
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), nil
}

// keyringDir is a ledger directory's keyring.
func keyringDir(dir string) string { return filepath.Join(dir, "keys") }

// exampleAccounts are the example genesis's accounts.
var exampleAccounts = []string{"alice", "bob", "carol", "oracle"}

// genKeys returns new keys for accounts.
func genKeys(accounts ...string) (map[string]ed25519.PrivateKey, error) {
	out := map[string]ed25519.PrivateKey{}
	for _, a := range accounts {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		out[a] = k
	}
	return out, nil
}

// publicKeys returns the public halves of keys.
func publicKeys(keys map[string]ed25519.PrivateKey) map[string]ed25519.PublicKey {
	out := map[string]ed25519.PublicKey{}
	for a, k := range keys { // order-free: building a map
		out[a] = k.Public().(ed25519.PublicKey)
	}
	return out
}

// saveKeys writes keys to dir, one ACCOUNT.key file each (mode 0600).
func saveKeys(dir string, keys map[string]ed25519.PrivateKey) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for a, k := range keys { // order-free: one file each
		if err := os.WriteFile(filepath.Join(dir, a+".key"), []byte(hex.EncodeToString(k.Seed())+"\n"), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// keyFor returns the key to sign actor's command with: signFile if given,
// else the actor's key in dir's keyring, else nil.
func keyFor(dir, signFile string, actor ledger.AccountID) (ed25519.PrivateKey, error) {
	if signFile != "" {
		return readKey(signFile)
	}
	if dir == "" {
		return nil, nil
	}
	k, err := readKey(filepath.Join(keyringDir(dir), string(actor)+".key"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return k, err
}

// signCommands signs the unsigned commands of cmds whose actor has a key
// (see keyFor). A command without a nonce gets the actor's next one. A
// command whose idempotency key was used before is replaced by the
// committed one when they say the same (so that the ledger answers with
// the original receipt, as for an unsigned command).
func signCommands(ctx context.Context, eng *coopera.Engine, dir, signFile string, cmds []*ledger.Command) error {
	next := map[ledger.AccountID]uint64{}
	for i, cmd := range cmds {
		if cmd.Signature != nil || cmd.Payload.Type() == "close_epoch" {
			continue
		}
		key, err := keyFor(dir, signFile, cmd.Actor)
		if err != nil {
			return err
		}
		if key == nil {
			continue
		}
		if cmd.Key != "" {
			orig, ok, err := eng.IdempotentCommand(ctx, cmd.Actor, cmd.Key)
			if err != nil {
				return err
			}
			if ok && sameIntent(orig, cmd) {
				cmds[i] = orig
				continue
			}
		}
		if cmd.Nonce == 0 {
			n, ok := next[cmd.Actor]
			if !ok {
				if n, err = ledger.LastNonce(eng.View(), cmd.Actor); err != nil {
					return err
				}
			}
			cmd.Nonce = n + 1
			next[cmd.Actor] = cmd.Nonce
		}
		cmd.Sign(eng.ChainID(), key)
	}
	return nil
}

// sameIntent reports whether two commands say the same but for their
// nonce and signature.
func sameIntent(a, b *ledger.Command) bool {
	x, y := *a, *b
	x.Nonce, y.Nonce, x.Signature, y.Signature = 0, 0, nil, nil
	return x.ContentHash() == y.ContentHash()
}

// withSequencers adds sequencer keys to a genesis document's
// params.ledger (as exampleGenesis writes it).
func withSequencers(genesis string, pubs ...ed25519.PublicKey) string {
	var hexes []string
	for _, p := range pubs {
		hexes = append(hexes, `"`+hex.EncodeToString(p)+`"`)
	}
	return strings.Replace(genesis, `"ledger": {`, `"ledger": {"sequencer_keys": [`+strings.Join(hexes, ", ")+`], `, 1)
}

// readKey reads a key file: the hex of an ed25519 seed (32 bytes, as
// keygen writes) or of a private key (64 bytes).
func readKey(file string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: not hex: %w", file, err)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		return ed25519.PrivateKey(b), nil
	}
	return nil, fmt.Errorf("%s: %d bytes; an ed25519 seed is 32, a private key 64", file, len(b))
}
