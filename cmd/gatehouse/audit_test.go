package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

const auditMasterToken = "audit-test-master-token"

// readAudit reads the audit log: one JSON object per line.
func readAudit(t *testing.T, path string) ([]audit.Event, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []audit.Event
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %d is not an event: %v: %s", len(lines)+1, err, sc.Text())
		}
		if e.Time.IsZero() || e.Type == "" {
			t.Errorf("audit line %d lacks time or type: %s", len(lines)+1, sc.Text())
		}
		events, lines = append(events, e), append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events, lines
}

// clientsRequest sends JSON to /clients with the master token.
func clientsRequest(t *testing.T, s *server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+auditMasterToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&got) // a 204 has no body
	return resp.StatusCode, got
}

// TestAuditLogOfAWholeFlow runs a sign-in (a wrong password, then the
// right one), consent, the code's redemption, a refresh, a reused refresh
// token, a replayed code, a revocation, a registration and its deletion,
// and a username throttled; the audit log holds one event for each fact,
// in order, and no password, secret, code or token.
func TestAuditLogOfAWholeFlow(t *testing.T) {
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	s := startObservedServer(t, "", fmt.Sprintf("audit: {output: %s}\nop:\n  reg: {masterTokenSHA256: %s}\n",
		auditFile, sha256Hex(auditMasterToken)))
	b := newBrowser(t, s)
	redirect := s.base + "/demo/callback"
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }

	// Sign-in: a wrong password, then the right one; consent.
	p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, url.Values{"scope": {"openid profile offline_access"}}), nil)
	f := formFields(t, b.next(p))
	f.Set("username", "bob")
	f.Set("password", "wrong-password-for-bob")
	b.do(http.MethodPost, "/login", f)
	f.Set("password", "bob-password")
	p = b.do(http.MethodPost, "/login", f)
	cf := formFields(t, b.next(p))
	cf.Set("decision", "allow")
	code := callbackParams(t, b.do(http.MethodPost, "/consent", cf), redirect).Get("code")

	// Tokens: the code, a refresh, the old refresh token again, the code again.
	verifier, _ := pkce()
	redeem := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	status, first, _ := tokenRequest(t, s, "demo-rp", demoSecret, redeem)
	if status != http.StatusOK || str(first, "refresh_token") == "" {
		t.Fatalf("redeem: %d %v", status, first)
	}
	refresh := func(token string) (int, map[string]any) {
		status, body, _ := tokenRequest(t, s, "demo-rp", demoSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
		return status, body
	}
	status, second := refresh(str(first, "refresh_token"))
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, second)
	}
	if status, _ := refresh(str(first, "refresh_token")); status != http.StatusBadRequest {
		t.Fatalf("reused refresh token: %d", status)
	}
	if status, _, _ := tokenRequest(t, s, "demo-rp", demoSecret, redeem); status != http.StatusBadRequest {
		t.Fatalf("replayed code: %d", status)
	}
	if status, _, _ := postForm(t, s, "/token/revoke", "demo-rp", demoSecret, url.Values{"token": {str(second, "access_token")}}); status != http.StatusOK {
		t.Fatalf("revoke: %d", status)
	}

	// A registration and its deletion.
	status, reg := clientsRequest(t, s, http.MethodPost, "/clients", `{"redirect_uris":["https://rp.example.com/cb"]}`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, reg)
	}
	if status, _ := clientsRequest(t, s, http.MethodDelete, "/clients/"+str(reg, "client_id"), ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}

	// Five wrong passwords for one name set off the throttle; the sixth
	// attempt is refused before the directory hears of it.
	p = b.do(http.MethodGet, authorizeURL("demo-rp", redirect, url.Values{"prompt": {"login"}}), nil)
	f = formFields(t, b.next(p))
	f.Set("username", "mallory")
	f.Set("password", "guess-password")
	for range 6 {
		b.do(http.MethodPost, "/login", f)
	}

	events, lines := readAudit(t, auditFile)
	var types []string
	for _, e := range events {
		types = append(types, e.Type+":"+e.Outcome)
	}
	want := []string{
		"signin:invalid", "signin:ok", "consent:allow",
		"token_issued:", "token_issued:", "refresh_reuse:", "code_replay:", "revocation:revoked",
		"client_created:", "client_deleted:",
		"signin:invalid", "signin:invalid", "signin:invalid", "signin:invalid", "signin:invalid", "throttle:", "signin:throttled",
	}
	if !slices.Equal(types, want) {
		t.Fatalf("audit events\n got %v\nwant %v\nlog:\n%s", types, want, strings.Join(lines, "\n"))
	}

	bob := events[1].Subject
	accessJTI := func(token string) string { v, _ := jwtClaims(t, token)["jti"].(string); return v }
	checks := []struct {
		name string
		got  audit.Event
		ok   func(e audit.Event) bool
	}{
		{"failed sign-in", events[0], func(e audit.Event) bool {
			return e.Username == "bob" && e.ClientID == "demo-rp" && e.Address == "127.0.0.1" && e.Subject == ""
		}},
		{"sign-in", events[1], func(e audit.Event) bool { return e.Username == "bob" && e.Subject != "" }},
		{"consent", events[2], func(e audit.Event) bool {
			return e.Subject == bob && e.ClientID == "demo-rp" && slices.Contains(e.Scopes, "offline_access")
		}},
		{"code redeemed", events[3], func(e audit.Event) bool {
			return e.GrantType == "authorization_code" && e.AuthMethod == "client_secret_basic" && e.Subject == bob &&
				e.JTI == accessJTI(str(first, "access_token")) && slices.Equal(e.Issued, []string{"access_token", "id_token", "refresh_token"})
		}},
		{"refreshed", events[4], func(e audit.Event) bool {
			return e.GrantType == "refresh_token" && e.Subject == bob && e.JTI == accessJTI(str(second, "access_token"))
		}},
		{"refresh reuse", events[5], func(e audit.Event) bool { return e.ClientID == "demo-rp" && e.Subject == bob }},
		{"code replay", events[6], func(e audit.Event) bool {
			return e.ClientID == "demo-rp" && e.Subject == bob && e.JTI == accessJTI(str(first, "access_token"))
		}},
		{"revocation", events[7], func(e audit.Event) bool {
			return e.TokenType == "access_token" && e.JTI == accessJTI(str(second, "access_token"))
		}},
		{"registration", events[8], func(e audit.Event) bool {
			return e.ClientID == str(reg, "client_id") && e.Actor == "master_token"
		}},
		{"throttle", events[15], func(e audit.Event) bool { return e.Username == "mallory" && e.Address == "127.0.0.1" }},
	}
	for _, c := range checks {
		if !c.ok(c.got) {
			t.Errorf("%s: event %+v", c.name, c.got)
		}
	}

	secrets := map[string]string{
		"bob's password": "bob-password", "the wrong password": "wrong-password-for-bob", "a guess": "guess-password",
		"the client secret": demoSecret, "the code": code, "the master token": auditMasterToken,
		"the registered secret": str(reg, "client_secret"), "the registration access token": str(reg, "registration_access_token"),
	}
	for _, body := range []map[string]any{first, second} {
		for _, k := range []string{"access_token", "id_token", "refresh_token"} {
			secrets[k] = str(body, k)
		}
	}
	for name, v := range secrets {
		if v == "" {
			t.Fatalf("%s is empty: the check would prove nothing", name)
		}
		for i, line := range lines {
			if strings.Contains(line, v) {
				t.Errorf("audit line %d holds %s: %s", i+1, name, line)
			}
		}
	}
	if info, err := os.Stat(auditFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode: %v %v, want 0600", info.Mode(), err)
	}
}

// TestAuditKeyRotation: a key rotation recorded by the keys command
// names the new signing keys.
func TestAuditKeyRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	fresh, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{}
	if err := a.auditKeyRotation(path, "var/jwks.json", fresh); err != nil {
		t.Fatal(err)
	}
	if err := a.auditKeyRotation("", "var/jwks.json", fresh); err != nil {
		t.Fatal(err)
	}
	events, _ := readAudit(t, path)
	var kids []string
	for _, k := range fresh.Public().Keys {
		kids = append(kids, k.KeyID)
	}
	if len(events) != 1 || events[0].Type != audit.TypeKeyRotation || !slices.Equal(events[0].KeyIDs, kids) {
		t.Errorf("events %+v, want one key_rotation naming %v", events, kids)
	}
}
