// Command metering is a walk-through of GPU metering: a cluster's DCGM
// exporter (simulated in-process: two hosts, an H100 and an A100 split
// into MIG instances) is scraped every 15 s, metered into one-minute
// windows, and each window's GPU time becomes a signed contribution
// record in an embedded ledger running the standard economy. When the
// epoch closes, the emission's compute share is paid out by contribution.
//
// Run it with: go run ./examples/metering
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/economy"
	"github.com/coopera/coopera/ledger"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// key returns a fixed key for a name (a walk-through, not a wallet).
func key(name string) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, name)
	return ed25519.NewKeyFromSeed(seed)
}

func pub(name string) string { return hex.EncodeToString(key(name).Public().(ed25519.PublicKey)) }

// exporter simulates a DCGM exporter: scrape n shows every GPU's
// cumulative energy after n scrapes and its current activity.
func exporter() *httptest.Server {
	var mu sync.Mutex
	n := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		h100 := `UUID="GPU-5e0b8c4a-29d1-4a7e-9b3f-0c1d2e3f4a5b",modelName="NVIDIA H100 80GB HBM3",Hostname="node-a",pod="vllm-0",namespace="inference",container="vllm"`
		a100 := `UUID="GPU-a17c3f20-88e4-4f1b-a2d6-7e9f0b1c2d3e",modelName="NVIDIA A100-SXM4-80GB",Hostname="node-b"`
		fmt.Fprintf(w, "# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge\n")
		fmt.Fprintf(w, "DCGM_FI_PROF_GR_ENGINE_ACTIVE{%s} 0.9\n", h100)
		fmt.Fprintf(w, "DCGM_FI_PROF_GR_ENGINE_ACTIVE{%s,GPU_I_PROFILE=\"3g.40gb\",GPU_I_ID=\"1\",pod=\"trainer-0\"} 0.6\n", a100)
		fmt.Fprintf(w, "DCGM_FI_PROF_GR_ENGINE_ACTIVE{%s,GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"13\",pod=\"embed-1\"} 0.2\n", a100)
		fmt.Fprintf(w, "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n")
		fmt.Fprintf(w, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{%s} %d\n", h100, 9_000_000_000+i*10_500_000)
		fmt.Fprintf(w, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{%s,GPU_I_PROFILE=\"3g.40gb\",GPU_I_ID=\"1\"} %d\n", a100, 4_000_000_000+i*5_250_000)
	}))
}

