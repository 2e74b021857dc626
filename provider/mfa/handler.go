package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// maxFormBytes bounds the /mfa form.
const maxFormBytes = 8 << 10

// Options are the /mfa page's dependencies.
type Options struct {
	Store    Store
	Sessions *session.Sessions
	Flows    *session.Flows
	// Throttle counts wrong codes per person, as the login page counts
	// wrong passwords.
	Throttle *throttle.Logins
	Pages    *templates.Renderer
	// AESKey is the key set's AES key: TOTP secrets are sealed under a key
	// derived from it, recovery codes hashed with another.
	AESKey []byte
	// Issuer names the account in authenticator apps.
	Issuer string
	// Path is the URL path of /mfa under the issuer.
	Path string
	// PasskeyPath is the URL path of the passkey second factor
	// (package passkey; its enrolment at PasskeyPath+"/enrol"); empty
	// when passkeys are not served.
	PasskeyPath string
	// CurrentSession is the browser's session (flow.Handler.CurrentSession).
	CurrentSession func(r *http.Request) (session.Session, bool, error)
	// Resume goes on with the flow once the session is stepped up
	// (flow.Handler.Resume).
	Resume func(w http.ResponseWriter, r *http.Request, flowID string)
	Log    *slog.Logger
	Now    func() time.Time
}

// Handler serves /mfa.
type Handler struct {
	Options
	secrets, enrolments *sealer
	recovery            recoveryHasher
	csrfKey             []byte
}

// New checks the options.
func New(o Options) (*Handler, error) {
	if o.Store == nil || o.Sessions == nil || o.Flows == nil || o.Throttle == nil || o.Pages == nil ||
		o.CurrentSession == nil || o.Resume == nil {
		return nil, errors.New("mfa: store, sessions, flows, throttle, pages, current session and resume are required")
	}
	secrets, err := newSealer(o.AESKey, "totp secret")
	if err != nil {
		return nil, err
	}
	enrolments, _ := newSealer(o.AESKey, "totp enrolment")
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{Options: o, secrets: secrets, enrolments: enrolments,
		recovery: recoveryHasher{key: derive(o.AESKey, "recovery codes")},
		csrfKey:  derive(o.AESKey, "mfa csrf"),
	}, nil
}

func derive(key []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("gatehouse mfa " + purpose))
	return mac.Sum(nil)
}

