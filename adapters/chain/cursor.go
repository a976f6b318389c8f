package chain

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	"github.com/coopera/coopera/bridge"
)

// BlockRef is an EVM block the relayer scanned.
type BlockRef struct {
	Number uint64      `json:"number"`
	Hash   common.Hash `json:"hash"`
}

// PendingDeposit is a deposit seen in Block, not yet credited.
type PendingDeposit struct {
	Block   BlockRef       `json:"block"`
	Deposit bridge.Deposit `json:"deposit"`
}

// maxBlocks bounds the block references a cursor keeps for finding the
// common ancestor after a reorg.
const maxBlocks = 1024

// Cursor is the relayer's position: the next block to scan, the blocks
// scanned (for reorgs) and the deposits waiting for finality.
type Cursor struct {
	Next    uint64           `json:"next"`
	Blocks  []BlockRef       `json:"blocks"`
	Floor   uint64           `json:"floor"` // blocks at or below it were dropped from Blocks
	Pending []PendingDeposit `json:"pending"`
}

func (c *Cursor) clone() Cursor {
	return Cursor{Next: c.Next, Floor: c.Floor, Blocks: slices.Clone(c.Blocks), Pending: slices.Clone(c.Pending)}
}

func (c *Cursor) addBlock(ref BlockRef) {
	if n := len(c.Blocks); n > 0 && c.Blocks[n-1].Number >= ref.Number {
		return
	}
	c.Blocks = append(c.Blocks, ref)
	if len(c.Blocks) > maxBlocks {
		// Keep the blocks of pending deposits; drop the oldest others.
		drop := len(c.Blocks) - maxBlocks
		c.Floor = c.Blocks[drop-1].Number
		c.Blocks = append(c.Blocks[:0:0], c.Blocks[drop:]...)
	}
}

// truncate forgets everything above block n: the next scan starts at n+1.
func (c *Cursor) truncate(n uint64) {
	i := len(c.Blocks)
	for i > 0 && c.Blocks[i-1].Number > n {
		i--
	}
	c.Blocks = c.Blocks[:i]
	c.Pending = slices.DeleteFunc(c.Pending, func(p PendingDeposit) bool { return p.Block.Number > n })
	c.Next = n + 1
}

// CursorStore keeps a relayer's cursor. Load returns nil for none.
type CursorStore interface {
	Load() (*Cursor, error)
	Save(Cursor) error
}

// MemCursor keeps the cursor in memory (tests, or a relayer that rescans
// from its start block on every restart: the ledger answers the deposits
// it had credited as duplicates).
type MemCursor struct {
	mu sync.Mutex
	c  *Cursor
}

func (m *MemCursor) Load() (*Cursor, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		return nil, nil
	}
	c := m.c.clone()
	return &c, nil
}

func (m *MemCursor) Save(c Cursor) error {
	m.mu.Lock()
	m.c = &c
	m.mu.Unlock()
	return nil
}

// FileCursor keeps the cursor in a JSON file, replaced atomically (write,
// sync, rename).
type FileCursor struct{ Path string }

func (f FileCursor) Load() (*Cursor, error) {
	b, err := os.ReadFile(f.Path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("chain: cursor %s: %w", f.Path, err)
	}
	return &c, nil
}

func (f FileCursor) Save(c Cursor) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".cursor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}
