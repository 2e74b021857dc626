package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// TestInactiveAccountEndsTokens: an administrator locks a person's account
// (ppolicy's administrative lock) after they signed in; their refresh
// token is refused with invalid_grant and their access token at UserInfo
// with 401, though both are otherwise valid. Unlocked, a new sign-in works
// again.
func TestInactiveAccountEndsTokens(t *testing.T) {
	s, slapd := startDemoPPolicyServer(t, "", "")
	verifier, _ := pkce()
	offline := url.Values{"scope": {"openid profile email offline_access"}}
	redeem := func(code string) (int, map[string]any) {
		t.Helper()
		status, tok, _ := tokenRequest(t, s, "demo-rp", demoSecret, url.Values{"grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}})
		return status, tok
	}
	var b *browser
	signIn := func() (access, refresh string) {
		t.Helper()
		b = newBrowser(t, s)
		status, tok := redeem(codeForClient(t, s, b, "demo-rp", offline))
		access, _ = tok["access_token"].(string)
		refresh, _ = tok["refresh_token"].(string)
		if status != http.StatusOK || access == "" || refresh == "" {
			t.Fatalf("redeem: %d %v", status, tok)
		}
		return access, refresh
	}
	refresh := func(token string) (int, map[string]any) {
		t.Helper()
		status, body, _ := tokenRequest(t, s, "demo-rp", demoSecret,
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
		return status, body
	}
	const bob = "uid=bob,ou=people,dc=example,dc=org"

	access, rt := signIn()
	if st, body := userinfoWith(t, s, access); st != http.StatusOK {
		t.Fatalf("userinfo before the lock: %d %s", st, body)
	}
	lockAccount(t, slapd, bob)
	status, body := refresh(rt)
	if desc, _ := body["error_description"].(string); status != http.StatusBadRequest || body["error"] != "invalid_grant" ||
		!strings.Contains(desc, "may no longer sign in") || body["access_token"] != nil {
		t.Errorf("refresh of a locked account: %d %v; want 400 invalid_grant, the person may no longer sign in", status, body)
	}
	if st, body := userinfoWith(t, s, access); st != http.StatusUnauthorized || !strings.Contains(body, "invalid_token") {
		t.Errorf("userinfo of a locked account: %d %s; want 401 invalid_token", st, body)
	}
	// The browser's session still gets a code (the flow does not read
	// the person), but redeeming it is refused for the same reason.
	status, body = redeem(codeForClient(t, s, b, "demo-rp", offline))
	if desc, _ := body["error_description"].(string); status != http.StatusBadRequest || body["error"] != "invalid_grant" ||
		!strings.Contains(desc, "may no longer sign in") {
		t.Errorf("code redeemed for a locked account: %d %v; want 400 invalid_grant", status, body)
	}
	// So is a code without openid, which carries no ID token: the token
	// endpoint reads the person for every code.
	status, body = redeem(codeForClient(t, s, b, "demo-rp", url.Values{"scope": {"profile"}}))
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || body["access_token"] != nil {
		t.Errorf("OAuth code (no openid) redeemed for a locked account: %d %v; want 400 invalid_grant", status, body)
	}
	if !strings.Contains(s.log.String(), "may no longer sign in") {
		t.Errorf("the refusal was not logged:\n%s", s.log.String())
	}

	unlockAccount(t, slapd, bob)
	access, rt = signIn()
	if status, body := refresh(rt); status != http.StatusOK || body["access_token"] == nil {
		t.Errorf("refresh after unlocking and signing in again: %d %v", status, body)
	}
	if st, body := userinfoWith(t, s, access); st != http.StatusOK {
		t.Errorf("userinfo after unlocking: %d %s", st, body)
	}
}

// startDemoPPolicyServer is startDemoDirectoryServer on a directory with
// the ppolicy overlay, whose pwdAccountLockedTime the test sets; ldapExtra
// is added to the ldap block, extra to the top level (each whole lines).
func startDemoPPolicyServer(t *testing.T, ldapExtra, extra string) (*server, *ldaptest.Slapd) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, dir := ln.Addr().String(), t.TempDir()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	dev, err := os.ReadFile("../../conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	ldif := filepath.Join(dir, "directory.ldif")
	if err := os.WriteFile(ldif, []byte(strings.ReplaceAll(string(dev), "127.0.0.1:8080", addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	slapd := ldaptest.New(t, ldaptest.Options{PPolicy: true, LDIF: []string{ldif}})
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	secretFile := writeFile(t, dir, "demo-secret", demoSecret+"\n")
	s := startServe(t, fmt.Sprintf(`issuer: http://%s
listen: %s
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
%sdemo: {enabled: true, clientID: demo-rp, clientSecretFile: %s}
%s`, addr, addr, dir, slapd.URL, slapd.AdminDN, pwFile, ldapExtra, secretFile, extra))
	return s, slapd
}

// TestClosedAccountSessionEndsAtAuthorize: where /authorize reads the
// person of a live session (here the second-factor policy reads their
// groups), a person an administrator has locked meanwhile is neither an
// outage nor let through: the session ends and the login page answers;
// with prompt=none, login_required.
func TestClosedAccountSessionEndsAtAuthorize(t *testing.T) {
	s, slapd := startDemoPPolicyServer(t, `  authenticators: {baseDN: "ou=authenticators,dc=example,dc=org"}
`, `op:
  authn: {secondFactor: optional, secondFactorGroups: [nobody-is-in-this-group]}
`)
	b := newBrowser(t, s)
	redirect := s.base + "/demo/callback"
	if code := codeFor(t, s, b); code == "" {
		t.Fatal("no code for the first sign-in")
	}
	lockAccount(t, slapd, "uid=bob,ou=people,dc=example,dc=org")
	if p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, nil), nil); !isLoginPage(p) {
		t.Fatalf("/authorize on the session of a locked account: %d %q, want the login page\n%s", p.status, p.location, p.body)
	}
	none := callbackParams(t, b.do(http.MethodGet, authorizeURL("demo-rp", redirect, url.Values{"prompt": {"none"}}), nil), redirect)
	if none.Get("error") != "login_required" {
		t.Errorf("prompt=none after the session ended: %v, want login_required", none)
	}
	if strings.Contains(s.log.String(), "unavailable") {
		t.Errorf("a closed account was logged as an outage:\n%s", s.log.String())
	}
}

// unlockAccount clears ppolicy's lock on dn.
func unlockAccount(t *testing.T, slapd *ldaptest.Slapd, dn string) {
	t.Helper()
	req := ldap.NewModifyRequest(dn, nil)
	req.Delete("pwdAccountLockedTime", nil)
	if err := slapd.Conn(t).Modify(req); err != nil {
		t.Fatalf("unlock %s: %v", dn, err)
	}
}
