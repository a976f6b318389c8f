package contribution

import "github.com/coopera/coopera/ledger"

// FailDecisions replaces the epoch's decision code (the plan and the
// scoring) with code that fails the test if it runs, and returns a
// function restoring it.
func FailDecisions(fail func(string)) (restore func()) {
	plan, score := planEpoch, scoreEpoch
	planEpoch = func(Module, Scanner, *Params, uint64, uint64) (*EpochScored, []payment, error) {
		fail("the epoch's plan ran")
		return nil, nil, ledger.Errorf(ledger.ErrCorrupt, "decision code called")
	}
	scoreEpoch = func(*epochIn) *epochOut {
		fail("the scoring ran")
		panic("scoring called")
	}
	return func() { planEpoch, scoreEpoch = plan, score }
}

// CountScoring counts calls to the scoring until the returned function
// is called; it returns the count.
func CountScoring() (stop func() int) {
	score := scoreEpoch
	n := 0
	scoreEpoch = func(in *epochIn) *epochOut {
		n++
		return score(in)
	}
	return func() int { scoreEpoch = score; return n }
}
