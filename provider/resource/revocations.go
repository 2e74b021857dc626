package resource

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// revocationMargin keeps an entry a little past the token's exp: token
// parsing allows for clock skew, and the entry must outlive that.
const revocationMargin = time.Minute

// revokedPrefix namespaces revocation entries in a shared KV.
const revokedPrefix = "revoked-access:"

// Revocations is the list of revoked access tokens, by jti. Entries live
// until the token would have expired, so the list never outgrows the
// tokens in circulation.
type Revocations struct {
	kv  session.KV
	now func() time.Time
}

// NewRevocations returns the list kept in kv; now nil means time.Now.
func NewRevocations(kv session.KV, now func() time.Time) *Revocations {
	if now == nil {
		now = time.Now
	}
	return &Revocations{kv: kv, now: now}
}

// Revoke puts jti on the list until until (the token's exp). A token
// already past its exp needs no entry.
func (r *Revocations) Revoke(ctx context.Context, jti string, until time.Time) error {
	if jti == "" {
		return errors.New("resource: revoking a token without jti")
	}
	ttl := until.Sub(r.now()) + revocationMargin
	if ttl <= 0 {
		return nil
	}
	return r.kv.Put(ctx, revokedPrefix+jti, []byte{1}, ttl)
}

// Revoked reports whether jti is on the list. An error means the list
// could not be read; the caller must then not treat the token as valid.
func (r *Revocations) Revoked(ctx context.Context, jti string) (bool, error) {
	_, err := r.kv.Get(ctx, revokedPrefix+jti)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	}
	return false, err
}
