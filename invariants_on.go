//go:build invariants

package coopera

// Built with -tags invariants: every block's conservation is checked.
const invariantsBuild = true