func run(w io.Writer) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "coopera-metering")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// A ledger with the standard economy: a meter account allowed to
	// report, two GPU hosts, a price table by device class, and the
	// emission's provider share paid into the contribution pool.
	g, err := ledger.ParseGenesis([]byte(fmt.Sprintf(`{"chain_id": "metering-walkthrough", "genesis_time": "2026-03-01T00:00:00Z", "epoch_length": "24h",
	  "require_signatures": true,
	  "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "meter", "public_key": %q}, {"id": "gpu-host-a", "public_key": %q}, {"id": "gpu-host-b", "public_key": %q}],
	  "params": {"tokenomics": {"provider_pool": "mod:contribution/pool"},
	             "contribution": {"reporters": ["meter"], "prices": {"gpu_seconds": 1, "gpu_seconds:h100": 10, "gpu_seconds:a100/3g.40gb": 4, "gpu_seconds:a100/1g.10gb": 1}},
	             "governance": {"policy_hash": "0000000000000000000000000000000000000000000000000000000000000001"}}}`,
		pub("meter"), pub("gpu-host-a"), pub("gpu-host-b"))))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	blockTime := g.GenesisTime
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		blockTime = blockTime.Add(time.Second)
		return blockTime
	}
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g, Modules: economy.Modules(), Clock: clock})
	if err != nil {
		return err
	}
	defer eng.Close()
	for _, host := range []ledger.AccountID{"gpu-host-a", "gpu-host-b"} {
		s := &submit.Signer{Actor: host, PrivateKey: key(string(host)), ChainID: eng.ChainID()}
		if _, err := eng.Submit(ctx, s.Command("", &contribution.Register{Role: contribution.RoleCompute})); err != nil {
			return err
		}
	}

	// The meter: one exporter for the cluster, hosts credited to their
	// providers, model names mapped to the price table's classes.
	srv := exporter()
	defer srv.Close()
	m, err := metering.New(metering.Options{
		Source:        "dcgm:cluster-1",
		HostProviders: map[string]ledger.AccountID{"node-a": "gpu-host-a", "node-b": "gpu-host-b"},
		Classes: map[string]string{"h100-80gb-hbm3": "h100", "a100-sxm4-80gb": "a100",
			"a100-sxm4-80gb/3g.40gb": "a100/3g.40gb", "a100-sxm4-80gb/1g.10gb": "a100/1g.10gb"},
	})
	if err != nil {
		return err
	}
	r := &metering.Runner{Meter: m, Source: &metering.DCGM{URL: srv.URL}, Queue: submit.NewQueue(eng, 0),
		Signer: &submit.Signer{Actor: "meter", PrivateKey: key("meter"), ChainID: eng.ChainID()},
		OnUsage: func(u metering.Usage) {
			fmt.Fprintf(w, "window %s %-14s %-12s %3d GPU-s %5.1f kJ -> %s\n", u.Start.Format("15:04"), u.Unit.ID()[:8]+suffix(u.Unit), u.Class, u.GPUSeconds, float64(u.EnergyMJ)/1e6, recorded(u))
		}}
	scrape0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	applied := 0
	for i := range 9 { // 09:00:00 .. 09:02:00, every 15 s
		_, res, err := r.Step(ctx, scrape0.Add(time.Duration(i)*15*time.Second))
		if err != nil {
			return err
		}
		applied += res.Applied
	}
	fmt.Fprintf(w, "%d contribution records applied\n", applied)
	chain, err := eng.Chain(ctx)
	if err != nil {
		return err
	}
	for _, p := range []ledger.AccountID{"gpu-host-a", "gpu-host-b"} {
		pend, err := contribution.PendingContribution(eng.View(), p, chain.Epoch)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: contribution %s from %d records in epoch %d, %.1f kJ metered\n", p, pend.Contribution, pend.Records, pend.Epoch, float64(pend.EnergyMJ)/1e6)
	}

	// The ledger's clock passes the day's end; the meter's next records go
	// into a block that first closes the epoch: the emission is minted,
	// the providers' share goes to the contribution pool, and the compute
	// role's part is paid by contribution. (No validators scored this
	// epoch, so the claimed contributions stand.)
	mu.Lock()
	blockTime = blockTime.Add(24 * time.Hour)
	mu.Unlock()
	r.OnUsage = nil
	for i := 9; i < 13; i++ {
		if _, _, err := r.Step(ctx, scrape0.Add(time.Duration(i)*15*time.Second)); err != nil {
			return err
		}
	}
	for _, p := range []ledger.AccountID{"gpu-host-a", "gpu-host-b"} {
		rs, err := contribution.ProviderResults(eng.View(), p)
		if err != nil {
			return err
		}
		for _, res := range rs {
			bal, err := eng.Balance(ctx, p, "COOP")
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "epoch %d %s: contribution %s, reward %s COOP (balance %s)\n", res.Epoch, p, res.Contribution, res.Reward.Format(6), bal.Format(6))
		}
	}
	return nil
}

func suffix(u metering.Unit) string {
	if u.Instance == "" {
		return ""
	}
	return "/gi" + u.Instance
}

func recorded(u metering.Usage) string {
	if r := u.Record(); r != nil {
		return fmt.Sprintf("record %d x gpu_seconds:%s for %s", r.Quantity, r.Class, r.Provider)
	}
	if u.MIGParent {
		return "energy shared by its instances' records"
	}
	return "no record"
}
