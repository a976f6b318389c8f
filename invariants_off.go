//go:build !invariants

package coopera

const invariantsBuild = false
