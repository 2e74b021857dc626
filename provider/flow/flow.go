package flow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// Directory signs people in and reads them (ldapstore.Users).
type Directory interface {
	// Login finds the one entry for username and checks the password by
	// binding as it. A wrong password or unknown user is LoginInvalid with
	// a nil error; an outage is an error.
	Login(ctx context.Context, username, password string) (oauth.User, oauth.LoginOutcome, error)
	// Lookup reads a person by subject (storage.ErrNotFound).
	Lookup(ctx context.Context, subject string) (oauth.User, error)
}

// AuthorizationStore remembers consent (ldapstore.Authorizations).
type AuthorizationStore interface {
	Get(ctx context.Context, subject, clientID string) (oauth.Authorization, error)
	Create(ctx context.Context, a oauth.Authorization) (oauth.Authorization, error)
	Update(ctx context.Context, subject, clientID string,
		fn func(old oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error)
}

// IDTokenMinter mints ID tokens (tokens.Minter).
type IDTokenMinter interface {
	IDToken(ctx context.Context, in tokens.IDToken) (string, error)
}

// SignInMemory keeps a person as a sign-in just read them (signins.Recent)
// and shows them again, without handing them over, to the page that
// follows the sign-in.
type SignInMemory interface {
	Remember(u oauth.User)
	Peek(subject string) (oauth.User, bool)
}

// Options are the handler's dependencies, fixed at start.
type Options struct {
	// Issuer is the issuer URL; its path prefixes every page and cookie.
	Issuer         *url.URL
	Parse          authorize.Deps
	Writer         authorize.Writer
	Directory      Directory
	Authorizations AuthorizationStore
	Sessions       *session.Sessions
	Flows          *session.Flows
	Codes          *session.Codes
	Throttle       *throttle.Logins
	Pages          *templates.Renderer
	// CSRFKey signs the forms' CSRF tokens; instances that share sessions
	// must share it.
	CSRFKey      []byte
	CodeLifetime time.Duration
	// CodeCap, when set, may shorten the life of a client's codes (a
	// security profile's bound, provider/profile); 0 leaves CodeLifetime.
	CodeCap func(c oauth.Client) time.Duration
	// IDTokens mints the ID tokens of the response types that return one
	// from the authorization endpoint (code id_token, id_token); nil when
	// only the code flow is served.
	IDTokens IDTokenMinter
	// Hints checks id_token_hint at /logout; nil leaves /logout unserved.
	Hints HintChecker
	// Logouts hears of sessions ended at /logout, for back- and
	// front-channel logout; nil tells no client.
	Logouts LogoutNotifier
	// FrontChannelWait is how long, in seconds, the signed-out page waits
	// for front-channel logout frames (0: DefaultFrontChannelWait).
	FrontChannelWait int
	// Passwords lets a person whose password has expired or must be
	// changed change it at /password and sign in on; nil leaves them with
	// the login page's message to change it elsewhere.
	Passwords PasswordChanger
	// Claims picks the person's claims an ID token may carry for scopes and
	// individually requested claims (for response type id_token, which
	// returns no access token to fetch them with).
	Claims func(all map[string]any, scopes, requested []string) map[string]any
	// ConsentCacheTTL is how long this instance answers "does consent
	// cover the request" from what it last read or wrote, without asking
	// the directory: the time a consent changed elsewhere (another
	// instance, a revocation) may go unseen here. 0 means
	// DefaultConsentCacheTTL; negative, every check reads the directory.
	ConsentCacheTTL time.Duration
	// ConsentCacheSize bounds the consents remembered (0:
	// DefaultConsentCacheSize), about 200 bytes each.
	ConsentCacheSize int
	// StepUp asks for a second factor when a session falls short of a
	// request or the policy (package mfa); nil never asks.
	StepUp StepUp
	// SignIns hears of each person whose password the directory has just
	// accepted, as it read them, so that the redemption of the code may
	// reuse that read (package signins); nil tells no one.
	SignIns SignInMemory
	// PasskeyPath is the URL path of the passwordless passkey page
	// (package passkey), offered on the login page; empty offers none.
	PasskeyPath string
	// Audit hears of sign-ins, consent decisions and the throttle
	// refusing a username; nil records nothing.
	Audit audit.Recorder
	Log   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handler serves /authorize, /login, /password and /consent.
type Handler struct {
	Options
	secureCookies bool
	// deviceKey signs device cookies; derived from CSRFKey, so that
	// instances sharing that key agree, without a CSRF token ever passing
	// for a device cookie.
	deviceKey []byte
	// people reads the directory without groups where it can.
	people groupless
	// consents answers consent checks from recent reads and writes.
	consents *consents
}

// New checks the options.
func New(o Options) (*Handler, error) {
	if o.Issuer == nil || o.Directory == nil || o.Authorizations == nil || o.Sessions == nil ||
		o.Flows == nil || o.Codes == nil || o.Throttle == nil || o.Pages == nil || len(o.CSRFKey) < 32 {
		return nil, errors.New("flow: issuer, directory, authorizations, sessions, flows, codes, throttle, pages and a 32-byte CSRF key are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Audit = audit.OrNop(o.Audit)
	if o.CodeLifetime <= 0 {
		o.CodeLifetime = time.Minute
	}
	mac := hmac.New(sha256.New, o.CSRFKey)
	mac.Write([]byte("gatehouse device cookie v1"))
	return &Handler{Options: o, secureCookies: o.Issuer.Scheme == "https", deviceKey: mac.Sum(nil),
		people:   people(o.Directory),
		consents: newConsents(o.Authorizations, o.ConsentCacheTTL, o.ConsentCacheSize, o.Now),
	}, nil
}

// path is the URL path of a page under the issuer.
func (h *Handler) path(p string) string { return h.Issuer.Path + p }
