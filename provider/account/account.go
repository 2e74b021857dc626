package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// DefaultReauthAfter is how old a sign-in may be for changes to sign-in
// methods without signing in again.
// One value with the passkey enrolment reached from this page.
const DefaultReauthAfter = mfa.ReauthAfter

// Authenticators are a person's factors (ldapstore.Authenticators).
type Authenticators interface {
	List(ctx context.Context, subject string) ([]oauth.Authenticator, error)
	Update(ctx context.Context, subject, id string,
		fn func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error)
	Delete(ctx context.Context, subject, id string) error
}

// Factors adds apps and recovery codes (mfa.Handler).
type Factors interface {
	StartEnrolment(subject, bind string) (mfa.Enrolment, error)
	ResumeEnrolment(subject, bind, sealed string) (mfa.Enrolment, error)
	FinishEnrolment(ctx context.Context, subject, bind, sealed, code, name string) ([]string, error)
	NewRecoveryCodes(ctx context.Context, subject string) ([]string, error)
	StepUpSession(ctx context.Context, sess session.Session) error
}

// Authorizations are the consents and refresh tokens
// (ldapstore.Authorizations).
type Authorizations interface {
	ListBySubject(ctx context.Context, subject string) ([]oauth.Authorization, error)
	Delete(ctx context.Context, subject, clientID string) error
}

// SignIn is the browser sign-in the page stands on (flow.Handler).
type SignIn interface {
	CurrentSession(r *http.Request) (session.Session, bool, error)
	SignInThenReturn(w http.ResponseWriter, r *http.Request, returnTo string)
	StepUpThenReturn(w http.ResponseWriter, r *http.Request, sess session.Session, returnTo string)
	ForgetConsent(subject, clientID string)
}

// StepUp is the second-factor policy (mfa.Policy).
type StepUp interface {
	Needed(ctx context.Context, acrValues []string, subject, acr string) (bool, error)
}

// LogoutNotifier hears of sessions ended here (logout.Notifier), as of
// those ended at /logout.
type LogoutNotifier interface {
	SessionEnded(ctx context.Context, e logout.Ended) []string
}

// People reads a person for the name shown (ldapstore.Users).
type People interface {
	Lookup(ctx context.Context, subject string) (oauth.User, error)
}

// Options are the page's dependencies, fixed at start.
type Options struct {
	Sessions       *session.Sessions
	SignIn         SignIn
	Authorizations Authorizations
	Clients        func(ctx context.Context, id string) (oauth.Client, error)
	People         People
	Pages          *templates.Renderer
	// CSRFKey signs the page's forms; instances sharing sessions share it.
	CSRFKey []byte
	// Path is the URL path of /account under the issuer.
	Path string
	// Authenticators and Factors are set with strong sign-in; without
	// them the page shows no sign-in methods.
	Authenticators Authenticators
	Factors        Factors
	// StepUp, when set, is asked whether the session is strong enough.
	StepUp StepUp
	// Logouts, when set, is told of each session ended here.
	Logouts LogoutNotifier
	// PasskeyEnrolURL links to adding a passkey; empty hides the link.
	PasskeyEnrolURL string
	// ReauthAfter: 0 means DefaultReauthAfter.
	ReauthAfter time.Duration
	// Audit hears of every change made here; nil: none.
	Audit audit.Recorder
	Log   *slog.Logger
	Now   func() time.Time
}

// Handler serves /account.
type Handler struct{ Options }

// New checks the options.
func New(o Options) (*Handler, error) {
	if o.Sessions == nil || o.SignIn == nil || o.Authorizations == nil || o.Clients == nil ||
		o.People == nil || o.Pages == nil || len(o.CSRFKey) < 32 || o.Path == "" {
		return nil, errors.New("account: sessions, sign-in, authorizations, clients, people, pages, a 32-byte CSRF key and the path are required")
	}
	if (o.Authenticators == nil) != (o.Factors == nil) {
		return nil, errors.New("account: authenticators and factors go together")
	}
	if o.ReauthAfter <= 0 {
		o.ReauthAfter = DefaultReauthAfter
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Audit = audit.OrNop(o.Audit)
	return &Handler{Options: o}, nil
}

// csrf binds the page's forms to the session (HMAC-SHA256 over its sid).
func (h *Handler) csrf(sess session.Session) string {
	mac := hmac.New(sha256.New, h.CSRFKey)
	mac.Write([]byte("account\x00"))
	mac.Write([]byte(sess.SID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (h *Handler) csrfValid(sess session.Session, token string) bool {
	return hmac.Equal([]byte(h.csrf(sess)), []byte(token))
}

// fresh: the person signed in recently enough to change sign-in methods.
func (h *Handler) fresh(sess session.Session) bool {
	return mfa.Fresh(h.Now(), sess.AuthTime, h.ReauthAfter)
}
