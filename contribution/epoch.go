package contribution

import (
	"encoding/binary"
	"math/big"

	"github.com/coopera/coopera/ledger"
)

// The epoch close, decided once in EndEpoch: read the epoch's inputs from
// state, score them (yuma.go), split the pool, and describe all of it in
// one EpochScored event plus the payments. Replay applies the event; it
// never comes here.

// planEpoch is the close's decision (plan, and in it scoreEpoch). Like
// scoreEpoch it is a variable only so that a test can replace it.
var planEpoch = Module.plan

type payment struct {
	to     ledger.AccountID
	amount ledger.Amount
}

// column is a provider of the epoch.
type column struct {
	id         ledger.AccountID
	role       string
	registered uint64
	value      ledger.Amount // C_j this epoch
	cred       uint64        // micro-USD of credits served this epoch
	recorded   bool
}

type validatorIn struct {
	id    ledger.AccountID
	stake ledger.Amount
}

// plan scores the epoch and allocates the pool. It reads state only.
func (m Module) plan(g Scanner, p *Params, epoch, height uint64) (*EpochScored, []payment, error) {
	ev := &EpochScored{Epoch: epoch, Height: height}
	pool, err := ledger.BalanceOf(g, PoolAccount, p.RewardAsset)
	if err != nil {
		return nil, nil, err
	}
	ev.Pool = pool
	var lastClose uint64
	haveLast := false
	if b, ok := g.Get(lastCloseKey()); ok {
		d := ledger.NewDecoder(b, "last close")
		lastClose, haveLast = d.Uint(), true
		if err := d.Finish(); err != nil {
			return nil, nil, err
		}
	}
	cols, err := readColumns(g, epoch)
	if err != nil {
		return nil, nil, err
	}
	ev.Columns = make([]ledger.AccountID, len(cols))
	recorded := false
	for j := range cols {
		ev.Columns[j] = cols[j].id
		recorded = recorded || cols[j].recorded
	}

	// Validators at the minimum stake; those below it lose their bonds,
	// as a validator losing its permit does on the chain.
	var vals []validatorIn
	var ferr error
	vprefix := validatorKey("")
	g.Scan(vprefix, func(k, v []byte) bool {
		id := ledger.AccountID(k[len(vprefix):])
		d := ledger.NewDecoder(v, "validator")
		stake := d.Amount()
		if ferr = d.Err(); ferr != nil {
			return false
		}
		if stake.Cmp(p.MinValidatorStake) < 0 {
			ev.Cleared = append(ev.Cleared, id)
			return true
		}
		vals = append(vals, validatorIn{id, stake})
		return true
	})
	if ferr != nil {
		return nil, nil, ferr
	}
	kept := ev.Cleared[:0]
	for _, id := range ev.Cleared {
		if _, ok := g.Get(bondsKey(id)); ok {
			kept = append(kept, id)
		}
	}
	ev.Cleared = kept

	in := &epochIn{
		np: len(cols), stake: make([]ledger.Amount, len(vals)), active: make([]bool, len(vals)),
		weights: make([]sparseRow, len(vals)), bonds: make([]sparseRow, len(vals)), recent: make([]bool, len(cols)),
		cfg: p.yumaConfig(),
	}
	for j := range cols {
		in.recent[j] = haveLast && cols[j].registered > lastClose
	}
	remap, err := remapColumns(g, ev.Columns)
	if err != nil {
		return nil, nil, err
	}
	for i, v := range vals {
		in.stake[i] = v.stake
		if in.weights[i], in.active[i], err = readWeights(g, v.id, cols, epoch, p.ActivityCutoff); err != nil {
			return nil, nil, err
		}
		if in.bonds[i], err = readBonds(g, v.id, remap); err != nil {
			return nil, nil, err
		}
	}
	y := scoreEpoch(in)

	// Allocation.
	provReward := make([]ledger.Amount, len(cols))
	capped := make([]ledger.Amount, len(cols))
	flagged := make([]bool, len(cols))
	valReward := make([]ledger.Amount, len(vals))
	var price ledger.Amount
	var havePrice bool
	var decimals uint8
	if m.Price != nil && p.SelfDealingCap {
		price, havePrice = m.Price.Price(g)
		if a, ok, _ := ledger.GetAsset(g, p.RewardAsset); ok {
			decimals = a.Decimals
		}
	}
	if p.Allocation == AllocationSubtensor {
		allocateSubtensor(pool, y, provReward, valReward)
	} else {
		allocateRoles(p, pool, cols, y, provReward, flagged, valReward)
	}
	// Self-dealing cap: never more than the credits served are worth.
	if havePrice && !price.IsZero() {
		// Credits are micro-USD and the price is in 10^-18 USD: the
		// limit is floor(credits x 10^(12+decimals) / price).
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)+12), nil)
		for j := range cols {
			if provReward[j].IsZero() {
				continue
			}
			lim := new(big.Int).SetUint64(cols[j].cred)
			lim.Mul(lim, scale)
			lim.Quo(lim, price.Big())
			if r := provReward[j].Big(); r.Cmp(lim) > 0 {
				capped[j], _ = ledger.AmountFromBig(r.Sub(r, lim))
				provReward[j], _ = ledger.AmountFromBig(lim)
			}
		}
	}

	// Nothing contributed and nobody scores: the pool waits.
	waits := !recorded && len(vals) == 0
	pay := make([]payment, 0, len(cols)+len(vals)+1)
	ev.Providers = make([]ScoredProvider, 0, len(cols))
	var paid ledger.Amount
	for j := range cols {
		c := &cols[j]
		if waits {
			provReward[j], capped[j] = ledger.Amount{}, ledger.Amount{}
		}
		if !c.recorded && y.consensus[j] == 0 && y.incentive[j] == 0 && provReward[j].IsZero() {
			continue
		}
		ev.Providers = append(ev.Providers, ScoredProvider{
			Column: uint32(j), Contribution: c.value,
			Consensus: fxPpb(y.consensus[j]), Incentive: fxPpb(y.incentive[j]), Trust: fxPpb(y.trust[j]),
			Reward: provReward[j], Flagged: flagged[j], Capped: capped[j],
		})
		if flagged[j] {
			ev.Flagged++
		}
		if !provReward[j].IsZero() {
			pay = append(pay, payment{c.id, provReward[j]})
			paid, _ = paid.Add(provReward[j])
		}
	}
	ev.Validators = make([]ScoredValidator, len(vals))
	for i, v := range vals {
		ev.Validators[i] = ScoredValidator{
			Validator: v.id, Active: in.active[i], Dividend: fxPpb(y.dividend[i]), VTrust: fxPpb(y.vtrust[i]),
			Reward: valReward[i],
		}
		ev.Validators[i].BondColumns, ev.Validators[i].BondChanges = bondChanges(in.bonds[i], y.bonds[i])
		if !valReward[i].IsZero() {
			pay = append(pay, payment{v.id, valReward[i]})
			paid, _ = paid.Add(valReward[i])
		}
	}
	if waits {
		return ev, nil, nil
	}
	// Everything not paid goes to the treasury: withheld and capped
	// rewards, roles with no score, and every rounding remainder.
	treasury, ok := pool.Sub(paid)
	if !ok {
		return nil, nil, ledger.Errorf(ledger.ErrCorrupt, "epoch %d pays %s from a pool of %s", epoch, paid, pool)
	}
	if !treasury.IsZero() {
		pay = append(pay, payment{p.Treasury, treasury})
	}
	ev.Paid, ev.Treasury = paid, treasury
	return ev, pay, nil
}

