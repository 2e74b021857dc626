package logout

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
)

// httpFor picks the client of a POST: the guarded one (Public) when the
// context says the logout token goes to a client registered openly, so
// that its backchannel_logout_uri cannot lead the server into its own
// network, whatever the name resolves to when the POST is made.
func (d *Deliverer) httpFor(ctx context.Context) *http.Client {
	if netguard.PublicOnly(ctx) {
		return d.Public
	}
	return d.HTTP
}

// postError: a connection the guard refused is a permanent failure (no
// retry, audited as failed); anything else may pass and is retried.
func postError(err error) error {
	if errors.Is(err, netguard.ErrNonPublic) {
		return fmt.Errorf("%w: post: %w", errPermanent, err)
	}
	return fmt.Errorf("post: %w", err)
}
