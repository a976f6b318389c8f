package main

import "github.com/coopera/coopera/ledger"

// defaultModules are the reducers every ledger the CLI opens runs, after the
// built-in chain and accounts modules. A ledger must always be opened with
// the modules it was created with.
func defaultModules() []ledger.Module { return nil }
