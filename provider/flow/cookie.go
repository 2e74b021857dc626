package flow

import (
	"context"
	"errors"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// sessionCookie names the browser session: an opaque random id, of which
// the store keeps only a hash.
const sessionCookie = "gatehouse_session"

// currentSession returns the browser's live session, if any. An outage of
// the session store is an error; an unknown or expired id is no session.
func (h *Handler) currentSession(ctx context.Context, r *http.Request) (session.Session, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return session.Session{}, false, nil
	}
	s, err := h.Sessions.Get(ctx, c.Value)
	if errors.Is(err, storage.ErrNotFound) {
		return session.Session{}, false, nil
	}
	if err != nil {
		return session.Session{}, false, err
	}
	if err := h.Sessions.Touch(ctx, s.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return session.Session{}, false, err
	}
	return s, true, nil
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     h.path("/"),
		HttpOnly: true,
		Secure:   h.secureCookies,
		SameSite: http.SameSiteLaxMode,
	})
}

// clearSessionCookie tells the browser to forget the session.
func (h *Handler) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: h.path("/"), MaxAge: -1,
		HttpOnly: true, Secure: h.secureCookies, SameSite: http.SameSiteLaxMode,
	})
}
