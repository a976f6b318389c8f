package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
	"github.com/coopera/coopera/ledger/replication"
	"github.com/coopera/coopera/ledger/replication/natsembed"
)

// spec is the OpenAPI document, decoded.
type spec struct {
	doc map[string]any
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi.yaml: openapi is %q, want 3.x", v)
	}
	return &spec{doc}
}

// get follows a path of keys through the document.
func (s *spec) get(keys ...string) (any, bool) {
	var v any = s.doc
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// resolve follows a $ref ("#/components/...").
func (s *spec) resolve(t *testing.T, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		target, ok := s.get(strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
		if !ok {
			t.Fatalf("openapi.yaml: dangling $ref %s", ref)
		}
		return s.resolve(t, target)
	}
	return m
}

// routes returns the document's operations as "METHOD /path".
func (s *spec) routes() []string {
	paths, _ := s.get("paths")
	var out []string
	for p, ops := range paths.(map[string]any) {
		for m := range ops.(map[string]any) {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(out)
	return out
}

// validate checks v against a schema: types, required properties, the
// properties' and items' schemas, date-time strings. It returns the first
// mismatch.
func (s *spec) validate(t *testing.T, schema any, v any, at string) error {
	sc := s.resolve(t, schema)
	switch typ, _ := sc["type"].(string); typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %T, want an object", at, v)
		}
		req, _ := sc["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				return fmt.Errorf("%s: required property %q is missing", at, r)
			}
		}
		props, _ := sc["properties"].(map[string]any)
		for k, pv := range m {
			ps, ok := props[k]
			if !ok {
				if props != nil {
					return fmt.Errorf("%s: property %q is not documented", at, k)
				}
				continue
			}
			if err := s.validate(t, ps, pv, at+"."+k); err != nil {
				return err
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %T, want an array", at, v)
		}
		for i, x := range a {
			if err := s.validate(t, sc["items"], x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %T, want a string", at, v)
		}
		if sc["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: %q is not an RFC 3339 time", at, str)
			}
		}
	case "integer":
		n, ok := v.(float64)
		if !ok || n != float64(int64(n)) {
			return fmt.Errorf("%s: %v, want an integer", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %T, want a boolean", at, v)
		}
	case "":
	default:
		return fmt.Errorf("%s: the schema's type %q is not one this check knows", at, typ)
	}
	return nil
}

// checkResponse checks one answer against the document: its status is
// documented for the operation, its content type is the documented one
// and its body validates against the schema. An answer for a route the
// document lacks (an unknown path, another method) must be a Problem. It
// returns the "METHOD /path status" it checked.
func (s *spec) checkResponse(t *testing.T, method, path string, resp *http.Response, body []byte) string {
	t.Helper()
	status := strconv.Itoa(resp.StatusCode)
	var media map[string]any
	if op, ok := s.get("paths", path, strings.ToLower(method)); ok {
		r, ok := op.(map[string]any)["responses"].(map[string]any)[status]
		if !ok {
			t.Errorf("%s %s answered %s, which openapi.yaml does not document", method, path, status)
			return ""
		}
		media, _ = s.resolve(t, r)["content"].(map[string]any)
	} else {
		r, _ := s.get("components", "responses", "Problem")
		media, _ = s.resolve(t, r)["content"].(map[string]any)
	}
	ct := strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0])
	mt, ok := media[ct]
	if !ok {
		t.Errorf("%s %s %s: Content-Type %q; openapi.yaml documents %v", method, path, status, ct, keys(media))
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s %s %s: the body is not JSON: %v: %q", method, path, status, err, body)
		return ""
	}
	if err := s.validate(t, mt.(map[string]any)["schema"], v, "body"); err != nil {
		t.Errorf("%s %s %s: %v\n%s", method, path, status, err, body)
	}
	return method + " " + path + " " + status
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIRoutes checks that every operation of openapi.yaml is served
// and every route served is documented.
func TestOpenAPIRoutes(t *testing.T) {
	s := loadSpec(t)
	served := api.Routes()
	sort.Strings(served)
	if doc := s.routes(); !slices.Equal(doc, served) {
		t.Fatalf("openapi.yaml documents %q; the handler serves %q", doc, served)
	}
	srv := httptest.NewServer(api.NewHandler(openEngine(t, false), nil))
	defer srv.Close()
	for _, r := range served {
		method, path, _ := strings.Cut(r, " ")
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if p.Code == "not_found" || p.Code == "method_not_allowed" {
			t.Errorf("%s is documented but answered %d %s", r, resp.StatusCode, p.Code)
		}
	}
}