// readColumns returns every registered provider, in ID order, with its
// contribution this epoch.
func readColumns(g Scanner, epoch uint64) ([]column, error) {
	type rec struct {
		id string
		r  record
	}
	var recs []rec
	var ferr error
	rprefix := recordPrefix(epoch)
	g.Scan(rprefix, func(k, v []byte) bool {
		r, err := decodeRecord(v)
		if err != nil {
			ferr = err
			return false
		}
		recs = append(recs, rec{string(k[len(rprefix):]), r})
		return true
	})
	if ferr != nil {
		return nil, ferr
	}
	var cols []column
	ri := 0
	pprefix := providerKey("")
	g.Scan(pprefix, func(k, v []byte) bool {
		id := string(k[len(pprefix):])
		d := ledger.NewDecoder(v, "provider")
		c := column{id: ledger.AccountID(id), role: d.String()}
		d.Amount()
		c.registered = d.Uint()
		if ferr = d.Finish(); ferr != nil {
			return false
		}
		if ri < len(recs) && recs[ri].id < id {
			ferr = ledger.Errorf(ledger.ErrCorrupt, "contribution of unregistered provider %s", recs[ri].id)
			return false
		}
		if ri < len(recs) && recs[ri].id == id {
			c.value, c.cred, c.recorded = recs[ri].r.Value, recs[ri].r.Credits, true
			ri++
		}
		cols = append(cols, c)
		return true
	})
	if ferr == nil && ri < len(recs) {
		ferr = ledger.Errorf(ledger.ErrCorrupt, "contribution of unregistered provider %s", recs[ri].id)
	}
	return cols, ferr
}

