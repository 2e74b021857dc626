package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// startPasskeyServer serves strong sign-in at http://localhost:PORT:
// WebAuthn needs a domain as the RP ID (not 127.0.0.1), and Chromium
// counts http://localhost as a secure context.
func startPasskeyServer(t *testing.T) (*server, string, *ldaptest.Slapd) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	// ppolicy: an account locked in the directory must not sign in with
	// a passkey either.
	slapd := ldaptest.New(t, ldaptest.Options{PPolicy: true, LDIF: []string{"../../conf/dev-directory.ldif"}})
	pwFile := writeFile(t, t.TempDir(), "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	issuer := fmt.Sprintf("http://localhost:%d", port)
	s := startServe(t, fmt.Sprintf(`issuer: %s
listen: 127.0.0.1:%d
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
  authenticators: {baseDN: "ou=authenticators,dc=example,dc=org"}
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
  authn: {secondFactor: optional}
`, issuer, port, t.TempDir(), slapd.URL, slapd.AdminDN, pwFile, hex.EncodeToString(sum[:])))
	return s, issuer, slapd
}

// virtualAuthenticator adds a CTAP2 platform authenticator with resident
// keys and user verification (which succeeds) to the browser's tab.
func virtualAuthenticator(t *testing.T, ctx context.Context) webauthn.AuthenticatorID {
	t.Helper()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true,
			HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
			// cdproto sends every field of a credential added by AddCredential,
			// the CMTG ones too, which an authenticator without it refuses.
			HasCmtgKey: true,
		}})
	if err != nil {
		t.Fatal(err)
	}
	return res.AuthenticatorID
}

// idTokenAt reads the ID token from the fragment the browser landed on.
func idTokenAt(t *testing.T, ctx context.Context, s *server, redirectURI string) map[string]any {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, redirectURI+"#") {
		t.Fatalf("landed on %s, want %s#…", loc, redirectURI)
	}
	u, _ := url.Parse(loc)
	v, err := url.ParseQuery(u.Fragment)
	if err != nil || v.Get("id_token") == "" {
		t.Fatalf("no ID token in %s", loc)
	}
	return verifyIDToken(t, s, v.Get("id_token"))
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: stopped at %s: %v", what, loc, err)
	}
}