// TestOpenAPIResponses provokes every status the API answers without a
// cluster and checks each answer against openapi.yaml: documented status,
// content type and schema. (409 not_leader and 503 outcome_unknown need a
// replicated node: TestOpenAPIReplicated provokes them.)
func TestOpenAPIResponses(t *testing.T) {
	s := loadSpec(t)
	eng := openEngine(t, false)
	const token = "0123456789abcdef0123"
	open := httptest.NewServer(api.NewHandler(eng, &api.Options{MaxBody: 4096}))
	defer open.Close()
	guarded := httptest.NewServer(api.NewHandler(eng, &api.Options{Token: token}))
	defer guarded.Close()
	pay := `{"type":"transfer","actor":"alice","key":"k1","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"2500000"}]}}`
	cases := []struct {
		srv           *httptest.Server
		method, path  string
		ctype, body   string
		status        int
		code, comment string
	}{
		{open, "POST", "/submit", "application/json", pay, 200, "", "applied"},
		{open, "POST", "/submit", "application/json", pay, 200, "", "a duplicate"},
		{open, "POST", "/submit", "application/json", `{"type":"transfer","actor":"bob","payload":{"legs":[{"to":"alice","asset":"COOP","amount":"9999999999"}]}}`, 422, "", "rejected"},
		{open, "POST", "/submit", "application/json", `{"type":"transfer",`, 400, "malformed", "malformed"},
		{open, "POST", "/submit", "text/plain", pay, 415, "unsupported_media_type", "not JSON"},
		{open, "POST", "/submit", "application/json", strings.Repeat(" ", 5000) + pay, 413, "body_too_large", "over the limit"},
		{open, "GET", "/balance?account=bob&asset=COOP", "", "", 200, "", "a balance"},
		{open, "GET", "/balance?account=Bob!&asset=COOP", "", "", 400, "invalid_id", "a bad ID"},
		{open, "GET", "/balance?account=zed&asset=COOP", "", "", 404, "unknown_account", "an unknown account"},
		{open, "GET", "/balance?account=bob&asset=ZZZ", "", "", 404, "unknown_asset", "an unknown asset"},
		{open, "GET", "/head", "", "", 200, "", "the head"},
		{open, "GET", "/nowhere", "", "", 404, "not_found", "an unknown path"},
		{open, "GET", "/submit", "", "", 405, "method_not_allowed", "another method"},
		{open, "DELETE", "/head", "", "", 405, "method_not_allowed", "another method"},
		{guarded, "GET", "/head", "", "", 401, "unauthorized", "no token"},
		{guarded, "POST", "/submit", "application/json", pay, 401, "unauthorized", "no token"},
		{open, "POST", "/submit", "application/json", pay, 403, "host_not_allowed", "a rebound name"},
		{open, "GET", "/balance?account=bob&asset=COOP", "", "", 403, "host_not_allowed", "a rebound name"},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		var body io.Reader
		if tc.body != "" {
			body = bytes.NewReader([]byte(tc.body))
		}
		req, _ := http.NewRequest(tc.method, tc.srv.URL+tc.path, body)
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		if tc.code == "host_not_allowed" {
			req.Host = "evil.example:80"
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s (%s): %d, want %d: %s", tc.method, tc.path, tc.comment, resp.StatusCode, tc.status, raw)
			continue
		}
		path, _, _ := strings.Cut(tc.path, "?")
		if got := s.checkResponse(t, tc.method, path, resp, raw); got != "" {
			seen[got] = true
		}
		if tc.code != "" {
			var p api.Problem
			json.Unmarshal(raw, &p)
			if p.Code != tc.code || p.Status != tc.status || p.Type != api.ProblemType+tc.code || p.Title != http.StatusText(tc.status) || p.Detail == "" {
				t.Errorf("%s %s (%s): problem %+v, want code %s", tc.method, tc.path, tc.comment, p, tc.code)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d answers were checked: %v", len(seen), seen)
	}
}

// TestOpenAPIReplicated provokes the answers only a replicated node gives,
// 409 not_leader from a follower and 503 outcome_unknown from a leader
// whose stream does not answer, and checks them against openapi.yaml.
func TestOpenAPIReplicated(t *testing.T) {
	s := loadSpec(t)
	cl, err := natsembed.Start(1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Shutdown()
	g, err := ledger.ParseGenesis([]byte(testGenesis(false)))
	if err != nil {
		t.Fatal(err)
	}
	open := func(id string) *coopera.Engine {
		eng, err := coopera.Open(t.TempDir(), &coopera.Options{Genesis: g, Replication: &replication.Options{
			URLs: cl.URLs(), NodeID: id, Replicas: 1, LeaseTTL: time.Second, PublishTimeout: time.Second, SnapshotEvery: -1}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		return eng
	}
	a := open("a")
	deadline := time.Now().Add(15 * time.Second)
	for !a.IsLeader() {
		if time.Now().After(deadline) {
			t.Fatal("no leader")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b := open("b")
	post := func(eng *coopera.Engine, want int, code string) {
		t.Helper()
		srv := httptest.NewServer(api.NewHandler(eng, nil))
		defer srv.Close()
		resp, err := http.Post(srv.URL+"/submit", "application/json", strings.NewReader(`{"type":"transfer","actor":"alice","payload":{"legs":[{"to":"bob","asset":"COOP","amount":"7"}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p api.Problem
		json.Unmarshal(raw, &p)
		if resp.StatusCode != want || p.Code != code {
			t.Fatalf("%d %s, want %d %s", resp.StatusCode, raw, want, code)
		}
		s.checkResponse(t, "POST", "/submit", resp, raw)
		if code == "outcome_unknown" && !strings.HasPrefix(p.Key, "auto:") {
			t.Errorf("outcome_unknown without the command's key: %s", raw)
		}
	}
	post(b, http.StatusConflict, "not_leader")
	cl.StopServer(0)
	post(a, http.StatusServiceUnavailable, "outcome_unknown")
}
