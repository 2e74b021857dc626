package flow

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/authorize"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// ConsentPage serves GET /consent?flow=…: what the client asks for, and
// Allow / Deny.
func (h *Handler) ConsentPage(w http.ResponseWriter, r *http.Request) {
	f, req, sess, ok := h.consentStep(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	h.renderConsent(w, r, f, req, sess)
}

// renderConsent shows what the client asks for, with Allow and Deny
// posting to /consent: the answer of GET /consent, and of the request
// that found consent missing (/authorize with a session, the login form,
// a second factor).
func (h *Handler) renderConsent(w http.ResponseWriter, r *http.Request, f session.Flow, req authorize.Request, sess session.Session) {
	lang := h.lang(r, req)
	allowRedirect(w, req)
	var name string
	if user, err := h.personToGreet(r.Context(), sess.Subject); err == nil {
		name, _ = user.Claims["name"].(string)
		if name == "" {
			name = user.Username
		}
	}
	m := req.Client.Metadata
	err := h.Pages.Consent(w, templates.ConsentPage{
		Lang: lang, Action: h.path("/consent"), CSRF: h.csrfToken(f.ID, stepConsent), Flow: f.ID,
		ClientName: templates.PickLang(m.ClientName, lang), LogoURI: templates.PickLang(m.LogoURI, lang),
		ClientURI: templates.PickLang(m.ClientURI, lang), PolicyURI: templates.PickLang(m.PolicyURI, lang),
		TOSURI: templates.PickLang(m.TOSURI, lang),
		Scopes: req.Scopes, Claims: requestedClaims(req), UserName: name,
	})
	if err != nil {
		h.Log.Error("render consent page", "err", err)
	}
}

// ConsentSubmit serves POST /consent: remembers an Allow in the directory
// and issues the code, or answers a Deny with access_denied.
func (h *Handler) ConsentSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	f, req, sess, ok := h.consentStep(w, r, r.PostForm.Get("flow"))
	if !ok {
		return
	}
	if !h.csrfValid(f.ID, stepConsent, r.PostForm.Get("csrf")) {
		h.page(w, r, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	switch r.PostForm.Get("decision") {
	case "allow":
		if err := h.remember(r, req, sess); err != nil {
			h.outage(w, r, req, storeDirectory, err)
			return
		}
		h.auditConsent(r, req, sess.Subject, audit.OutcomeAllow)
		h.finish(w, r, req, f, sess)
	case "deny":
		h.auditConsent(r, req, sess.Subject, audit.OutcomeDeny)
		_ = h.Flows.Delete(r.Context(), f.ID) // finished; it would expire anyway
		h.reply(w, r, req.ErrorResponse(oauth.ErrAccessDenied().WithDescription("the person denied the request")))
	default:
		h.page(w, r, http.StatusBadRequest, "bad_request", "invalid_request")
	}
}

// consentStep loads the flow of a consent page and checks that the browser
// is still signed in as the person the flow was signed in for.
func (h *Handler) consentStep(w http.ResponseWriter, r *http.Request, id string) (session.Flow, authorize.Request, session.Session, bool) {
	f, req, ok := h.flowFromRequest(w, r, id)
	if !ok {
		return f, req, session.Session{}, false
	}
	sess, live, err := h.currentSession(r.Context(), r)
	if err != nil {
		h.outagePage(w, r, storeSessions, err)
		return f, req, sess, false
	}
	if !live || f.Subject == "" || sess.Subject != f.Subject {
		h.page(w, r, http.StatusBadRequest, "expired", "invalid_request")
		return f, req, sess, false
	}
	return f, req, sess, true
}

// remember stores the consent, widening what was granted before; two
// consents racing end in one entry holding both. What it wrote becomes
// what this instance knows of the consent; after a failure, nothing is.
func (h *Handler) remember(r *http.Request, req authorize.Request, sess session.Session) error {
	a, err := h.grant(r.Context(), req, sess.Subject)
	if err != nil {
		h.consents.forget(sess.Subject, req.ClientID)
		return err
	}
	h.consents.wrote(a)
	return nil
}

// grant widens the stored consent by req, or creates it. When this
// instance lately found none, it adds the entry straight away rather than
// reading it first only to learn it is missing: one search less on a
// first visit. Add and Modify each fail safely when the entry is not as
// thought (ErrAlreadyExists, ErrNotFound, ErrConflict), and the other is
// tried.
func (h *Handler) grant(ctx context.Context, req authorize.Request, subject string) (oauth.Authorization, error) {
	widen := func(old oauth.Authorization) (oauth.Authorization, error) {
		old.Scopes = union(old.Scopes, req.Scopes)
		old.Claims = union(old.Claims, requestedClaims(req))
		old.Issuer = req.Issuer
		return old, nil
	}
	create := h.consents.absent(subject, req.ClientID)
	for range 6 {
		if create {
			a, _ := widen(oauth.Authorization{Subject: subject, ClientID: req.ClientID})
			created, err := h.Authorizations.Create(ctx, a)
			if !errors.Is(err, storage.ErrAlreadyExists) {
				return created, err
			}
			create = false // created meanwhile: update it instead
			continue
		}
		updated, err := h.Authorizations.Update(ctx, subject, req.ClientID, widen)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			create = true
		case errors.Is(err, storage.ErrConflict):
		default:
			return updated, err
		}
	}
	return oauth.Authorization{}, storage.ErrConflict
}

// requestedClaims are the individual claims the request asked for.
func requestedClaims(req authorize.Request) []string {
	if req.Claims == nil {
		return nil
	}
	return union(req.Claims.IDTokenNames(), req.Claims.UserInfoNames())
}

// union returns a's values followed by those of b not in a.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
