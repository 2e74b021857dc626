package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
)

// canonicalGUID is the string form of an objectGUID "sub".
var canonicalGUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// startTwoDirectories serves clients and consent from a private OpenLDAP
// (seeded with the dev directory, so demo-rp exists) and people from a
// real Samba AD domain controller, reached over LDAPS with its own CA:
// the setup of an AD shop that will not extend its schema.
func startTwoDirectories(t *testing.T) (*server, *adtest.DC) {
	t.Helper()
	dc := adtest.New(t)
	addr, dir, slapd := devDirectory(t, "")
	storePW := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	adPW := writeFile(t, dir, "ad-password", dc.AdminPassword)
	secretFile := writeFile(t, dir, "demo-secret", "demo-rp-secret\n")
	s := startServe(t, fmt.Sprintf(`issuer: http://%s
listen: %s
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
  users:
    profile: activedirectory
    urls: [%s]
    bindDN: %s
    bindPasswordFile: %s
    caFile: %s
    baseDN: %q
    groups: {baseDN: %q}
demo: {enabled: true, clientID: demo-rp, clientSecretFile: %s}
op:
  reg: {masterTokenSHA256: %s}
`, addr, addr, dir, slapd.URL, slapd.AdminDN, storePW,
		dc.LDAPSURL, dc.AdminDN, adPW, dc.CAFile, adtest.PeopleDN, adtest.GroupsDN, secretFile, signInMasterTokenSHA256()))
	return s, dc
}

// TestActiveDirectoryUsersWithOpenLDAPClients: a whole code flow with the
// person in AD and the client and consent in OpenLDAP; each of the three
// login names works, "sub" is the canonical objectGUID and stays the same
// for all three, and the groups claim holds the nested group.
func TestActiveDirectoryUsersWithOpenLDAPClients(t *testing.T) {
	s, _ := startTwoDirectories(t)
	if status, body := s.get(t, "/health/ready"); status != http.StatusOK || !strings.Contains(body, `"users-directory":"ok"`) {
		t.Fatalf("ready: %d %s", status, body)
	}
	alice := adtest.SeededUser(adtest.Alice)
	var subs []string
	for _, login := range []string{alice.Name, alice.UPN, alice.Mail} {
		t.Run(login, func(t *testing.T) {
			b := newBrowser(t, s)
			redirect := s.base + "/demo/callback"
			p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, url.Values{"scope": {"openid profile groups"}}), nil)
			f := formFields(t, b.next(p))
			f.Set("username", login)
			f.Set("password", adtest.Password(adtest.Alice))
			p = b.do(http.MethodPost, "/login", f)
			if isConsentPage(p) {
				cf := formFields(t, b.next(p))
				cf.Set("decision", "allow")
				p = b.do(http.MethodPost, "/consent", cf)
			}
			code := callbackParams(t, p, redirect).Get("code")
			if code == "" {
				t.Fatalf("no code; last page %d %s", p.status, p.location)
			}
			verifier, _ := pkce()
			status, body, _ := tokenRequest(t, s, "demo-rp", "demo-rp-secret", url.Values{
				"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
			if status != http.StatusOK {
				t.Fatalf("token: %d %v", status, body)
			}
			claims := jwtClaims(t, body["id_token"].(string))
			sub, _ := claims["sub"].(string)
			if !canonicalGUID.MatchString(sub) {
				t.Errorf("sub %q is not a canonical GUID", sub)
			}
			subs = append(subs, sub)
			if claims["preferred_username"] != adtest.Alice {
				t.Errorf("preferred_username %v", claims["preferred_username"])
			}
			var groups []string
			for _, g := range claims["groups"].([]any) {
				groups = append(groups, g.(string))
			}
			if !slices.Contains(groups, adtest.InnerGroup) || !slices.Contains(groups, adtest.OuterGroup) {
				t.Errorf("groups %v, want %s and, nested, %s", groups, adtest.InnerGroup, adtest.OuterGroup)
			}
		})
	}
	if len(subs) == 3 && (subs[0] != subs[1] || subs[1] != subs[2]) {
		t.Errorf("one person, three subjects: %v", subs)
	}
}

