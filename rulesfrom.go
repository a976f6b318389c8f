package coopera

import (
	"log/slog"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/store"
)

// The rules height (Options.RulesFrom) is a property of the ledger: its
// store records it (store.DB.RulesFrom), with the genesis for a ledger
// this build creates. Open settles the height to decide by from the
// record and the height it is given (rulesDecision), before any block
// step is made, and keeps it in the engine's Options.RulesFrom, which
// every step reads (newStep, stepOptions, genesisBlock); a follower
// adopting a snapshot settles it again against the snapshot's record.

// rulesDecision is the rules height a ledger is decided by, settled from
// the height given and the ledger's record (decideRulesFrom).
type rulesDecision struct {
	eff    uint64 // the height to decide by
	record bool   // eff must be recorded in the store
	moved  bool   // the record was another height, neither reached yet: warn
	was    uint64 // the record eff replaces (moved)
}

// decideRulesFrom settles the height from which a ledger's blocks are
// decided by ledger.LatestRules. given is the height the node was given (0:
// none), rec the ledger's record (recOK: there is one), head its head's
// height; what names the ledger in an error.
//
//   - A record, and no height given or the same: the record.
//   - A record, and another height given: refused with ErrRulesFrom when
//     the chain reached the record (head >= rec: it switched there, and
//     rules never go back) or the height given (given <= head: the blocks
//     from it to the head were decided by the rules before); otherwise
//     (the cluster moved its upgrade height before reaching it) the height
//     given, which replaces the record.
//   - No record (a ledger written by a build before the record): the
//     height given, recorded if it is not 0. A ledger opened without a
//     height keeps no record, since it may come from a build before
//     ledger.RulesV2, whose operator must still give the height.
func decideRulesFrom(what string, given, rec uint64, recOK bool, head uint64) (rulesDecision, error) {
	switch {
	case !recOK:
		return rulesDecision{eff: given, record: given > 0}, nil
	case given == 0 || given == rec:
		return rulesDecision{eff: rec}, nil
	case head >= rec:
		return rulesDecision{}, ledger.Errorf(ErrRulesFrom,
			"%s records that its blocks are decided by this build's rules from height %d, and its head is at %d: the chain switched to them there (rules never go back), so RulesFrom %d contradicts the record; open it with RulesFrom %d (coopera node -rules-from %d), or leave RulesFrom unset (0) to use the record",
			what, rec, head, given, rec, rec)
	case given <= head:
		return rulesDecision{}, ledger.Errorf(ErrRulesFrom,
			"%s records that its blocks are decided by this build's rules from height %d, and its head is at %d: blocks %d to %d were already decided by the rules before, so RulesFrom %d contradicts the record; open it with RulesFrom %d (coopera node -rules-from %d), or leave RulesFrom unset (0) to use the record",
			what, rec, head, given, head, given, rec, rec)
	}
	return rulesDecision{eff: given, record: true, moved: true, was: rec}, nil
}

// apply records the decision in db if it must be, and warns of a moved
// height.
func (d rulesDecision) apply(db *store.DB, log *slog.Logger, dir string) error {
	if d.record {
		if err := db.SetRulesFrom(d.eff); err != nil {
			return err
		}
	}
	if d.moved {
		log.Warn("the ledger's rules height moved: its blocks are decided by this build's rules from the height given, not the one it recorded",
			"dir", dir, "recorded", d.was, "rules_from", d.eff)
	}
	return nil
}

// decideRulesFrom settles the rules height of the ledger in db, whose
// head is at head, with the height e.opts.RulesFrom gives (see the
// function decideRulesFrom); the caller sets e.opts.RulesFrom to it, and
// applies the decision once the ledger is accepted.
func (e *Engine) decideRulesFrom(db *store.DB, head uint64) (rulesDecision, error) {
	rec, ok, err := db.RulesFrom()
	if err != nil {
		return rulesDecision{}, err
	}
	return decideRulesFrom(e.dir, e.opts.RulesFrom, rec, ok, head)
}

// snapshotRulesFrom settles the rules height of a node adopting the
// snapshot in dir (not yet swapped in) by the rules of decideRulesFrom,
// the snapshot's record against the node's height f.opts.RulesFrom. That
// is the node's effective height: the one it was configured with, or,
// configured with none, the one its store recorded (Open recorded a
// configured height, so the two agree); 0, where its store recorded none
// or recorded 0, gives none, and the snapshot's record decides. A
// snapshot without a record gets the node's height if it is not 0. A
// contradiction is ErrRulesFrom, and the snapshot is refused before the
// node's store is touched.
func (f *follower) snapshotRulesFrom(dir string) (rulesDecision, error) {
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return rulesDecision{}, err
	}
	defer db.Close()
	h, ok, err := db.Head()
	if err == nil && !ok {
		err = ledger.Errorf(ledger.ErrCorrupt, "the snapshot holds no ledger")
	}
	if err != nil {
		return rulesDecision{}, err
	}
	rec, ok, err := db.RulesFrom()
	if err != nil {
		return rulesDecision{}, err
	}
	return decideRulesFrom("the snapshot adopted by "+f.dir, f.opts.RulesFrom, rec, ok, h.Height)
}

// RulesFrom returns the height from which the engine decides blocks, and
// re-executes the stream's, by this build's rules (ledger.LatestRules);
// the blocks below it by the rules before. It is the ledger's recorded
// height, or Options.RulesFrom where that was given and accepted (see
// Options.RulesFrom), and may change when a follower adopts a snapshot.
func (e *Engine) RulesFrom() uint64 {
	e.rd.rmu.RLock() // a follower's snapshot restore sets it under rmu
	defer e.rd.rmu.RUnlock()
	return e.opts.RulesFrom
}

// copyRulesFrom records in dst the rules height src records, if any.
func copyRulesFrom(src, dst *store.DB) error {
	h, ok, err := src.RulesFrom()
	if err != nil || !ok {
		return err
	}
	return dst.SetRulesFrom(h)
}