func (h *Handler) csrf(flowID string) string {
	mac := hmac.New(sha256.New, h.csrfKey)
	mac.Write([]byte(flowID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// pending is a flow waiting for its session's second factor.
type pending struct {
	flow session.Flow
	sess session.Session
	lang string
}

// load finds the flow and checks that the browser's session is the
// person's who signed in to it; otherwise the page says the sign-in expired.
func (h *Handler) load(w http.ResponseWriter, r *http.Request, flowID string) (pending, bool) {
	lang := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	f, err := h.Flows.Get(r.Context(), flowID)
	if err != nil {
		h.failed(w, r, lang, err)
		return pending{}, false
	}
	sess, live, err := h.CurrentSession(r)
	if err != nil {
		h.failed(w, r, lang, err)
		return pending{}, false
	}
	if f.Subject == "" || !live || sess.Subject != f.Subject {
		h.errorPage(w, lang, http.StatusBadRequest, "expired", "invalid_request")
		return pending{}, false
	}
	return pending{flow: f, sess: sess, lang: lang}, true
}

func (h *Handler) failed(w http.ResponseWriter, r *http.Request, lang string, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		h.errorPage(w, lang, http.StatusBadRequest, "expired", "invalid_request")
		return
	}
	h.Log.Warn("second factor: store unavailable", "err", err)
	h.errorPage(w, lang, http.StatusServiceUnavailable, "unavailable", "temporarily_unavailable")
}

func (h *Handler) errorPage(w http.ResponseWriter, lang string, status int, kind, code string) {
	if err := h.Pages.Error(w, status, templates.ErrorPage{Lang: lang, Kind: kind, Code: code}); err != nil {
		http.Error(w, http.StatusText(status), status)
	}
}

// Page serves GET /mfa?flow=…: the code form for someone with an
// authenticator app, else the enrolment of one.
func (h *Handler) Page(w http.ResponseWriter, r *http.Request) {
	p, ok := h.load(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	if h.toPasskey(w, r, p) {
		return
	}
	h.show(w, r, p, http.StatusOK, "")
}

// toPasskey sends the person to the passkey page when a passkey is what
// the request needs (acr phr, which no code reaches), or when they have
// one and ask for no other way (?other=code): the stronger factor first.
func (h *Handler) toPasskey(w http.ResponseWriter, r *http.Request, p pending) bool {
	if h.PasskeyPath == "" || r.URL.Query().Get("other") == "code" {
		return false
	}
	to := NeedsPasskey(requestACRValues(p.flow), p.sess.ACR)
	if !to {
		list, err := h.Store.List(r.Context(), p.sess.Subject)
		if err != nil {
			h.failed(w, r, p.lang, err)
			return true
		}
		to = hasKind(list, oauth.AuthenticatorPasskey)
	}
	if to {
		http.Redirect(w, r, h.PasskeyPath+"?flow="+url.QueryEscape(p.flow.ID), http.StatusSeeOther)
	}
	return to
}

// requestACRValues are the flow's acr_values (or the client's defaults).
func requestACRValues(f session.Flow) []string {
	var req struct {
		ACRValues []string `json:"acr_values"`
	}
	_ = json.Unmarshal(f.Request, &req)
	return req.ACRValues
}

// show renders the form the person needs: the code, or an enrolment.
func (h *Handler) show(w http.ResponseWriter, r *http.Request, p pending, status int, errKey string) {
	list, err := h.Store.List(r.Context(), p.sess.Subject)
	if err != nil {
		h.failed(w, r, p.lang, err)
		return
	}
	page := templates.MFAPage{Lang: p.lang, Action: h.Path, CSRF: h.csrf(p.flow.ID), Flow: p.flow.ID,
		Error: errKey, Status: status, Mode: templates.MFACode, FormAction: formAction(p.flow)}
	if !hasKind(list, oauth.AuthenticatorTOTP) {
		if !MayAddFactor(list, p.sess.ACR) {
			h.noAppEnrolment(w, r, p, list)
			return
		}
		if err := h.enrolment(&page, p); err != nil {
			h.Log.Error("render QR code", "err", err)
			h.errorPage(w, p.lang, http.StatusInternalServerError, "server_error", "server_error")
			return
		}
	}
	page.Recovery = hasKind(list, oauth.AuthenticatorRecovery)
	if h.PasskeyPath != "" {
		q := "?flow=" + url.QueryEscape(p.flow.ID)
		if hasKind(list, oauth.AuthenticatorPasskey) {
			page.PasskeyURL = h.PasskeyPath + q
		} else if page.Mode == templates.MFAEnrol {
			page.PasskeyEnrolURL = h.PasskeyPath + "/enrol" + q
		}
	}
	h.render(w, page)
}

// MayAddFactor: a new second factor needs a session as strong as the
// person's factors allow — someone with none adds one after the password,
// someone with an app or a passkey only once signed in with it (acr mfa
// or above). Else a stolen password alone would add the thief's app and
// with it step the session up.
func MayAddFactor(list []oauth.Authenticator, acr string) bool {
	hasFactor := hasKind(list, oauth.AuthenticatorTOTP) || hasKind(list, oauth.AuthenticatorPasskey)
	return !hasFactor || level(acr) >= level(ACRMFA)
}

// noAppEnrolment answers someone who may not add an app now (they have a
// passkey, ?other=code notwithstanding): their passkey is the way on.
func (h *Handler) noAppEnrolment(w http.ResponseWriter, r *http.Request, p pending, list []oauth.Authenticator) {
	if h.PasskeyPath != "" && hasKind(list, oauth.AuthenticatorPasskey) {
		http.Redirect(w, r, h.PasskeyPath+"?flow="+url.QueryEscape(p.flow.ID), http.StatusSeeOther)
		return
	}
	h.errorPage(w, p.lang, http.StatusForbidden, "bad_request", "access_denied")
}

// enrolment fills in a fresh secret: shown as a QR code and as text, and
// carried sealed in the form (bound to the person and the flow) so that
// nothing is stored until the first code proves the app has it.
func (h *Handler) enrolment(page *templates.MFAPage, p pending) error {
	secret := newTOTPSecret()
	qr, err := qrDataURI(otpauthURI(h.Issuer, p.sess.Subject, secret))
	if err != nil {
		return err
	}
	page.Mode = templates.MFAEnrol
	page.QR = template.URL(qr) //nolint:gosec // a data: URI we made ourselves
	page.Secret = base32NoPad.EncodeToString(secret)
	page.Enrolment = h.enrolments.seal(p.sess.Subject+"\x00"+p.flow.ID, secret)
	return nil
}

func (h *Handler) render(w http.ResponseWriter, page templates.MFAPage) {
	if err := h.Pages.MFA(w, page); err != nil {
		h.Log.Error("render mfa page", "err", err)
	}
}

func hasKind(list []oauth.Authenticator, kind string) bool {
	for _, a := range list {
		if a.Kind == kind {
			return true
		}
	}
	return false
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// formAction is the origin of the flow's redirect URI: where the form's
// answer may lead once the sign-in goes on.
func formAction(f session.Flow) string {
	var req struct {
		RedirectURI string `json:"redirect_uri"`
	}
	if json.Unmarshal(f.Request, &req) != nil {
		return ""
	}
	return authorize.FormActionSource(req.RedirectURI)
}
