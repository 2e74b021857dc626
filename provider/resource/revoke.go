package resource

import (
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Revoke serves POST /token/revoke (RFC 7009).
func (h *Handler) Revoke(w http.ResponseWriter, r *http.Request) {
	res, form, ok := h.authenticate(w, r, "revocation")
	if !ok {
		return
	}
	ctx := r.Context()
	client, token, hint := res.Client, form.Get("token"), form.Get("token_type_hint")
	// Any hint is only a hint: §2.1 wants the search extended to every
	// type when the hinted one does not match. Access tokens are told
	// apart by their signature, so they are tried first whatever the hint.
	if ac, key, err := h.parseAccessToken(ctx, token); err == nil {
		if ac.ClientID != client.ID {
			// §2.1 lets the server refuse a foreign token; answering
			// as for an unknown one tells the caller nothing about it.
			h.log.Warn("revocation: token of another client", "client_id", client.ID, "token_client_id", ac.ClientID)
			h.auditRevocation(r, audit.Event{Outcome: audit.OutcomeForeign, ClientID: client.ID, JTI: ac.JTI,
				TokenType: "access_token", Detail: "a token of another client: left alone"})
			writeRevoked(w)
			return
		}
		if err := h.revoked.Revoke(ctx, ac.JTI, ac.ExpiresAt); err != nil {
			// §2.2.1: 503 tells the client to retry later.
			unavailable(err).WriteJSON(w)
			return
		}
		// The list refuses it from now on; its place in the cache is
		// better used by a live token.
		h.tokens.drop(key)
		h.auditRevocation(r, audit.Event{Outcome: audit.OutcomeRevoked, ClientID: client.ID, Subject: ac.Subject,
			JTI: ac.JTI, TokenType: "access_token"})
		writeRevoked(w)
		return
	}
	if h.opts.Refresh == nil {
		if hint == "refresh_token" {
			oauth.ErrUnsupportedTokenType().WithDescription("This server does not revoke refresh tokens.").WriteJSON(w)
			return
		}
		writeRevoked(w)
		return
	}
	found, err := h.opts.Refresh.RevokeRefresh(ctx, client.ID, token)
	if err != nil {
		unavailable(err).WriteJSON(w)
		return
	}
	if found {
		h.auditRevocation(r, audit.Event{Outcome: audit.OutcomeRevoked, ClientID: client.ID, TokenType: "refresh_token"})
	}
	writeRevoked(w)
}

// auditRevocation records a revocation request that reached a token of
// ours; requests for unknown tokens are not facts worth a line.
func (h *Handler) auditRevocation(r *http.Request, e audit.Event) {
	e.Type, e.Address = audit.TypeRevocation, audit.PeerAddress(r)
	h.opts.Audit.Record(r.Context(), e)
}

// writeRevoked is the answer to every request that reached the token,
// revoked or not (§2.2): 200 with an empty body.
func writeRevoked(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
}
