package resource

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// introspection is the answer of RFC 7662 §2.2. An inactive token gets
// {"active":false} and nothing else, whatever the reason.
type introspection struct {
	Active    bool           `json:"active"`
	Scope     string         `json:"scope,omitempty"`
	ClientID  string         `json:"client_id,omitempty"`
	Subject   string         `json:"sub,omitempty"`
	ExpiresAt int64          `json:"exp,omitempty"`
	IssuedAt  int64          `json:"iat,omitempty"`
	Issuer    string         `json:"iss,omitempty"`
	Audience  any            `json:"aud,omitempty"`
	JTI       string         `json:"jti,omitempty"`
	TokenType string         `json:"token_type,omitempty"`
	Cnf       map[string]any `json:"cnf,omitempty"`
}

// Introspect serves POST /token/introspect (RFC 7662).
func (h *Handler) Introspect(w http.ResponseWriter, r *http.Request) {
	c, form, ok := h.authenticate(w, r, "introspection")
	if !ok {
		return
	}
	if c.Method == clientauth.MethodNone {
		// §2.1: the endpoint requires authorization; a public client's
		// client_id is no secret.
		h.opts.Authenticator.WriteError(w, r.Header,
			oauth.ErrInvalidClient().WithDescription("Public clients cannot introspect tokens."))
		return
	}
	ctx := r.Context()
	ac, e := h.checkAccessToken(ctx, form.Get("token"))
	switch {
	case e != nil && e.Code != oauth.ErrInvalidToken().Code:
		h.log.Warn("introspection: revocation list unreadable", "error", e)
		e.WriteJSON(w)
		return
	case e != nil:
		out, oerr := h.introspectRefresh(r, c.Client, form.Get("token"))
		if oerr != nil {
			oerr.WriteJSON(w)
			return
		}
		h.writeIntrospection(w, r, c.Client, out)
		return
	case ac.ClientID != c.Client.ID && !h.opts.IntrospectAnyClient:
		h.log.Info("introspection: token of another client", "client_id", c.Client.ID, "token_client_id", ac.ClientID)
		h.writeIntrospection(w, r, c.Client, introspection{})
		return
	}
	h.writeIntrospection(w, r, c.Client, activeIntrospection(ac))
}

// introspectRefresh answers for a token that is no access token: one of
// the client's own refresh tokens, when the refresh grant can tell, else
// inactive.
func (h *Handler) introspectRefresh(r *http.Request, client oauth.Client, token string) (introspection, *oauth.Error) {
	clientID := client.ID
	ri, ok := h.opts.Refresh.(RefreshIntrospector)
	if !ok {
		return introspection{}, nil
	}
	info, active, err := ri.IntrospectRefresh(r.Context(), clientID, token)
	if err != nil {
		h.log.Warn("introspection: refresh token lookup", "err", err)
		return introspection{}, unavailable(err)
	}
	if !active {
		return introspection{}, nil
	}
	// The sub the client knows the person by: pairwise for a pairwise
	// client, which must not learn the person's own subject here either.
	sub, err := h.opts.Minter.PublicSubject(client.Metadata, info.Subject)
	if err != nil {
		return introspection{}, oauth.ErrServerError().WithCause(err)
	}
	return introspection{
		Active: true, Scope: strings.Join(info.Scopes, " "), ClientID: info.ClientID, Subject: sub,
		IssuedAt: info.IssuedAt.Unix(), ExpiresAt: info.ExpiresAt.Unix(), TokenType: "refresh_token",
	}, nil
}

func activeIntrospection(ac tokens.AccessClaims) introspection {
	out := introspection{
		Active:    true,
		Scope:     strings.Join(ac.Scopes, " "),
		ClientID:  ac.ClientID,
		Subject:   ac.Sub(),
		ExpiresAt: ac.ExpiresAt.Unix(),
		IssuedAt:  ac.IssuedAt.Unix(),
		Issuer:    ac.Issuer,
		JTI:       ac.JTI,
		TokenType: "Bearer",
		Cnf:       ac.Cnf,
	}
	if boundKey(ac) != "" {
		out.TokenType = "DPoP" // RFC 9449 §6.2
	}
	// As in the token: one audience is a string (RFC 7519 §4.1.3).
	if len(ac.Audience) == 1 {
		out.Audience = ac.Audience[0]
	} else if len(ac.Audience) > 1 {
		out.Audience = ac.Audience
	}
	return out
}

// authenticate reads the form of an introspection or revocation request
// and authenticates its client as the token endpoint does; it has answered
// the request when ok is false. A missing token parameter is
// invalid_request (RFC 7662 §2.1, RFC 7009 §2.1).
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, what string) (clientauth.Result, url.Values, bool) {
	form, e := readClientForm(w, r)
	if e == nil {
		e = checkLengths(form)
	}
	if e != nil {
		e.WriteJSON(w)
		return clientauth.Result{}, nil, false
	}
	res, e := h.opts.Authenticator.AuthenticateRequest(r.Context(), r, form)
	if e != nil {
		h.log.Info(what+": client not authenticated", "error", e)
		h.opts.Authenticator.WriteError(w, r.Header, e)
		return res, nil, false
	}
	if form.Get("token") == "" {
		oauth.ErrInvalidRequest().WithDescription("token is missing.").WriteJSON(w)
		return res, nil, false
	}
	return res, form, true
}
