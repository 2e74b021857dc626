package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

const limitsMasterToken = "limits-master-token"

// startLimitsServer is startDemoServer with a registration master token.
func startLimitsServer(t *testing.T) *server {
	t.Helper()
	addr, dir, slapd := devDirectory(t, "")
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	return startServe(t, fmt.Sprintf(`issuer: http://%s
listen: %s
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
op:
  reg: {masterTokenSHA256: %s}
`, addr, addr, dir, slapd.URL, slapd.AdminDN, pwFile, sha256Hex(limitsMasterToken)))
}

// answer is one HTTP answer with its body as text.
type answer struct {
	status   int
	header   http.Header
	body     string
	location string
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %.300s", a.status, a.body)
	}
	return m
}

// send makes one request without following redirects.
func send(t *testing.T, method, target, contentType, body string, header http.Header) answer {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b), location: resp.Header.Get("Location")}
}

func basic(id, secret string) http.Header {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return req.Header
}

const formType = "application/x-www-form-urlencoded"

// TestLimitOverlongClientID: a 100 KB client_id (the outside tester's
// case) and one just over the limit get, at every endpoint, the answer
// for a client that does not exist or a bad request — never a server
// error, and never the ID back.
func TestLimitOverlongClientID(t *testing.T) {
	s := startLimitsServer(t)
	huge := strings.Repeat("c", 100<<10)
	over := strings.Repeat("c", oauth.MaxClientID+1)
	big := strings.Repeat("c", 60<<10) // within the body limits, far over the ID limit
	grant := url.Values{"grant_type": {"client_credentials"}}
	withID := func(id string, kv ...string) string {
		f := url.Values{"client_id": {id}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f.Encode()
	}
	tests := []struct {
		name                string
		method, path, ctype string
		body                string
		header              http.Header
		wantStatus          int
		wantError           string // JSON error code; "" for a page
		wantPage            string // text the page shows
	}{
		{name: "token, basic, 100 KB", method: "POST", path: "/token", ctype: formType, body: grant.Encode(), header: basic(huge, "x"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "token, basic, one over", method: "POST", path: "/token", ctype: formType, body: grant.Encode(), header: basic(over, "x"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "token, post, 60 KB", method: "POST", path: "/token", ctype: formType, body: withID(big, "client_secret", "x", "grant_type", "client_credentials"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "token, post, one over", method: "POST", path: "/token", ctype: formType, body: withID(over, "client_secret", "x", "grant_type", "client_credentials"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "token, post, 100 KB: body too large", method: "POST", path: "/token", ctype: formType, body: withID(huge, "client_secret", "x", "grant_type", "client_credentials"),
			wantStatus: 413, wantError: "invalid_request"},
		{name: "introspect, basic, 100 KB", method: "POST", path: "/token/introspect", ctype: formType, body: "token=t", header: basic(huge, "x"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "introspect, post, one over", method: "POST", path: "/token/introspect", ctype: formType, body: withID(over, "client_secret", "x", "token", "t"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "revoke, basic, 100 KB", method: "POST", path: "/token/revoke", ctype: formType, body: "token=t", header: basic(huge, "x"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "revoke, post, one over", method: "POST", path: "/token/revoke", ctype: formType, body: withID(over, "client_secret", "x", "token", "t"),
			wantStatus: 401, wantError: "invalid_client"},
		{name: "authorize, 100 KB: request too large", method: "GET", path: "/authorize?" + withID(huge, "response_type", "code"),
			wantStatus: 400, wantPage: "invalid_request"},
		{name: "authorize, 60 KB", method: "GET", path: "/authorize?" + withID(big, "response_type", "code"),
			wantStatus: 400, wantPage: "Unknown application"},
		{name: "authorize POST, one over", method: "POST", path: "/authorize", ctype: formType, body: withID(over, "response_type", "code"),
			wantStatus: 400, wantPage: "Unknown application"},
		{name: "logout, 60 KB", method: "GET", path: "/logout?" + withID(big),
			wantStatus: 400, wantPage: "invalid_request"},
		{name: "logout, one over", method: "GET", path: "/logout?" + withID(over),
			wantStatus: 400, wantPage: "invalid_request"},
		{name: "GET /clients, no token", method: "GET", path: "/clients/" + huge,
			wantStatus: 401, wantError: "invalid_token"},
		{name: "GET /clients, garbage token", method: "GET", path: "/clients/" + huge, header: http.Header{"Authorization": {"Bearer garbage"}},
			wantStatus: 401, wantError: "invalid_token"},
		{name: "GET /clients, master token", method: "GET", path: "/clients/" + huge, header: http.Header{"Authorization": {"Bearer " + limitsMasterToken}},
			wantStatus: 404, wantError: "not_found"},
		{name: "PUT /clients, master token", method: "PUT", path: "/clients/" + over, ctype: "application/json", body: `{"grant_types":["client_credentials"],"response_types":[]}`,
			header: http.Header{"Authorization": {"Bearer " + limitsMasterToken}}, wantStatus: 404, wantError: "not_found"},
		{name: "DELETE /clients, master token", method: "DELETE", path: "/clients/" + huge, header: http.Header{"Authorization": {"Bearer " + limitsMasterToken}},
			wantStatus: 404, wantError: "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, tc.method, s.base+tc.path, tc.ctype, tc.body, tc.header)
			if a.status != tc.wantStatus {
				t.Errorf("status %d, want %d: %.300s", a.status, tc.wantStatus, a.body)
			}
			if tc.wantError != "" {
				if got := a.json(t)["error"]; got != tc.wantError {
					t.Errorf("error %v, want %s", got, tc.wantError)
				}
			} else if !strings.Contains(a.body, tc.wantPage) {
				t.Errorf("the page does not say %q: %.500s", tc.wantPage, a.body)
			}
			if strings.Contains(a.body, over) || len(a.body) > 10<<10 {
				t.Errorf("the answer (%d bytes) echoes the ID", len(a.body))
			}
		})
	}
	if !strings.Contains(s.log.String(), "level=INFO") {
		t.Fatalf("the log is not in the text format the checks below read:\n%.500s", s.log.String())
	}
	if strings.Contains(s.log.String(), big) {
		t.Error("the log holds a whole 60 KB client_id")
	}
	if strings.Contains(s.log.String(), "server_error") || strings.Contains(s.log.String(), "level=ERROR") {
		t.Errorf("the log reports errors:\n%.3000s", s.log.String())
	}
}

// TestLimitState: a state over its limit is invalid_request, redirected
// without the state when the query is otherwise within bounds, shown as a
// bad request beyond the whole request's limit — never
// temporarily_unavailable. At the limit the sign-in goes on.
func TestLimitState(t *testing.T) {
	s := startLimitsServer(t)
	redirect := s.base + "/demo/callback"
	tests := []struct {
		name       string
		state      string
		wantStatus int
		wantLogin  bool
	}{
		{name: "at the limit", state: strings.Repeat("s", oauth.MaxState), wantStatus: http.StatusOK, wantLogin: true},
		{name: "one over", state: strings.Repeat("s", oauth.MaxState+1), wantStatus: http.StatusFound},
		{name: "60 KB", state: strings.Repeat("s", 60<<10), wantStatus: http.StatusFound},
		{name: "70 KB", state: strings.Repeat("s", 70<<10), wantStatus: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, "GET", s.base+authorizeURL("demo-rp", redirect, url.Values{"state": {tc.state}}), "", "", nil)
			if a.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s %.300s", a.status, tc.wantStatus, a.location, a.body)
			}
			switch {
			case tc.wantLogin:
				if !isLoginPage(page{status: a.status, body: a.body}) {
					t.Errorf("%d %q, want the login page", a.status, a.location)
				}
			case a.status == http.StatusFound:
				u, err := url.Parse(a.location)
				if err != nil || !strings.HasPrefix(a.location, redirect+"?") {
					t.Fatalf("redirected to %.300q", a.location)
				}
				q := u.Query()
				if q.Get("error") != "invalid_request" || q.Has("state") || !strings.HasPrefix(q.Get("error_description"), "state:") {
					t.Errorf("error redirect %v", q)
				}
			default:
				if !strings.Contains(a.body, "invalid_request") || strings.Contains(a.body, tc.state) {
					t.Errorf("page: %.500s", a.body)
				}
			}
			if strings.Contains(a.body, "temporarily_unavailable") || strings.Contains(a.location, "temporarily_unavailable") {
				t.Error("temporarily_unavailable")
			}
		})
	}
}

// TestLimitRegisteredClientAtBoundary: a client registered with an ID of
// the longest length registration allows authenticates at /token with
// client_secret_basic and client_secret_post, introspects and revokes its
// token; tokens, hints and scope at their limits are taken.
func TestLimitRegisteredClientAtBoundary(t *testing.T) {
	s := startLimitsServer(t)
	id := strings.Repeat("c", oauth.MaxRegisteredClientID)
	const secret = "limits-secret-0123456789-0123456789"
	reg := send(t, "POST", s.base+"/clients", "application/json",
		`{"preferred_client_id":"`+id+`","preferred_client_secret":"`+secret+`","grant_types":["client_credentials"],"response_types":[],`+
			`"token_endpoint_auth_method":"client_secret_basic","scope":"`+limitScopes()+`"}`,
		http.Header{"Authorization": {"Bearer " + limitsMasterToken}})
	if reg.status != http.StatusCreated {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {limitScopes()}}
	a := send(t, "POST", s.base+"/token", formType, form.Encode(), basic(id, secret))
	token, _ := a.json(t)["access_token"].(string)
	if a.status != http.StatusOK || token == "" {
		t.Fatalf("token: %d %s", a.status, a.body)
	}
	if len(limitScopes()) != oauth.MaxScope {
		t.Fatalf("scope of %d bytes", len(limitScopes()))
	}

	a = send(t, "POST", s.base+"/token/introspect", formType,
		url.Values{"token": {token}, "token_type_hint": {strings.Repeat("h", oauth.MaxTokenTypeHint)}}.Encode(), basic(id, secret))
	if a.status != http.StatusOK || a.json(t)["active"] != true || a.json(t)["client_id"] != id {
		t.Errorf("introspect: %d %.300s", a.status, a.body)
	}
	a = send(t, "POST", s.base+"/token/introspect", formType,
		url.Values{"token": {strings.Repeat("t", oauth.MaxAccessToken+1)}}.Encode(), basic(id, secret))
	if a.status != http.StatusBadRequest || a.json(t)["error"] != "invalid_request" {
		t.Errorf("introspect an overlong token: %d %.300s", a.status, a.body)
	}
	a = send(t, "POST", s.base+"/token/revoke", formType, url.Values{"token": {token}}.Encode(), basic(id, secret))
	if a.status != http.StatusOK {
		t.Errorf("revoke: %d %.300s", a.status, a.body)
	}
	a = send(t, "GET", s.base+"/userinfo", "", "", http.Header{"Authorization": {"Bearer " + strings.Repeat("t", oauth.MaxAccessToken+1)}})
	if a.status != http.StatusUnauthorized || a.json(t)["error"] != "invalid_token" {
		t.Errorf("userinfo with an overlong token: %d %.300s", a.status, a.body)
	}

	// The client switches to client_secret_post: the same ID in the body.
	upd := send(t, "PUT", s.base+"/clients/"+id, "application/json",
		`{"client_id":"`+id+`","grant_types":["client_credentials"],"response_types":[],"token_endpoint_auth_method":"client_secret_post"}`,
		http.Header{"Authorization": {"Bearer " + limitsMasterToken}})
	if upd.status != http.StatusOK {
		t.Fatalf("update: %d %s", upd.status, upd.body)
	}
	form = url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	if a = send(t, "POST", s.base+"/token", formType, form.Encode(), nil); a.status != http.StatusOK {
		t.Errorf("token with client_secret_post: %d %s", a.status, a.body)
	}
	form.Set("scope", limitScopes()+" x")
	if a = send(t, "POST", s.base+"/token", formType, form.Encode(), nil); a.status != http.StatusBadRequest || a.json(t)["error"] != "invalid_request" {
		t.Errorf("scope one byte over: %d %s", a.status, a.body)
	}
}

// limitScopes is a scope of exactly oauth.MaxScope bytes in few values.
func limitScopes() string {
	vals := []string{}
	for i := range 8 {
		vals = append(vals, fmt.Sprintf("scope%d", i))
	}
	s := strings.Join(vals, " ")
	return s + " " + strings.Repeat("z", oauth.MaxScope-len(s)-1)
}
