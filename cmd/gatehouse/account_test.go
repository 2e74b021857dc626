package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
)

// TestAccountPageInChromium walks /account in a real browser: adding an
// authenticator app (code computed from the secret on the page), renaming
// it, new recovery codes, signing out another browser (whose client gets
// a back-channel logout token and whose next /authorize asks for the
// password), revoking an application (the next authorization asks for
// consent again), and removing the app.
func TestAccountPageInChromium(t *testing.T) {
	s := startStrongServer(t)
	rp := newTestRP(t)
	rp.register(t, s, "RP one")
	callback := rp.srv.URL + "/callback"
	start := s.base + authorizeURL(rp.id, callback, url.Values{"ui_locales": {"en"}})
	ctx := browsertest.New(t, 2*time.Minute)
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s: stopped at %s: %v", what, loc, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// Browser A signs in and allows the application.
	run("sign-in", chromedp.EmulateViewport(900, 700), chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.WaitVisible(chromedp.ID("query")))

	// Browser B signs in too (consent remembered) and gets tokens with a sid.
	b := newBrowser(t, s)
	p := signInAs(t, b, authorizeURL(rp.id, callback, nil))
	if !strings.HasPrefix(p.location, callback+"?") {
		t.Fatalf("browser B's sign-in: %d %q", p.status, p.location)
	}
	loc, _ := url.Parse(p.location)
	verifier, _ := pkce()
	status, tokensB, _ := tokenRequest(t, s, rp.id, rp.secret, url.Values{"grant_type": {"authorization_code"},
		"code": {loc.Query().Get("code")}, "redirect_uri": {callback}, "code_verifier": {verifier}})
	if status != http.StatusOK {
		t.Fatalf("browser B's code: %d %v", status, tokensB)
	}
	claimsB := unverifiedClaims(t, tokensB["id_token"].(string))

	// An authenticator app, added with the code of the secret shown.
	run("enrolment", chromedp.Navigate(s.base+"/account"),
		chromedp.WaitVisible(chromedp.ID("sessions")),
		chromedp.Click(chromedp.CSS(`button[value="add_totp"]`)),
		chromedp.WaitVisible(chromedp.ID("totp-secret")),
		screenshot(t, "account-enrol.png"))
	secret := text("#totp-secret")
	run("enrolment code", chromedp.SendKeys(chromedp.ID("code"), totpAt(t, secret, time.Now())),
		chromedp.Click(chromedp.CSS(`button[value="enrol"]`)),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")))
	firstCodes := text("#recovery-codes")
	if n := len(strings.Fields(firstCodes)); n != 10 {
		t.Fatalf("%d recovery codes shown after the enrolment: %q", n, firstCodes)
	}
	run("account page", chromedp.Navigate(s.base+"/account"), chromedp.WaitVisible(chromedp.ID("authenticators")),
		screenshot(t, "account.png"))
	for sel, want := range map[string]string{"#authenticators": "Authenticator app", "#recovery-left": "10 unused",
		"#apps": "RP one", "#sessions": "This browser"} {
		if got := text(sel); !strings.Contains(got, want) {
			t.Errorf("%s shows %q, want %q in it", sel, got, want)
		}
	}
	if n, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`#sessions > li`))); err != nil || len(n) != 2 {
		t.Errorf("%d sessions listed (%v), want 2", len(n), err)
	}

	// Rename, then new recovery codes.
	run("rename", chromedp.Clear(chromedp.CSS(`#authenticators input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`#authenticators input[name="name"]`), "Work phone"),
		chromedp.Click(chromedp.CSS(`#authenticators button[value="rename"]`)),
		chromedp.WaitVisible(chromedp.ID("account-notice")))
	if got := text("#authenticators"); !strings.Contains(got, "Work phone") {
		t.Errorf("after rename: %q", got)
	}
	run("recovery codes", chromedp.Click(chromedp.CSS(`button[value="recovery"]`)), chromedp.WaitVisible(chromedp.ID("recovery-codes")))
	if again := text("#recovery-codes"); len(strings.Fields(again)) != 10 || again == firstCodes {
		t.Errorf("new recovery codes %q (old %q)", again, firstCodes)
	}

	// Sign out browser B from here: its client hears of it, and B must
	// sign in again.
	run("sign out the other browser", chromedp.Navigate(s.base+"/account"),
		chromedp.Click(chromedp.CSS(`#sessions button[value="end"]`)),
		chromedp.WaitVisible(chromedp.ID("account-notice")))
	select {
	case tok := <-rp.backchannel:
		checkLogoutTokenJWKS(t, fetchJWKS(t, s), tok, rp.id, claimsB["sub"], claimsB["sid"])
	case <-time.After(15 * time.Second):
		t.Error("no back-channel logout token for the session ended on the account page")
	}
	if p := b.do(http.MethodGet, authorizeURL(rp.id, callback, nil), nil); !isLoginPage(p) {
		t.Errorf("browser B after being signed out: %d %q, want the login page", p.status, p.location)
	}

	// A new browser reaches the page through the password and, as alice
	// has an app now, its code — then lands back on /account.
	c := newBrowser(t, s)
	p = c.do(http.MethodGet, "/account", nil)
	if !strings.HasPrefix(p.location, "/login?flow=") {
		t.Fatalf("account page without a session: %d %q", p.status, p.location)
	}
	lf := formFields(t, c.next(p))
	lf.Set("username", "alice")
	lf.Set("password", "alice-password")
	if p = c.do(http.MethodPost, "/login", lf); p.location != "/account" {
		t.Fatalf("after the password: %d %q, want /account", p.status, p.location)
	}
	if p = c.do(http.MethodGet, "/account", nil); !strings.HasPrefix(p.location, "/mfa?flow=") {
		t.Fatalf("password-only session of a person with an app: %d %q, want /mfa", p.status, p.location)
	}
	mf := formFields(t, c.next(p))
	mf.Set("action", "code")
	mf.Set("code", totpAt(t, secret, time.Now().Add(30*time.Second))) // the enrolment used this step's code
	if p = c.do(http.MethodPost, "/mfa", mf); p.location != "/account" {
		t.Fatalf("after the code: %d %q, want /account", p.status, p.location)
	}
	if p = c.do(http.MethodGet, "/account", nil); p.status != http.StatusOK || !strings.Contains(p.body, `id="authenticators"`) {
		t.Fatalf("account page after sign-in and code: %d %q", p.status, p.location)
	}

	// Revoke the application: the next authorization asks for consent.
	// From a page without a notice: the last action's notice would match
	// the wait before the form's answer has loaded.
	run("revoke", chromedp.Navigate(s.base+"/account"),
		chromedp.Click(chromedp.CSS(`#apps button[value="revoke"]`)), chromedp.WaitVisible(chromedp.ID("account-notice")))
	if got := text("#account-notice"); !strings.Contains(got, "revoked") {
		t.Errorf("notice after revoke: %q", got)
	}
	run("consent asked again", chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)))

	// Remove the app.
	run("remove", chromedp.Navigate(s.base+"/account"),
		chromedp.Click(chromedp.CSS(`#authenticators button[value="remove"]`)),
		chromedp.WaitVisible(chromedp.ID("account-notice")),
		chromedp.WaitNotPresent(chromedp.ID("authenticators")))
}
