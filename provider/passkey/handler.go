package passkey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// The pages of this room, under the issuer's path.
const (
	PathVerify = "/mfa/passkey"       // the second factor after the password
	PathEnrol  = "/mfa/passkey/enrol" // a new passkey (?flow=… or ?return=/path)
	PathSignIn = "/login/passkey"     // passwordless: a discoverable credential
)

// ceremonyTTL bounds a ceremony from the page to its answer; the browser
// is told the same as its timeout.
const ceremonyTTL = 5 * time.Minute

// maxFormBytes bounds a ceremony's answer: a credential's JSON is a few
// KiB (attestation statements with certificate chains the largest).
const maxFormBytes = 64 << 10

// Store keeps passkeys among people's authenticators
// (ldapstore.Authenticators).
type Store interface {
	mfa.Store
	// FindCredential returns the passkey with this credential ID,
	// whoever's it is (storage.ErrNotFound).
	FindCredential(ctx context.Context, credentialID []byte) (oauth.Authenticator, error)
}

// People reads a person by sub (ldapstore.Users): names for the
// authenticator, and whether a passwordless sign-in's person still exists.
type People interface {
	Lookup(ctx context.Context, subject string) (oauth.User, error)
	// AccountStatus says whether the account may sign in at all (not
	// locked, disabled or expired): LoginOK or the outcome a password
	// bind would give; an error is an outage.
	AccountStatus(ctx context.Context, subject string) (oauth.LoginOutcome, error)
}

// StepUp is the second-factor policy (mfa.Policy).
type StepUp interface {
	Needed(ctx context.Context, acrValues []string, subject, acr string) (bool, error)
}

// Options are the room's dependencies.
type Options struct {
	Store  Store
	People People
	// KV keeps each ceremony's challenge (shared by all instances).
	KV       session.KV
	Sessions *session.Sessions
	Flows    *session.Flows
	Pages    *templates.Renderer
	// Issuer gives the relying party: its host is the RP ID, its origin
	// the origin the browser must report; Origins are further origins of
	// the same site (the mTLS alias, op.tls.mtlsBaseURL).
	Issuer  *url.URL
	Origins []string
	// AESKey is the key set's AES key; the forms' CSRF key is derived from it.
	AESKey []byte
	// CurrentSession is the browser's session (flow.Handler.CurrentSession).
	CurrentSession func(r *http.Request) (session.Session, bool, error)
	// Resume goes on with a flow whose session was stepped up.
	Resume func(w http.ResponseWriter, r *http.Request, flowID string)
	// SignIn starts a session for a person who signed in with a passkey
	// alone and goes on with the flow (flow.Handler.SignInWith).
	SignIn func(w http.ResponseWriter, r *http.Request, flowID string, user oauth.User, acr string, amr []string)
	// Refuse answers a passkey sign-in (alone or as the second factor)
	// of an account the directory says may not sign in, as the login page
	// answers a password for it (flow.Handler.RefuseSignIn).
	Refuse func(w http.ResponseWriter, r *http.Request, flowID string, user oauth.User, outcome oauth.LoginOutcome)
	// Throttle counts refused passkeys as the login page counts wrong
	// passwords (the same Logins, so both share the address limit).
	Throttle *throttle.Logins
	// Audit hears of refused passkeys and second factors; nil: none.
	Audit audit.Recorder
	// SignInThenReturn sends a browser without a session through the
	// login page and back (flow.Handler.SignInThenReturn).
	SignInThenReturn func(w http.ResponseWriter, r *http.Request, returnTo string)
	// StepUp, when set, is the second-factor policy (mfa.Policy) a
	// session must meet to add a passkey from a page of ours, as it must
	// to see the account page; StepUpThenReturn sends a session short of
	// it to /mfa and back (flow.Handler.StepUpThenReturn).
	StepUp           StepUp
	StepUpThenReturn func(w http.ResponseWriter, r *http.Request, sess session.Session, returnTo string)
	Log              *slog.Logger
	Now              func() time.Time
}

