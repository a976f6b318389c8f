package governance

import (
	"encoding/binary"

	"github.com/coopera/coopera/ledger"
)

// State layout of the governance module. Proposal IDs and times in keys
// are 8-byte big-endian (times with the sign bit flipped), so keys sort by
// them; account IDs never contain the 0x00 separator.
//
//	g/policy                       hash of the policy set in force
//	g/next                         next proposal ID (absent: 1)
//	g/p/<id>                       proposal record
//	g/v/<id><voter>                vote record
//	g/a/<voting end><id>           open proposals, by voting end
//	g/x/<deadline><id>             succeeded and queued proposals, by deadline
//	g/l/<proposer>                 live proposals of a proposer (varint)
//	g/d/<delegator>                delegation checkpoints (height, delegate)
//	g/r/<delegate>\x00<delegator>  accounts that ever delegated to delegate
//	g/s/<asset>                    asset listed by governance (collateral weight)

var (
	policyKey = []byte("g/policy")
	nextKey   = []byte("g/next")
)

func be64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

func timeKey(t int64) uint64 { return uint64(t) ^ (1 << 63) }

// ProposalKey returns the state key of a proposal.
func ProposalKey(id uint64) []byte { return be64([]byte("g/p/"), id) }

// VotePrefix returns the key prefix of a proposal's votes.
func VotePrefix(id uint64) []byte { return be64([]byte("g/v/"), id) }

// VoteKey returns the state key of a vote.
func VoteKey(id uint64, voter ledger.AccountID) []byte { return append(VotePrefix(id), voter...) }

var (
	openPrefix     = []byte("g/a/")
	deadlinePrefix = []byte("g/x/")
)

func openKey(end int64, id uint64) []byte     { return be64(be64([]byte("g/a/"), timeKey(end)), id) }
func deadlineKey(t int64, id uint64) []byte   { return be64(be64([]byte("g/x/"), timeKey(t)), id) }
func liveKey(a ledger.AccountID) []byte       { return append([]byte("g/l/"), a...) }
func delegationKey(a ledger.AccountID) []byte { return append([]byte("g/d/"), a...) }
func listingKey(a ledger.AssetID) []byte      { return append([]byte("g/s/"), a...) }

func delegatorsPrefix(delegate ledger.AccountID) []byte {
	k := append([]byte("g/r/"), delegate...)
	return append(k, 0)
}

func delegatorKey(delegate, delegator ledger.AccountID) []byte {
	return append(delegatorsPrefix(delegate), delegator...)
}

// idAt reads the 8-byte ID at the end of an index key.
func idAt(key []byte) uint64 { return binary.BigEndian.Uint64(key[len(key)-8:]) }

// PolicyHash returns the hash of the policy set in force.
func PolicyHash(g ledger.Getter) ([]byte, error) {
	v, ok := g.Get(policyKey)
	if !ok {
		return nil, ledger.Errorf(ledger.ErrCorrupt, "state has no governance policy hash; was the governance module in the genesis?")
	}
	d := ledger.NewDecoder(v, "policy hash")
	h := d.Blob()
	return h, d.Finish()
}

// NextID returns the ID the next proposal will get.
func NextID(g ledger.Getter) (uint64, error) {
	v, ok := g.Get(nextKey)
	if !ok {
		return 1, nil
	}
	d := ledger.NewDecoder(v, "next proposal ID")
	n := d.Uint()
	return n, d.Finish()
}

func uvarint(v uint64) []byte {
	e := ledger.NewEncoder(make([]byte, 0, 10))
	e.Uint(v)
	return e.Bytes()
}

// GetProposal reads a proposal; ok is false if there is none with id.
func GetProposal(g ledger.Getter, id uint64) (*Proposal, bool, error) {
	v, ok := g.Get(ProposalKey(id))
	if !ok {
		return nil, false, nil
	}
	p, err := decodeProposal(v)
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
}

func mustProposal(g ledger.Getter, id uint64) (*Proposal, error) {
	p, ok, err := GetProposal(g, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		next, _ := NextID(g)
		return nil, ledger.Errorf(ErrUnknownProposal, "no proposal %d; proposals so far are 1 to %d", id, next-1)
	}
	return p, nil
}

func putProposal(st *ledger.State, p *Proposal) { st.Set(ProposalKey(p.ID), p.encode()) }

// VoteRecord is a recorded vote. The vote counts Power + DelegatedPower,
// split over its options, and Stake + DelegatedStake toward quorum.
type VoteRecord struct {
	Voter          ledger.AccountID `json:"voter"`
	Options        []WeightedOption `json:"options"`
	Stake          ledger.Amount    `json:"stake"`
	Power          ledger.Amount    `json:"power"`
	DelegatedStake ledger.Amount    `json:"delegated_stake"`
	DelegatedPower ledger.Amount    `json:"delegated_power"`
	Height         uint64           `json:"height"`
}

