package passkey

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

type needStepUp bool

func (n needStepUp) Needed(context.Context, []string, string, string) (bool, error) {
	return bool(n), nil
}

// Adding a passkey from the account page keeps that page's rules: a
// sign-in older than mfa.ReauthAfter signs in again, a session short of
// the policy steps up first, and both come back to the enrolment.
func TestEnrolFromAccountKeepsItsRules(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		age    time.Duration
		need   bool
		wantTo string // "signin", "stepup" or "" (the enrolment goes on)
	}{
		{"fresh, policy met", time.Minute, false, ""},
		{"stale", mfa.ReauthAfter + time.Second, false, "signin"},
		{"fresh, short of the policy", time.Minute, true, "stepup"},
		{"stale and short of the policy", time.Hour, true, "stepup"},
	} {
		var went, back string
		h := &Handler{Options: Options{
			Now: func() time.Time { return now },
			CurrentSession: func(*http.Request) (session.Session, bool, error) {
				return session.Session{ID: "s1", Subject: "alice", ACR: mfa.ACRPassword, AuthTime: now.Add(-tc.age)}, true, nil
			},
			SignInThenReturn: func(_ http.ResponseWriter, _ *http.Request, to string) { went, back = "signin", to },
			StepUp:           needStepUp(tc.need),
			StepUpThenReturn: func(_ http.ResponseWriter, _ *http.Request, _ session.Session, to string) {
				went, back = "stepup", to
			},
		}}
		const uri = "/mfa/passkey/enrol?return=%2Faccount"
		r := httptest.NewRequest(http.MethodGet, uri, nil)
		e, ok := h.enrolmentOf(httptest.NewRecorder(), r, "", "/account")
		if went != tc.wantTo || ok != (tc.wantTo == "") {
			t.Errorf("%s: went %q (ok %v), want %q", tc.name, went, ok, tc.wantTo)
			continue
		}
		if ok && (e.subject != "alice" || e.returnTo != "/account") {
			t.Errorf("%s: enrolment %+v", tc.name, e)
		}
		if !ok && back != uri {
			t.Errorf("%s: comes back to %q, want %q", tc.name, back, uri)
		}
	}
}
