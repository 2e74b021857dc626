package registration

import (
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// storeError turns an error from the store or the secret checks into the
// OAuth error to answer with. Errors that already are OAuth errors (from
// an update function) pass through.
func (s *Service) storeError(err error) error {
	var oe *oauth.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &oe):
		return oe
	case errors.Is(err, storage.ErrUnavailable), errors.Is(err, secrets.ErrBusy):
		return oauth.ErrTemporarilyUnavailable().WithDescription("the client registry is unavailable; try again later").WithCause(err)
	case errors.Is(err, storage.ErrNotFound):
		return oauth.ErrNotFound().WithDescription("no client is registered with this client_id")
	case errors.Is(err, storage.ErrAlreadyExists):
		return invalidMetadata(memberPreferredClientID, "a client with this ID is registered already").
			WithStatus(409).WithCause(err)
	case errors.Is(err, storage.ErrMalformed):
		return oauth.ErrServerError().WithDescription("the stored registration of this client cannot be read").WithCause(err)
	case errors.Is(err, storage.ErrConflict):
		return oauth.ErrInvalidRequest().WithDescription("the client changed while being updated; try again").
			WithStatus(409).WithCause(err)
	}
	return oauth.ErrServerError().WithCause(err)
}