// Handler serves the passkey pages.
type Handler struct {
	Options
	wa      *webauthn.WebAuthn
	csrfKey []byte
}

// Usable reports why an issuer cannot have passkeys: WebAuthn's RP ID is
// a domain (§5.1.2 of WebAuthn, "valid domain string"), so an issuer
// at an IP address (the dev configuration's 127.0.0.1) has none.
func Usable(issuer *url.URL) error {
	if issuer == nil || issuer.Hostname() == "" {
		return errors.New("passkey: no issuer host")
	}
	if err := protocol.ValidateRPID(issuer.Hostname()); err != nil {
		return fmt.Errorf("passkey: the issuer's host %q cannot be a WebAuthn RP ID: %w", issuer.Hostname(), err)
	}
	return nil
}

// New checks the options and sets up the relying party.
func New(o Options) (*Handler, error) {
	if o.Store == nil || o.People == nil || o.KV == nil || o.Sessions == nil || o.Flows == nil || o.Pages == nil ||
		o.CurrentSession == nil || o.Resume == nil || o.SignIn == nil || o.Refuse == nil || o.Throttle == nil || o.SignInThenReturn == nil || len(o.AESKey) == 0 ||
		(o.StepUp != nil && o.StepUpThenReturn == nil) {
		return nil, errors.New("passkey: store, people, KV, sessions, flows, pages, key and the flow's callbacks are required")
	}
	if err := Usable(o.Issuer); err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Audit = audit.OrNop(o.Audit)
	origin := (&url.URL{Scheme: o.Issuer.Scheme, Host: o.Issuer.Host}).String()
	timeouts := webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: o.Issuer.Hostname(), RPDisplayName: o.Issuer.Hostname(),
		RPOrigins: append([]string{origin}, o.Origins...),
		// No attestation: Gatehouse trusts no vendor list of models, and
		// "none" asks no authenticator for a statement that identifies it.
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred, // discoverable, for passwordless
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	mac := hmac.New(sha256.New, o.AESKey)
	mac.Write([]byte("gatehouse passkey csrf"))
	return &Handler{Options: o, wa: wa, csrfKey: mac.Sum(nil)}, nil
}

func (h *Handler) path(p string) string { return h.Issuer.Path + p }

// csrf binds a form to its ceremony kind and what it is bound to (a flow
// or a session).
func (h *Handler) csrf(kind, binding string) string {
	mac := hmac.New(sha256.New, h.csrfKey)
	mac.Write([]byte(kind + "\x00" + binding))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (h *Handler) csrfValid(kind, binding, token string) bool {
	return hmac.Equal([]byte(h.csrf(kind, binding)), []byte(token))
}

// ceremony is what the page's answer is checked against: the library's
// session data (challenge, RP ID, allowed credentials, user handle) and
// whose ceremony it is.
type ceremony struct {
	Data    webauthn.SessionData `json:"data"`
	Subject string               `json:"sub,omitempty"`
}

// ceremonyKey names a ceremony in the KV: one per kind and flow (or
// session), so that opening the page again replaces the last challenge
// instead of piling them up.
func ceremonyKey(kind, binding string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + binding))
	return "webauthn:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// keep stores a ceremony for ceremonyTTL. A ceremony of no one yet (the
// passwordless page, which anyone may open) is an evictable entry of its
// address's group where the KV has them, as pending flows are: a flood
// pushes out its own oldest challenges, not the store's room.
func (h *Handler) keep(ctx context.Context, kind, binding string, group string, c ceremony) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	key := ceremonyKey(kind, binding)
	if ev, ok := h.KV.(session.EvictableKV); ok && group != "" {
		return ev.PutEvictable(ctx, group, key, raw, ceremonyTTL)
	}
	return h.KV.Put(ctx, key, raw, ceremonyTTL)
}

