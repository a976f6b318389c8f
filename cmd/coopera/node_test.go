package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

func TestClusterDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"cluster-demo", "-dir", t.TempDir()}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"bob has 125 COOP", "bob has 130 COOP", "nothing acknowledged was lost"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestNodeAPI(t *testing.T) {
	g, err := ledger.ParseGenesis([]byte(exampleGenesis("api", nowSecond())))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := ledgerOptions()
	if err != nil {
		t.Fatal(err)
	}
	opts.Genesis = g
	eng, err := coopera.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	srv := httptest.NewServer(api.NewHandler(eng, nil))
	defer srv.Close()
	post := func(body string) (*http.Response, map[string]any) {
		resp, err := http.Post(srv.URL+"/submit", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	resp, m := post(`{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"7"}]}}`)
	if resp.StatusCode != 200 || m["applied"] != true {
		t.Fatalf("submit: %d %v", resp.StatusCode, m)
	}
	resp, m = post(`{"type":"transfer","actor":"bob","payload":{"legs":[{"to":"alice","asset":"COOP","amount":"700"}]}}`)
	if resp.StatusCode != 422 {
		t.Fatalf("overdraft: %d %v", resp.StatusCode, m)
	}
	resp, m = post(`{"type":"transfer",`)
	if resp.StatusCode != 400 || m["code"] != "malformed" {
		t.Fatalf("malformed: %d %v", resp.StatusCode, m)
	}
	r, err := http.Get(srv.URL + "/balance?account=bob&asset=COOP")
	if err != nil {
		t.Fatal(err)
	}
	var b api.Balance
	json.NewDecoder(r.Body).Decode(&b)
	r.Body.Close()
	if b.Amount != ledger.NewAmount(7) || b.Units != "0.000007" || b.Decimals != 6 {
		t.Fatalf("balance %+v", b)
	}
}

func nowSecond() time.Time { return time.Now().Truncate(time.Second) }

func TestContributionCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	var out, errb bytes.Buffer
	if code := run([]string{"quickstart", "-dir", dir}, &out, &errb); code != exitOK {
		t.Fatal(errb.String())
	}
	out.Reset()
	if code := run([]string{"contribution", dir, "-provider", "bob"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "open epoch 0: contribution 0 from 0 records") {
		t.Fatalf("output:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"contribution", dir}, &out, &errb); code != exitUsage {
		t.Fatalf("no -provider or -validator: exit %d", code)
	}
}

// TestRemoteMode: submit and balance with -node go through a node's HTTP
// API (the real handler over a real ledger), with the receipts and exit
// statuses of the local mode.
func TestRemoteMode(t *testing.T) {
	dir := newLedger(t)
	eng, err := openLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("0123456789abcdef0123\n"), 0o600)
	srv := httptest.NewServer(api.NewHandler(eng, &api.Options{Token: "0123456789abcdef0123"}))
	defer srv.Close()

	runCLI(t, "submit", "-node", srv.URL, "-api-token-file", tokenFile, filepath.Join("testdata", "transfer.json")).want(t, exitOK).
		contains(t, "applied at height 1", "bob", "2.5 COOP", "event transferred/v1 {")
	r := runCLI(t, "submit", "-node", srv.URL, "-api-token-file", tokenFile, "-json", filepath.Join("testdata", "transfer.json")).want(t, exitOK)
	var rc api.Receipt
	decodeJSON(t, r, &rc)
	if !rc.Duplicate || rc.Height != 1 {
		t.Errorf("the same command again: %+v", rc)
	}
	runCLI(t, "submit", "-node", srv.URL, "-api-token-file", tokenFile, filepath.Join("testdata", "overdraft.json")).want(t, exitFail).
		stderrContains(t, "command rejected: insufficient_funds")
	r = runCLI(t, "balance", "-node", srv.URL, "-api-token-file", tokenFile, "bob", "COOP", "-json").want(t, exitOK)
	var b api.Balance
	decodeJSON(t, r, &b)
	if b.Units != "2.5" || b.Amount != ledger.NewAmount(2500000) {
		t.Errorf("balance: %+v", b)
	}
	runCLI(t, "balance", "-node", srv.URL, "-api-token-file", tokenFile, "zed", "COOP").want(t, exitUsage).stderrContains(t, "unknown_account")
	r = runCLI(t, "balance", "-node", srv.URL, "bob", "COOP", "-json").want(t, exitFail)
	var doc errorDoc
	decodeJSON(t, r, &doc)
	if doc.Code != "unauthorized" {
		t.Errorf("without the token: %+v", doc)
	}
	runCLI(t, "balance", "-node", srv.URL, dir, "bob", "COOP").want(t, exitUsage)
	runCLI(t, "balance", "-node", "127.0.0.1:1", "bob", "COOP").want(t, exitUsage)
}
