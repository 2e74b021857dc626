package clientauth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// replayPrefix keeps the replay records apart from the other users of the
// session store.
const replayPrefix = "clientauth/jti/"

// useJTI records the assertion's jti as used, refusing one used before
// (RFC 7523 §3 item 7, OpenID Connect Core §9: jti "MUST only be used
// once"). The record outlives exp by the leeway, so that an instance whose
// clock runs a little behind ours cannot take the assertion either.
func (a *Authenticator) useJTI(ctx context.Context, clientID, jti string, exp, now time.Time) *oauth.Error {
	err := a.replay.Use(ctx, clientID, jti, exp.Sub(now)+leeway)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrAlreadyExists):
		return a.refuse(false, "The client assertion has been used before; make a new one for each request.", errReplayed)
	}
	return unavailable(fmt.Errorf("replay store: %w", err))
}
