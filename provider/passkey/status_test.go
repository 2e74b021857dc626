package passkey

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// fakePeople answers AccountStatus with a fixed outcome or error.
type fakePeople struct {
	outcome oauth.LoginOutcome
	err     error
	asked   string
}

func (f *fakePeople) Lookup(context.Context, string) (oauth.User, error) { return oauth.User{}, nil }
func (f *fakePeople) AccountStatus(_ context.Context, sub string) (oauth.LoginOutcome, error) {
	f.asked = sub
	return f.outcome, f.err
}

// A good passkey is not enough: a locked, disabled or expired account is
// refused with the directory's outcome (shown as the password sign-in
// shows it), an outage is not a refusal but an error page, and only an
// account in order goes on.
func TestAdmittedAccountStatus(t *testing.T) {
	tests := []struct {
		name        string
		outcome     oauth.LoginOutcome
		err         error
		wantAdmit   bool
		wantRefused bool
		wantStatus  int
	}{
		{name: "in order", outcome: oauth.LoginOK, wantAdmit: true, wantStatus: http.StatusOK},
		{name: "locked", outcome: oauth.LoginLocked, wantRefused: true, wantStatus: http.StatusOK},
		{name: "disabled", outcome: oauth.LoginDisabled, wantRefused: true, wantStatus: http.StatusOK},
		{name: "account expired", outcome: oauth.LoginAccountExpired, wantRefused: true, wantStatus: http.StatusOK},
		{name: "gone", outcome: oauth.LoginInvalid, wantRefused: true, wantStatus: http.StatusOK},
		{name: "directory down", err: storage.ErrUnavailable, wantStatus: http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			people := &fakePeople{outcome: tc.outcome, err: tc.err}
			var refusedWith *oauth.LoginOutcome
			h := &Handler{Options: Options{People: people, Pages: testPages(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Refuse: func(w http.ResponseWriter, _ *http.Request, _ string, _ oauth.User, o oauth.LoginOutcome) {
					refusedWith = &o
				}}}
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/login/passkey", nil)
			got := h.admitted(w, r, "flow-1", "en", oauth.User{Subject: "sub-1"})
			if got != tc.wantAdmit {
				t.Errorf("admitted = %v, want %v", got, tc.wantAdmit)
			}
			if people.asked != "sub-1" {
				t.Errorf("AccountStatus asked for %q, want sub-1", people.asked)
			}
			if (refusedWith != nil) != tc.wantRefused || (refusedWith != nil && *refusedWith != tc.outcome) {
				t.Errorf("Refuse called with %v, want refused=%v with %v", refusedWith, tc.wantRefused, tc.outcome)
			}
			if w.Code != tc.wantStatus {
				t.Errorf("status %d, want %d", w.Code, tc.wantStatus)
			}
		})
	}
	if _, refused, err := accountRefusal(context.Background(), &fakePeople{err: errors.New("x")}, "s"); !refused || err == nil {
		t.Error("an outage must refuse and report the error")
	}
}

func testPages(t *testing.T) *templates.Renderer {
	t.Helper()
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return pages
}
