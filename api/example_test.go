package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

// Serve a ledger's API, submit a transfer, read a balance with its units,
// and see an unknown account answered as an RFC 9457 problem.
func Example() {
	dir, _ := os.MkdirTemp("", "coopera-api-example")
	defer os.RemoveAll(dir)
	g, _ := ledger.ParseGenesis([]byte(testGenesis(false)))
	eng, err := coopera.Open(dir, &coopera.Options{Genesis: g})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	srv := httptest.NewServer(api.NewHandler(eng, nil))
	defer srv.Close()

	show := func(resp *http.Response, err error) {
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
		fmt.Print(string(body))
	}
	cmd := `{"type":"transfer","actor":"alice","key":"k1","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"2500000"}]}}`
	resp, err := http.Post(srv.URL+"/submit", "application/json", strings.NewReader(cmd))
	if err == nil {
		resp.Body.Close()
		fmt.Println("submit:", resp.StatusCode)
	}
	show(http.Get(srv.URL + "/balance?account=bob&asset=COOP"))
	show(http.Get(srv.URL + "/balance?account=dave&asset=COOP"))
	// Output:
	// submit: 200
	// 200 application/json
	// {"account":"bob","asset":"COOP","amount":"2500000","units":"2.5","decimals":6}
	// 404 application/problem+json
	// {"type":"urn:coopera:problem:unknown_account","title":"Not Found","status":404,"detail":"unknown_account: account dave does not exist","code":"unknown_account"}
}