// readWeights reads a validator's last weights as a row over the columns:
// a weight counts if its provider is registered before the weights were
// set (the chain's outdated mask) and is not the validator itself. The
// validator is active if it set them within the activity cutoff.
func readWeights(g ledger.Getter, v ledger.AccountID, cols []column, epoch, cutoff uint64) (sparseRow, bool, error) {
	b, ok := g.Get(currentWeightsKey(v))
	if !ok {
		return sparseRow{}, false, nil
	}
	d := ledger.NewDecoder(b, "weights")
	set, height := d.Uint(), d.Uint()
	n := d.Len(2)
	if err := d.Err(); err != nil {
		return sparseRow{}, false, err
	}
	// The entries are read straight from the bytes: this loop runs once
	// per weight of every validator.
	buf := b[len(b)-d.Remaining():]
	row := sparseRow{idx: make([]int32, 0, n), val: make([]uint64, 0, n)}
	c := 0
	for range n {
		l, k := uvarint(buf)
		if k <= 0 || l > uint64(len(buf)-k) {
			return sparseRow{}, false, ledger.Errorf(ledger.ErrCorrupt, "weights of %s: truncated", v)
		}
		pid := buf[k : k+int(l)]
		buf = buf[k+int(l):]
		w, k := uvarint(buf)
		if k <= 0 {
			return sparseRow{}, false, ledger.Errorf(ledger.ErrCorrupt, "weights of %s: truncated", v)
		}
		buf = buf[k:]
		if c = seek(cols, c, pid); c == len(cols) || string(cols[c].id) != string(pid) {
			continue // provider no longer registered
		}
		if w == 0 || cols[c].id == v || cols[c].registered >= height {
			continue
		}
		row.idx = append(row.idx, int32(c))
		row.val = append(row.val, w)
	}
	if len(buf) != 0 {
		return sparseRow{}, false, ledger.Errorf(ledger.ErrCorrupt, "weights of %s: %d trailing bytes", v, len(buf))
	}
	return row, set+cutoff >= epoch, nil
}

// uvarint reads a canonical unsigned varint; k <= 0 when it is
// malformed or not minimal (as ledger.Decoder refuses).
func uvarint(b []byte) (x uint64, k int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	x, k = binary.Uvarint(b)
	if k > 1 && b[k-1] == 0 {
		return 0, 0
	}
	return x, k
}

// seek returns the first column at or after c whose ID is not below id.
// Weights usually name consecutive columns, so equality is tried first.
func seek(cols []column, c int, id []byte) int {
	for c < len(cols) {
		s := cols[c].id
		if len(s) == len(id) && string(s) == string(id) || string(s) > string(id) {
			return c
		}
		c++
	}
	return c
}

// readBonds reads a validator's stored bonds as a row over the columns;
// remap takes a stored column to this epoch's (-1: the provider is gone).
func readBonds(g ledger.Getter, v ledger.AccountID, remap []int32) (sparseRow, error) {
	b, ok := g.Get(bondsKey(v))
	if !ok {
		return sparseRow{}, nil
	}
	row := sparseRow{idx: make([]int32, 0, len(b)/2), val: make([]uint64, 0, len(b)/2)} // >= 2 bytes a bond
	err := decodeBondRow(b, len(remap), func(c int, x uint64) {
		if j := remap[c]; j >= 0 {
			row.idx = append(row.idx, j)
			row.val = append(row.val, x)
		}
	})
	return row, err
}

