package account_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/account"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// Fakes of the seams: the page's own logic is what is tested here; the
// real stores and pages are walked end to end in cmd/gatehouse.

type fakeSignIn struct {
	sessions       *session.Sessions
	signIn, stepUp []string
	forgotten      []string
}

func (f *fakeSignIn) CurrentSession(r *http.Request) (session.Session, bool, error) {
	c, err := r.Cookie("s")
	if err != nil {
		return session.Session{}, false, nil
	}
	s, err := f.sessions.Get(r.Context(), c.Value)
	if err != nil {
		return session.Session{}, false, nil
	}
	return s, true, nil
}

func (f *fakeSignIn) SignInThenReturn(w http.ResponseWriter, r *http.Request, to string) {
	f.signIn = append(f.signIn, to)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (f *fakeSignIn) StepUpThenReturn(w http.ResponseWriter, r *http.Request, _ session.Session, to string) {
	f.stepUp = append(f.stepUp, to)
	http.Redirect(w, r, "/mfa", http.StatusSeeOther)
}

func (f *fakeSignIn) ForgetConsent(sub, client string) {
	f.forgotten = append(f.forgotten, sub+"/"+client)
}

type fakeFactors struct{ list []oauth.Authenticator }

func (f *fakeFactors) List(_ context.Context, sub string) ([]oauth.Authenticator, error) {
	var out []oauth.Authenticator
	for _, a := range f.list {
		if a.Subject == sub {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeFactors) Update(_ context.Context, sub, id string, fn func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error) {
	for i, a := range f.list {
		if a.Subject == sub && a.ID == id {
			n, err := fn(a)
			if err != nil {
				return a, err
			}
			f.list[i] = n
			return n, nil
		}
	}
	return oauth.Authenticator{}, storage.ErrNotFound
}

func (f *fakeFactors) Delete(_ context.Context, sub, id string) error {
	for i, a := range f.list {
		if a.Subject == sub && a.ID == id {
			f.list = append(f.list[:i], f.list[i+1:]...)
			return nil
		}
	}
	return storage.ErrNotFound
}

func (f *fakeFactors) StartEnrolment(string, string) (mfa.Enrolment, error) {
	return mfa.Enrolment{QR: "data:image/png;base64,AA", Secret: "S", Sealed: "e"}, nil
}
func (f *fakeFactors) ResumeEnrolment(string, string, string) (mfa.Enrolment, error) {
	return f.StartEnrolment("", "")
}
func (f *fakeFactors) FinishEnrolment(_ context.Context, _, _, _, code, _ string) ([]string, error) {
	if code == "123456" {
		return nil, nil
	}
	return nil, mfa.ErrWrongCode
}
func (f *fakeFactors) NewRecoveryCodes(context.Context, string) ([]string, error) {
	return []string{"aaaaa-bbbbb"}, nil
}
func (f *fakeFactors) StepUpSession(context.Context, session.Session) error { return nil }

type fakeAuthz struct{ deleted []string }

func (f *fakeAuthz) ListBySubject(context.Context, string) ([]oauth.Authorization, error) {
	return []oauth.Authorization{{Subject: "alice", ClientID: "rp", Scopes: []string{"openid"}}}, nil
}
func (f *fakeAuthz) Delete(_ context.Context, sub, client string) error {
	f.deleted = append(f.deleted, sub+"/"+client)
	return nil
}

type fakePeople struct{}

func (fakePeople) Lookup(context.Context, string) (oauth.User, error) {
	return oauth.User{Subject: "alice", Claims: map[string]any{"name": "Alice"}}, nil
}

type needAlways bool

func (n needAlways) Needed(context.Context, []string, string, string) (bool, error) {
	return bool(n), nil
}

type rig struct {
	h       *account.Handler
	signIn  *fakeSignIn
	factors *fakeFactors
	authz   *fakeAuthz
	clock   *sessiontest.FakeClock
	cookie  string
	audit   *auditLog
	ss      *session.Sessions
}

func newRig(t *testing.T, stepUp bool) *rig {
	t.Helper()
	clock := sessiontest.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ss := session.NewSessions(session.NewMemory(session.MemoryOptions{Clock: clock.Now}), 0, 0, clock.Now)
	sess, err := ss.Create(context.Background(), session.Session{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	rg := &rig{signIn: &fakeSignIn{sessions: ss}, authz: &fakeAuthz{}, clock: clock, cookie: sess.ID, audit: &auditLog{}, ss: ss,
		factors: &fakeFactors{list: []oauth.Authenticator{
			{ID: "mine", Subject: "alice", Kind: oauth.AuthenticatorTOTP, Name: "Phone"},
			{ID: "theirs", Subject: "bob", Kind: oauth.AuthenticatorTOTP, Name: "Bob's"},
			{ID: "codes", Subject: "alice", Kind: oauth.AuthenticatorRecovery, RecoveryCodes: []string{"x"}},
		}}}
	rg.h, err = account.New(account.Options{Sessions: ss, SignIn: rg.signIn, Authorizations: rg.authz,
		Clients: func(context.Context, string) (oauth.Client, error) { return oauth.Client{}, storage.ErrNotFound },
		People:  fakePeople{}, Pages: pages, CSRFKey: make([]byte, 32), Path: "/account",
		Authenticators: rg.factors, Factors: rg.factors, StepUp: needAlways(stepUp), Now: clock.Now, Audit: rg.audit})
	if err != nil {
		t.Fatal(err)
	}
	return rg
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (rg *rig) get(t *testing.T) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/account", nil)
	r.AddCookie(&http.Cookie{Name: "s", Value: rg.cookie})
	w := httptest.NewRecorder()
	rg.h.Page(w, r)
	return w
}

func (rg *rig) post(t *testing.T, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/account", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: "s", Value: rg.cookie})
	w := httptest.NewRecorder()
	rg.h.Submit(w, r)
	return w
}

func (rg *rig) csrf(t *testing.T) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(rg.get(t).Body.String())
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

func (rg *rig) name(id string) string {
	for _, a := range rg.factors.list {
		if a.ID == id {
			return a.Name
		}
	}
	return ""
}

func TestAccountActions(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		stale      bool // the sign-in is older than ReauthAfter
		badCSRF    bool
		wantStatus int
		wantSignIn bool // sent to sign in again
		check      func(t *testing.T, rg *rig)
	}{
		{name: "rename when fresh", form: url.Values{"action": {"rename"}, "id": {"mine"}, "name": {" Work\x00 phone "}},
			wantStatus: http.StatusSeeOther, check: func(t *testing.T, rg *rig) {
				if got := rg.name("mine"); got != "Work phone" {
					t.Errorf("name %q", got)
				}
			}},
		{name: "rename when stale asks for the password", form: url.Values{"action": {"rename"}, "id": {"mine"}, "name": {"X"}},
			stale: true, wantStatus: http.StatusSeeOther, wantSignIn: true, check: func(t *testing.T, rg *rig) {
				if got := rg.name("mine"); got != "Phone" {
					t.Errorf("renamed to %q without a fresh sign-in", got)
				}
			}},
		{name: "remove when stale asks for the password", form: url.Values{"action": {"remove"}, "id": {"mine"}},
			stale: true, wantStatus: http.StatusSeeOther, wantSignIn: true, check: func(t *testing.T, rg *rig) {
				if rg.name("mine") == "" {
					t.Error("removed without a fresh sign-in")
				}
			}},
		{name: "recovery codes when stale ask for the password", form: url.Values{"action": {"recovery"}},
			stale: true, wantStatus: http.StatusSeeOther, wantSignIn: true},
		{name: "someone else's authenticator is not removed", form: url.Values{"action": {"remove"}, "id": {"theirs"}},
			wantStatus: http.StatusSeeOther, check: func(t *testing.T, rg *rig) {
				if rg.name("theirs") == "" {
					t.Error("bob's authenticator removed by alice")
				}
			}},
		{name: "the recovery set is not removed as an authenticator", form: url.Values{"action": {"remove"}, "id": {"codes"}},
			wantStatus: http.StatusSeeOther, check: func(t *testing.T, rg *rig) {
				if len(rg.factors.list) != 3 {
					t.Error("recovery codes removed")
				}
			}},
		{name: "remove when fresh", form: url.Values{"action": {"remove"}, "id": {"mine"}},
			wantStatus: http.StatusSeeOther, check: func(t *testing.T, rg *rig) {
				if rg.name("mine") != "" {
					t.Error("not removed")
				}
			}},
		{name: "new recovery codes are shown", form: url.Values{"action": {"recovery"}}, wantStatus: http.StatusOK},
		{name: "a wrong enrolment code shows the error", form: url.Values{"action": {"enrol"}, "enrolment": {"e"}, "code": {"1"}},
			wantStatus: http.StatusOK},
		{name: "revoke needs no fresh sign-in and forgets the cached consent", form: url.Values{"action": {"revoke"}, "client": {"rp"}},
			stale: true, wantStatus: http.StatusSeeOther, check: func(t *testing.T, rg *rig) {
				if len(rg.authz.deleted) != 1 || rg.authz.deleted[0] != "alice/rp" || len(rg.signIn.forgotten) != 1 {
					t.Errorf("deleted %v, forgotten %v", rg.authz.deleted, rg.signIn.forgotten)
				}
			}},
		{name: "bad CSRF token", form: url.Values{"action": {"revoke"}, "client": {"rp"}}, badCSRF: true,
			wantStatus: http.StatusForbidden, check: func(t *testing.T, rg *rig) {
				if len(rg.authz.deleted) != 0 {
					t.Error("revoked without a CSRF token")
				}
			}},
		{name: "overlong client id", form: url.Values{"action": {"revoke"}, "client": {strings.Repeat("c", 300)}},
			wantStatus: http.StatusBadRequest},
		{name: "unknown action", form: url.Values{"action": {"explode"}}, wantStatus: http.StatusBadRequest},
		{name: "oversized form", form: url.Values{"action": {"rename"}, "name": {strings.Repeat("n", 9000)}},
			wantStatus: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rg := newRig(t, false)
			tc.form.Set("csrf", rg.csrf(t))
			if tc.badCSRF {
				tc.form.Set("csrf", "forged")
			}
			if tc.stale {
				rg.clock.Advance(account.DefaultReauthAfter + time.Second)
			}
			w := rg.post(t, tc.form)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d\n%s", w.Code, tc.wantStatus, w.Body)
			}
			if got := len(rg.signIn.signIn) > 0; got != tc.wantSignIn {
				t.Errorf("sent to sign in: %v, want %v", got, tc.wantSignIn)
			}
			if tc.check != nil {
				tc.check(t, rg)
			}
		})
	}
}

// TestAccountNeedsSessionAndPolicy: no session goes to sign in and back;
// a session short of the second-factor policy goes to /mfa and back.
func TestAccountNeedsSessionAndPolicy(t *testing.T) {
	rg := newRig(t, false)
	rg.cookie = "unknown"
	if w := rg.get(t); w.Code != http.StatusSeeOther || len(rg.signIn.signIn) != 1 || rg.signIn.signIn[0] != "/account" {
		t.Errorf("without a session: %d, sign-in %v", w.Code, rg.signIn.signIn)
	}
	rg = newRig(t, true)
	if w := rg.get(t); w.Code != http.StatusSeeOther || len(rg.signIn.stepUp) != 1 {
		t.Errorf("short of the policy: %d, step-up %v", w.Code, rg.signIn.stepUp)
	}
	rg = newRig(t, false)
	body := rg.get(t).Body.String()
	for _, want := range []string{"Phone", "Alice", `value="rename"`, `value="revoke"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "Bob&#39;s") || strings.Contains(body, "add-passkey") {
		t.Error("page shows another person's authenticator or a passkey link without the route")
	}
}
