package chain

import (
	"context"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/ledger"
)

// LedgerReader is what the anchorer and the prover read of the ledger:
// committed state, blocks and the head's height.
type LedgerReader interface {
	Get(key []byte) ([]byte, bool)
	Block(ctx context.Context, height uint64) (*ledger.Block, error)
	Height() uint64
}

// EngineReader reads an embedded engine.
func EngineReader(e *coopera.Engine) LedgerReader { return engineReader{e} }

type engineReader struct{ e *coopera.Engine }

func (r engineReader) Get(key []byte) ([]byte, bool) { return r.e.View().Get(key) }
func (r engineReader) Block(ctx context.Context, h uint64) (*ledger.Block, error) {
	return r.e.Block(ctx, h)
}
func (r engineReader) Height() uint64 { return r.e.Head().Height }
