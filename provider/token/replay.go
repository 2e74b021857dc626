package token

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// A code presented a second time means it leaked: RFC 6749 §4.1.2 asks
// that the tokens issued for it be revoked. What a redemption issued is
// recorded under the code's hash for as long as its access token lives.

// Revoker lists revoked access tokens (resource.Revocations).
type Revoker interface {
	Revoke(ctx context.Context, jti string, until time.Time) error
}

// issued is what a code's redemption gave out.
type issued struct {
	JTI       string    `json:"jti"`
	ExpiresAt time.Time `json:"exp"`
	Subject   string    `json:"sub"`
	ClientID  string    `json:"client_id"`
	Refresh   bool      `json:"refresh,omitempty"`
}

func issuedKey(code string) string {
	sum := sha256.Sum256([]byte(code))
	return "code-issued:" + hex.EncodeToString(sum[:])
}

// remember records what a code's redemption issued. A failure is logged:
// the tokens are valid either way, only a later replay could not end them.
func (h *Handler) remember(ctx context.Context, code string, rec issued) {
	if h.Issued == nil {
		return
	}
	raw, _ := json.Marshal(rec)
	if err := h.Issued.Put(ctx, issuedKey(code), raw, time.Until(rec.ExpiresAt)+time.Minute); err != nil {
		h.Log.Warn("record the tokens of a code", "err", err)
	}
}

// revokeReplayed ends what the first redemption of a replayed code issued:
// its access token, and the refresh token family it started. It returns
// the access token's jti, or "" when nothing was recorded.
func (h *Handler) revokeReplayed(ctx context.Context, code string) (jti string) {
	if h.Issued == nil {
		return ""
	}
	raw, err := h.Issued.Take(ctx, issuedKey(code))
	if errors.Is(err, storage.ErrNotFound) {
		return ""
	}
	var rec issued
	if err == nil {
		err = json.Unmarshal(raw, &rec)
	}
	if err != nil {
		h.Log.Error("replayed code: read what it issued", "err", err)
		return ""
	}
	if h.Revoker != nil {
		if err := h.Revoker.Revoke(ctx, rec.JTI, rec.ExpiresAt); err != nil {
			h.Log.Error("replayed code: revoke its access token", "err", err)
		}
	}
	if rec.Refresh {
		if err := h.endRefreshFamily(ctx, rec.Subject, rec.ClientID); err != nil {
			h.Log.Error("replayed code: end its refresh tokens", "err", err)
		}
	}
	h.Log.Warn("replayed code: its tokens are revoked", "client_id", rec.ClientID, "sub", rec.Subject)
	return rec.JTI
}
