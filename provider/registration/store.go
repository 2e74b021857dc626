package registration

import (
	"context"
	"iter"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// ClientStore keeps client registrations. Implementations hand out copies:
// changing a returned Client changes nothing stored.
type ClientStore interface {
	// Create stores a new client and returns it as stored. An existing
	// client with the same ID is an error matching storage.ErrAlreadyExists.
	Create(ctx context.Context, c oauth.Client) (oauth.Client, error)
	Get(ctx context.Context, id string) (oauth.Client, error)
	// Update reads the client, passes it to fn and stores what fn returns,
	// only if nobody changed the entry in between. An error from fn is
	// returned and nothing is written.
	Update(ctx context.Context, id string, fn func(old oauth.Client) (oauth.Client, error)) (oauth.Client, error)
	Delete(ctx context.Context, id string) error
	// List yields every client. An entry that cannot be read yields an
	// error matching storage.ErrMalformed and the listing goes on; any
	// other error ends it.
	List(ctx context.Context) iter.Seq2[oauth.Client, error]
}
