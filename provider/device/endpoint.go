package device

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/token"
)

// authorizationResponse is RFC 8628 §3.2.
type authorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// Authorize serves POST /device_authorization (RFC 8628 §3.1): the client
// authenticates as at the token endpoint — a public client by its
// client_id alone, as §3.1 allows — and must be registered for the
// device grant.
func (h *Handler) Authorize(w http.ResponseWriter, r *http.Request) {
	form, oerr := token.ReadForm(w, r)
	if oerr != nil {
		oerr.WriteJSON(w)
		return
	}
	auth, oerr := h.Auth.AuthenticateRequest(r.Context(), r, form)
	if oerr != nil {
		h.Auth.WriteError(w, r.Header, oerr)
		return
	}
	c := auth.Client
	if !slices.Contains(c.Metadata.GrantTypes, GrantType) {
		oauth.ErrUnauthorizedClient().WithDescription("grant_types: the client is not registered for " + GrantType).WriteJSON(w)
		return
	}
	scopes, oerr := checkScope(c, form.Get("scope"))
	if oerr != nil {
		oerr.WriteJSON(w)
		return
	}
	deviceCode, userCode, err := h.store.start(r.Context(), c.ID, scopes)
	if err != nil {
		h.Log.Warn("device authorization: store", "err", err)
		unavailable(err).WriteJSON(w)
		return
	}
	shown := displayUserCode(userCode)
	writeJSON(w, authorizationResponse{
		DeviceCode: deviceCode, UserCode: shown,
		VerificationURI:         h.VerificationURI,
		VerificationURIComplete: h.VerificationURI + "?user_code=" + url.QueryEscape(shown),
		ExpiresIn:               int64(h.Lifetime.Seconds()),
		Interval:                seconds(h.Interval),
	})
}

// seconds rounds an interval up to whole seconds, at least one: the
// client may not poll sooner than the server will accept.
func seconds(d time.Duration) int64 {
	s := int64(d.Seconds())
	if float64(s) < d.Seconds() {
		s++
	}
	return max(s, 1)
}

// checkScope parses scope and, when the client registered scope values,
// allows only those (openid always, as at /authorize).
func checkScope(c oauth.Client, raw string) ([]string, *oauth.Error) {
	if len(raw) > oauth.MaxScope {
		return nil, oauth.ErrInvalidRequest().WithDescription("scope: longer than " + strconv.Itoa(oauth.MaxScope) + " bytes")
	}
	scopes := strings.Fields(raw)
	if len(scopes) > oauth.MaxScopeValues {
		return nil, oauth.ErrInvalidRequest().WithDescription("scope: more than " + strconv.Itoa(oauth.MaxScopeValues) + " values")
	}
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	if registered := c.Metadata.Scope; registered != nil {
		for _, s := range scopes {
			if s != "openid" && !slices.Contains(registered, s) {
				return nil, oauth.ErrInvalidScope().WithDescription("scope: " + strconv.Quote(s) + " is not registered for the client")
			}
		}
	}
	return scopes, nil
}

// writeJSON answers with a response that carries a device code: never cached.
func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}
