package coopera

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/roothash"
)

// rootBlocks returns n blocks' changes (each setting one key) and the
// root after each.
func rootBlocks(n int) ([][]ledger.Change, []ledger.Hash) {
	var acc ledger.LtHash
	var changes [][]ledger.Change
	var roots []ledger.Hash
	for i := range n {
		ch := []ledger.Change{{Key: fmt.Appendf(nil, "k%d", i%3), New: fmt.Appendf(nil, "v%d", i), NewOK: true}}
		if i >= 3 {
			ch[0].Old, ch[0].OldOK = fmt.Appendf(nil, "v%d", i-3), true
		}
		acc.Apply(ch)
		changes, roots = append(changes, ch), append(roots, acc.Root())
	}
	return changes, roots
}

// The root checker of a verify finds a wrong root in any block, and
// reports the earliest failure: a divergence in a block before one whose
// events failed to apply comes first.
func TestRootChecker(t *testing.T) {
	changes, roots := rootBlocks(40)
	t.Run("all right", func(t *testing.T) {
		c := startRootChecker(roothash.New(2, 8), ledger.LtHash{})
		for i := range changes {
			if err := c.check(uint64(i+1), changes[i], roots[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.first(nil); err != nil {
			t.Fatal(err)
		}
	})
	for _, bad := range []int{0, 7, 39} {
		t.Run(fmt.Sprintf("wrong root at block %d", bad+1), func(t *testing.T) {
			c := startRootChecker(roothash.New(2, 8), ledger.LtHash{})
			var err error
			for i := range changes {
				want := roots[i]
				if i == bad {
					want[0] ^= 1
				}
				if err = c.check(uint64(i+1), changes[i], want); err != nil {
					break
				}
			}
			err = c.first(err)
			if !errors.Is(err, ledger.ErrDivergence) || !strings.Contains(err.Error(), fmt.Sprintf("block %d:", bad+1)) {
				t.Fatalf("got %v, want a divergence at block %d", err, bad+1)
			}
		})
	}
	t.Run("divergence before a failed block", func(t *testing.T) {
		c := startRootChecker(roothash.New(1, 0), ledger.LtHash{})
		for i := range 5 {
			want := roots[i]
			if i == 2 {
				want[5] ^= 1
			}
			if err := c.check(uint64(i+1), changes[i], want); err != nil {
				break
			}
		}
		applyErr := ledger.Errorf(ledger.ErrDivergence, "block 6 command 0: does not apply")
		if err := c.first(applyErr); err == applyErr || !strings.Contains(err.Error(), "block 3:") {
			t.Fatalf("got %v, want block 3's divergence first", err)
		}
	})
	t.Run("a failure with every root right", func(t *testing.T) {
		c := startRootChecker(roothash.New(1, 0), ledger.LtHash{})
		for i := range 5 {
			if err := c.check(uint64(i+1), changes[i], roots[i]); err != nil {
				t.Fatal(err)
			}
		}
		applyErr := errors.New("log ends")
		if err := c.first(applyErr); err != applyErr {
			t.Fatalf("got %v, want the failure itself", err)
		}
	})
}