// remapColumns maps the columns stored at the last close to this epoch's
// (-1: the provider is gone); nil when nothing was stored.
func remapColumns(g ledger.Getter, cols []ledger.AccountID) ([]int32, error) {
	b, ok := g.Get(columnsKey())
	if !ok {
		return nil, nil
	}
	old, err := decodeColumns(b)
	if err != nil {
		return nil, err
	}
	remap := make([]int32, len(old))
	j := 0
	for c, id := range old {
		for j < len(cols) && string(cols[j]) < string(id) {
			j++
		}
		remap[c] = -1
		if j < len(cols) && string(cols[j]) == string(id) {
			remap[c] = int32(j)
		}
	}
	return remap, nil
}

// bondChanges returns the cells where new differs from old (both rows
// over this epoch's columns) and the differences.
func bondChanges(old, new sparseRow) ([]int32, []int64) {
	var cols []int32
	var diffs []int64
	p, q := 0, 0
	for p < len(old.idx) || q < len(new.idx) {
		var j int32
		var d int64
		switch {
		case q >= len(new.idx) || (p < len(old.idx) && old.idx[p] < new.idx[q]):
			j, d = old.idx[p], -int64(old.val[p])
			p++
		case p >= len(old.idx) || new.idx[q] < old.idx[p]:
			j, d = new.idx[q], int64(new.val[q])
			q++
		default:
			j, d = new.idx[q], int64(new.val[q])-int64(old.val[p])
			p++
			q++
		}
		if d != 0 {
			cols = append(cols, j)
			diffs = append(diffs, d)
		}
	}
	return cols, diffs
}

// rewriteBonds returns a validator's new stored row: its stored row (old,
// over the columns remap carries to this epoch's) plus the changes; nil
// when no bond is left. It streams: no row is decoded into memory.
func rewriteBonds(old []byte, remap []int32, cols []int32, diffs []int64) ([]byte, error) {
	var d *ledger.Decoder
	n := 0
	if old != nil {
		d = ledger.NewDecoder(old, "bonds")
		n = d.Len(2)
	}
	body := ledger.NewEncoder(make([]byte, 0, len(old)+4*len(cols)+8))
	count := 0
	prev, oc := int32(-1), int64(-1)
	// next returns the next stored bond over this epoch's columns.
	oj, ox, left := int32(-1), uint64(0), n
	next := func() {
		for left > 0 {
			left--
			oc += int64(d.Uint()) + 1
			x := d.Uint()
			if oc < 0 || oc >= int64(len(remap)) {
				d.Fail(ledger.Errorf(ledger.ErrCorrupt, "bond column %d of %d", oc, len(remap)))
				break
			}
			if j := remap[oc]; j >= 0 {
				oj, ox = j, x
				return
			}
		}
		oj = -1
	}
	next()
	q := 0
	for oj >= 0 || q < len(cols) {
		var j int32
		var x int64
		switch {
		case q >= len(cols) || (oj >= 0 && oj < cols[q]):
			j, x = oj, int64(ox)
			next()
		case oj < 0 || cols[q] < oj:
			j, x = cols[q], diffs[q]
			q++
		default:
			j, x = cols[q], int64(ox)+diffs[q]
			next()
			q++
		}
		if j <= prev {
			return nil, ledger.Errorf(ledger.ErrCorrupt, "bond columns out of order")
		}
		if x < 0 || x > 1<<32-1 {
			return nil, ledger.Errorf(ledger.ErrCorrupt, "bond %d out of range on column %d", x, j)
		}
		if x > 0 {
			body.Uint(uint64(j - prev - 1))
			body.Uint(uint64(x))
			count++
			prev = j
		}
	}
	if d != nil {
		if err := d.Finish(); err != nil {
			return nil, err
		}
	}
	if count == 0 {
		return nil, nil
	}
	out := ledger.NewEncoder(make([]byte, 0, len(body.Bytes())+10))
	out.Uint(uint64(count))
	out.Fixed(body.Bytes())
	return out.Bytes(), nil
}

