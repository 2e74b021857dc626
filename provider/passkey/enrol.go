package passkey

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/flow"
	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

const kindEnrol = "enrol"

// maxNameRunes bounds what a person calls a passkey.
const maxNameRunes = 64

// enrolment is whom a registration is for and where it goes afterwards:
// within a sign-in (flow), or from a page of ours (returnTo, e.g.
// /account) for the browser's signed-in person.
type enrolment struct {
	subject, acr     string
	flowID, returnTo string
	binding          string // what the ceremony and CSRF token are bound to
	back, formAction string
	lang             string
}

// enrolmentOf reads the target of GET or POST /mfa/passkey/enrol. A
// browser with no session coming for ?return= is sent to sign in first
// (GET only); ok is false when it has answered.
func (h *Handler) enrolmentOf(w http.ResponseWriter, r *http.Request, flowID, returnTo string) (enrolment, bool) {
	if flowID != "" {
		p, ok := h.loadSignedIn(w, r, flowID)
		if !ok {
			return enrolment{}, false
		}
		return enrolment{subject: p.sess.Subject, acr: p.sess.ACR, flowID: flowID, binding: "flow\x00" + flowID,
			back: h.flowURL("/mfa", flowID) + "&other=code", formAction: p.req.formAction(), lang: p.lang}, true
	}
	l := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	returnTo, ok := flow.LocalPath(returnTo)
	if !ok {
		h.errorPage(w, l, http.StatusBadRequest, "bad_request", "invalid_request")
		return enrolment{}, false
	}
	sess, live, err := h.CurrentSession(r)
	if err != nil {
		h.failed(w, l, err)
		return enrolment{}, false
	}
	if !live {
		if r.Method == http.MethodGet {
			h.SignInThenReturn(w, r, r.URL.RequestURI())
			return enrolment{}, false
		}
		h.errorPage(w, l, http.StatusBadRequest, "expired", "invalid_request")
		return enrolment{}, false
	}
	if !h.accountRules(w, r, sess, returnTo, l) {
		return enrolment{}, false
	}
	return enrolment{subject: sess.Subject, acr: sess.ACR, returnTo: returnTo, binding: "session\x00" + sess.ID,
		back: returnTo, lang: l}, true
}

// accountRules holds a passkey added from a page of ours (the account
// page) to that page's rules for changing sign-in methods: a session that
// meets the second-factor policy, and a sign-in no older than
// mfa.ReauthAfter. Else the browser goes to /mfa, or signs in again, and
// comes back: here on GET, to returnTo after a POST.
func (h *Handler) accountRules(w http.ResponseWriter, r *http.Request, sess session.Session, returnTo, lang string) bool {
	back := returnTo
	if r.Method == http.MethodGet {
		back = r.URL.RequestURI()
	}
	if h.StepUp != nil {
		need, err := h.StepUp.Needed(r.Context(), nil, sess.Subject, sess.ACR)
		if err != nil {
			h.failed(w, lang, err)
			return false
		}
		if need {
			h.StepUpThenReturn(w, r, sess, back)
			return false
		}
	}
	if !mfa.Fresh(h.Now(), sess.AuthTime, mfa.ReauthAfter) {
		h.SignInThenReturn(w, r, back)
		return false
	}
	return true
}

// EnrolPage serves GET /mfa/passkey/enrol?flow=… or ?return=/path: the
// registration of a new passkey.
func (h *Handler) EnrolPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e, ok := h.enrolmentOf(w, r, q.Get("flow"), q.Get("return"))
	if !ok {
		return
	}
	h.showEnrol(w, r, e, http.StatusOK, "")
}

func (h *Handler) showEnrol(w http.ResponseWriter, r *http.Request, e enrolment, status int, errKey string) {
	ctx := r.Context()
	list, err := h.Store.List(ctx, e.subject)
	if err != nil {
		h.failed(w, e.lang, err)
		return
	}
	page := templates.PasskeyPage{Lang: e.lang, Mode: templates.PasskeyEnrol, Action: h.path(PathEnrol),
		CSRF: h.csrf(kindEnrol, e.binding), Flow: e.flowID, Return: e.returnTo, Back: e.back,
		Error: errKey, Status: status, FormAction: e.formAction}
	if !strongEnough(list, e.acr) {
		page.Mode, page.Error = templates.PasskeyRefused, templates.PasskeyStepUp
		h.render(w, page)
		return
	}
	u, err := h.People.Lookup(ctx, e.subject)
	if err != nil {
		h.failed(w, e.lang, err)
		return
	}
	me := newPerson(u, list)
	creation, data, err := h.wa.BeginRegistration(me, webauthn.WithExclusions(webauthn.Credentials(me.creds).CredentialDescriptors()))
	if err != nil {
		h.Log.Error("passkey: begin registration", "err", err)
		h.errorPage(w, e.lang, http.StatusInternalServerError, "server_error", "server_error")
		return
	}
	if err := h.keep(ctx, kindEnrol, e.binding, "", ceremony{Data: *data, Subject: e.subject}); err != nil {
		h.failed(w, e.lang, err)
		return
	}
	page.Options = options(creation)
	h.render(w, page)
}

