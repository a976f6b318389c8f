package bridge

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/coopera/coopera/ledger"
)

// State keys, all under "br/":
//
//	br/cursor                     Cursor
//	br/d/<chain be64><contract><nonce be64>   height the deposit was credited
//	br/w/<nonce be64>             Withdrawal
//	br/a/<index be64>             AnchorSealed
//	br/t/<asset>                  Totals
var (
	cursorKey      = []byte("br/cursor")
	depositPrefix  = []byte("br/d/")
	withdrawPrefix = []byte("br/w/")
	anchorPrefix   = []byte("br/a/")
	totalsPrefix   = []byte("br/t/")
)

func be64(prefix []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), v)
}

// DepositStateKey returns the state key that marks a deposit credited.
func DepositStateKey(chainID uint64, contract Address, nonce uint64) []byte {
	k := be64(depositPrefix, chainID)
	k = append(k, contract[:]...)
	return binary.BigEndian.AppendUint64(k, nonce)
}

// DepositKey returns the idempotency key relayers give bridge_deposit: the
// deposit's source, never its block.
func DepositKey(chainID uint64, contract Address, nonce uint64) string {
	return "bridge:" + strconv.FormatUint(chainID, 10) + ":" + contract.String() + ":" + strconv.FormatUint(nonce, 10)
}

func withdrawKey(nonce uint64) []byte { return be64(withdrawPrefix, nonce) }
func anchorKey(index uint64) []byte   { return be64(anchorPrefix, index) }
func totalsKey(a ledger.AssetID) []byte {
	return append(append([]byte(nil), totalsPrefix...), a...)
}

// Cursor is where the bridge stands.
type Cursor struct {
	Withdrawals  uint64 `json:"withdrawals"`   // withdrawals recorded; the last nonce
	Anchors      uint64 `json:"anchors"`       // anchors sealed; the last index
	AnchorHeight uint64 `json:"anchor_height"` // height of the last anchor
	Anchored     uint64 `json:"anchored"`      // the last nonce an anchor commits to
}

// Pending returns the number of withdrawals no anchor commits to yet.
func (c Cursor) Pending() uint64 { return c.Withdrawals - c.Anchored }

func (c *Cursor) encode() []byte {
	e := ledger.NewEncoder(make([]byte, 0, 16))
	e.Uint(c.Withdrawals)
	e.Uint(c.Anchors)
	e.Uint(c.AnchorHeight)
	e.Uint(c.Anchored)
	return e.Bytes()
}

// GetCursor reads the bridge's cursor.
func GetCursor(g ledger.Getter) (Cursor, error) {
	v, ok := g.Get(cursorKey)
	if !ok {
		return Cursor{}, nil
	}
	d := ledger.NewDecoder(v, "bridge cursor")
	c := Cursor{Withdrawals: d.Uint(), Anchors: d.Uint(), AnchorHeight: d.Uint(), Anchored: d.Uint()}
	return c, d.Finish()
}

// Totals are an asset's bridge flows: Deposited is what deposits minted,
// Withdrawn what withdrawals burned, in base units. Deposited − Withdrawn
// is what the vault must hold for the ledger (invariant BridgeBacked).
type Totals struct {
	Deposited ledger.Amount `json:"deposited"`
	Withdrawn ledger.Amount `json:"withdrawn"`
}

// GetTotals reads an asset's bridge flows.
func GetTotals(g ledger.Getter, asset ledger.AssetID) (Totals, error) {
	v, ok := g.Get(totalsKey(asset))
	if !ok {
		return Totals{}, nil
	}
	d := ledger.NewDecoder(v, "bridge totals")
	t := Totals{Deposited: d.Amount(), Withdrawn: d.Amount()}
	return t, d.Finish()
}

func putTotals(st *ledger.State, asset ledger.AssetID, t Totals) {
	e := ledger.NewEncoder(nil)
	e.Amount(t.Deposited)
	e.Amount(t.Withdrawn)
	st.Set(totalsKey(asset), e.Bytes())
}

// Credited reports whether a deposit was credited, and at what height.
func Credited(g ledger.Getter, chainID uint64, contract Address, nonce uint64) (uint64, bool) {
	v, ok := g.Get(DepositStateKey(chainID, contract, nonce))
	if !ok || len(v) != 8 {
		return 0, ok
	}
	return binary.BigEndian.Uint64(v), true
}

// GetWithdrawal reads a withdrawal by nonce.
func GetWithdrawal(g ledger.Getter, nonce uint64) (Withdrawal, bool, error) {
	v, ok := g.Get(withdrawKey(nonce))
	if !ok {
		return Withdrawal{}, false, nil
	}
	d := ledger.NewDecoder(v, "bridge withdrawal")
	var w Withdrawal
	w.decode(d)
	return w, true, d.Finish()
}