func (r *VoteRecord) encode() []byte {
	e := ledger.NewEncoder(make([]byte, 0, 64))
	encodeOptions(e, r.Options)
	e.Amount(r.Stake)
	e.Amount(r.Power)
	e.Amount(r.DelegatedStake)
	e.Amount(r.DelegatedPower)
	e.Uint(r.Height)
	return e.Bytes()
}

// DecodeVote decodes a vote record stored under VoteKey(id, voter).
func DecodeVote(voter ledger.AccountID, b []byte) (VoteRecord, error) {
	d := ledger.NewDecoder(b, "vote")
	r := VoteRecord{Voter: voter, Options: decodeOptions(d)}
	r.Stake, r.Power, r.DelegatedStake, r.DelegatedPower = d.Amount(), d.Amount(), d.Amount(), d.Amount()
	r.Height = d.Uint()
	return r, d.Finish()
}

// GetVote reads a voter's vote on a proposal.
func GetVote(g ledger.Getter, id uint64, voter ledger.AccountID) (VoteRecord, bool, error) {
	v, ok := g.Get(VoteKey(id, voter))
	if !ok {
		return VoteRecord{}, false, nil
	}
	r, err := DecodeVote(voter, v)
	return r, err == nil, err
}

// Scanner is a Getter that can also iterate a key prefix in key order: a
// *ledger.Context, a *ledger.State, or a host's read view.
type Scanner interface {
	ledger.Getter
	Scan(prefix []byte, fn func(key, value []byte) bool)
}

// Votes returns a proposal's votes in voter order.
func Votes(s Scanner, id uint64) ([]VoteRecord, error) {
	prefix := VotePrefix(id)
	var out []VoteRecord
	var err error
	s.Scan(prefix, func(k, v []byte) bool {
		var r VoteRecord
		r, err = DecodeVote(ledger.AccountID(k[len(prefix):]), v)
		if err != nil {
			return false
		}
		out = append(out, r)
		return true
	})
	return out, err
}

// checkpoint is one delegation change.
type checkpoint struct {
	height   uint64
	delegate ledger.AccountID
}

func readCheckpoints(g ledger.Getter, a ledger.AccountID) ([]checkpoint, error) {
	v, ok := g.Get(delegationKey(a))
	if !ok {
		return nil, nil
	}
	d := ledger.NewDecoder(v, "delegation of "+string(a))
	n := d.Len(2)
	out := make([]checkpoint, n)
	for i := range out {
		out[i] = checkpoint{height: d.Uint(), delegate: ledger.AccountID(d.String())}
	}
	return out, d.Finish()
}

func writeCheckpoints(st *ledger.State, a ledger.AccountID, cps []checkpoint) {
	e := ledger.NewEncoder(nil)
	e.Uint(uint64(len(cps)))
	for _, c := range cps {
		e.Uint(c.height)
		e.String(string(c.delegate))
	}
	st.Set(delegationKey(a), e.Bytes())
}

// DelegateAt returns the account a delegated to as of the state after
// block height ("" if none).
func DelegateAt(g ledger.Getter, a ledger.AccountID, height uint64) (ledger.AccountID, error) {
	cps, err := readCheckpoints(g, a)
	if err != nil {
		return "", err
	}
	var out ledger.AccountID
	for _, c := range cps {
		if c.height > height {
			break
		}
		out = c.delegate
	}
	return out, nil
}

// Listing returns the collateral weight of an asset listed by governance,
// and whether it was listed.
func Listing(g ledger.Getter, asset ledger.AssetID) (weightBps uint32, ok bool, err error) {
	v, ok := g.Get(listingKey(asset))
	if !ok {
		return 0, false, nil
	}
	d := ledger.NewDecoder(v, "listing of "+string(asset))
	w := decodeU32(d)
	return w, true, d.Finish()
}

func readUint(g ledger.Getter, key []byte, what string) (uint64, error) {
	v, ok := g.Get(key)
	if !ok {
		return 0, nil
	}
	d := ledger.NewDecoder(v, what)
	n := d.Uint()
	return n, d.Finish()
}

// Proposals returns proposals from ID from on, at most limit (0: all), in
// ID order.
func Proposals(g ledger.Getter, from uint64, limit int) ([]*Proposal, error) {
	next, err := NextID(g)
	if err != nil {
		return nil, err
	}
	if from == 0 {
		from = 1
	}
	var out []*Proposal
	for id := from; id < next && (limit <= 0 || len(out) < limit); id++ {
		p, ok, err := GetProposal(g, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}
