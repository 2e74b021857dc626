package device

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestHandler(clock *fakeClock) *Handler {
	o := Options{Lifetime: time.Minute, Interval: 5 * time.Second, Now: clock.now}
	kv := session.NewMemory(session.MemoryOptions{Clock: clock.now})
	return &Handler{Options: o, store: &store{kv: kv, lifetime: o.Lifetime, interval: o.Interval, now: clock.now}}
}

// TestGrantErrors walks every answer of a poll.
func TestGrantErrors(t *testing.T) {
	client := oauth.Client{ID: "tv"}
	tests := []struct {
		name string
		// setup returns the device code to poll with, after whatever
		// happened to it.
		setup    func(t *testing.T, h *Handler, clock *fakeClock) string
		client   oauth.Client
		wantCode string
	}{
		{name: "missing device_code", setup: func(*testing.T, *Handler, *fakeClock) string { return "" }, wantCode: "invalid_request"},
		{name: "unknown device_code", setup: func(*testing.T, *Handler, *fakeClock) string { return "nope" }, wantCode: "invalid_grant"},
		{name: "pending", setup: started, wantCode: "authorization_pending"},
		{name: "another client's code", setup: started, client: oauth.Client{ID: "other"}, wantCode: "invalid_grant"},
		{name: "polled too fast", setup: func(t *testing.T, h *Handler, c *fakeClock) string {
			code := started(t, h, c)
			pollOnce(t, h, client, code, "authorization_pending")
			c.t = c.t.Add(4 * time.Second)
			return code
		}, wantCode: "slow_down"},
		{name: "slow_down adds 5 seconds", setup: func(t *testing.T, h *Handler, c *fakeClock) string {
			code := started(t, h, c)
			pollOnce(t, h, client, code, "authorization_pending")
			pollOnce(t, h, client, code, "slow_down") // interval now 10 s
			c.t = c.t.Add(6 * time.Second)
			return code
		}, wantCode: "slow_down"},
		{name: "polled at the interval", setup: func(t *testing.T, h *Handler, c *fakeClock) string {
			code := started(t, h, c)
			pollOnce(t, h, client, code, "authorization_pending")
			c.t = c.t.Add(5 * time.Second)
			return code
		}, wantCode: "authorization_pending"},
		{name: "denied", setup: decided(false), wantCode: "access_denied"},
		{name: "expired", setup: func(t *testing.T, h *Handler, c *fakeClock) string {
			code := started(t, h, c)
			c.t = c.t.Add(time.Minute)
			return code
		}, wantCode: "expired_token"},
		{name: "allowed", setup: decided(true)},
		{name: "used twice", setup: func(t *testing.T, h *Handler, c *fakeClock) string {
			code := decided(true)(t, h, c)
			pollOnce(t, h, client, code, "")
			return code
		}, wantCode: "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			h := newTestHandler(clock)
			code := tc.setup(t, h, clock)
			c := client
			if tc.client.ID != "" {
				c = tc.client
			}
			is := pollOnce(t, h, c, code, tc.wantCode)
			if tc.wantCode == "" && (is.Subject != "alice" || len(is.Scopes) != 1 || is.Scopes[0] != "openid") {
				t.Errorf("issued %+v", is)
			}
		})
	}
}

// started is a device authorization of client tv for openid.
func started(t *testing.T, h *Handler, _ *fakeClock) string {
	t.Helper()
	code, _, err := h.store.start(context.Background(), "tv", []string{"openid"})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// decided is a device authorization the person allowed or denied.
func decided(allowed bool) func(t *testing.T, h *Handler, c *fakeClock) string {
	return func(t *testing.T, h *Handler, _ *fakeClock) string {
		ctx := context.Background()
		code, user, err := h.store.start(ctx, "tv", []string{"openid"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.decide(ctx, user, decision{Allowed: allowed, Subject: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.decide(ctx, user, decision{Allowed: !allowed, Subject: "mallory"}); err == nil {
			t.Fatal("a user code was decided twice")
		}
		return code
	}
}

func pollOnce(t *testing.T, h *Handler, c oauth.Client, code, want string) (is issued) {
	t.Helper()
	form := url.Values{}
	if code != "" {
		form.Set("device_code", code)
	}
	got, oerr := h.Grant(context.Background(), c, form)
	switch {
	case want == "" && oerr != nil:
		t.Fatalf("poll: %v, want tokens", oerr)
	case want != "" && (oerr == nil || oerr.Code != want):
		t.Fatalf("poll: %v, want %s", oerr, want)
	case oerr != nil && oerr.Status != 400:
		t.Fatalf("poll: status %d, want 400", oerr.Status)
	}
	return issued{Subject: got.Subject, Scopes: got.Scopes}
}

type issued struct {
	Subject string
	Scopes  []string
}

func TestUserCodes(t *testing.T) {
	for range 50 {
		c := newUserCode()
		n, ok := normaliseUserCode(displayUserCode(c))
		if !ok || n != c {
			t.Fatalf("code %q does not survive display: %q %v", c, n, ok)
		}
	}
	tests := []struct {
		typed, want string
		ok          bool
	}{
		{"BCDF-GHJK", "BCDFGHJK", true},
		{"bcdf ghjk", "BCDFGHJK", true},
		{" bc-df-gh-jk ", "BCDFGHJK", true},
		{"BCDF-GHJ", "", false},   // too short
		{"BCDF-GHJKL", "", false}, // too long
		{"BCDF-GHJA", "", false},  // a vowel is never in a code
		{"BCDF-GHJ0", "", false},  // nor a digit
		{"BCDF-GHJÄ", "", false},  // nor anything else
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := normaliseUserCode(tc.typed)
		if got != tc.want || ok != tc.ok {
			t.Errorf("normaliseUserCode(%q) = %q %v, want %q %v", tc.typed, got, ok, tc.want, tc.ok)
		}
	}
}
