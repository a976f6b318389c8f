package policies_test

import (
	"context"
	"fmt"

	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/policies"
)

// Load the example policies from the embedded files, as a program that
// ships them would.
func Example() {
	files, _ := policy.ReadFS(policies.FS)
	set, err := policy.Compile(context.Background(), files, "policies")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Files(), "govern", set.Governed())
	// Output:
	// [commands.rego proposals.rego] govern [gov_delegate gov_propose]
}
