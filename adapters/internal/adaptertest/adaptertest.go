// Package adaptertest opens the standard economy in an embedded engine for
// the adapters' tests: Pebble on disk, the real modules, a block clock
// that advances a second a block from the genesis time.
package adaptertest

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/zeebo/blake3"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
)

// Key returns a deterministic ed25519 key for a name (tests only).
func Key(name string) ed25519.PrivateKey {
	seed := blake3.Sum256([]byte("coopera/adaptertest/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// PublicHex returns the hex of name's public key, for genesis files.
func PublicHex(name string) string {
	return hex.EncodeToString(Key(name).Public().(ed25519.PublicKey))
}

// Clock is a block clock: each call advances it a second. Safe for
// concurrent use (the engine's sequencer calls it).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Time advances the clock a second and returns it.
func (c *Clock) Time() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Open creates a ledger in dir from the genesis JSON with the standard
// economy's modules, and returns it with its block clock. Governance's
// params are added if the genesis has none, with a policy hash that names
// no policy set (the tests run no admitter).
func Open(dir, genesis string) (*coopera.Engine, *Clock, error) {
	g, err := ledger.ParseGenesis([]byte(genesis))
	if err != nil {
		return nil, nil, err
	}
	if _, ok := g.Params["governance"]; !ok {
		if g.Params == nil {
			g.Params = map[string]json.RawMessage{}
		}
		h := blake3.Sum256([]byte("coopera/adaptertest/no-policy"))
		g.Params["governance"] = json.RawMessage(`{"policy_hash": "` + hex.EncodeToString(h[:]) + `"}`)
	}
	if err != nil {
		return nil, nil, err
	}
	clk := &Clock{now: g.GenesisTime}
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g, Modules: economy.Modules(), Clock: clk.Time, CheckInvariants: true})
	return eng, clk, err
}