// TestActiveDirectoryRefusals: each refused AD account gets its own page,
// as OpenLDAP's password policy outcomes do; a must-change account gets the
// change-password page.
func TestActiveDirectoryRefusals(t *testing.T) {
	s, _ := startTwoDirectories(t)
	tests := []struct{ user, want string }{
		{adtest.Locked, "locked"},
		{adtest.Disabled, "The username or password is wrong."}, // the profile's filter leaves disabled accounts out
		{adtest.AccountExpired, "expired"},
		{adtest.Expired, "/password?"},
		{adtest.MustChange, "/password?"},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			b := newBrowser(t, s)
			redirect := s.base + "/demo/callback"
			p := b.do(http.MethodGet, authorizeURL("demo-rp", redirect, nil), nil)
			f := formFields(t, b.next(p))
			f.Set("username", tc.user)
			f.Set("password", adtest.Password(tc.user))
			p = b.do(http.MethodPost, "/login", f)
			if got := p.location + p.body; !strings.Contains(got, tc.want) {
				t.Errorf("%s: want %q in the answer; got %d %s %.300s", tc.user, tc.want, p.status, p.location, p.body)
			}
		})
	}
}

// signInMasterTokenSHA256 is the configured form of the tests' master token.
func signInMasterTokenSHA256() string {
	sum := sha256.Sum256([]byte(signInMasterToken))
	return hex.EncodeToString(sum[:])
}

// TestActiveDirectoryPasswordChangeInChromium: a person whose AD password
// must be changed signs in through a real browser, gets the change-password
// page, sets a new password (unicodePwd over LDAPS on the real DC), goes on
// to consent and lands with a code; a second browser signs in with the new
// password, and the old one is refused.
func TestActiveDirectoryPasswordChangeInChromium(t *testing.T) {
	s, _ := startTwoDirectories(t)
	cb := callbackServer(t)
	redirectURI := cb.URL + "/callback"
	clientID := registerClient(t, s, redirectURI)
	start := s.base + authorizeURL(clientID, redirectURI, url.Values{"ui_locales": {"en"}})
	const newPassword = "A-new-password-7"
	old := adtest.Password(adtest.MustChange)

	ctx := browsertest.New(t, 2*time.Minute)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(900, 700),
		chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), adtest.MustChange+"@example.test"),
		chromedp.SendKeys(chromedp.ID("password"), old),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("current")),
		screenshot(t, "password-change.png"),
		chromedp.SendKeys(chromedp.ID("current"), old),
		chromedp.SendKeys(chromedp.ID("new"), newPassword),
		chromedp.SendKeys(chromedp.ID("repeat"), newPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.WaitVisible(chromedp.ID("query")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser flow stopped at %s: %v", loc, err)
	}
	wantCode(t, ctx, redirectURI)

	ctx2 := browsertest.New(t, 2*time.Minute)
	err = chromedp.Do(ctx2,
		chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), adtest.MustChange),
		chromedp.SendKeys(chromedp.ID("password"), newPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("query")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx2, chromedp.Location())
		t.Fatalf("sign-in with the new password stopped at %s: %v", loc, err)
	}
	wantCode(t, ctx2, redirectURI)

	b := newBrowser(t, s)
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
	f := formFields(t, b.next(p))
	f.Set("username", adtest.MustChange)
	f.Set("password", old)
	if p := b.do(http.MethodPost, "/login", f); !strings.Contains(p.body, "The username or password is wrong.") {
		t.Errorf("the old password still works: %d %s", p.status, p.location)
	}
}

// TestProfileDefaultsAgree: the configuration's activedirectory defaults
// are the ones ldapstore documents for the profile.
func TestProfileDefaultsAgree(t *testing.T) {
	cfg, err := conf.Parse([]byte("issuer: http://127.0.0.1:8080\nldap:\n  users:\n    profile: activedirectory\n    urls: [\"ldaps://dc.example.test\"]\n    bindDN: \"CN=gatehouse,DC=example,DC=test\"\n    bindPasswordEnv: PATH\n    baseDN: \"OU=People,DC=example,DC=test\"\n    groups: {baseDN: \"OU=Groups,DC=example,DC=test\"}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ldapstore.ProfileDefaults(ldapstore.ProfileActiveDirectory)
	if err != nil {
		t.Fatal(err)
	}
	u := cfg.LDAP.Users
	got := ldapstore.UsersConfig{Filter: u.Filter, SubjectAttribute: u.SubjectAttribute, Claims: u.Claims,
		SubjectEncoding: u.SubjectEncoding, PasswordChange: u.PasswordChange,
		Groups: ldapstore.GroupsConfig{Filter: u.Groups.Filter, NameAttribute: u.Groups.NameAttribute, Claim: u.Groups.Claim, Nested: u.Groups.Nested}}
	want.BaseDN, want.Groups.BaseDN, want.Groups.MaxDepth = "", "", 0
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("conf defaults\n %+v\nldapstore defaults\n %+v", got, want)
	}
}
