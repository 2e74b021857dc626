package token

import (
	"context"
	"errors"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/resource"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// RevokeRefresh ends the refresh token family that token belongs to, when
// token is a refresh token of clientID, current or rotated (RFC 7009 §2.1:
// revoking a refresh token may end the whole grant's tokens). found tells
// whether it was one.
func (h *Handler) RevokeRefresh(ctx context.Context, clientID, token string) (found bool, err error) {
	t, err := h.parseRefresh(token)
	if err != nil || h.Authorizations == nil || t.ClientID != clientID {
		return false, nil
	}
	hash := t.Hash()
	for range casAttempts {
		_, err = h.Authorizations.Update(ctx, t.Subject, clientID, func(a oauth.Authorization) (oauth.Authorization, error) {
			if a.RefreshTokenHash != hash && !slices.Contains(a.RotatedRefreshHashes, hash) {
				return a, errNotOurs
			}
			found = true
			a.RefreshTokenHash, a.RotatedRefreshHashes = "", nil
			return a, nil
		})
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	switch {
	case errors.Is(err, errNotOurs), errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return found, nil
}

// errNotOurs stops an update whose entry does not hold the token.
var errNotOurs = errors.New("not this authorization's refresh token")

// endRefreshFamily clears the refresh tokens of the authorization of
// subject and clientID, whichever they are.
func (h *Handler) endRefreshFamily(ctx context.Context, subject, clientID string) error {
	if h.Authorizations == nil {
		return nil
	}
	var err error
	for range casAttempts {
		_, err = h.Authorizations.Update(ctx, subject, clientID, func(a oauth.Authorization) (oauth.Authorization, error) {
			a.RefreshTokenHash, a.RotatedRefreshHashes = "", nil
			return a, nil
		})
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// IntrospectRefresh describes a refresh token of clientID for RFC 7662:
// active while it is its authorization's current token and its family has
// not expired. Rotated, revoked and foreign tokens are simply not active.
func (h *Handler) IntrospectRefresh(ctx context.Context, clientID, token string) (resource.RefreshInfo, bool, error) {
	t, err := h.parseRefresh(token)
	if err != nil || h.Authorizations == nil || t.ClientID != clientID {
		return resource.RefreshInfo{}, false, nil
	}
	a, err := h.Authorizations.Get(ctx, t.Subject, clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return resource.RefreshInfo{}, false, nil
	case err != nil:
		return resource.RefreshInfo{}, false, err
	}
	exp := h.refreshExpiry(a)
	if a.RefreshTokenHash == "" || !sameHash(a.RefreshTokenHash, t.Hash()) || !h.Now().Before(exp) {
		return resource.RefreshInfo{}, false, nil
	}
	return resource.RefreshInfo{
		Subject: t.Subject, ClientID: clientID, Scopes: a.Scopes,
		IssuedAt: a.RefreshTokenIssuedAt, ExpiresAt: exp,
	}, true, nil
}
