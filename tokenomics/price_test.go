package tokenomics_test

import (
	"errors"
	"testing"
	"time"

	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/tokenomics"
)

// TestSubMicroDollarPrice: a token worth $0.0000000123 (under a
// millionth of a dollar, with 18 decimals) is observed exactly and buys
// credits at that price: 10^8 tokens buy 1,230,000 micro-USD ($1.23); one
// token's worth ($0.0000000123) buys less than one credit and is refused.
func TestSubMicroDollarPrice(t *testing.T) {
	h := harness(t, `{"chain_id": "penny", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
 "assets": [{"id": "MEME", "decimals": 18}],
 "accounts": [{"id": "alice"}, {"id": "f1"}],
 "allocations": [{"account": "alice", "asset": "MEME", "amount": "200000000000000000000000000"}],
 "params": {"tokenomics": {"native_asset": "MEME", "oracle_feeds": ["f1"], "max_price_age": "1h"}}}`)
	price, err := tokenomics.ParsePrice("0.0000000123")
	if err != nil || price.String() != "12300000000" {
		t.Fatalf("ParsePrice: %s %v", price, err)
	}
	apply(t, h, h.Time.Add(time.Second), `{"type": "observe_price", "actor": "f1", "payload": {"price": "12300000000"}}`)
	pv, err := tokenomics.Price(ledger.NewState(h.Store), h.Height+1, h.Time.UnixNano())
	if err != nil || pv.Median != price || pv.TWAP != price {
		t.Fatalf("oracle view %+v, %v; want median and TWAP %s", pv, err, price)
	}
	apply(t, h, h.Time.Add(time.Second), `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "100000000000000000000000000"}}`)
	if c, err := tokenomics.Credits(h, "alice"); err != nil || c.String() != "1230000" {
		t.Fatalf("credits %s, %v; want 1230000 ($1.23)", c, err)
	}
	b, err := h.Apply(h.Time.Add(time.Second), []*ledger.Command{cmd(t, h, `{"type": "buy_credits", "actor": "alice", "payload": {"amount": "1000000000000000000"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Results[0].Err(); !errors.Is(err, tokenomics.ErrAmountTooSmall) {
		t.Fatalf("one token's worth: %v, want ErrAmountTooSmall", err)
	}
	if got := tokenomics.FormatPrice(price); got != "0.0000000123" {
		t.Fatalf("FormatPrice = %s", got)
	}
}

// TestMaxPriceLimit: max_price above 2^100 is refused at genesis, with the
// parameter named.
func TestMaxPriceLimit(t *testing.T) {
	over, _ := tokenomics.MaxPriceLimit.Add(ledger.NewAmount(1))
	p := tokenomics.DefaultParams()
	p.MaxPrice = over
	if err := p.Validate(); err == nil || !errors.Is(err, ledger.ErrInvalidParameter) {
		t.Fatalf("max_price 2^100+1: %v, want ErrInvalidParameter", err)
	}
	p.MaxPrice = tokenomics.MaxPriceLimit
	if err := p.Validate(); err != nil {
		t.Fatalf("max_price 2^100: %v", err)
	}
}
