package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// carol's passwords: the one an administrator set, which she must change
// (pwdReset under pwdMustChange), and the one she chooses.
const (
	carolResetPassword = "reset-by-admin-1"
	carolNewPassword   = "Carols-own-Passw0rd"
)

// startPasswordServer runs gatehouse serve against OpenLDAP with the
// ppolicy overlay and carol, whose password must be changed; passwordChange
// is ldap.users.passwordChange.
func startPasswordServer(t *testing.T, passwordChange string) *server {
	t.Helper()
	slapd := ldaptest.New(t, ldaptest.Options{PPolicy: true, LDIF: []string{"../../conf/dev-directory.ldif"}})
	addMustChangePerson(t, slapd)
	pwFile := writeFile(t, t.TempDir(), "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	return startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
  users: {passwordChange: %q}
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`, t.TempDir(), slapd.URL, slapd.AdminDN, pwFile, passwordChange, hex.EncodeToString(sum[:])))
}

// addMustChangePerson adds carol under a policy that makes a reset
// password be changed and wants at least ten characters, and resets her
// password as an administrator would.
func addMustChangePerson(t *testing.T, slapd *ldaptest.Slapd) {
	t.Helper()
	conn := slapd.Conn(t)
	policy := "cn=mustchange,ou=policies," + slapd.BaseDN
	add := func(dn string, attrs map[string][]string) {
		req := ldap.NewAddRequest(dn, nil)
		for name, values := range attrs {
			req.Attribute(name, values)
		}
		if err := conn.Add(req); err != nil {
			t.Fatalf("add %s: %v", dn, err)
		}
	}
	add(policy, map[string][]string{
		"objectClass": {"device", "pwdPolicy"}, "cn": {"mustchange"}, "pwdAttribute": {"userPassword"},
		"pwdMustChange": {"TRUE"}, "pwdCheckQuality": {"2"}, "pwdMinLength": {"10"},
	})
	carol := "uid=carol,ou=people," + slapd.BaseDN
	add(carol, map[string][]string{
		"objectClass": {"inetOrgPerson"}, "uid": {"carol"}, "cn": {"Carol Danvers"}, "sn": {"Danvers"},
		"userPassword": {carolResetPassword}, "pwdPolicySubentry": {policy},
	})
	req := ldap.NewModifyRequest(carol, nil)
	req.Replace("pwdReset", []string{"TRUE"})
	if err := conn.Modify(req); err != nil {
		t.Fatal(err)
	}
}

// A person whose password must be changed signs in, changes it on the
// change-password page (in German, as the request asks), consents and
// lands with a code; afterwards the new password signs in and the old
// one does not.
func TestPasswordChangeAtSignIn(t *testing.T) {
	s := startPasswordServer(t, "passwordModify")
	const redirectURI = "http://127.0.0.1:9/callback"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowser(t, s)

	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, url.Values{"ui_locales": {"de"}}), nil)
	login := b.next(p)
	fields := formFields(t, login)

	// Before the login step names someone, there is no password page.
	if p := b.do(http.MethodGet, "/password?flow="+url.QueryEscape(fields.Get("flow")), nil); p.status != http.StatusBadRequest {
		t.Errorf("password page before login: %d", p.status)
	}

	p = b.do(http.MethodPost, "/login", url.Values{"csrf": fields["csrf"], "flow": fields["flow"],
		"username": {"carol"}, "password": {carolResetPassword}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/password?flow=") {
		t.Fatalf("login with a reset password: %d %q, want the password page\n%s", p.status, p.location, p.body)
	}
	pwPage := b.getWithHeaders(p.location)
	if pwPage.status != http.StatusOK || !strings.Contains(pwPage.body, "Ändern Sie Ihr Passwort") ||
		!strings.Contains(pwPage.body, `value="carol"`) || !strings.Contains(pwPage.body, "Test-App") {
		t.Fatalf("password page: %d\n%s", pwPage.status, pwPage.body)
	}
	for _, want := range []string{`name="current"`, `name="new"`, `name="repeat"`, `autocomplete="new-password"`} {
		if !strings.Contains(pwPage.body, want) {
			t.Errorf("password page has no %s", want)
		}
	}
	if cc, csp := pwPage.header.Get("Cache-Control"), pwPage.header.Get("Content-Security-Policy"); cc != "no-store" ||
		!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9") {
		t.Errorf("password page headers: Cache-Control %q, CSP %q", cc, csp)
	}
	pf := formFields(t, page{status: pwPage.status, body: pwPage.body})
	submit := func(current, next, repeat string) page {
		return b.do(http.MethodPost, "/password", url.Values{"csrf": pf["csrf"], "flow": pf["flow"],
			"current": {current}, "new": {next}, "repeat": {repeat}})
	}

	if p := b.do(http.MethodPost, "/password", url.Values{"csrf": fields["csrf"], "flow": pf["flow"],
		"current": {carolResetPassword}, "new": {carolNewPassword}, "repeat": {carolNewPassword}}); p.status != http.StatusForbidden {
		t.Errorf("the login form's CSRF token on the password form: %d", p.status)
	}
	refusals := []struct {
		name                  string
		current, next, repeat string
		want                  string
	}{
		{"not repeated", carolResetPassword, carolNewPassword, carolNewPassword + "x", "Die neuen Passwörter stimmen nicht überein."},
		{"wrong current", "wrong-password", carolNewPassword, carolNewPassword, "Das aktuelle Passwort ist falsch."},
		{"too short for the policy", carolResetPassword, "Short-1", "Short-1", "Das neue Passwort ist zu kurz."},
		{"the same", carolResetPassword, carolResetPassword, carolResetPassword, "muss sich vom aktuellen unterscheiden"},
	}
	for _, tc := range refusals {
		p := submit(tc.current, tc.next, tc.repeat)
		if p.status != http.StatusOK || !strings.Contains(p.body, `role="alert"`) || !strings.Contains(p.body, tc.want) {
			t.Errorf("%s: %d, want the page saying %q:\n%s", tc.name, p.status, tc.want, p.body)
		}
	}

	p = submit(carolResetPassword, carolNewPassword, carolNewPassword)
	if !isConsentPage(p) {
		t.Fatalf("password change: %d %q, want the consent page\n%s", p.status, p.location, p.body)
	}
	consent := b.next(p)
	cf := formFields(t, consent)
	cf.Set("decision", "allow")
	got := callbackParams(t, b.do(http.MethodPost, "/consent", cf), redirectURI)
	if got.Get("code") == "" || got.Get("state") != "st-123" {
		t.Fatalf("callback parameters: %v", got)
	}
	// The flow is done, and its password page with it.
	if p := submit(carolNewPassword, "Another-Passw0rd", "Another-Passw0rd"); p.status != http.StatusBadRequest {
		t.Errorf("password form after the flow ended: %d", p.status)
	}

	// A fresh browser: the old password is refused, the new one signs in
	// (consent remembered: straight back with a code).
	fresh := newBrowser(t, s)
	signIn := func(password string) page {
		p := fresh.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
		f := formFields(t, fresh.next(p))
		return fresh.do(http.MethodPost, "/login", url.Values{"csrf": f["csrf"], "flow": f["flow"],
			"username": {"carol"}, "password": {password}})
	}
	if p := signIn(carolResetPassword); p.status != http.StatusOK || !strings.Contains(p.body, "The username or password is wrong.") {
		t.Errorf("old password: %d %q\n%s", p.status, p.location, p.body)
	}
	again := callbackParams(t, signIn(carolNewPassword), redirectURI)
	if again.Get("code") == "" {
		t.Errorf("new password: %v", again)
	}
}

// With ldap.users.passwordChange: none the person is told to change the
// password elsewhere, as before, and there is no password page.
func TestPasswordChangeNotOffered(t *testing.T) {
	s := startPasswordServer(t, "none")
	const redirectURI = "http://127.0.0.1:9/callback"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowser(t, s)
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
	fields := formFields(t, b.next(p))
	p = b.do(http.MethodPost, "/login", url.Values{"csrf": fields["csrf"], "flow": fields["flow"],
		"username": {"carol"}, "password": {carolResetPassword}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Your password must be changed before you can sign in.") {
		t.Fatalf("login with a reset password: %d %q\n%s", p.status, p.location, p.body)
	}
	if p := b.do(http.MethodGet, "/password?flow="+url.QueryEscape(fields.Get("flow")), nil); p.status != http.StatusBadRequest {
		t.Errorf("password page: %d, want 400", p.status)
	}
}

// headedPage is a page with its response headers.
type headedPage struct {
	status int
	header http.Header
	body   string
}

// getWithHeaders is do for a GET whose headers matter.
func (b *browser) getWithHeaders(path string) headedPage {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.s.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return headedPage{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}
