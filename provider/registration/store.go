package registration

import (
	"context"
	"fmt"
	"iter"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
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

// boundedStore answers for IDs longer than any client can have (see
// oauth.MaxClientID) as for a client that does not exist, without asking
// the store: such a name may not even be valid in the directory
// (OpenLDAP refuses DNs over 8 KiB as invalidDNSyntax), and every path
// of the service, the authorisation checks included, must see
// storage.ErrNotFound for it, never an internal error. Create is left to
// clientIDProblem, which says what is wrong.
type boundedStore struct {
	ClientStore
}

func (b boundedStore) Get(ctx context.Context, id string) (oauth.Client, error) {
	if len(id) > oauth.MaxClientID {
		return oauth.Client{}, errNoSuchID
	}
	return b.ClientStore.Get(ctx, id)
}

func (b boundedStore) Update(ctx context.Context, id string, fn func(old oauth.Client) (oauth.Client, error)) (oauth.Client, error) {
	if len(id) > oauth.MaxClientID {
		return oauth.Client{}, errNoSuchID
	}
	return b.ClientStore.Update(ctx, id, fn)
}

func (b boundedStore) Delete(ctx context.Context, id string) error {
	if len(id) > oauth.MaxClientID {
		return errNoSuchID
	}
	return b.ClientStore.Delete(ctx, id)
}

var errNoSuchID = fmt.Errorf("client_id longer than %d bytes: %w", oauth.MaxClientID, storage.ErrNotFound)
