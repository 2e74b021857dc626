package device

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/throttle"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// maxFormBytes bounds the page's form bodies.
const maxFormBytes = 16 << 10

// CSRF steps: the entry form, and the decision on one user code.
const (
	stepEnter   = "device-enter"
	stepConfirm = "device-confirm:"
)

// Page serves GET /device: the form for the user code, prefilled from
// verification_uri_complete (RFC 8628 §3.3.1). The person must be signed
// in first; the code only shows what the device asks once they are.
func (h *Handler) Page(w http.ResponseWriter, r *http.Request) {
	typed := r.URL.Query().Get("user_code")
	if len(typed) > oauth.MaxUserCode {
		typed = ""
	}
	sess, ok := h.signedIn(w, r, typed)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, templates.DevicePage{Step: templates.DeviceEnter, UserCode: typed,
		CSRF: h.csrf(sess, stepEnter)})
}

// Submit serves POST /device: a user code entered (then the client and its
// scopes are shown with Allow and Deny), or the decision on one.
func (h *Handler) Submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	typed := r.PostForm.Get("user_code")
	if len(typed) > oauth.MaxUserCode {
		typed = ""
	}
	sess, ok := h.signedIn(w, r, typed)
	if !ok {
		return
	}
	if d := r.PostForm.Get("decision"); d != "" {
		h.decide(w, r, sess, typed, d)
		return
	}
	if !h.csrfValid(sess, stepEnter, r.PostForm.Get("csrf")) {
		h.errorPage(w, r, http.StatusForbidden, "csrf")
		return
	}
	h.lookup(w, r, sess, typed)
}

// lookup shows what the device with the typed code asks for. Wrong codes
// count against the person and the address: 20^8 codes, a 10-minute life
// and the throttle's pace keep guessing someone else's code hopeless
// (RFC 8628 §5.1).
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request, sess session.Session, typed string) {
	ctx := r.Context()
	keys := []string{"sub:" + sess.Subject, "addr:" + throttle.AddressKey(clientAddr(r))}
	enter := templates.DevicePage{Step: templates.DeviceEnter, UserCode: typed, CSRF: h.csrf(sess, stepEnter)}
	for _, k := range keys {
		ok, _, err := h.Throttle.Allow(ctx, k)
		if err != nil {
			h.outage(w, r, err)
			return
		}
		if !ok {
			enter.Error = templates.DeviceThrottled
			h.render(w, r, http.StatusTooManyRequests, enter)
			return
		}
	}
	code, valid := normaliseUserCode(typed)
	var p pending
	var err error
	if valid {
		_, p, err = h.store.byUserCode(ctx, code)
	}
	if !valid || errors.Is(err, storage.ErrNotFound) {
		for _, k := range keys {
			if err := h.Throttle.Fail(ctx, k); err != nil {
				h.Log.Warn("device: record a wrong user code", "err", err)
			}
		}
		enter.Error = templates.DeviceInvalid
		h.render(w, r, http.StatusOK, enter)
		return
	}
	if err != nil {
		h.outage(w, r, err)
		return
	}
	c, err := h.Clients(ctx, p.ClientID)
	if err != nil {
		// The client is gone or the directory is: either way, no decision.
		h.outage(w, r, err)
		return
	}
	lang := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	h.render(w, r, http.StatusOK, templates.DevicePage{
		Step: templates.DeviceConfirm, UserCode: displayUserCode(code), CSRF: h.csrf(sess, stepConfirm+code),
		ClientName: templates.PickLang(c.Metadata.ClientName, lang), LogoURI: templates.PickLang(c.Metadata.LogoURI, lang),
		Scopes: p.Scopes,
	})
}

// decide records Allow or Deny for the code; its CSRF token is bound to
// the session and to that very code.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, sess session.Session, typed, choice string) {
	code, valid := normaliseUserCode(typed)
	if !valid || !h.csrfValid(sess, stepConfirm+code, r.PostForm.Get("csrf")) {
		h.errorPage(w, r, http.StatusForbidden, "csrf")
		return
	}
	d := decision{Subject: sess.Subject, AuthTime: sess.AuthTime, ACR: sess.ACR, AMR: sess.AMR, SID: sess.SID}
	step := templates.DeviceAllowed
	switch choice {
	case "allow":
		d.Allowed = true
	case "deny":
		step = templates.DeviceDenied
	default:
		h.errorPage(w, r, http.StatusBadRequest, "bad_request")
		return
	}
	p, err := h.store.decide(r.Context(), code, d)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.render(w, r, http.StatusOK, templates.DevicePage{Step: templates.DeviceEnter,
			CSRF: h.csrf(sess, stepEnter), Error: templates.DeviceInvalid})
		return
	case err != nil:
		h.outage(w, r, err)
		return
	}
	h.Log.Info("device authorization decided", "client_id", p.ClientID, "sub", sess.Subject, "allowed", d.Allowed)
	h.render(w, r, http.StatusOK, templates.DevicePage{Step: step})
}

// signedIn returns the browser's session, or sends it to sign in and come
// back here with the code it brought.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, typed string) (session.Session, bool) {
	sess, live, err := h.Sessions.CurrentSession(r)
	if err != nil {
		h.outage(w, r, err)
		return sess, false
	}
	if !live {
		back := h.PagePath
		if typed != "" {
			back += "?user_code=" + url.QueryEscape(typed)
		}
		h.Sessions.SignInThenReturn(w, r, back)
		return sess, false
	}
	return sess, true
}

// csrf binds a form to the session and the step (HMAC-SHA256).
func (h *Handler) csrf(sess session.Session, step string) string {
	mac := hmac.New(sha256.New, h.CSRFKey)
	mac.Write([]byte(step))
	mac.Write([]byte{0})
	mac.Write([]byte(sess.SID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (h *Handler) csrfValid(sess session.Session, step, token string) bool {
	return hmac.Equal([]byte(h.csrf(sess, step)), []byte(token))
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p templates.DevicePage) {
	p.Lang = templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	p.Action = h.PagePath
	p.Status = status
	if err := h.Pages.Device(w, p); err != nil {
		h.Log.Error("render device page", "err", err)
	}
}

func (h *Handler) outage(w http.ResponseWriter, r *http.Request, err error) {
	h.Log.Warn("device page: store unavailable", "err", err)
	h.errorPage(w, r, http.StatusServiceUnavailable, "unavailable")
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, kind string) {
	lang := templates.ChooseLang(nil, r.Header.Get("Accept-Language"))
	if err := h.Pages.Error(w, status, templates.ErrorPage{Lang: lang, Kind: kind}); err != nil {
		h.Log.Error("render error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}
