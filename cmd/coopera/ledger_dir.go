package main

// Opening ledger directories, and checking that a new one may be created.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// errNoLedger says that a directory holds no ledger.
type errNoLedger struct{ dir string }

func (e *errNoLedger) Error() string {
	return fmt.Sprintf("%s holds no ledger; run coopera init first", e.dir)
}

// hasStore reports whether dir holds a Pebble store (a MANIFEST file).
// Checking first keeps Open from creating a store in a directory that
// holds no ledger.
func hasStore(dir string) (bool, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "MANIFEST-") {
			return true, nil
		}
	}
	return false, nil
}

// openLedger opens the existing ledger in dir.
func openLedger(dir string) (*coopera.Engine, error) {
	ok, err := hasStore(dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &errNoLedger{dir}
	}
	opts, err := ledgerOptions()
	if err != nil {
		return nil, err
	}
	eng, err := coopera.Open(dir, opts)
	if errors.Is(err, coopera.ErrNoLedger) {
		return nil, &errNoLedger{dir}
	}
	return eng, inUse(dir, err)
}

// withLedger opens the ledger in dir, calls f and closes the ledger,
// reporting a failure to open or close it.
func (c *cli) withLedger(dir string, f func(eng *coopera.Engine) int) int {
	eng, err := openLedger(dir)
	if err != nil {
		return c.fail(err)
	}
	code := f(eng)
	if err := eng.Close(); err != nil && code == exitOK {
		return c.fail(fmt.Errorf("closing %s: %w", dir, err))
	}
	return code
}

// checkNewDir checks that a ledger may be created in dir: it must not
// exist, or be an empty directory. It reports whether dir exists.
func checkNewDir(dir string) (exists bool, err error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.IsDir() {
		return true, fmt.Errorf("%s is a file; give a new or empty directory", dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return true, err
	}
	if len(ents) == 0 {
		return true, nil
	}
	if ok, _ := hasStore(dir); ok {
		if eng, err := openLedger(dir); err == nil {
			h := eng.Head()
			id := eng.ChainID()
			eng.Close()
			return true, fmt.Errorf("%s already holds a ledger (chain %q, height %d)", dir, id, h.Height)
		}
	}
	return true, fmt.Errorf("%s is not empty; give a new or empty directory", dir)
}

// createLedger creates a ledger in dir from g, which must be valid. If it
// fails, it removes what it created.
func createLedger(dir string, g *ledger.Genesis) (*coopera.Engine, error) {
	existed, err := checkNewDir(dir)
	if err != nil {
		return nil, err
	}
	opts, err := ledgerOptions()
	if err != nil {
		return nil, err
	}
	if err := fillPolicyHash(g); err != nil {
		return nil, err
	}
	opts.Genesis = g
	eng, err := coopera.Open(dir, opts)
	if err != nil {
		if existed {
			clearDir(dir)
		} else {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	return eng, nil
}

// clearDir removes the contents of dir, keeping dir.
func clearDir(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// fillPolicyHash puts the built-in example policies in force in a genesis
// that names no policy set of its own (params.governance.policy_hash).
func fillPolicyHash(g *ledger.Genesis) error {
	var gov map[string]json.RawMessage
	if raw, ok := g.Params["governance"]; ok {
		if err := json.Unmarshal(raw, &gov); err != nil {
			return ledger.Errorf(ledger.ErrInvalidGenesis, "params.governance: %v", err)
		}
	}
	if _, ok := gov["policy_hash"]; ok {
		return nil
	}
	if gov == nil {
		gov = map[string]json.RawMessage{}
	}
	h, _ := json.Marshal(examplePolicyHash())
	gov["policy_hash"] = h
	raw, _ := json.Marshal(gov)
	if g.Params == nil {
		g.Params = map[string]json.RawMessage{}
	}
	g.Params["governance"] = raw
	return nil
}