// take removes and returns a ceremony: each challenge is answered once,
// on whichever instance the answer reaches.
func (h *Handler) take(ctx context.Context, kind, binding string) (ceremony, error) {
	raw, err := h.KV.Take(ctx, ceremonyKey(kind, binding))
	if err != nil {
		return ceremony{}, err
	}
	var c ceremony
	if err := json.Unmarshal(raw, &c); err != nil {
		return ceremony{}, fmt.Errorf("passkey ceremony: %w", storage.ErrNotFound)
	}
	return c, nil
}

// errCloned: the signature counter did not grow.
var errCloned = errors.New("passkey: signature counter did not increase (cloned authenticator?)")

// record notes a use of a passkey in the same compare-and-swap that
// reads its counter: the counter must grow (nextCount), the backup state
// and user verification of this use are kept, and of two uses of one
// assertion on two instances one fails.
func (h *Handler) record(ctx context.Context, a oauth.Authenticator, ad protocol.AuthenticatorData) error {
	_, err := h.Store.Update(ctx, a.Subject, a.ID, func(a oauth.Authenticator) (oauth.Authenticator, error) {
		n, ok := nextCount(a.SignCount, ad.Counter)
		if !ok {
			return a, errCloned
		}
		a.SignCount, a.LastUsed = n, h.Now()
		a.Data.BackupState = ad.Flags.HasBackupState()
		a.Data.UserVerified = ad.Flags.HasUserVerified()
		return a, nil
	})
	if errors.Is(err, errCloned) {
		h.Log.Warn("passkey refused: signature counter went back; the authenticator may be cloned",
			"sub", a.Subject, "authenticator", a.ID, "stored", a.SignCount, "got", ad.Counter)
	}
	if errors.Is(err, storage.ErrConflict) {
		return errCloned // used at the same moment elsewhere
	}
	return err
}

// options is the JSON the page hands to navigator.credentials.
func options(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(raw)
}

func (h *Handler) render(w http.ResponseWriter, p templates.PasskeyPage) {
	if err := h.Pages.Passkey(w, p); err != nil {
		h.Log.Error("render passkey page", "err", err)
	}
}

func (h *Handler) errorPage(w http.ResponseWriter, lang string, status int, kind, code string) {
	if err := h.Pages.Error(w, status, templates.ErrorPage{Lang: lang, Kind: kind, Code: code}); err != nil {
		http.Error(w, http.StatusText(status), status)
	}
}

// failed answers a store error: a flow or ceremony gone is "expired",
// anything else an outage.
func (h *Handler) failed(w http.ResponseWriter, lang string, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		h.errorPage(w, lang, http.StatusBadRequest, "expired", "invalid_request")
		return
	}
	h.Log.Warn("passkey: store unavailable", "err", err)
	h.errorPage(w, lang, http.StatusServiceUnavailable, "unavailable", "temporarily_unavailable")
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// flowRequest is what this room reads of a flow's authorization request.
type flowRequest struct {
	ClientID    string   `json:"client_id"`
	RedirectURI string   `json:"redirect_uri"`
	ACRValues   []string `json:"acr_values"`
	UILocales   []string `json:"ui_locales"`
}

func requestOf(f session.Flow) flowRequest {
	var req flowRequest
	_ = json.Unmarshal(f.Request, &req) // a flow of ours: no request, no redirect
	return req
}

// formAction is the origin the page's answer may end at (the client's
// redirect URI), for the Content-Security-Policy.
func (req flowRequest) formAction() string {
	if req.RedirectURI == "" {
		return ""
	}
	return authorize.FormActionSource(req.RedirectURI)
}

func lang(r *http.Request, req flowRequest) string {
	return templates.ChooseLang(req.UILocales, r.Header.Get("Accept-Language"))
}

// flowURL is one of this room's pages (or another's) for a flow.
func (h *Handler) flowURL(p, flowID string) string {
	return h.path(p) + "?flow=" + url.QueryEscape(flowID)
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
