package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
)

// TestBrowserPasswordChangeInChromium walks a sign-in that needs a new
// password in a real browser: login, the change-password page (a
// screenshot of it goes to the test's artifact directory, kept with
// go test -artifacts), consent, the client's redirect URI; then, in a
// second browser, a sign-in with the new password.
func TestBrowserPasswordChangeInChromium(t *testing.T) {
	s := startPasswordServer(t, "passwordModify")
	cb := callbackServer(t)
	redirectURI := cb.URL + "/callback"
	clientID := registerClient(t, s, redirectURI)
	start := s.base + authorizeURL(clientID, redirectURI, url.Values{"ui_locales": {"en"}})

	ctx := browsertest.New(t, 2*time.Minute)
	err := chromedp.Do(ctx,
		chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "carol"),
		chromedp.SendKeys(chromedp.ID("password"), carolResetPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("current")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser flow stopped at %s before the password page: %v", loc, err)
	}
	shownUser, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("username")))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("current"), carolResetPassword),
		chromedp.SendKeys(chromedp.ID("new"), carolNewPassword),
		chromedp.SendKeys(chromedp.ID("repeat"), carolNewPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.WaitVisible(chromedp.ID("query")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser flow stopped at %s: %v", loc, err)
	}
	if shownUser != "carol" {
		t.Errorf("password page shows username %q", shownUser)
	}
	if !bytes.HasPrefix(shot, []byte("\x89PNG")) { // PNG at quality 100
		t.Errorf("screenshot of the password page is not a PNG (%d bytes)", len(shot))
	}
	path := filepath.Join(t.ArtifactDir(), "password-page.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the change-password page: %s", path)
	wantCode(t, ctx, redirectURI)

	// A second browser signs in with the new password; consent is
	// remembered, so it lands with a code at once.
	ctx2 := browsertest.New(t, 2*time.Minute)
	err = chromedp.Do(ctx2,
		chromedp.Navigate(start),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "carol"),
		chromedp.SendKeys(chromedp.ID("password"), carolNewPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("query")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx2, chromedp.Location())
		t.Fatalf("sign-in with the new password stopped at %s: %v", loc, err)
	}
	wantCode(t, ctx2, redirectURI)
}

// wantCode checks that the browser landed on redirectURI with a code.
func wantCode(t *testing.T, ctx context.Context, redirectURI string) {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, redirectURI+"?") || u.Query().Get("code") == "" {
		t.Fatalf("landed on %s, want %s with a code", loc, redirectURI)
	}
}
