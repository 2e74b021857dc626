package main

import (
	"bytes"
	"context"
	"flag"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-idp/gatehouse/internal/browsertest"
)

// updateScreenshots rewrites the README's pictures of the sign-in pages
// (docs/screenshots) from what the browser test saw.
var updateScreenshots = flag.Bool("update-screenshots", false, "write docs/screenshots/*.png from the Chromium test")

// screenshot takes a picture of the page, keeps it with the test's
// artefacts (go test -artifacts) and, with -update-screenshots, in
// docs/screenshots for the README.
func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return func(actx context.Context, tgt *chromedp.Target) (chromedp.Void, error) {
		shot, err := chromedp.FullScreenshot(100)(actx, tgt) // quality 100: PNG
		if err != nil {
			return chromedp.Void{}, err
		}
		if !bytes.HasPrefix(shot, []byte("\x89PNG")) {
			t.Errorf("screenshot %s is not a PNG (%d bytes)", name, len(shot))
		}
		dirs := []string{t.ArtifactDir()}
		if *updateScreenshots {
			dirs = append(dirs, filepath.Join("..", "..", "docs", "screenshots"))
		}
		for _, dir := range dirs {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return chromedp.Void{}, err
			}
			if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}
}

// callbackServer is a client's redirect URI that shows the parameters it
// received, for the browser to land on.
func callbackServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, `<title>callback</title><pre id="query">`+html.EscapeString(r.URL.RawQuery)+`</pre>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSignInInChromium walks the code flow in a real browser: the login
// form, the consent page, and the landing on the client's redirect URI;
// then, in a second browser, a sign-in whose consent is remembered.
func TestSignInInChromium(t *testing.T) {
	s := startSignInServer(t)
	cb := callbackServer(t)
	redirectURI := cb.URL + "/callback"
	clientID := registerClient(t, s, redirectURI)
	start := s.base + authorizeURL(clientID, redirectURI, url.Values{"ui_locales": {"en"}})

	signIn := func(t *testing.T, expectConsent bool) url.Values {
		ctx := browsertest.New(t, 2*time.Minute)
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.EmulateViewport(900, 700),
			chromedp.Navigate(start),
			chromedp.WaitVisible(chromedp.ID("username")),
		}
		if expectConsent {
			steps = append(steps, screenshot(t, "sign-in.png"))
		}
		steps = append(steps,
			chromedp.SendKeys(chromedp.ID("username"), "alice"),
			chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		if expectConsent {
			steps = append(steps,
				chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
				screenshot(t, "consent.png"),
				chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)))
		}
		steps = append(steps, chromedp.WaitVisible(chromedp.ID("query")))
		if err := chromedp.Do(ctx, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("browser flow stopped at %s: %v", loc, err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(loc, redirectURI+"?") {
			t.Fatalf("landed on %s, want %s", loc, redirectURI)
		}
		u, _ := url.Parse(loc)
		return u.Query()
	}

	first := signIn(t, true)
	if first.Get("code") == "" || first.Get("state") != "st-123" || first.Get("iss") != "http://127.0.0.1:8080" {
		t.Fatalf("first sign-in returned %v", first)
	}
	second := signIn(t, false) // consent remembered: no consent page
	if second.Get("code") == "" || second.Get("iss") != "http://127.0.0.1:8080" {
		t.Fatalf("second sign-in returned %v", second)
	}
}
