package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// startThrottleServer is startSignInServer that also hands back the
// directory, so that a test can stop it.
func startThrottleServer(t *testing.T) (*server, *ldaptest.Slapd) {
	t.Helper()
	return startSignInServerWith(t, "")
}

// newBrowserFrom is a browser whose connections come from ip, a loopback
// address other than 127.0.0.1 (all of 127/8 is loopback on Linux): to
// the server, another client address.
func newBrowserFrom(t *testing.T, s *server, ip string) *browser {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: t, s: s, client: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// post sends a form like do, and also returns the response headers.
func (b *browser) post(path string, form url.Values) (page, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.s.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "de")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(raw)}, resp.Header
}

// loginForm starts a sign-in and returns the login form's fields, with
// username and password filled in.
func loginForm(t *testing.T, b *browser, clientID, redirectURI, username, password string, extra url.Values) url.Values {
	t.Helper()
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, extra), nil)
	if !isLoginPage(p) {
		t.Fatalf("authorize: %d %q\n%s", p.status, p.location, p.body)
	}
	f := formFields(t, b.next(p))
	f.Set("username", username)
	f.Set("password", password)
	return f
}

// wantPageHeaders checks that a login page answered with an error status
// kept the headers of a page with a form on it.
func wantPageHeaders(t *testing.T, what string, p page, h http.Header, status int) {
	t.Helper()
	if p.status != status || !strings.Contains(p.body, `name="csrf"`) {
		t.Fatalf("%s: %d, want %d with the login form\n%s", what, p.status, status, p.body)
	}
	want := map[string]string{"Cache-Control": "no-store", "Content-Language": "de", "Content-Type": "text/html; charset=utf-8"}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action") {
		t.Errorf("%s: Content-Security-Policy %q has no form-action", what, csp)
	}
}

// TestThrottleSparesKnownBrowsers: someone behind the same address (a NAT,
// a proxy) uses up the per-address limit with made-up usernames. A person
// who signed in from this browser before still signs in; a browser that
// never did is refused, with a 429 page that keeps its headers.
func TestThrottleSparesKnownBrowsers(t *testing.T) {
	s, _ := startThrottleServer(t)
	const redirectURI = "http://127.0.0.1:9/throttle"
	clientID := registerClient(t, s, redirectURI)
	const shared = "127.0.0.2"

	alice := newBrowserFrom(t, s, shared)
	if p, _ := alice.post("/login", loginForm(t, alice, clientID, redirectURI, "alice", "alice-password", nil)); !isConsentPage(p) {
		t.Fatalf("alice's first sign-in: %d\n%s", p.status, p.body)
	}

	// The noisy neighbour: one failure each for many made-up names.
	noisy := newBrowserFrom(t, s, shared)
	f := loginForm(t, noisy, clientID, redirectURI, "", "guess", nil)
	throttled := false
	for i := 0; i < 200 && !throttled; i++ {
		f.Set("username", fmt.Sprintf("made-up-%d", i))
		p, _ := noisy.post("/login", f)
		throttled = p.status == http.StatusTooManyRequests
	}
	if !throttled {
		t.Fatal("200 failures from one address were never throttled")
	}

	// prompt=login: alice's session would otherwise spare her the form.
	again := loginForm(t, alice, clientID, redirectURI, "alice", "alice-password", url.Values{"prompt": {"login"}})
	if p, _ := alice.post("/login", again); !isConsentPage(p) {
		t.Fatalf("alice, known to this browser, behind the used-up address: %d\n%s", p.status, p.body)
	}

	bob := newBrowserFrom(t, s, shared)
	p, h := bob.post("/login", loginForm(t, bob, clientID, redirectURI, "bob", "bob-password", nil))
	wantPageHeaders(t, "bob, unknown to his browser", p, h, http.StatusTooManyRequests)

	// The device cookie is alice's, not a pass for any name from her browser.
	other := loginForm(t, alice, clientID, redirectURI, "bob", "bob-password", url.Values{"prompt": {"login"}})
	if p, _ := alice.post("/login", other); p.status != http.StatusTooManyRequests {
		t.Fatalf("bob from alice's browser: %d, want 429", p.status)
	}
}

// TestThrottleUnavailablePageHeaders: the login page answered with 503
// when the directory is down keeps its headers too.
func TestThrottleUnavailablePageHeaders(t *testing.T) {
	s, slapd := startThrottleServer(t)
	const redirectURI = "http://127.0.0.1:9/down"
	clientID := registerClient(t, s, redirectURI)
	b := newBrowserFrom(t, s, "127.0.0.2")
	f := loginForm(t, b, clientID, redirectURI, "alice", "alice-password", nil)
	if err := slapd.Stop(); err != nil {
		t.Fatal(err)
	}
	p, h := b.post("/login", f)
	wantPageHeaders(t, "directory down", p, h, http.StatusServiceUnavailable)
	s.log.waitFor(t, "store=directory")
}
