package passkey

import (
	"errors"
	"net/http"
	"slices"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/templates"
)

const kindVerify = "verify"

// signedIn is a flow waiting for its session's second factor.
type signedIn struct {
	flow session.Flow
	sess session.Session
	req  flowRequest
	lang string
}

// loadSignedIn finds the flow and checks that the browser's session is
// the person's who signed in to it, as /mfa does.
func (h *Handler) loadSignedIn(w http.ResponseWriter, r *http.Request, flowID string) (signedIn, bool) {
	p, ok := h.loadFlow(w, r, flowID)
	if !ok {
		return signedIn{}, false
	}
	l := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	sess, live, err := h.CurrentSession(r)
	if err != nil {
		h.failed(w, l, err)
		return signedIn{}, false
	}
	if p.flow.Subject == "" || !live || sess.Subject != p.flow.Subject {
		h.errorPage(w, l, http.StatusBadRequest, "expired", "invalid_request")
		return signedIn{}, false
	}
	return signedIn{flow: p.flow, sess: sess, req: p.req, lang: p.lang}, true
}

// VerifyPage serves GET /mfa/passkey?flow=…: the person's passkeys as
// the second factor, or their enrolment when they have none.
func (h *Handler) VerifyPage(w http.ResponseWriter, r *http.Request) {
	p, ok := h.loadSignedIn(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	h.showVerify(w, r, p, http.StatusOK, "")
}

func (h *Handler) showVerify(w http.ResponseWriter, r *http.Request, p signedIn, status int, errKey string) {
	list, err := h.Store.List(r.Context(), p.sess.Subject)
	if err != nil {
		h.failed(w, p.lang, err)
		return
	}
	me := newPerson(oauth.User{Subject: p.sess.Subject}, list)
	if len(me.creds) == 0 {
		http.Redirect(w, r, h.flowURL(PathEnrol, p.flow.ID), http.StatusSeeOther)
		return
	}
	assertion, data, err := h.wa.BeginLogin(me, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		h.Log.Error("passkey: begin assertion", "err", err)
		h.errorPage(w, p.lang, http.StatusInternalServerError, "server_error", "server_error")
		return
	}
	if err := h.keep(r.Context(), kindVerify, p.flow.ID, "", ceremony{Data: *data, Subject: p.sess.Subject}); err != nil {
		h.failed(w, p.lang, err)
		return
	}
	page := templates.PasskeyPage{Lang: p.lang, Mode: templates.PasskeyVerify, Action: h.path(PathVerify),
		CSRF: h.csrf(kindVerify, p.flow.ID), Flow: p.flow.ID, Options: options(assertion),
		Error: errKey, Status: status, FormAction: p.req.formAction()}
	// Another way only where there is one that meets the request.
	if slices.ContainsFunc(list, func(a oauth.Authenticator) bool { return a.Kind == oauth.AuthenticatorTOTP }) &&
		!mfa.NeedsPasskey(p.req.ACRValues, p.sess.ACR) {
		page.Back = h.flowURL("/mfa", p.flow.ID) + "&other=code"
	}
	h.render(w, page)
}

// VerifySubmit serves POST /mfa/passkey: the browser's assertion. A good
// one steps the session up (acr phr with user verification, else mfa;
// amr hwk or swk, user, mfa) and the flow goes on.
func (h *Handler) VerifySubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, "en", http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	p, ok := h.loadSignedIn(w, r, r.PostForm.Get("flow"))
	if !ok {
		return
	}
	if !h.csrfValid(kindVerify, p.flow.ID, r.PostForm.Get("csrf")) {
		h.errorPage(w, p.lang, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	ctx := r.Context()
	c, err := h.take(ctx, kindVerify, p.flow.ID)
	if err != nil || c.Subject != p.sess.Subject {
		if err != nil && !isNotFound(err) {
			h.failed(w, p.lang, err)
			return
		}
		h.showVerify(w, r, p, http.StatusOK, templates.PasskeyExpired)
		return
	}
	if ok, err := h.allowed(ctx, r, p.sess.Subject); err != nil || !ok {
		if err != nil {
			h.failed(w, p.lang, err)
			return
		}
		h.throttledPasskey(r, p.req.ClientID, p.sess.Subject)
		h.showVerify(w, r, p, http.StatusTooManyRequests, templates.PasskeyThrottled)
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(r.PostForm.Get("credential")))
	if err != nil {
		h.refused(w, r, p, whyUnreadable, err)
		return
	}
	list, err := h.Store.List(ctx, p.sess.Subject)
	if err != nil {
		h.failed(w, p.lang, err)
		return
	}
	if _, err := h.wa.ValidateLogin(newPerson(oauth.User{Subject: p.sess.Subject}, list), c.Data, parsed); err != nil {
		h.refused(w, r, p, whyNotValid, err)
		return
	}
	used := list[slices.IndexFunc(list, func(a oauth.Authenticator) bool {
		return a.Kind == oauth.AuthenticatorPasskey && string(a.CredentialID) == string(parsed.RawID)
	})] // ValidateLogin found it among these
	if err := h.record(ctx, used, parsed.Response.AuthenticatorData); err != nil {
		if errors.Is(err, errCloned) {
			h.refused(w, r, p, whyCloned, err)
			return
		}
		h.failed(w, p.lang, err)
		return
	}
	if !h.admitted(w, r, p.flow.ID, p.lang, oauth.User{Subject: p.sess.Subject}) {
		return
	}
	h.acceptedPasskey(ctx, p.sess.Subject)
	acr, amr := grade(parsed.Response.AuthenticatorData.Flags, true)
	s := p.sess
	s.ACR, s.AMR, s.AuthTime = acr, addAMR(s.AMR, amr), h.Now()
	if err := h.Sessions.Update(ctx, s); err != nil {
		h.failed(w, p.lang, err)
		return
	}
	h.Log.Info("second factor: passkey", "sub", s.Subject, "acr", acr)
	h.Audit.Record(ctx, audit.Event{Type: audit.TypeSecondFactor, Outcome: audit.OutcomeOK, ClientID: p.req.ClientID,
		Subject: s.Subject, Address: audit.PeerAddress(r), Detail: "passkey"})
	h.Resume(w, r, p.flow.ID)
}

// refused shows the page again with "not accepted"; why goes to the log
// only.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, p signedIn, why string, err error) {
	h.Log.Info("passkey refused", "sub", p.sess.Subject, "why", why, "err", err)
	h.refusedPasskey(r, p.req.ClientID, p.sess.Subject, why)
	h.showVerify(w, r, p, http.StatusOK, templates.PasskeyFailed)
}