// GetAnchor reads an anchor by index (from 1).
func GetAnchor(g ledger.Getter, index uint64) (AnchorSealed, bool, error) {
	v, ok := g.Get(anchorKey(index))
	if !ok {
		return AnchorSealed{}, false, nil
	}
	d := ledger.NewDecoder(v, "bridge anchor")
	var a AnchorSealed
	a.Decode(d)
	return a, true, d.Finish()
}

// AnchorOf returns the anchor that commits to a withdrawal nonce: a
// binary search over the anchors, whose nonce ranges follow each other.
func AnchorOf(g ledger.Getter, nonce uint64) (AnchorSealed, error) {
	c, err := GetCursor(g)
	if err != nil {
		return AnchorSealed{}, err
	}
	if nonce == 0 || nonce > c.Withdrawals {
		return AnchorSealed{}, ledger.Errorf(ErrUnknownWithdraw, "no withdrawal %d; %d recorded", nonce, c.Withdrawals)
	}
	if nonce > c.Anchored {
		return AnchorSealed{}, ledger.Errorf(ErrNotAnchored, "withdrawal %d waits for an anchor (anchored up to %d)", nonce, c.Anchored)
	}
	lo, hi := uint64(1), c.Anchors
	for lo <= hi {
		mid := lo + (hi-lo)/2
		a, ok, err := GetAnchor(g, mid)
		if err != nil {
			return AnchorSealed{}, err
		}
		if !ok {
			return AnchorSealed{}, ledger.Errorf(ledger.ErrCorrupt, "bridge anchor %d is missing", mid)
		}
		switch {
		case nonce < a.FirstNonce:
			hi = mid - 1
		case nonce > a.LastNonce: // an empty anchor has LastNonce = FirstNonce-1
			lo = mid + 1
		default:
			return a, nil
		}
	}
	return AnchorSealed{}, ledger.Errorf(ledger.ErrCorrupt, "withdrawal %d is anchored but no anchor holds it", nonce)
}

// Proof is what the EVM contract needs to release a withdrawal.
type Proof struct {
	Withdrawal Withdrawal `json:"withdrawal"`
	Anchor     uint64     `json:"anchor"` // the anchor's index
	Height     uint64     `json:"height"` // the ledger height that sealed it
	Root       Hash32     `json:"root"`
	Leaf       Hash32     `json:"leaf"`
	Siblings   []Hash32   `json:"siblings"`
}

// Prove builds the Merkle proof of a withdrawal against its anchor. It
// reads the anchor's withdrawals (at most max_anchor_withdrawals).
func Prove(g ledger.Getter, nonce uint64) (Proof, error) {
	a, err := AnchorOf(g, nonce)
	if err != nil {
		return Proof{}, err
	}
	leaves := make([]Hash32, 0, a.Count())
	var target Withdrawal
	for n := a.FirstNonce; n <= a.LastNonce; n++ {
		w, ok, err := GetWithdrawal(g, n)
		if err != nil {
			return Proof{}, err
		}
		if !ok {
			return Proof{}, ledger.Errorf(ledger.ErrCorrupt, "bridge withdrawal %d is missing", n)
		}
		if n == nonce {
			target = w
		}
		leaves = append(leaves, w.Leaf())
	}
	i := int(nonce - a.FirstNonce)
	p := Proof{Withdrawal: target, Anchor: a.Index, Height: a.Height, Root: a.Root, Leaf: leaves[i], Siblings: MerkleProof(leaves, i)}
	if MerkleRoot(leaves) != a.Root {
		return Proof{}, ledger.Errorf(ledger.ErrCorrupt, "anchor %d: its withdrawals give root %s, it records %s", a.Index, MerkleRoot(leaves), a.Root)
	}
	return p, nil
}

// CheckBacked checks the bridge's invariant for an asset whose whole
// supply came in through the bridge: the ledger's supply of it equals
// deposits minus withdrawals.
func CheckBacked(g ledger.Getter, asset ledger.AssetID) error {
	t, err := GetTotals(g, asset)
	if err != nil {
		return err
	}
	a, ok, err := ledger.GetAsset(g, asset)
	if err != nil || !ok {
		return fmt.Errorf("bridge: asset %s: %v (registered %v)", asset, err, ok)
	}
	out, ok := t.Deposited.Sub(t.Withdrawn)
	if !ok {
		return ledger.Errorf(ledger.ErrInvariant, "bridge: %s withdrawn %s exceeds deposited %s", asset, t.Withdrawn, t.Deposited)
	}
	if sup := a.Supply(); sup.Cmp(out) != 0 {
		return ledger.Errorf(ledger.ErrInvariant, "bridge: %s supply is %s, bridge flows say %s", asset, sup, out)
	}
	return nil
}
