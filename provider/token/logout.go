package token

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// refreshSessionKey is the key of authzData that names the browser
// session (its sid) a refresh token family was issued in, when that family
// ends with the session. It is kept with the authorization entry rather
// than in the session because the entry is what the refresh grant reads
// anyway, and it needs no new attribute: entries stay valid under the 1.15
// schema.
const refreshSessionKey = "refresh_sid"

// withRefreshSession records that the family started for g ends when its
// session does: a grant made in a browser session without offline_access
// (OpenID Connect Back-Channel Logout 1.0 §2.7: refresh tokens issued
// without offline_access SHOULD be revoked with the session; those with
// it SHOULD NOT). A family that does not is cleared of any earlier mark.
func withRefreshSession(data map[string]any, g session.CodeGrant) map[string]any {
	bound := g.SessionSID != "" && !slices.Contains(g.Scopes, "offline_access")
	if _, marked := data[refreshSessionKey]; !bound && !marked {
		return data
	}
	data = maps.Clone(data)
	if data == nil {
		data = map[string]any{}
	}
	if bound {
		data[refreshSessionKey] = g.SessionSID
	} else {
		delete(data, refreshSessionKey)
	}
	return data
}

// EndSessionRefresh ends the refresh tokens of subject's authorization
// for clientID that were issued in the session sid without offline_access.
// A family issued in another session, or with offline_access, is left
// alone, as is an authorization that is not there. ended tells whether
// tokens were revoked.
func (h *Handler) EndSessionRefresh(ctx context.Context, subject, clientID, sid string) (ended bool, err error) {
	if h.Authorizations == nil || sid == "" {
		return false, nil
	}
	for range casAttempts {
		_, err = h.Authorizations.Update(ctx, subject, clientID, func(a oauth.Authorization) (oauth.Authorization, error) {
			if got, _ := a.Data[refreshSessionKey].(string); got != sid || a.RefreshTokenHash == "" {
				return a, errNoWrite
			}
			a = revokeRefresh(a)
			a.Data = maps.Clone(a.Data)
			delete(a.Data, refreshSessionKey)
			return a, nil
		})
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	switch {
	case errors.Is(err, errNoWrite), errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}
