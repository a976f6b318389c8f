package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coopera/coopera/api"
)

// TestHostCheck: without a token the API answers only requests for an IP
// address, localhost (and its subdomains) or a configured name, so that a
// web page cannot reach a node on localhost under its own, rebound name.
// With a token it checks names only when some are configured.
func TestHostCheck(t *testing.T) {
	eng := openEngine(t, false)
	const token = "0123456789abcdef0123"
	open := api.NewHandler(eng, nil)
	named := api.NewHandler(eng, &api.Options{Hosts: []string{"Node.Internal."}})
	guarded := api.NewHandler(eng, &api.Options{Token: token})
	guardedNamed := api.NewHandler(eng, &api.Options{Token: token, Hosts: []string{"node.internal"}})
	cases := []struct {
		name    string
		h       http.Handler
		host    string
		withTok bool
		want    int
	}{
		{"IPv4", open, "127.0.0.1:8080", false, 200},
		{"IPv6", open, "[::1]:8080", false, 200},
		{"another IP", open, "10.1.2.3", false, 200},
		{"localhost", open, "localhost:8080", false, 200},
		{"localhost in capitals, a trailing dot", open, "LOCALHOST.:8080", false, 200},
		{"a subdomain of localhost", open, "app.localhost", false, 200},
		{"no Host (HTTP/1.0)", open, "", false, 200},
		{"a rebound name", open, "evil.example:8080", false, 403},
		{"a name like localhost", open, "localhost.evil.example", false, 403},
		{"a name before its configuration", open, "node.internal", false, 403},
		{"a configured name", named, "node.internal:8080", false, 200},
		{"another name", named, "evil.example", false, 403},
		{"a token, any name", guarded, "evil.example", true, 200},
		{"no token, any name", guarded, "evil.example", false, 401},
		{"a token and names", guardedNamed, "evil.example", true, 403},
		{"a token and a configured name", guardedNamed, "node.internal", true, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/head", nil)
			req.Host = tc.host
			if tc.withTok {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("Host %q: %d, want %d: %s", tc.host, rec.Code, tc.want, rec.Body)
			}
		})
	}
}
