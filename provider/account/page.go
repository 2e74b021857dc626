package account

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// notices are the ?done= values the page accepts after a change.
var notices = []string{"renamed", "removed", "added", "revoked", "ended"}

// Page serves GET /account.
func (h *Handler) Page(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.signedIn(w, r)
	if !ok {
		return
	}
	p := templates.AccountPage{}
	if done := r.URL.Query().Get("done"); slices.Contains(notices, done) {
		p.Notice = done
	}
	h.show(w, r, sess, p)
}

// signedIn returns the browser's session, strong enough for the policy;
// else it sends the browser to sign in, or to its second factor, and back.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (session.Session, bool) {
	sess, live, err := h.SignIn.CurrentSession(r)
	if err != nil {
		h.outage(w, r, err)
		return sess, false
	}
	if !live {
		h.SignIn.SignInThenReturn(w, r, h.Path)
		return sess, false
	}
	if h.StepUp != nil {
		need, err := h.StepUp.Needed(r.Context(), nil, sess.Subject, sess.ACR)
		if errors.Is(err, storage.ErrInactive) { // the policy read the person's groups
			h.closed(w, r, sess)
			return sess, false
		}
		if err != nil {
			h.outage(w, r, err)
			return sess, false
		}
		if need {
			h.SignIn.StepUpThenReturn(w, r, sess, h.Path)
			return sess, false
		}
	}
	return sess, true
}

// show renders the page with everything the person has, over p's
// message, enrolment or codes.
func (h *Handler) show(w http.ResponseWriter, r *http.Request, sess session.Session, p templates.AccountPage) {
	ctx := r.Context()
	p.Lang = lang(r)
	p.Action, p.CSRF, p.Fresh = h.Path, h.csrf(sess), h.fresh(sess)
	name, inactive := h.displayName(ctx, sess.Subject)
	if inactive {
		h.closed(w, r, sess)
		return
	}
	p.UserName = name
	if err := h.fillFactors(ctx, sess.Subject, &p); err != nil {
		h.outage(w, r, err)
		return
	}
	if err := h.fillApps(ctx, sess.Subject, p.Lang, &p); err != nil {
		h.outage(w, r, err)
		return
	}
	if err := h.fillSessions(ctx, sess, &p); err != nil {
		h.outage(w, r, err)
		return
	}
	if err := h.Pages.Account(w, p); err != nil {
		h.Log.Error("render account page", "err", err)
	}
}

func (h *Handler) fillFactors(ctx context.Context, subject string, p *templates.AccountPage) error {
	if h.Authenticators == nil {
		return nil
	}
	p.Strong, p.PasskeyEnrolURL = true, h.PasskeyEnrolURL
	list, err := h.Authenticators.List(ctx, subject)
	if err != nil {
		return err
	}
	for _, a := range list {
		switch a.Kind {
		case oauth.AuthenticatorTOTP, oauth.AuthenticatorPasskey:
			p.Authenticators = append(p.Authenticators, templates.AccountAuthenticator{
				ID: a.ID, Kind: a.Kind, Name: a.Name, Created: when(a.Created), LastUsed: when(a.LastUsed)})
		case oauth.AuthenticatorRecovery:
			p.HasRecovery, p.RecoveryLeft = true, p.RecoveryLeft+len(a.RecoveryCodes)
		}
	}
	return nil
}

// fillApps lists the authorizations. Unreadable entries are logged and
// left out; a client gone from the registry is shown by its id, so that
// its authorization can still be revoked.
func (h *Handler) fillApps(ctx context.Context, subject, pageLang string, p *templates.AccountPage) error {
	list, err := h.Authorizations.ListBySubject(ctx, subject)
	if err != nil && !errors.Is(err, storage.ErrMalformed) {
		return err
	}
	if err != nil {
		h.Log.Warn("account: unreadable authorizations left out", "err", err)
	}
	for _, a := range list {
		app := templates.AccountApp{ClientID: a.ClientID, Name: a.ClientID, Scopes: a.Scopes, Since: when(a.IssuedAt)}
		c, err := h.Clients(ctx, a.ClientID)
		switch {
		case err == nil:
			if n := templates.PickLang(c.Metadata.ClientName, pageLang); n != "" {
				app.Name = n
			}
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		p.Apps = append(p.Apps, app)
	}
	return nil
}

func (h *Handler) fillSessions(ctx context.Context, current session.Session, p *templates.AccountPage) error {
	list, err := h.Sessions.ListBySubject(ctx, current.Subject)
	if errors.Is(err, session.ErrNoIndex) {
		list, err = []session.Session{current}, nil
	}
	if err != nil {
		return err
	}
	for _, s := range list {
		p.Sessions = append(p.Sessions, templates.AccountSession{SID: s.SID, UserAgent: shorten(s.UserAgent, 80),
			Created: when(s.Created), LastSeen: when(s.LastSeen), Current: s.SID == current.SID})
	}
	// This browser first.
	slices.SortStableFunc(p.Sessions, func(a, b templates.AccountSession) int {
		switch {
		case a.Current == b.Current:
			return 0
		case a.Current:
			return -1
		}
		return 1
	})
	return nil
}

// displayName is how the page greets the person: name, then username,
// then nothing (an outage of the directory only loses the greeting).
// inactive says the person may no longer sign in (storage.ErrInactive):
// the same read that greets them is the page's account check.
func (h *Handler) displayName(ctx context.Context, subject string) (name string, inactive bool) {
	u, err := h.People.Lookup(ctx, subject)
	if err != nil {
		return "", errors.Is(err, storage.ErrInactive)
	}
	for _, claim := range []string{"name", "preferred_username", "email"} {
		if v, ok := u.Claims[claim].(string); ok && v != "" {
			return v, false
		}
	}
	return "", false
}

// closed ends this browser's session of a person who may no longer sign
// in (an administrator disabled or locked the account) and sends the
// browser to sign in, which the directory then refuses: a live session
// must not outlast the account.
func (h *Handler) closed(w http.ResponseWriter, r *http.Request, sess session.Session) {
	h.Log.Info("account page: the person may no longer sign in; session ended", "sub", sess.Subject)
	if err := h.Sessions.Delete(r.Context(), sess.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.outage(w, r, err)
		return
	}
	h.notify(r.Context(), sess)
	h.SignIn.SignInThenReturn(w, r, h.Path)
}

// when shows a time the same way in every language: UTC, to the minute.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// shorten cuts s to n characters, with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func lang(r *http.Request) string {
	return templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
}

func (h *Handler) outage(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, storage.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		h.Log.Warn("account page: store unavailable", "err", err)
		h.errorPage(w, r, http.StatusServiceUnavailable, "unavailable", "temporarily_unavailable")
		return
	}
	h.Log.Error("account page", "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "server_error", "server_error")
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, kind, code string) {
	if err := h.Pages.Error(w, status, templates.ErrorPage{Lang: lang(r), Kind: kind, Code: code}); err != nil {
		h.Log.Error("render error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}
