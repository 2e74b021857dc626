package passkey

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
)

// recorder keeps audit events.
type recorder struct {
	mu     sync.Mutex
	events []audit.Event
}

func (r *recorder) Record(_ context.Context, e audit.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type+"/"+e.Outcome+"/"+e.Subject+"/"+e.Detail)
	}
	return out
}

// Refused passkeys count like wrong passwords: by the person when the
// credential named one, by the address always; past a limit the next
// attempt is not allowed, and each refusal (and the throttle's closing)
// is audited. A passkey accepted forgets the person's count.
func TestPasskeyThrottle(t *testing.T) {
	newHandler := func() (*Handler, *recorder) {
		rec := &recorder{}
		return &Handler{Options: Options{
			Throttle: throttle.NewLogins(throttle.LoginOptions{
				Usernames: throttle.Options{MaxFailures: 2, Window: time.Hour},
				Addresses: throttle.Options{MaxFailures: 3, Window: time.Hour},
			}),
			Audit: rec, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}}, rec
	}
	req := func(addr string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/login/passkey", nil)
		r.RemoteAddr = addr + ":1234"
		return r
	}
	allowed := func(t *testing.T, h *Handler, r *http.Request, sub string) bool {
		t.Helper()
		ok, err := h.allowed(context.Background(), r, sub)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	t.Run("by person", func(t *testing.T) {
		h, rec := newHandler()
		for i, addr := range []string{"192.0.2.1", "192.0.2.2"} {
			if !allowed(t, h, req(addr), "sub-1") {
				t.Fatalf("attempt %d refused before the limit", i)
			}
			h.refusedPasskey(req(addr), "client-1", "sub-1", whyNotValid)
		}
		if allowed(t, h, req("192.0.2.3"), "sub-1") {
			t.Error("third attempt on sub-1 allowed from a fresh address; want the person's limit")
		}
		if !allowed(t, h, req("192.0.2.3"), "sub-2") {
			t.Error("another person is throttled")
		}
		want := []string{"passkey_failed/invalid/sub-1/" + whyNotValid, "passkey_failed/invalid/sub-1/" + whyNotValid,
			"throttle//sub-1/passkey"}
		if got := rec.types(); !slices.Equal(got, want) {
			t.Errorf("audit %q, want %q", got, want)
		}
	})

	t.Run("by address when no one is named", func(t *testing.T) {
		h, _ := newHandler()
		for range 3 {
			h.refusedPasskey(req("192.0.2.9"), "", "", whyUnknown)
		}
		if allowed(t, h, req("192.0.2.9"), "") {
			t.Error("address past its limit is allowed")
		}
		if allowed(t, h, req("192.0.2.9"), "sub-1") {
			t.Error("a known person from a throttled address is allowed")
		}
		if !allowed(t, h, req("192.0.2.10"), "") {
			t.Error("another address is throttled")
		}
	})

	t.Run("accepted forgets the person's failures", func(t *testing.T) {
		h, _ := newHandler()
		h.refusedPasskey(req("192.0.2.1"), "", "sub-1", whyCloned)
		h.acceptedPasskey(context.Background(), "sub-1")
		h.refusedPasskey(req("192.0.2.2"), "", "sub-1", whyCloned)
		if !allowed(t, h, req("192.0.2.3"), "sub-1") {
			t.Error("failures before an accepted passkey still count")
		}
	})

	t.Run("throttled attempt audited", func(t *testing.T) {
		h, rec := newHandler()
		h.throttledPasskey(req("192.0.2.1"), "client-1", "sub-1")
		if got, want := rec.types(), []string{"passkey_failed/throttled/sub-1/"}; !slices.Equal(got, want) {
			t.Errorf("audit %q, want %q", got, want)
		}
	})
}
