package device

import (
	"context"
	"errors"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/token"
)

// GrantType is the device grant at the token endpoint (RFC 8628 §3.4).
const GrantType = "urn:ietf:params:oauth:grant-type:device_code"

// Grant serves a poll of the token endpoint (RFC 8628 §3.4, §3.5): the
// pipeline has authenticated the client; this says whom the tokens are
// for once the person has allowed, and otherwise which error to poll on.
func (h *Handler) Grant(ctx context.Context, c oauth.Client, form url.Values) (token.Issue, *oauth.Error) {
	code := form.Get("device_code")
	if code == "" {
		return token.Issue{}, oauth.ErrInvalidRequest().WithDescription("device_code: missing")
	}
	dh := hashOf(code)
	p, err := h.store.pending(ctx, dh)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return token.Issue{}, oauth.ErrInvalidGrant().WithDescription("device_code: unknown or already used")
	case err != nil:
		return token.Issue{}, unavailable(err)
	case p.ClientID != c.ID:
		return token.Issue{}, oauth.ErrInvalidGrant().WithDescription("device_code: issued to another client")
	case !h.Now().Before(p.ExpiresAt):
		return token.Issue{}, oauth.ErrExpiredToken().WithDescription("device_code: expired before the person decided")
	}
	d, found, err := h.store.decided(ctx, dh)
	if err != nil {
		return token.Issue{}, unavailable(err)
	}
	if !found {
		return token.Issue{}, h.stillPending(ctx, dh, p)
	}
	if !d.Allowed {
		return token.Issue{}, oauth.ErrAccessDenied().WithStatus(400).WithDescription("the person denied the request")
	}
	switch err := h.store.redeem(ctx, dh); {
	case errors.Is(err, storage.ErrNotFound):
		return token.Issue{}, oauth.ErrInvalidGrant().WithDescription("device_code: unknown or already used")
	case err != nil:
		return token.Issue{}, unavailable(err)
	}
	return token.Issue{Subject: d.Subject, Scopes: p.Scopes, AuthTime: d.AuthTime, ACR: d.ACR, AMR: d.AMR, SID: d.SID}, nil
}

// stillPending is authorization_pending, or slow_down for a client that
// polls faster than its interval.
func (h *Handler) stillPending(ctx context.Context, dh string, p pending) *oauth.Error {
	fast, err := h.store.tooFast(ctx, dh, p)
	switch {
	case err != nil:
		return unavailable(err)
	case fast:
		return oauth.ErrSlowDown().WithDescription("polled faster than the interval; it grows by 5 seconds")
	}
	return oauth.ErrAuthorizationPending().WithDescription("the person has not decided yet")
}

func unavailable(err error) *oauth.Error {
	return oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WithCause(err)
}