// strongEnough: adding a passkey needs a session as strong as the
// person's factors allow — else a stolen password alone would be enough
// to add the thief's passkey to an account that has a second factor.
// Someone with none enrols after the password, as with an app.
func strongEnough(list []oauth.Authenticator, acr string) bool {
	hasFactor := slices.ContainsFunc(list, func(a oauth.Authenticator) bool {
		return a.Kind == oauth.AuthenticatorTOTP || a.Kind == oauth.AuthenticatorPasskey
	})
	return !hasFactor || acr == mfa.ACRMFA || acr == mfa.ACRPhishingResistant
}

// EnrolSubmit serves POST /mfa/passkey/enrol: the new credential. It is
// stored; within a sign-in the person then uses it (/mfa/passkey), so
// that the session's acr comes from an assertion, never a registration.
func (h *Handler) EnrolSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, "en", http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	form := r.PostForm
	e, ok := h.enrolmentOf(w, r, form.Get("flow"), form.Get("return"))
	if !ok {
		return
	}
	if !h.csrfValid(kindEnrol, e.binding, form.Get("csrf")) {
		h.errorPage(w, e.lang, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	ctx := r.Context()
	c, err := h.take(ctx, kindEnrol, e.binding)
	if err != nil || c.Subject != e.subject {
		if err != nil && !isNotFound(err) {
			h.failed(w, e.lang, err)
			return
		}
		h.showEnrol(w, r, e, http.StatusOK, templates.PasskeyExpired)
		return
	}
	a, err := h.register(r, e, c, form.Get("credential"))
	if errors.Is(err, errNotRegistered) {
		h.showEnrol(w, r, e, http.StatusOK, templates.PasskeyFailed)
		return
	}
	if err != nil {
		h.failed(w, e.lang, err)
		return
	}
	a.Name = passkeyName(form.Get("name"))
	if _, err := h.Store.Create(ctx, a); err != nil {
		h.failed(w, e.lang, err)
		return
	}
	h.Log.Info("passkey registered", "sub", e.subject, "authenticator", a.ID, "backup_eligible", a.Data.BackupEligible)
	h.Audit.Record(ctx, audit.Event{Type: audit.TypeAuthenticatorAdded, Subject: e.subject,
		Address: audit.PeerAddress(r), Detail: "passkey"})
	if e.flowID != "" {
		http.Redirect(w, r, h.flowURL(PathVerify, e.flowID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, e.returnTo, http.StatusSeeOther)
}

// errNotRegistered: the browser's answer does not make a passkey.
var errNotRegistered = errors.New("passkey: registration refused")

// register checks the attestation against the ceremony and returns the
// passkey to store; a credential ID already known (anyone's) is refused.
func (h *Handler) register(r *http.Request, e enrolment, c ceremony, raw string) (oauth.Authenticator, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(raw))
	if err != nil {
		h.Log.Info("passkey registration refused", "sub", e.subject, "why", "unreadable", "err", err)
		return oauth.Authenticator{}, errNotRegistered
	}
	cred, err := h.wa.CreateCredential(person{subject: e.subject}, c.Data, parsed)
	if err != nil {
		h.Log.Info("passkey registration refused", "sub", e.subject, "why", "not valid", "err", err)
		return oauth.Authenticator{}, errNotRegistered
	}
	switch _, err := h.Store.FindCredential(r.Context(), cred.ID); {
	case err == nil:
		h.Log.Info("passkey registration refused", "sub", e.subject, "why", "credential ID known")
		return oauth.Authenticator{}, errNotRegistered
	case !errors.Is(err, storage.ErrNotFound):
		return oauth.Authenticator{}, err
	}
	a := storedPasskey(cred)
	a.ID, a.Subject, a.Created, a.LastUsed = randomID(), e.subject, h.Now(), h.Now()
	return a, nil
}

// passkeyName cleans what the person typed: printable, at most
// maxNameRunes, "Passkey" when empty.
func passkeyName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if n := []rune(s); len(n) > maxNameRunes {
		s = strings.TrimSpace(string(n[:maxNameRunes]))
	}
	if s == "" {
		return "Passkey"
	}
	return s
}