// A passkey end to end in Chromium with a virtual authenticator: a
// client asks for acr phr, so after the password the person enrols a
// passkey and then uses it (acr phr, amr pwd hwk user mfa); the same
// passkey signs in without a password (amr hwk user) and serves as the
// second factor of a password sign-in. A credential the server does not
// know is refused, and so is a copy of the real one whose signature
// counter starts again (a cloned authenticator).
func TestPasskeyInChromium(t *testing.T) {
	s, issuer, slapd := startPasskeyServer(t)
	cb := callbackServer(t)
	redirectURI := cb.URL + "/callback"
	clientID := registerHybrid(t, s, redirectURI)
	hybrid := url.Values{"response_type": {"code id_token"}, "ui_locales": {"en"}}
	phr := url.Values{"response_type": {"code id_token"}, "ui_locales": {"en"}, "acr_values": {"urn:gatehouse:acr:phr"}}

	var disc struct {
		ACR []string `json:"acr_values_supported"`
	}
	if _, body := s.get(t, "/.well-known/openid-configuration"); json.Unmarshal([]byte(body), &disc) != nil ||
		strings.Join(disc.ACR, " ") != "urn:gatehouse:acr:pwd urn:gatehouse:acr:mfa urn:gatehouse:acr:phr" {
		t.Errorf("acr_values_supported = %v, want pwd mfa phr", disc.ACR)
	}

	ctx := browsertest.New(t, 2*time.Minute)
	authn := virtualAuthenticator(t, ctx)
	password := []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	}

	// Step-up to phr: enrolment, then the assertion, then consent.
	run(t, ctx, "passkey enrolment", append([]chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(900, 800),
		chromedp.Navigate(issuer + authorizeURL(clientID, redirectURI, phr)),
		chromedp.WaitVisible(chromedp.ID("passkey-login")),
		screenshot(t, "passkey-login.png"),
	}, append(password,
		chromedp.WaitVisible(chromedp.CSS(`form[data-ceremony="create"]`)),
		screenshot(t, "passkey-enrol.png"),
		chromedp.Click(chromedp.ID("passkey-start")),
		chromedp.WaitVisible(chromedp.CSS(`form[data-ceremony="get"]`)),
		screenshot(t, "passkey-verify.png"),
		chromedp.Click(chromedp.ID("passkey-start")),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.WaitVisible(chromedp.ID("query")),
	)...)...)
	claims := idTokenAt(t, ctx, s, redirectURI)
	if claims["acr"] != "urn:gatehouse:acr:phr" || fmt.Sprint(claims["amr"]) != "[pwd hwk user mfa]" {
		t.Errorf("after enrolment: acr %v amr %v, want phr and [pwd hwk user mfa]", claims["acr"], claims["amr"])
	}

	// Passwordless: a new session, the passkey alone.
	fresh := func() chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tgt *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
			return chromedp.Void{}, err
		}
	}
	run(t, ctx, "passwordless sign-in",
		fresh(),
		chromedp.Navigate(issuer+authorizeURL(clientID, redirectURI, hybrid)),
		chromedp.WaitVisible(chromedp.ID("passkey-login")),
		chromedp.Click(chromedp.ID("passkey-login")),
		chromedp.WaitVisible(chromedp.ID("passkey-start")),
		screenshot(t, "passkey-signin.png"),
		chromedp.Click(chromedp.ID("passkey-start")),
		chromedp.WaitVisible(chromedp.ID("query")),
	)
	claims = idTokenAt(t, ctx, s, redirectURI)
	if claims["acr"] != "urn:gatehouse:acr:phr" || fmt.Sprint(claims["amr"]) != "[hwk user]" {
		t.Errorf("passwordless: acr %v amr %v, want phr and [hwk user]", claims["acr"], claims["amr"])
	}

	// The second factor after a password: enrolled now, so asked under
	// the optional policy; /mfa offers the passkey first.
	run(t, ctx, "second factor", append(append([]chromedp.Action[chromedp.Void]{
		fresh(), chromedp.Navigate(issuer + authorizeURL(clientID, redirectURI, hybrid)),
	}, password...),
		chromedp.WaitVisible(chromedp.CSS(`form[data-ceremony="get"]`)),
		chromedp.Click(chromedp.ID("passkey-start")),
		chromedp.WaitVisible(chromedp.ID("query")),
	)...)
	claims = idTokenAt(t, ctx, s, redirectURI)
	if claims["acr"] != "urn:gatehouse:acr:phr" || fmt.Sprint(claims["amr"]) != "[pwd hwk user mfa]" {
		t.Errorf("second factor: acr %v amr %v", claims["acr"], claims["amr"])
	}

	creds, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authn})
	if err != nil || len(creds.Credentials) != 1 {
		t.Fatalf("virtual authenticator holds %v, %v", creds, err)
	}
	real := creds.Credentials[0]

	// Another browser, another authenticator: first with a passkey for
	// localhost the server never registered, then with a copy of the real
	// one whose counter starts again from 0.
	other := browsertest.New(t, time.Minute)
	otherAuthn := virtualAuthenticator(t, other)
	refused := func(what string, cred *webauthn.Credential) {
		t.Helper()
		if _, err := chromedp.Call(other, webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: otherAuthn}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(other, webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: otherAuthn, Credential: cred}); err != nil {
			t.Fatal(err)
		}
		run(t, other, what,
			fresh(),
			chromedp.Navigate(issuer+authorizeURL(clientID, redirectURI, hybrid)),
			chromedp.WaitVisible(chromedp.ID("passkey-login")),
			chromedp.Click(chromedp.ID("passkey-login")),
			chromedp.WaitVisible(chromedp.ID("passkey-start")),
			chromedp.Click(chromedp.ID("passkey-start")),
			chromedp.WaitVisible(chromedp.ID("passkey-error")),
		)
		loc, err := chromedp.Run(other, chromedp.Location())
		if err != nil || !strings.HasPrefix(loc, issuer+"/login/passkey") {
			t.Errorf("%s: at %s, want the passkey page with its error", what, loc)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	refused("unknown passkey", &webauthn.Credential{CredentialID: []byte("not-registered-credential-id"),
		IsResidentCredential: true, RpID: "localhost", PrivateKey: pkcs8, UserHandle: real.UserHandle, SignCount: 0})
	shot := screenshot(t, "passkey-refused.png")
	run(t, other, "screenshot", shot)
	refused("cloned passkey", &webauthn.Credential{CredentialID: real.CredentialID, IsResidentCredential: true,
		RpID: "localhost", PrivateKey: real.PrivateKey, UserHandle: real.UserHandle, SignCount: 0})
	if !strings.Contains(s.log.String(), "may be cloned") {
		t.Errorf("the cloned passkey was not logged:\n%s", s.log.String())
	}

	// An administrator locks alice (ppolicy): her good passkey is refused
	// with the login page's "locked", as her password would be.
	lockAccount(t, slapd, "uid=alice,ou=people,dc=example,dc=org")
	run(t, ctx, "locked account",
		fresh(),
		chromedp.Navigate(issuer+authorizeURL(clientID, redirectURI, hybrid)),
		chromedp.WaitVisible(chromedp.ID("passkey-login")),
		chromedp.Click(chromedp.ID("passkey-login")),
		chromedp.WaitVisible(chromedp.ID("passkey-start")),
		chromedp.Click(chromedp.ID("passkey-start")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
	)
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("login-error")))
	if err != nil || !strings.Contains(strings.ToLower(msg), "locked") {
		t.Errorf("locked account's passkey: message %q (%v), want the login page's locked message", msg, err)
	}
}

// lockAccount sets ppolicy's administrative lock on dn.
func lockAccount(t *testing.T, slapd *ldaptest.Slapd, dn string) {
	t.Helper()
	conn, err := slapd.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	relax := ldap.NewControlString("1.3.6.1.4.1.4203.666.5.12", true, "")
	req := ldap.NewModifyRequest(dn, []ldap.Control{relax})
	req.Replace("pwdAccountLockedTime", []string{"000001010000Z"})
	if err := conn.Modify(req); err != nil {
		t.Fatalf("lock %s: %v", dn, err)
	}
}
