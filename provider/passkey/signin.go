package passkey

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

const kindSignIn = "signin"

// pendingFlow is a flow someone may sign in to with a passkey alone.
type pendingFlow struct {
	flow session.Flow
	req  flowRequest
	lang string
}

func (h *Handler) loadFlow(w http.ResponseWriter, r *http.Request, flowID string) (pendingFlow, bool) {
	l := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	if flowID == "" {
		h.errorPage(w, l, http.StatusBadRequest, "expired", "invalid_request")
		return pendingFlow{}, false
	}
	f, err := h.Flows.Get(r.Context(), flowID)
	if err != nil {
		h.failed(w, l, err)
		return pendingFlow{}, false
	}
	req := requestOf(f)
	return pendingFlow{flow: f, req: req, lang: lang(r, req)}, true
}

// SignInPage serves GET /login/passkey?flow=…: "Sign in with a passkey",
// an assertion with no allowCredentials (a discoverable credential: the
// authenticator offers the person's passkeys for this site) and user
// verification required, since no password comes with it.
func (h *Handler) SignInPage(w http.ResponseWriter, r *http.Request) {
	p, ok := h.loadFlow(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	h.showSignIn(w, r, p, http.StatusOK, "")
}

func (h *Handler) showSignIn(w http.ResponseWriter, r *http.Request, p pendingFlow, status int, errKey string) {
	assertion, data, err := h.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		h.Log.Error("passkey: begin discoverable assertion", "err", err)
		h.errorPage(w, p.lang, http.StatusInternalServerError, "server_error", "server_error")
		return
	}
	group := session.AddressGroup(clientAddr(r))
	if err := h.keep(r.Context(), kindSignIn, p.flow.ID, group, ceremony{Data: *data}); err != nil {
		h.failed(w, p.lang, err)
		return
	}
	h.render(w, templates.PasskeyPage{Lang: p.lang, Mode: templates.PasskeySignIn, Action: h.path(PathSignIn),
		CSRF: h.csrf(kindSignIn, p.flow.ID), Flow: p.flow.ID, Options: options(assertion),
		Back: h.flowURL("/login", p.flow.ID), Error: errKey, Status: status, FormAction: p.req.formAction()})
}

// SignInSubmit serves POST /login/passkey: the credential names its
// passkey, whose entry names the person (its user handle must be theirs);
// the person is read from the directory by sub, and the flow goes on as
// after a password, with acr phr and amr hwk or swk and user.
func (h *Handler) SignInSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, "en", http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	p, ok := h.loadFlow(w, r, r.PostForm.Get("flow"))
	if !ok {
		return
	}
	if !h.csrfValid(kindSignIn, p.flow.ID, r.PostForm.Get("csrf")) {
		h.errorPage(w, p.lang, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	ctx := r.Context()
	if ok, err := h.allowed(ctx, r, ""); err != nil || !ok {
		h.signInThrottled(w, r, p, "", err)
		return
	}
	c, err := h.take(ctx, kindSignIn, p.flow.ID)
	if err != nil {
		if !isNotFound(err) {
			h.failed(w, p.lang, err)
			return
		}
		h.showSignIn(w, r, p, http.StatusOK, templates.PasskeyExpired)
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(r.PostForm.Get("credential")))
	if err != nil {
		h.Log.Info("passkey sign-in refused", "why", "unreadable assertion", "err", err)
		h.refusedPasskey(r, p.req.ClientID, "", whyUnreadable)
		h.showSignIn(w, r, p, http.StatusOK, templates.PasskeyFailed)
		return
	}
	var owner ownerLookup
	_, _, err = h.wa.ValidatePasskeyLogin(owner.handler(ctx, h, r), c.Data, parsed)
	if owner.err != nil && !isNotFound(owner.err) {
		h.failed(w, p.lang, owner.err) // the directory is down: not the person's fault
		return
	}
	if owner.throttled {
		h.signInThrottled(w, r, p, owner.passkey.Subject, nil)
		return
	}
	why := whyNotValid
	if err == nil && !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		err = errors.New("no user verification") // the library checks it too (required)
	}
	if err == nil {
		err = h.record(ctx, owner.passkey, parsed.Response.AuthenticatorData)
		if err != nil && !errors.Is(err, errCloned) {
			h.failed(w, p.lang, err)
			return
		}
		why = whyCloned
	}
	if err != nil {
		if owner.passkey.Subject == "" {
			why = whyUnknown
		}
		h.Log.Info("passkey sign-in refused", "sub", owner.passkey.Subject, "err", err)
		h.refusedPasskey(r, p.req.ClientID, owner.passkey.Subject, why)
		h.showSignIn(w, r, p, http.StatusOK, templates.PasskeyFailed)
		return
	}
	if !h.admitted(w, r, p.flow.ID, p.lang, owner.user) {
		return
	}
	h.acceptedPasskey(ctx, owner.user.Subject)
	acr, amr := grade(parsed.Response.AuthenticatorData.Flags, false)
	h.SignIn(w, r, p.flow.ID, owner.user, acr, amr)
}

// signInThrottled answers a passwordless attempt past the throttle's
// limit (429), or the throttle's store being down (503), before the
// passkey is checked.
func (h *Handler) signInThrottled(w http.ResponseWriter, r *http.Request, p pendingFlow, subject string, err error) {
	if err != nil {
		h.failed(w, p.lang, err)
		return
	}
	h.throttledPasskey(r, p.req.ClientID, subject)
	h.showSignIn(w, r, p, http.StatusTooManyRequests, templates.PasskeyThrottled)
}

// ownerLookup finds whose passkey answered: the library asks it with the
// credential ID and the user handle the authenticator returned.
type ownerLookup struct {
	passkey oauth.Authenticator
	user    oauth.User
	err     error
	// throttled: the passkey's owner is past the throttle's limit, and
	// the assertion was not checked.
	throttled bool
}

var errThrottled = errors.New("passkey: too many refused attempts")

var errHandleMismatch = errors.New("passkey: user handle is not the passkey owner's")

func (o *ownerLookup) handler(ctx context.Context, h *Handler, r *http.Request) webauthn.DiscoverableUserHandler {
	return func(rawID, handle []byte) (webauthn.User, error) {
		a, err := h.Store.FindCredential(ctx, rawID)
		if err != nil {
			o.err = err
			return nil, err
		}
		if !handleMatches(handle, a.Subject) {
			return nil, errHandleMismatch
		}
		o.passkey = a
		ok, err := h.allowed(ctx, r, a.Subject)
		if err != nil {
			o.err = err
			return nil, err
		}
		if !ok {
			o.throttled = true
			return nil, errThrottled
		}
		u, err := h.People.Lookup(ctx, a.Subject)
		if errors.Is(err, storage.ErrInactive) {
			// The account is closed (Lookup refuses it): the assertion is
			// still checked, then admitted asks AccountStatus, which
			// refuses with the account's own message ("locked",
			// "disabled"), as a password would — never "passkey failed".
			u, err = oauth.User{Subject: a.Subject}, nil
		}
		if err != nil {
			o.err = err // a person no longer in the directory: ErrNotFound
			return nil, err
		}
		o.user = u
		return newPerson(u, []oauth.Authenticator{a}), nil
	}
}

// clientAddr is the peer's address (forwarded headers are not trusted).
func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host)
	return addr
}
