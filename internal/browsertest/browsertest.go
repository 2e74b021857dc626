// Package browsertest starts a real headless Chromium for end-to-end tests,
// driven through the DevTools protocol by chromedp. Each test gets its own
// browser with a fresh profile, stopped when the test ends.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Packages names what to install when no browser is found.
const Packages = "chromium"

// candidates are where Debian and other systems put the browser.
var candidates = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// New returns a browser context for one test, bounded by timeout. Without
// a browser the test is skipped, naming the package — except with CI=true,
// where a missing browser fails the run.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := find()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browsertest: no Chromium found; install the Debian package %s", Packages)
		}
		t.Skipf("browsertest: no Chromium found; install the Debian package %s (scripts/test-deps.sh)", Packages)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// This machine has no network beyond loopback: keep the browser
		// from trying to reach update and sync services.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	// Start the browser now, so that a broken installation fails here and
	// not in the middle of a test's first step.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("browsertest: start Chromium: %v", err)
	}
	return browserCtx
}

func find() string {
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}
