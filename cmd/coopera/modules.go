package main

import (
	"context"
	"encoding/hex"
	"sync"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/governance/policy"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/policies"
)

// defaultModules are the reducers every ledger the CLI opens runs, after the
// built-in chain and accounts modules: the standard economy (tokenomics,
// contribution, governance). A ledger must always be opened with the
// modules it was created with.
func defaultModules() []ledger.Module { return economy.Modules() }

var (
	examplesOnce sync.Once
	examplesSet  *policy.Set
	examplesErr  error
)

// examplePolicies returns the example policy set shipped in the binary
// (package policies).
func builtinPolicies() (*policy.Set, error) {
	examplesOnce.Do(func() {
		files, err := policy.ReadFS(policies.FS)
		if err != nil {
			examplesErr = err
			return
		}
		examplesSet, examplesErr = policy.Compile(context.Background(), files, "built-in example policies")
	})
	return examplesSet, examplesErr
}

// examplePolicyHash is the hash of the built-in example policies, which the
// CLI's example genesis puts in force.
func examplePolicyHash() string {
	s, err := builtinPolicies()
	if err != nil {
		return ""
	}
	return hex.EncodeToString(s.Hash())
}

// defaultAdmitters returns the governance policy admitter over the built-in
// example policies, for ledgers opened without -policies.
func defaultAdmitters() ([]coopera.Admitter, error) {
	s, err := builtinPolicies()
	if err != nil {
		return nil, err
	}
	adm, err := policy.NewAdmitter(policy.NewLibrary(s), defaultModules()...)
	if err != nil {
		return nil, err
	}
	return []coopera.Admitter{adm}, nil
}

// ledgerOptions are the options every CLI command opens a ledger with.
func ledgerOptions() (*coopera.Options, error) {
	adm, err := defaultAdmitters()
	if err != nil {
		return nil, err
	}
	return &coopera.Options{Modules: defaultModules(), Admitters: adm}, nil
}