// allocateRoles is the project's split: governed role pools; within a
// provider role by contribution x incentive (contribution alone when no
// weights reach consensus), outliers withheld; validators by dividends x
// validator trust. Every division floors; what is not paid goes to the
// treasury (the caller).
func allocateRoles(p *Params, pool ledger.Amount, cols []column, y *epochOut, reward []ledger.Amount, flagged []bool, valReward []ledger.Amount) {
	poolB := pool.Big()
	rolePool := func(bps uint32) *big.Int {
		x := new(big.Int).Mul(poolB, big.NewInt(int64(bps)))
		return x.Quo(x, big.NewInt(BPS))
	}
	voted := false
	for _, x := range y.incentive {
		if x > 0 {
			voted = true
			break
		}
	}
	scores := make([]*big.Int, len(cols))
	var tmp big.Int
	for _, role := range providerRoles {
		rp := rolePool(p.Shares.of(role))
		sumScore, sumC, sumI := new(big.Int), new(big.Int), new(big.Int)
		for j := range cols {
			c := &cols[j]
			if c.role != role || !c.recorded {
				continue
			}
			s := c.value.Big()
			if voted {
				s.Mul(s, tmp.SetUint64(y.incentive[j]))
			}
			scores[j] = s
			sumScore.Add(sumScore, s)
			sumC.Add(sumC, c.value.Big())
			sumI.Add(sumI, tmp.SetUint64(y.incentive[j]))
		}
		if sumScore.Sign() == 0 {
			continue
		}
		for j := range cols {
			if scores[j] == nil || cols[j].role != role {
				continue
			}
			// Outlier: claimed share of the role above the consensus share
			// by more than OutlierBps.
			if voted && p.WithholdOutliers {
				lhs := new(big.Int).Mul(cols[j].value.Big(), sumI)
				lhs.Mul(lhs, big.NewInt(BPS))
				rhs := new(big.Int).Mul(tmp.SetUint64(y.incentive[j]), sumC)
				rhs.Mul(rhs, big.NewInt(int64(BPS+p.OutlierBps)))
				if lhs.Cmp(rhs) > 0 {
					flagged[j] = true
					continue
				}
			}
			r := new(big.Int).Mul(rp, scores[j])
			reward[j], _ = ledger.AmountFromBig(r.Quo(r, sumScore))
		}
	}
	vp := rolePool(p.Shares.Validators)
	sumV := new(big.Int)
	vscore := make([]*big.Int, len(valReward))
	for i := range valReward {
		vscore[i] = new(big.Int).Mul(new(big.Int).SetUint64(y.dividend[i]), tmp.SetUint64(y.vtrust[i]))
		sumV.Add(sumV, vscore[i])
	}
	if sumV.Sign() == 0 {
		return
	}
	for i := range valReward {
		r := new(big.Int).Mul(vp, vscore[i])
		valReward[i], _ = ledger.AmountFromBig(r.Quo(r, sumV))
	}
}

// allocateSubtensor is the chain's split: providers by incentive and
// validators by dividends, each over the sum of both (the chain's
// normalized server and validator emission), floored to base units; with
// no incentive and no dividends, validators by active stake (by stake when
// none is active). What is not paid goes to the treasury (the caller).
func allocateSubtensor(pool ledger.Amount, y *epochOut, reward, valReward []ledger.Amount) {
	var sum fx
	for _, x := range y.incentive {
		sum = satAdd(sum, x)
	}
	for _, x := range y.dividend {
		sum = satAdd(sum, x)
	}
	share := func(x fx) ledger.Amount {
		q, _, _ := pool.MulDiv(x, fxOne)
		return q
	}
	if sum == 0 {
		by := y.active
		if isZero(by) {
			by = y.stake
		}
		for i, x := range by {
			valReward[i] = share(x)
		}
		return
	}
	for j, x := range y.incentive {
		reward[j] = share(fxDiv(x, sum))
	}
	for i, x := range y.dividend {
		valReward[i] = share(fxDiv(x, sum))
	}
}

func isZero(x []fx) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}
