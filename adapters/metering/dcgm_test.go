package metering_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/adapters/internal/adaptertest"
	"github.com/coopera/coopera/adapters/metering"
	"github.com/coopera/coopera/adapters/submit"
	"github.com/coopera/coopera/contribution"
	"github.com/coopera/coopera/ledger"
)

// t0 is the first scrape, on a minute boundary.
var t0 = time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)

const (
	h100  = "GPU-5e0b8c4a-29d1-4a7e-9b3f-0c1d2e3f4a5b"
	a100  = "GPU-a17c3f20-88e4-4f1b-a2d6-7e9f0b1c2d3e"
	l40s  = "GPU-c0ffee00-1234-4cde-8f00-abcdef012345"
	scrap = 15 * time.Second
)

// replay serves testdata/dcgm/scrape-NN.txt, the next one on each request,
// as a DCGM exporter would.
func replay(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	files, err := filepath.Glob("testdata/dcgm/scrape-*.txt")
	if err != nil || len(files) != 9 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(files) {
			http.Error(w, "no more scrapes", http.StatusServiceUnavailable)
			return
		}
		data, err := os.ReadFile(files[i])
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestParseDCGM(t *testing.T) {
	f, err := os.Open("testdata/dcgm/scrape-05.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := metering.ParseDCGM(f, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%s model=%q profile=%q act=%d/%v energy=%d/%v power=%d pod=%q", r.Unit.ID(), r.Unit.Model, r.Unit.Profile, r.Activity, r.HasActivity, r.Energy, r.HasEnergy, r.PowerMW, r.Pod))
	}
	want := []string{
		// The H100: GR_ENGINE_ACTIVE (0.85) wins over SM_ACTIVE and GPU_UTIL; the counter just reset.
		h100 + ` model="NVIDIA H100 80GB HBM3" profile="" act=850000/true energy=3000000/true power=517338 pod="vllm-6f9c8d7b5-x2k4q"`,
		// The A100 in MIG mode: its energy, read from the instances' rows, is the physical GPU's.
		a100 + ` model="NVIDIA A100-SXM4-80GB" profile="" act=0/false energy=4420000000/true power=0 pod=""`,
		a100 + `/gi1 model="NVIDIA A100-SXM4-80GB" profile="3g.40gb" act=500000/true energy=0/false power=266712 pod="trainer-0"`,
		a100 + `/gi13 model="NVIDIA A100-SXM4-80GB" profile="1g.10gb" act=250000/true energy=0/false power=266712 pod="embed-7c5d9-qq8wz"`,
		// The L40S has no pod labels.
		l40s + ` model="NVIDIA L40S" profile="" act=200000/true energy=83000000/true power=80125 pod=""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("readings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseDCGMRefusesGarbage(t *testing.T) {
	_, err := metering.ParseDCGM(strings.NewReader("DCGM_FI_DEV_GPU_UTIL{UUID=\"x\" 12\n"), t0)
	if !errors.Is(err, metering.ErrParse) {
		t.Fatalf("err = %v, want ErrParse", err)
	}
}

func TestDCGMScrapeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "exporter starting", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, err := (&metering.DCGM{URL: srv.URL}).Read(context.Background(), t0)
	if !errors.Is(err, metering.ErrScrape) {
		t.Fatalf("err = %v, want ErrScrape", err)
	}
}

// economy opens the standard economy with a meter account "meter" (whose
// key signs), a compute provider "gpu-host-a" and a price table with
// device classes.
func economy(t *testing.T) (*coopera.Engine, *submit.Signer) {
	t.Helper()
	eng, _, err := adaptertest.Open(t.TempDir(), fmt.Sprintf(`{"chain_id": "meter-test", "genesis_time": "2026-01-01T00:00:00Z", "epoch_length": "24h",
	  "require_signatures": true,
	  "assets": [{"id": "COOP", "decimals": 6}],
	  "accounts": [{"id": "meter", "public_key": %q}, {"id": "gpu-host-a", "public_key": %q}],
	  "params": {"contribution": {"reporters": ["meter"],
	    "prices": {"gpu_seconds": 2, "gpu_seconds:h100": 10, "gpu_seconds:a100-80gb/3g.40gb": 4, "gpu_seconds:a100-80gb/1g.10gb": 1}}}}`,
		adaptertest.PublicHex("meter"), adaptertest.PublicHex("gpu-host-a")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	host := &submit.Signer{Actor: "gpu-host-a", PrivateKey: adaptertest.Key("gpu-host-a"), ChainID: eng.ChainID()}
	if _, err := eng.Submit(context.Background(), host.Command("", &contribution.Register{Role: contribution.RoleCompute})); err != nil {
		t.Fatal(err)
	}
	return eng, &submit.Signer{Actor: "meter", PrivateKey: adaptertest.Key("meter"), ChainID: eng.ChainID()}
}

var classes = map[string]string{
	"h100-80gb-hbm3":           "h100",
	"a100-sxm4-80gb/3g.40gb":   "a100-80gb/3g.40gb",
	"a100-sxm4-80gb/1g.10gb":   "a100-80gb/1g.10gb",
	"a100-sxm4-80gb":           "a100-80gb",
	"this-class-is-not-priced": "l40s",
}

func newMeter(t *testing.T, requirePod bool) *metering.Meter {
	t.Helper()
	m, err := metering.New(metering.Options{Source: "dcgm:gpu-node-a", Provider: "gpu-host-a", Classes: classes, RequirePod: requirePod})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func usageLine(u metering.Usage) string {
	return fmt.Sprintf("%s %s %s gpu_s=%d covered=%s energy_mj=%d resets=%d gaps=%d mig_parent=%v pod=%q",
		u.Start.Format("15:04:05"), u.Unit.ID(), u.Class, u.GPUSeconds, u.Covered, u.EnergyMJ, u.Resets, u.Gaps, u.MIGParent, u.Pod)
}

// TestDCGMToContributionRecords replays nine scrapes of a DCGM exporter
// (15 s apart, 1-minute windows) through the meter into an embedded
// engine and checks every window's figures, worked by hand, and the
// contribution they add up to in state.
func TestDCGMToContributionRecords(t *testing.T) {
	ctx := context.Background()
	srv, _ := replay(t)
	eng, signer := economy(t)
	r := &metering.Runner{Meter: newMeter(t, false), Source: &metering.DCGM{URL: srv.URL}, Signer: signer, Queue: submit.NewQueue(eng, 0)}
	var usages []string
	var applied int
	for i := range 9 {
		us, res, err := r.Step(ctx, t0.Add(time.Duration(i)*scrap))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if len(res.Rejected) > 0 {
			t.Fatalf("step %d: rejected %v", i, res.Rejected)
		}
		applied += res.Applied
		for _, u := range us {
			usages = append(usages, usageLine(u))
		}
	}
	// Window 00:10:00 holds the intervals ending at 15, 30 and 45 s; window
	// 00:11:00 those ending at 60, 75, 90 and 105 s (the reading at 120 s
	// closes it).
	//   H100 GR activity 0.8 0.9 0.75 -> 15 s x 2.45 = 36.75 -> 36, carry 0.75;
	//        then 0.8 0.85 0.6 0.9 -> 15 s x 3.15 = 47.25 + 0.75 = 48.
	//        Energy 3 x 7.5 MJ; then 7.5 + 3 (reset: the new reading) + 7.5 + 7.5.
	//   A100 3g.40gb at 0.5: 22.5 -> 22, then 30 + 0.5 -> 30; 1g.10gb at 0.25: 11.25 -> 11, then 15.25 -> 15.
	//        The whole A100 carries the energy (4 MJ a scrape) and no GPU time.
	//   L40S at 0.2 with no pod labels: 9, then 12.
	want := []string{
		`00:10:00 ` + h100 + ` h100 gpu_s=36 covered=45s energy_mj=22500000 resets=0 gaps=0 mig_parent=false pod="vllm-6f9c8d7b5-x2k4q"`,
		`00:10:00 ` + a100 + ` a100-80gb gpu_s=0 covered=45s energy_mj=12000000 resets=0 gaps=0 mig_parent=true pod=""`,
		`00:10:00 ` + a100 + `/gi1 a100-80gb/3g.40gb gpu_s=22 covered=45s energy_mj=0 resets=0 gaps=0 mig_parent=false pod="trainer-0"`,
		`00:10:00 ` + a100 + `/gi13 a100-80gb/1g.10gb gpu_s=11 covered=45s energy_mj=0 resets=0 gaps=0 mig_parent=false pod="embed-7c5d9-qq8wz"`,
		`00:10:00 ` + l40s + ` l40s gpu_s=9 covered=45s energy_mj=3600000 resets=0 gaps=0 mig_parent=false pod=""`,
		`00:11:00 ` + h100 + ` h100 gpu_s=48 covered=1m0s energy_mj=25500000 resets=1 gaps=0 mig_parent=false pod="vllm-6f9c8d7b5-x2k4q"`,
		`00:11:00 ` + a100 + ` a100-80gb gpu_s=0 covered=1m0s energy_mj=16000000 resets=0 gaps=0 mig_parent=true pod=""`,
		`00:11:00 ` + a100 + `/gi1 a100-80gb/3g.40gb gpu_s=30 covered=1m0s energy_mj=0 resets=0 gaps=0 mig_parent=false pod="trainer-0"`,
		`00:11:00 ` + a100 + `/gi13 a100-80gb/1g.10gb gpu_s=15 covered=1m0s energy_mj=0 resets=0 gaps=0 mig_parent=false pod="embed-7c5d9-qq8wz"`,
		`00:11:00 ` + l40s + ` l40s gpu_s=12 covered=1m0s energy_mj=4800000 resets=0 gaps=0 mig_parent=false pod=""`,
	}
	if strings.Join(usages, "\n") != strings.Join(want, "\n") {
		t.Fatalf("usages:\n%s\nwant:\n%s", strings.Join(usages, "\n"), strings.Join(want, "\n"))
	}
	if applied != 8 {
		t.Fatalf("%d records applied, want 8 (the A100's energy-only windows are not records)", applied)
	}
	// C = sum P(class) x GPU-seconds: h100 10 x (36+48) + 3g.40gb 4 x (22+30)
	// + 1g.10gb 1 x (11+15) + l40s (unpriced: the gpu_seconds default, 2) x (9+12).
	chain, err := eng.Chain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := contribution.PendingContribution(eng.View(), "gpu-host-a", chain.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Contribution.String(), fmt.Sprint(10*84+4*52+26+2*21); got != want || p.Records != 8 {
		t.Fatalf("pending contribution %s from %d records, want %s from 8", got, p.Records, want)
	}
}

// TestReplayIsIdempotent: a fresh meter and signer replaying the same
// scrapes build byte-identical commands, which the ledger answers as
// duplicates; a queue whose submitter fails keeps its commands and sends
// them unchanged.
func TestReplayIsIdempotent(t *testing.T) {
	ctx := context.Background()
	eng, _ := economy(t)
	run := func(to submit.Submitter) (submit.Result, []*ledger.Command) {
		srv, _ := replay(t)
		signer := &submit.Signer{Actor: "meter", PrivateKey: adaptertest.Key("meter"), ChainID: eng.ChainID()}
		m := newMeter(t, false)
		var cmds []*ledger.Command
		var total submit.Result
		q := submit.NewQueue(to, 3)
		for i := range 9 {
			now := t0.Add(time.Duration(i) * scrap)
			rs, err := (&metering.DCGM{URL: srv.URL}).Read(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			us, err := m.Observe(now, rs)
			if err != nil {
				t.Fatal(err)
			}
			c := metering.Commands(us, signer)
			cmds = append(cmds, c...)
			q.Add(c...)
			res, err := q.Flush(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total.Applied += res.Applied
			total.Duplicates += res.Duplicates
			total.Rejected = append(total.Rejected, res.Rejected...)
		}
		return total, cmds
	}
	first, c1 := run(eng)
	head := eng.Head()
	second, c2 := run(eng)
	if first.Applied != 8 || second.Applied != 0 || second.Duplicates != 8 || len(second.Rejected) != 0 {
		t.Fatalf("first %+v, second %+v; want 8 applied, then 8 duplicates", first, second)
	}
	for i := range c1 {
		if string(ledger.EncodeCommand(c1[i])) != string(ledger.EncodeCommand(c2[i])) {
			t.Fatalf("command %d differs on replay", i)
		}
	}
	if eng.Head().StateRoot != head.StateRoot {
		t.Fatal("duplicates changed the state")
	}

	// A submitter that fails: the queue keeps the batch, then sends it again.
	flaky := &flakySubmitter{to: eng, fail: 1}
	q := submit.NewQueue(flaky, 0)
	q.Add(c1...)
	if _, err := q.Flush(ctx); !errors.Is(err, submit.ErrTransport) || q.Len() != len(c1) {
		t.Fatalf("flush through a failing submitter: %v, %d queued", err, q.Len())
	}
	res, err := q.Flush(ctx)
	if err != nil || res.Duplicates != len(c1) || q.Len() != 0 {
		t.Fatalf("second flush: %+v %v, %d queued", res, err, q.Len())
	}
}

type flakySubmitter struct {
	to   submit.Submitter
	fail int
}

func (f *flakySubmitter) SubmitBatch(ctx context.Context, cmds []*ledger.Command) ([]*coopera.Receipt, error) {
	if f.fail > 0 {
		f.fail--
		return nil, errors.New("connection reset by peer")
	}
	return f.to.SubmitBatch(ctx, cmds)
}

// TestRequirePod: with RequirePod, the L40S (no pod labels) earns no GPU
// time, though its energy is still metered.
func TestRequirePod(t *testing.T) {
	srv, _ := replay(t)
	m := newMeter(t, true)
	src := &metering.DCGM{URL: srv.URL}
	var l40sUsage []metering.Usage
	for i := range 9 {
		now := t0.Add(time.Duration(i) * scrap)
		rs, err := src.Read(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		us, _ := m.Observe(now, rs)
		for _, u := range us {
			if u.Unit.UUID == l40s {
				l40sUsage = append(l40sUsage, u)
			}
		}
	}
	if len(l40sUsage) != 2 || l40sUsage[0].GPUSeconds != 0 || l40sUsage[1].GPUSeconds != 0 || l40sUsage[1].EnergyMJ != 4_800_000 || l40sUsage[1].Record() != nil {
		t.Fatalf("L40S usage with RequirePod: %+v", l40sUsage)
	}
}
