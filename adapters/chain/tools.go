//go:build tools

// Tools the module's go generate runs, pinned by go.mod.
package chain

import _ "github.com/ethereum/go-ethereum/cmd/abigen"
