package mfa

import (
	"context"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Store keeps people's authenticators (ldapstore.Authenticators). Update
// is a compare-and-swap: of two racing updates one fails with
// storage.ErrConflict, which is what makes a code good once.
type Store interface {
	List(ctx context.Context, subject string) ([]oauth.Authenticator, error)
	Create(ctx context.Context, a oauth.Authenticator) (oauth.Authenticator, error)
	Update(ctx context.Context, subject, id string,
		fn func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error)
	Delete(ctx context.Context, subject, id string) error
}
