package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/client"
	"github.com/coopera/coopera/ledger"
)

// A node's API served from a ledger in a temporary directory, and the
// client submitting a transfer and reading balances.
func Example() {
	dir, _ := os.MkdirTemp("", "coopera-client-example")
	defer os.RemoveAll(dir)
	g, _ := ledger.ParseGenesis([]byte(testGenesis(false)))
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	srv := httptest.NewServer(api.NewHandler(eng, nil))
	defer srv.Close()

	ctx := context.Background()
	c, _ := client.New(srv.URL, nil)
	rc, err := c.Submit(ctx, transfer("alice", "example-1", "bob", 2500000))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("applied:", rc.Applied, "at height", rc.Height)

	b, _ := c.Balance(ctx, "bob", "COOP")
	fmt.Printf("bob: %s %s (%s base units)\n", b.Units, b.Asset, b.Amount)

	_, err = c.Balance(ctx, "dave", "COOP")
	fmt.Println("dave unknown:", errors.Is(err, ledger.ErrUnknownAccount))
	// Output:
	// applied: true at height 1
	// bob: 2.5 COOP (2500000 base units)
	// dave unknown: true
}
